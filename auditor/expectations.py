"""The values rules expect, with the spec's values as defaults.

A project that names things differently sets them under `[tool.mami-audit.expect]`
(kebab-case keys: `app-port = 8080`). Rules read them as `context.expect.app_port`.
"""

from typing import NamedTuple

from auditor.documents.kinds import WORKFLOW_FOLDER


# A NamedTuple rather than a frozen dataclass: with this many fields, a dataclass costs a few
# milliseconds of start-up on every run to generate its methods. The annotations are not
# postponed, so the config reader can check a value against the field's type (str or int).
class Expectations(NamedTuple):
    # The API image (R1, R4, R14, R18)
    user: str = "mami"  # R1.5, R14.4
    app_port: int = 8000  # R6.2
    health_path: str = "/health"  # R4.1
    healthcheck_interval: str = "30s"  # R4.1
    healthcheck_retries: int = 3  # R4.2
    workdir: str = "/app"
    data_dir: str = "/app/data"  # R18.4: sqlite:///data/app.db relative to the workdir
    logs_dir: str = "/app/logs"  # R5.1
    python_version: str = "3.11"
    # The Dockerfile stage that is deployed, judged as the final image; "" = the last stage
    target: str = ""
    # Compose services and network (R3, R6)
    network: str = "mami-network"
    api_service: str = "mami-ai"
    worker_service: str = "mami-worker"
    ui_service: str = "mami-ui"
    elasticsearch_service: str = "elasticsearch"
    prometheus_service: str = "prometheus"
    grafana_service: str = "grafana"
    ui_port: int = 5173  # R6.3
    grafana_port: int = 3000  # R12.4
    elasticsearch_heap: str = "512m"  # R10.3: ES_JAVA_OPTS -Xms and -Xmx
    prometheus_retention: str = "30d"  # R11.3: --storage.tsdb.retention.time
    # The CI workflow (R13), a file name in .github/workflows/
    workflow: str = "docker-build.yml"  # R13.1
    # Python dependencies (R8)
    fastapi_version: str = "0.115.0"
    uvicorn_version: str = "0.30.3"
    pydantic_minimum: str = "2.0.0"
    # R8.2: distributions that must be installed, separated by spaces or commas; `a|b` accepts
    # either (google-generativeai still counts as Gemini, though PY009 flags it as deprecated)
    python_packages: str = (
        "sqlmodel neo4j qdrant-client redis groq google-genai|google-generativeai"
    )
    # Node dependencies (R9)
    react_version: str = "19.2.0"
    typescript_version: str = "5.9.3"
    vite_version: str = "7.2.4"
    tailwindcss_version: str = "4.1.18"
    zustand_version: str = "5.0.9"
    react_router_version: str = "6.30.2"
    # Which package.json sections must pin exact versions: "all" (dependencies,
    # devDependencies, optionalDependencies), "dependencies" (that section only) or "none"
    node_pins: str = "all"
    # Python source (R2, R16-R20): where the app keeps things and what it calls them
    settings_module: str = "app/config.py"  # R2.2; its top folder is the app package
    logger_module: str = "app/core/logger.py"  # R20.1
    logger_function: str = "get_logger"  # R20.1
    database_module: str = "app/core/database.py"  # R18.1
    database_initializer: str = "init_database_with_defaults"  # R18.1, R18.2
    database_url: str = "sqlite:///data/app.db"  # R18.3
    redis_url_method: str = "get_redis_url"  # R17.1-R17.4
    cors_origins_method: str = "get_cors_origins_list"  # R19.2
    groq_keys_method: str = "get_groq_api_keys"  # R16.3
    gemini_keys_method: str = "get_gemini_api_keys"  # R16.4
    metrics_path: str = "/metrics"  # R11.4, R20.5

    @property
    def workflow_path(self) -> str:
        """Where the workflow R13.1 names lives in the repository."""
        return f"{WORKFLOW_FOLDER}/{self.workflow}"
