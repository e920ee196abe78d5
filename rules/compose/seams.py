"""What the compose file says against the other files: the Dockerfile a service is built
from, its build context, and what its image has (the DF family's reading of the Dockerfile)."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from auditor.facts.compose import Service, Stack
from auditor.lazy_pattern import LazyPattern
from auditor.rule import Context, Finding, Fix, Severity, register
from rules.compose._base import ComposeRule, add_mount

if TYPE_CHECKING:
    from auditor.documents.dockerfile import Dockerfile, Stage

# What pulled images are known to carry: image name -> {program: has it}. Tags matter for
# Python and Node (slim and alpine variants drop the clients).
_PULLED_TOOLS: dict[str, dict[str, bool]] = {
    "prometheus": {"wget": True, "curl": False},
    "alertmanager": {"wget": True, "curl": False},
    "grafana": {"wget": True},
    "elasticsearch": {"curl": True},
    "kibana": {"curl": True},
    "nginx": {"curl": True},
}


def built_stage(
    context: Context, stack: Stack, service: Service
) -> tuple[Dockerfile, Stage] | None:
    """The parsed Dockerfile and the stage a built service runs (`build.target`, else the
    last stage); None for a pulled image or a Dockerfile that does not parse."""
    from auditor.documents.dockerfile import Dockerfile

    build = service.build()
    if build is None:
        return None
    context_path, dockerfile = build
    path = posixpath.normpath(posixpath.join(context_path, dockerfile))
    document = context.project.document(path, "dockerfile")
    if not isinstance(document, Dockerfile) or document.parse_error is not None:
        return None
    target = service.get("build").get("target") if service.get("build").is_map else None
    stage = document.stage_named(str(target.value)) if target is not None else None
    stage = stage or document.final_stage
    return (document, stage) if stage is not None else None


def image_has_program(
    context: Context, stack: Stack, service: Service, program: str
) -> bool | None:
    """Does the service's image have `program`? None when it cannot be known."""
    found = built_stage(context, stack, service)
    if found is not None:
        from rules.dockerfile.runtime import stage_has_program

        return stage_has_program(found[0], found[1], program)
    if service.get("build") is not None:
        return None
    image = str(service.value("image") or "")
    name, _, tag = image.rsplit("/", 1)[-1].partition(":")
    if name in ("python", "node"):
        if "slim" in tag or "alpine" in tag:
            return program == "wget" and "alpine" in tag
        return True if tag else None
    if "alpine" in tag:
        return program == "wget"
    return _PULLED_TOOLS.get(name, {}).get(program)


@register
class BuildContextMissing(ComposeRule):
    """A service's build context or Dockerfile does not exist.

    ## What it does
    Resolves each `build:` (short or long syntax) against the compose file's folder and checks
    that the context folder and the Dockerfile in it exist in the project. The DF family's
    build-context rules use the same context, so what a COPY may take is judged against the
    folder Compose sends.

    ## Why is this bad?
    `docker compose build` fails with "unable to prepare context" or "failed to read
    dockerfile", usually on the CI runner after a folder was renamed.

    ## Example
    ```yaml
    services:
      mami-ui:
        build: ./web
    ```

    ## How to fix
    Point `context` at the folder holding the sources and `dockerfile` at the file, relative
    to the context.
    """

    code = "CP012"
    name = "build-context-missing"
    summary = "A service's build context or Dockerfile does not exist"
    severity = Severity.ERROR
    stacks = "all"
    bad_examples = (
        ComposeRule.bad("services:\n  web:\n    build: ./web\n"),
        ComposeRule.bad(
            {
                "docker-compose.yml": "services:\n  web:\n    build:\n      context: .\n"
                "      dockerfile: web.Dockerfile\n",
                "Dockerfile": "FROM nginx:1.27\n",
            }
        ),
    )
    good_examples = (
        ComposeRule.good(
            {
                "docker-compose.yml": "services:\n  web:\n    build:\n      context: ./web\n",
                "web/Dockerfile": "FROM nginx:1.27\n",
            }
        ),
        ComposeRule.good(
            "services:\n  web:\n    build:\n      context: https://github.com/example/web.git\n"
        ),
    )

    def check_stack(self, context: Context, stack: Stack) -> Iterator[Finding]:
        for name, service in stack.services.items():
            node = service.get("build")
            if node is None or node.value is None:
                continue
            raw = node.get("context") if node.is_map else node
            written = "." if raw is None or raw.value is None else str(raw.value)
            if "://" in written or written.startswith("git@"):
                continue  # a remote context
            build = service.build()
            assert build is not None
            context_path, dockerfile = build
            where = raw.origin if raw is not None else node.origin
            if not context.project.is_dir(context_path):
                yield self.at(
                    context, where, f"`{name}`'s build context {written} is not a folder here"
                )
                continue
            if dockerfile.startswith("/") or "://" in dockerfile:
                continue
            path = posixpath.normpath(posixpath.join(context_path, dockerfile))
            if not context.project.exists(path):
                file_node = node.get("dockerfile") if node.is_map else None
                yield self.at(
                    context,
                    file_node.origin if file_node is not None else where,
                    f"`{name}` is built from {path}, which does not exist",
                )


@register
class DataVolumeNotWritable(ComposeRule):
    """The API's data directory is not persisted, or is mounted where the image's user cannot
    write.

    ## What it does
    Takes the API service's image user (the Dockerfile's last USER, as the DF family reads
    it) and the data directory the app writes (`data-dir`, `/app/data`, where sqlite lives,
    R18.4), and checks the compose volume mounted there: there must be one (R5.1), and it must
    not be read-only (`:ro`) when the app writes into it.

    ## Why is this bad?
    Without a mount the database lives in the container's layer and is lost on the next
    `docker compose up --build`; a read-only mount makes every write fail with "attempt to
    write a readonly database".

    ## Example
    ```yaml
      mami-ai:
        build: .
        volumes:
          - ./data:/app/data:ro
    ```

    ## How to fix
    Mount `./data:/app/data` read-write (and make the host folder writable by the image's
    user's uid, e.g. `chown 1000 data`).

    The fix adds the mount when nothing is mounted there. It is unsafe: the container then
    sees the host's `./data` (empty at first, created by Docker as root) instead of the
    database it has now; copy that out first (`docker compose cp mami-ai:/app/data ./data`)
    and give the folder to the image's user. A read-only mount has no fix: whether the app
    should write there is the user's call.
    """

    code = "CP013"
    name = "data-volume-not-writable"
    summary = "The API's data directory is not mounted, or mounted read-only"
    severity = Severity.ERROR
    requirements = ("R5.1", "R18.4")
    fixable = True
    bad_examples = (
        ComposeRule.bad(
            "services:\n  mami-ai:\n    image: a:1\n    volumes:\n      - ./data:/app/data:ro\n"
        ),
        ComposeRule.bad(
            "services:\n  mami-ai:\n    image: a:1\n    volumes:\n      - ./logs:/app/logs\n",
            "services:\n  mami-ai:\n    image: a:1\n    volumes:\n      - ./logs:/app/logs\n"
            "      - ./data:/app/data\n",
            unsafe=True,
        ),
        ComposeRule.bad(
            "services:\n  mami-ai:\n    image: a:1\n    volumes: []  # none yet\n",
            "services:\n  mami-ai:\n    image: a:1\n    volumes:\n      - ./data:/app/data"
            "  # none yet\n",
            unsafe=True,
        ),
        ComposeRule.bad(
            "services:\n  mami-ai:\n    image: a:1  # the API\n  redis:\n    image: redis:7.4\n",
            "services:\n  mami-ai:\n    image: a:1  # the API\n    volumes:\n"
            "      - ./data:/app/data\n  redis:\n    image: redis:7.4\n",
            unsafe=True,
        ),
    )
    good_examples = (
        ComposeRule.good(
            "services:\n  mami-ai:\n    image: a:1\n    volumes:\n      - ./data:/app/data\n"
        ),
    )

    def check_stack(self, context: Context, stack: Stack) -> Iterator[Finding]:
        service = stack.service(context.expect.api_service)
        if service is None:
            return
        data_dir = context.expect.data_dir.rstrip("/")
        user = self._user(context, stack, service)
        mounts = [(m, n) for m, n in service.mounts() if m.target.rstrip("/") == data_dir]
        if not mounts:
            where = service.get("volumes").origin if service.get("volumes") else service.key_origin
            edit = add_mount(context, service, f"./data:{data_dir}")
            # Unsafe: the container then sees the host folder, not the database it has now.
            fix = Fix.unsafe(f"Bind-mount ./data on {data_dir}", edit) if edit else None
            yield self.at(
                context,
                where,
                f"nothing is mounted at {data_dir}: the database is lost with the container (R5.1)",
                fix,
            )
            return
        for mount, node in mounts:
            if mount.read_only:
                who = f"user `{user}`" if user else "the app"
                yield self.at(
                    context,
                    node.origin,
                    f"{data_dir} is mounted read-only, but {who} writes the database there (R18.4)",
                )

    def _user(self, context: Context, stack: Stack, service: Service) -> str | None:
        found = built_stage(context, stack, service)
        if found is None:
            return None
        from rules.dockerfile._base import last_user, user_text

        instruction = last_user(*found)
        return user_text(found[0], instruction) if instruction else "root"


# --- seams with the Python code (routes, entry points, Settings) and the requirements ------

_URL_PATH = LazyPattern(r"https?://[^/\s'\"]+(/[^\s'\"?]*)?")


def probed_path(words: list[str]) -> str | None:
    """The URL path a health check command requests (`http://localhost:8000/health` ->
    "/health"); None when it names no URL."""
    match = _URL_PATH.search(" ".join(words))
    if match is None:
        return None
    return match.group(1) or "/"


def at_root(stack: Stack) -> bool:
    """The Python facts describe the project root's app; only a stack there runs that app."""
    return stack.folder == ""


@register
class HealthcheckRouteMissing(ComposeRule):
    """The API's health check probes a route the app does not define.

    ## What it does
    Takes the URL path the API service's health check requests (`/health` in
    `curl -fsS http://localhost:8000/health`) and looks it up in the routes the FastAPI app
    defines (decorators, routers and their prefixes, mounts, as the PS family reads them).
    Silent when the routes cannot be known statically.

    ## Why is this bad?
    The check gets 404 forever: the API is never healthy, the worker and UI waiting for it
    never start, and autoheal restarts a working API every few minutes.

    ## Example
    ```yaml
        healthcheck:
          test: ["CMD", "curl", "-fsS", "http://localhost:8000/healthz"]
    ```
    while `app/main.py` defines `@app.get("/health")`.

    ## How to fix
    Probe the route the app serves, or add it to the app.
    """

    code = "CP028"
    name = "healthcheck-route-missing"
    summary = "The API's health check probes a route the app does not define"
    severity = Severity.ERROR
    requirements = ("R4.1",)
    bad_examples = (
        ComposeRule.bad(
            {
                "docker-compose.yml": "services:\n  mami-ai:\n    image: a:1\n    healthcheck:\n"
                '      test: ["CMD", "curl", "-fsS", "http://localhost:8000/healthz"]\n',
                "app/main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n"
                '@app.get("/health")\ndef health():\n    return {}\n',
            }
        ),
    )
    good_examples = (
        ComposeRule.good(
            {
                "docker-compose.yml": "services:\n  mami-ai:\n    image: a:1\n    healthcheck:\n"
                '      test: ["CMD", "curl", "-fsS", "http://localhost:8000/api/health"]\n',
                "app/main.py": "from fastapi import APIRouter, FastAPI\n\napp = FastAPI()\n"
                'router = APIRouter(prefix="/api")\n\n\n@router.get("/health")\n'
                "def health():\n    return {}\n\n\napp.include_router(router)\n",
            }
        ),
    )

    def check_stack(self, context: Context, stack: Stack) -> Iterator[Finding]:
        service = stack.service(context.expect.api_service)
        words = service.healthcheck_test() if service is not None else None
        if not at_root(stack) or not words:
            return
        path = probed_path(words)
        if path is None:
            return
        from auditor.facts.routes import route_facts

        routes = route_facts(context.project)
        if not routes.complete or not routes.apps or routes.serves(path) is not None:
            return
        where = service.get("healthcheck").get("test") or service.get("healthcheck")
        defined = ", ".join(sorted({r.path for r in routes.routes if r.method == "GET"})[:5])
        yield self.at(
            context,
            where.origin,
            f"the health check probes {path}, which the app does not define "
            f"(GET routes: {defined or 'none'})",
        )


@register
class EntryPointMissing(ComposeRule):
    """A service's command runs a Python module or app the code does not have.

    ## What it does
    Reads the commands of the services built from the project root (`build: .`):
    `python -m <module>` (the worker's `app.image.worker_local`) and `uvicorn`/`gunicorn`
    `<module>:<app>`, and checks that the module exists in the project and defines the app
    object. A pulled image brings its own code and is not judged.

    ## Why is this bad?
    The container exits at once with "No module named ..." or "Attribute app not found", and
    restarts in a loop.

    ## Example
    ```yaml
      mami-worker:
        command: ["python", "-m", "app.worker"]
    ```
    while the module is `app/image/worker_local.py`.

    ## How to fix
    Name the module (and the app object) as the code has them.
    """

    code = "CP029"
    name = "entry-point-missing"
    summary = "A command runs a Python module or app the code does not have"
    severity = Severity.ERROR
    requirements = ("R15.3",)
    bad_examples = (
        ComposeRule.bad(
            {
                "docker-compose.yml": "services:\n  mami-worker:\n    build: .\n"
                '    command: ["python", "-m", "app.worker"]\n'
                "  mami-ai:\n    build: .\n    command: uvicorn app.main:application\n"
                "  other:\n    image: example/other:1\n    command: python -m app.elsewhere\n",
                "app/__init__.py": "",
                "app/main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
            },
            count=2,
        ),
    )
    good_examples = (
        ComposeRule.good(
            {
                "docker-compose.yml": "services:\n  mami-worker:\n    build: .\n"
                '    command: ["python", "-m", "app.image.worker_local"]\n'
                "  mami-ai:\n    build: .\n    command: uvicorn app.main:app --port 8000\n"
                "  redis:\n    image: redis:7.4\n    command: redis-server --save 60 1\n",
                "app/__init__.py": "",
                "app/main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
                "app/image/__init__.py": "",
                "app/image/worker_local.py": "print('working')\n",
            }
        ),
    )

    def check_stack(self, context: Context, stack: Stack) -> Iterator[Finding]:
        if not at_root(stack):
            return
        from auditor.facts.imports import entry_point

        for name, service in stack.services.items():
            words = service.command_words()
            build = service.build()
            if not words or build is None or build[0] != ".":
                continue
            target = self._target(words)
            if target is None:
                continue
            found = entry_point(context.project, target)
            if not found.exists:
                yield self.at(
                    context,
                    service.get("command").origin,
                    f"`{name}` runs {target}: {found.reason}",
                )

    @staticmethod
    def _target(words: list[str]) -> str | None:
        programs = [posixpath.basename(word) for word in words]
        for index, program in enumerate(programs):
            if re.fullmatch(r"python(3(\.\d+)?)?", program) and words[index + 1 : index + 2] == [
                "-m"
            ]:
                module = words[index + 2] if index + 2 < len(words) else ""
                if module in ("uvicorn", "gunicorn"):
                    return EntryPointMissing._app_argument(words[index + 3 :])
                return module if module and module.split(".")[0] in ("app", "src") else None
            if program in ("uvicorn", "gunicorn"):
                return EntryPointMissing._app_argument(words[index + 1 :])
        return None

    @staticmethod
    def _app_argument(words: list[str]) -> str | None:
        for word in words:
            if not word.startswith("-") and ":" in word:
                return word
        return None


# Variables read by Python, the servers and the image, not by the app's Settings.
_RUNTIME_VARIABLES = LazyPattern(
    r"^(PYTHON\w*|UVICORN_\w+|GUNICORN_CMD_ARGS|WEB_CONCURRENCY|FORWARDED_ALLOW_IPS|TZ|LANG|"
    r"LC_\w+|PATH|HOME|PIP_\w+|OTEL_\w+|SSL_CERT_\w+|REQUESTS_CA_BUNDLE|HTTPS?_PROXY|NO_PROXY)$"
)


@register
class EnvironmentNotRead(ComposeRule):
    """The API or worker service sets a variable nothing in the app reads.

    ## What it does
    Takes the keys of the API's and the worker's `environment` and looks each up in the
    app's Settings class (its fields, under its `env_prefix` and case rules, as the PS family
    reads them) and, failing that, as a string anywhere in the app's code (`os.getenv("X")`).
    Variables of Python, uvicorn and gunicorn themselves are known. Silent when the Settings
    class cannot be read statically.

    ## Why is this bad?
    A misspelt or renamed variable (`ELASTIC_URL` for `ELASTICSEARCH_URL`) is silently
    ignored: the app runs on its default, often the wrong host.

    ## Example
    ```yaml
        environment:
          ELASTIC_URL: http://elasticsearch:9200
    ```

    ## How to fix
    Use the name Settings reads, or drop the line.
    """

    code = "CP030"
    name = "environment-not-read"
    summary = "The compose environment sets a variable the app's Settings does not read"
    requirements = ("R2.1", "R2.2")
    _SETTINGS = (
        "from pydantic_settings import BaseSettings\n\n\nclass Settings(BaseSettings):\n"
        "    ELASTICSEARCH_URL: str | None = None\n    NODE_MODE: str = 'CORE'\n"
    )
    bad_examples = (
        ComposeRule.bad(
            {
                "docker-compose.yml": "services:\n  mami-ai:\n    image: a:1\n    environment:\n"
                "      NODE_MODE: CORE\n      ELASTIC_URL: http://elasticsearch:9200\n",
                "app/config.py": _SETTINGS,
            }
        ),
    )
    good_examples = (
        ComposeRule.good(
            {
                "docker-compose.yml": "services:\n  mami-ai:\n    image: a:1\n    environment:\n"
                "      - NODE_MODE=CORE\n      - ELASTICSEARCH_URL=http://elasticsearch:9200\n"
                "      - PYTHONUNBUFFERED=1\n      - FEATURE_X=on\n",
                "app/config.py": _SETTINGS,
                "app/features.py": "import os\n\nENABLED = os.getenv('FEATURE_X') == 'on'\n",
            }
        ),
    )

    def check_stack(self, context: Context, stack: Stack) -> Iterator[Finding]:
        if not at_root(stack):
            return
        from auditor.facts.python_code import python_code
        from auditor.facts.settings import settings_facts

        facts = settings_facts(context.project)
        settings = facts.primary
        if settings is None or not facts.complete or not settings.variables_known:
            return
        code = python_code(context.project).app_modules
        for name in (context.expect.api_service, context.expect.worker_service):
            service = stack.service(name)
            if service is None:
                continue
            for key, node in service.mapping("environment").items():
                if _RUNTIME_VARIABLES.match(key) or settings.field_for_variable(key):
                    continue
                if any(f'"{key}"' in m.text or f"'{key}'" in m.text for m in code):
                    continue
                yield self.at(
                    context,
                    node.origin,
                    f"`{name}` sets {key}, which {settings.path}'s {settings.name} does not read",
                )


def _majors(specifier) -> set[int]:  # type: ignore[no-untyped-def]
    """The major versions a specifier allows some release of: tried on the versions it
    names and on the first and a far-off release of each major up to 30."""
    from packaging.version import InvalidVersion, Version

    candidates = {spec.version.removesuffix(".*") for spec in specifier}
    for major in range(0, 31):
        candidates.update({f"{major}.0.0", f"{major}.99999.0"})
    allowed = set()
    for candidate in candidates:
        try:
            version = Version(candidate)
        except InvalidVersion:
            continue
        if specifier.contains(version, prereleases=True):
            allowed.add(version.major)
    return allowed


@register
class ElasticsearchClientMajor(ComposeRule):
    """The `elasticsearch` Python client's major version differs from the server image's.

    ## What it does
    Reads the Elasticsearch service's image tag (`elasticsearch:8.19.13` -> 8) and the
    `elasticsearch` requirement of the project's `requirements.txt` (`==9.1.0`,
    `>=8,<9`), and reports a requirement that allows no client of the server's major version.

    ## Why is this bad?
    The client of one major refuses to talk to a server of another ("The client noticed that
    the server is not a supported distribution" or media-type errors): logging to
    Elasticsearch fails at run time while every test with a mocked client passes.

    ## Example
    ```text
    elasticsearch==9.1.0        # requirements.txt
    ```
    with `image: docker.elastic.co/elasticsearch/elasticsearch:8.19.13`.

    ## How to fix
    Pin the client to the server's major (`elasticsearch>=8,<9`) or move the server.
    """

    code = "CP031"
    name = "elasticsearch-client-major"
    summary = "The elasticsearch client's major version differs from the server image's"
    severity = Severity.ERROR
    requirements = ("R10.4",)
    _COMPOSE = (
        "services:\n  elasticsearch:\n"
        "    image: docker.elastic.co/elasticsearch/elasticsearch:8.19.13\n"
    )
    bad_examples = (
        ComposeRule.bad(
            {"docker-compose.yml": _COMPOSE, "requirements.txt": "elasticsearch==9.1.0\n"}
        ),
    )
    good_examples = (
        ComposeRule.good(
            {"docker-compose.yml": _COMPOSE, "requirements.txt": "elasticsearch>=8.15,<9\n"}
        ),
    )

    def check_stack(self, context: Context, stack: Stack) -> Iterator[Finding]:
        service = stack.service(context.expect.elasticsearch_service)
        if service is None or not stack.is_default:
            return
        image = str(service.value("image") or "")
        tag = image.rsplit("/", 1)[-1].partition(":")[2]
        if not tag[:1].isdigit():
            return
        server = int(re.match(r"\d+", tag).group(0))  # type: ignore[union-attr]
        from auditor.documents.requirements import RequirementsFile

        path = stack.path_of("requirements.txt")
        document = context.project.document(path, "requirements")
        if not isinstance(document, RequirementsFile) or document.parse_error is not None:
            return
        for requirement in document.requirements:
            if requirement.name != "elasticsearch" or requirement.specifier is None:
                continue
            if not str(requirement.specifier):
                continue
            allowed = _majors(requirement.specifier)
            if allowed and server not in allowed:
                where = service.get("image").origin
                yield self.finding(
                    document,
                    document.line_span(requirement.line),
                    f"{requirement.display()} allows client major "
                    f"{', '.join(map(str, sorted(allowed)))}, but {where.path}:{where.line} "
                    f"runs Elasticsearch {server}",
                )
