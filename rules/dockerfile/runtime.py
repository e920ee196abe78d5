"""How the final image runs: its user, health check, environment and writable directories."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterator

from auditor.documents.dockerfile import Dockerfile, Instruction, Stage, parse_image
from auditor.lazy_pattern import LazyPattern
from auditor.rule import Context, Edit, Finding, Fix, Severity, register
from rules.dockerfile._base import (
    DockerfileRule,
    env_value,
    final_stage,
    insert_lines,
    insertion_line,
    is_alpine,
    is_python_image,
    is_root,
    last_user,
    user_name,
    user_text,
)
from rules.dockerfile._shell import SimpleCommand, installed_packages, run_commands

_USER_CREATION_RE = LazyPattern(r"\b(?:useradd|adduser)\b")
_COMMAND_SEPARATORS_RE = LazyPattern(r"[&;|]")
_URL_RE = LazyPattern(r"https?://[^\s\"'|;&]+")
# CPython reads PYTHONUNBUFFERED as an integer (strtol, whole text): "", "0", "-00" leave
# stdout buffered; any other text, even "false", turns buffering off.
_BUFFERED_VALUE_RE = LazyPattern(r"^\s*[+-]?0*$")


def _runs_as_non_root_by_default(base: str) -> bool:
    """Base images whose own default user is not root: distroless and other `nonroot` tags,
    Chainguard's images (uid 65532) and nginx-unprivileged."""
    image = parse_image(base.lower())
    return (
        "nonroot" in base.lower()
        or image.name.startswith("cgr.dev/chainguard/")
        or image.short_name == "nginx-unprivileged"
    )


def _creates_user(document: Dockerfile, stage_instructions: list[Instruction], name: str) -> bool:
    """Does a RUN of the stage run useradd/adduser with `name` after it in one command?

    Command by command (split at `&`, `;`, `|`), each searched once: one pattern from
    `useradd` to the name would rescan the rest of the command from every `useradd`."""
    named = re.compile(rf"\b{re.escape(name)}\b")
    for instruction in stage_instructions:
        if instruction.keyword != "RUN":
            continue
        for command in _COMMAND_SEPARATORS_RE.split(instruction.shell_command):
            creation = _USER_CREATION_RE.search(command)
            if creation is not None and named.search(command, creation.end()):
                return True
    return False


@register
class RootUser(DockerfileRule):
    """The final stage runs as root.

    ## What it does
    Checks that the final stage of a Dockerfile switches to a non-root user: there is a USER
    instruction, and the last one does not name `root` or uid 0.

    ## Why is this bad?
    A process that runs as root inside the container is root on the host's kernel: a bug in
    the app or one of its dependencies becomes a container escape away from the host. The spec
    wants the API to run as the user `mami` (R1.5, R14.4).

    hadolint's DL3002 fires only when the last USER is root; a final stage without any USER
    runs as root as well, so this rule reports that too, unless the base image itself runs as
    a non-root user by default (distroless and other `nonroot` tags, `cgr.dev/chainguard/*`,
    `nginx-unprivileged`). ARG and ENV values are substituted into USER first, so
    `ARG APP_USER=root` / `USER ${APP_USER}` is root as well. Only the image that runs is
    judged: a builder stage whose last USER is root is not reported (hadolint's DL3002 looks
    at every stage), since its user never runs the app.

    ## Example
    ```dockerfile
    FROM python:3.11-slim
    COPY app ./app
    CMD ["python", "-m", "app"]
    ```

    ## How to fix
    Create the user and switch to it before CMD:
    ```dockerfile
    FROM python:3.11-slim
    COPY app ./app
    RUN groupadd --system mami && useradd --system --gid mami --no-create-home mami
    USER mami
    CMD ["python", "-m", "app"]
    ```
    USER goes after the stage's last RUN, so commands that need root still run as root.
    The fix is unsafe: files the app writes at run time (a sqlite database, logs, uploads)
    must now be writable by that user, which the fix cannot know. It is offered for Python
    images only: other servers (nginx binding port 80, say) need more than a USER line to run
    without root, and images without a shell (scratch, distroless, Chainguard) cannot run
    useradd.
    """

    code = "DF001"
    name = "root-user"
    summary = "The final stage runs as root: no USER, or the last USER is root"
    severity = Severity.ERROR
    requirements = ("R1.5", "R14.4")
    peers = ("DL3002",)
    fixable = True
    bad_examples = (
        DockerfileRule.bad(
            'FROM python:3.11-slim\nCOPY app ./app\nCMD ["python", "-m", "app"]\n',
            "FROM python:3.11-slim\nCOPY app ./app\n"
            "RUN groupadd --system mami && useradd --system --gid mami --no-create-home mami\n"
            'USER mami\nCMD ["python", "-m", "app"]\n',
            unsafe=True,
        ),
        DockerfileRule.bad(
            "FROM python:3.11-slim\nRUN useradd --system mami\nUSER mami\n"
            'RUN apt-get update\nUSER root\nCMD ["python", "-m", "app"]\n',
            "FROM python:3.11-slim\nRUN useradd --system mami\nUSER mami\n"
            'RUN apt-get update\nUSER root\nUSER mami\nCMD ["python", "-m", "app"]\n',
            unsafe=True,
        ),
        DockerfileRule.bad(
            'FROM python:3.11-alpine\nCMD ["python", "-m", "app"]\n',
            "FROM python:3.11-alpine\nRUN addgroup -S mami && adduser -S -G mami mami\n"
            'USER mami\nCMD ["python", "-m", "app"]\n',
            unsafe=True,
        ),
    )
    good_examples = (
        DockerfileRule.good(
            "FROM python:3.11-slim\nRUN useradd --system mami\nUSER mami\n"
            'CMD ["python", "-m", "app"]\n'
        ),
        DockerfileRule.good(
            "FROM python:3.11-slim AS base\nRUN useradd --system mami\nUSER mami:mami\n"
            'FROM base\nCMD ["python", "-m", "app"]\n'
        ),
        DockerfileRule.good(
            'FROM cgr.dev/chainguard/python:3.12\nENTRYPOINT ["python", "-m", "app"]\n'
        ),
    )

    def check_dockerfile(self, context: Context, document: Dockerfile) -> Iterator[Finding]:
        stage = final_stage(context, document)
        if stage is None:
            return
        user = last_user(document, stage)
        if user is None and _runs_as_non_root_by_default(document.root_base(stage)):
            return
        resolved = None if user is None else user_text(document, user)
        if not is_root(resolved):
            return
        if user is None:
            span = document.instruction_span(stage.from_instruction)
            message = "The final stage has no USER instruction, so the container runs as root"
        else:
            span = document.instruction_span(user)
            written = user.arguments.strip()
            shown = f"`{written}`" if resolved == written else f"`{written}` (`{resolved}`)"
            message = f"The last USER is {shown}: the container runs as root"
        yield self.finding(document, span, message, self._fix(context, document, stage, user))

    def _fix(
        self, context: Context, document: Dockerfile, stage: Stage, user: Instruction | None
    ) -> Fix | None:
        base = document.root_base(stage)
        if (
            base == "scratch"
            or "distroless" in base
            or _runs_as_non_root_by_default(base)
            or not is_python_image(document, stage)
        ):
            return None  # no shell for useradd, or a server that needs more than USER
        name = context.expect.user
        run = document.written_keyword("RUN")
        text = f"{document.written_keyword('USER')} {name}\n"
        if not _creates_user(document, document.chain_instructions(stage), name):
            if is_alpine(document, stage):
                create = f"{run} addgroup -S {name} && adduser -S -G {name} {name}\n"
            else:
                create = (
                    f"{run} groupadd --system {name} && "
                    f"useradd --system --gid {name} --no-create-home {name}\n"
                )
            text = create + text
        line = insertion_line(stage, after=user)
        later_runs = [ins for ins in stage.of_keyword("RUN") if ins.line >= line]
        if later_runs:  # they may need root (pip install, apt-get): switch after them
            line = later_runs[-1].end_line + 1
        return Fix.unsafe(f"Create `{name}` and switch to it", insert_lines(document, line, text))


def _seconds(duration: str) -> float | None:
    """Docker's duration syntax (`30s`, `1m30s`, `500ms`) in seconds."""
    units = {
        "h": 3600.0,
        "m": 60.0,
        "s": 1.0,
        "ms": 0.001,
        "us": 1e-6,
        "µs": 1e-6,
        "ns": 1e-9,
    }
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|us|µs|ns|h|m|s)", duration)
    if not parts or "".join(number + unit for number, unit in parts) != duration.strip():
        return None
    return sum(float(number) * units[unit] for number, unit in parts)


def _final_healthcheck(document: Dockerfile, stage: Stage) -> Instruction | None:
    checks = [ins for ins in document.chain_instructions(stage) if ins.keyword == "HEALTHCHECK"]
    return checks[-1] if checks else None


def _official_name(name: str) -> str | None:
    """`python`, `library/python` or `docker.io/library/python` -> `python`; None for images
    from elsewhere (`cgr.dev/chainguard/python` has no curl, unlike Docker's `python`)."""
    for prefix in ("docker.io/library/", "index.docker.io/library/", "library/", ""):
        if name.startswith(prefix) and "/" not in name[len(prefix) :]:
            return name[len(prefix) :]
    return None


# Tools each kind of official base image already has: (test of name and tag, tools).
_BASE_TOOLS: tuple[tuple[Callable[[str, str], bool], set[str]], ...] = (
    (
        lambda name, tag: name == "python" and not any(v in tag for v in ("slim", "alpine")),
        {"curl", "wget"},
    ),
    (lambda name, tag: "alpine" in name or "alpine" in tag, {"wget"}),
    (lambda name, tag: name == "python" and "slim" in tag, set()),
    (lambda name, tag: name in ("debian", "ubuntu"), set()),
)


def stage_has_program(document: Dockerfile, stage: Stage, program: str) -> bool | None:
    """Does the stage's image have `program`? True when a RUN installs it, a COPY or ADD
    brings a file of that name (`COPY --from=<image> /bin/curl /bin/curl`) or the base image
    ships it; False when the base image is one known to lack it; None when unknown."""
    chain = document.chain_instructions(stage)
    if any(program in installed_packages(ins) for ins in chain):
        return True
    for instruction in chain:
        if instruction.keyword in ("COPY", "ADD") and not instruction.heredocs:
            words = instruction.words()
            if any(posixpath.basename(word.rstrip("/")) == program for word in words):
                return True
    image = parse_image(document.root_base(stage))
    name = _official_name(image.name)
    if name is None:
        return None
    for applies, tools in _BASE_TOOLS:
        if applies(name, image.tag or ""):
            return program in tools
    return None


def _port_option(words: list[str]) -> int | None:
    """The port in a server's `--port N`, `--port=N`, `--bind host:N` or `-b host:N`."""
    for index, word in enumerate(words):
        name, equals, value = word.partition("=")
        if not equals:
            value = words[index + 1] if index + 1 < len(words) else ""
        if name == "--port":  # uvicorn; gunicorn's -p is its pid file
            port = value
        elif name in ("--bind", "-b"):
            port = value.rpartition(":")[2]
        else:
            continue
        if port.isdigit():
            return int(port)
    return None


def _app_port(context: Context, document: Dockerfile, stage: Stage) -> int:
    """The port the image's app listens on: from its CMD or ENTRYPOINT (`--port 80`,
    `--bind 0.0.0.0:80`), else its only EXPOSE, else the expected app port."""
    chain = document.chain_instructions(stage)
    for keyword in ("CMD", "ENTRYPOINT"):
        last = [ins for ins in chain if ins.keyword == keyword]
        if last:
            port = _port_option(last[-1].words())
            if port is not None:
                return port
    exposed = {
        word.split("/", 1)[0] for ins in chain if ins.keyword == "EXPOSE" for word in ins.words()
    }
    if len(exposed) == 1 and (only := exposed.pop()).isdigit():
        return int(only)
    return context.expect.app_port


def _python_program(document: Dockerfile, stage: Stage) -> str:
    """The interpreter's name in the image: the one its CMD/ENTRYPOINT runs, else `python`
    (`python3` on distroless, which has no `python`)."""
    for instruction in reversed(document.chain_instructions(stage)):
        if instruction.keyword in ("CMD", "ENTRYPOINT") and instruction.exec_form:
            program = posixpath.basename(instruction.exec_form[0])
            if re.fullmatch(r"python3?(?:\.\d+)?", program):
                return program
    return "python3" if "distroless" in document.root_base(stage) else "python"


def _healthcheck_text(context: Context, document: Dockerfile, stage: Stage) -> str:
    """A HEALTHCHECK for the stage's app: curl when the image surely has it, else Python's
    urllib in exec form (no curl and no shell needed; an HTTP error or a refused connection
    raises, and Python exits 1)."""
    expect = context.expect
    url = f"http://localhost:{_app_port(context, document, stage)}{expect.health_path}"
    cmd = document.written_keyword("CMD")
    if stage_has_program(document, stage, "curl"):
        # Exec form: no shell needed, and any non-zero exit (curl's 22) marks it unhealthy.
        probe = f'{cmd} ["curl", "-fsS", "{url}"]'
    else:
        code = f"import urllib.request; urllib.request.urlopen('{url}', timeout=4)"
        probe = f'{cmd} ["{_python_program(document, stage)}", "-c", "{code}"]'
    return (
        f"{document.written_keyword('HEALTHCHECK')} --interval={expect.healthcheck_interval} "
        "--timeout=5s "
        f"--start-period=30s --retries={expect.healthcheck_retries} {document.escape}\n"
        f"    {probe}\n"  # continued with the file's escape character (`# escape=` may change it)
    )


@register
class MissingHealthcheck(DockerfileRule):
    """The final stage has no HEALTHCHECK.

    ## What it does
    Checks that the image a Dockerfile produces declares a HEALTHCHECK (in its final stage or
    a stage it builds on), and that it is not `HEALTHCHECK NONE`.

    ## Why is this bad?
    Without a health check Docker only knows whether the process is alive, not whether it
    serves: a hung API stays "running", `depends_on: condition: service_healthy` cannot wait
    for it and nothing restarts it (R4.1, R4.2, R14.3). hadolint has this check (DL3057) but
    turns it off by default, and it counts `HEALTHCHECK NONE` as a health check; this rule
    does not.

    ## Example
    ```dockerfile
    FROM python:3.11-slim
    CMD ["python", "-m", "app"]
    ```

    ## How to fix
    Add a HEALTHCHECK that calls the app's health route on its port, with the expected
    interval and retries (30s and 3 by default, `[tool.mami-audit.expect]` changes them):
    ```dockerfile
    HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \\
        CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://localhost:8000/health', timeout=4)"]
    ```
    The fix is offered for Python images. It probes with curl where the image surely has it
    (full `python` images, or a RUN installs it) and with Python's urllib otherwise, which
    needs neither curl nor a shell. The port is the one the app listens on: its CMD's
    `--port` or `--bind`, else its only EXPOSE, else the expected app port. The fix is unsafe:
    the app must answer on that route, or the container turns unhealthy.
    """

    code = "DF002"
    name = "missing-healthcheck"
    summary = "The final stage declares no HEALTHCHECK"
    severity = Severity.ERROR
    requirements = ("R4.1", "R4.2", "R14.3")
    peers = ("DL3057",)
    fixable = True
    bad_examples = (
        DockerfileRule.bad(
            'FROM python:3.11-slim\nCMD ["python", "-m", "app"]\n',
            "FROM python:3.11-slim\n"
            "HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \\\n"
            '    CMD ["python", "-c", "import urllib.request; '
            "urllib.request.urlopen('http://localhost:8000/health', timeout=4)\"]\n"
            'CMD ["python", "-m", "app"]\n',
            unsafe=True,
        ),
        DockerfileRule.bad(
            'FROM python:3.11\nHEALTHCHECK NONE\nCMD ["python", "-m", "app"]\n',
            "FROM python:3.11\nHEALTHCHECK NONE\n"
            "HEALTHCHECK --interval=1m --timeout=5s --start-period=30s --retries=5 \\\n"
            '    CMD ["curl", "-fsS", "http://localhost:8080/healthz"]\n'
            'CMD ["python", "-m", "app"]\n',
            unsafe=True,
            config={
                "expect": {
                    "app-port": 8080,
                    "health-path": "/healthz",
                    "healthcheck-interval": "1m",
                    "healthcheck-retries": 5,
                }
            },
        ),
        DockerfileRule.bad(
            'FROM python:3.11-bookworm\nEXPOSE 80\nCMD ["uvicorn", "app.main:app", "--port", "80"]\n',
            "FROM python:3.11-bookworm\nEXPOSE 80\n"
            "HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \\\n"
            '    CMD ["curl", "-fsS", "http://localhost:80/health"]\n'
            'CMD ["uvicorn", "app.main:app", "--port", "80"]\n',
            unsafe=True,
        ),
    )
    good_examples = (
        DockerfileRule.good(
            "FROM python:3.11-slim\n"
            'HEALTHCHECK CMD ["curl", "-fsS", "http://localhost:8000/health"]\n'
            'CMD ["python", "-m", "app"]\n'
        ),
    )

    def check_dockerfile(self, context: Context, document: Dockerfile) -> Iterator[Finding]:
        stage = final_stage(context, document)
        if stage is None:
            return
        check = _final_healthcheck(document, stage)
        if check is not None and not check.healthcheck().disabled:  # type: ignore[union-attr]
            return
        if check is None:
            span = document.instruction_span(stage.from_instruction)
            message = "The final stage has no HEALTHCHECK: a hung app is never noticed"
        else:
            span = document.instruction_span(check)
            message = "`HEALTHCHECK NONE` turns the health check off for the final image"
        fix = None
        if is_python_image(document, stage):
            text = _healthcheck_text(context, document, stage)
            line = insertion_line(stage, after=check)
            fix = Fix.unsafe("Add a HEALTHCHECK", insert_lines(document, line, text))
        yield self.finding(document, span, message, fix)


@register
class HealthcheckMismatch(DockerfileRule):
    """The HEALTHCHECK's interval, retries, route or port differ from the expected ones.

    ## What it does
    Reads the HEALTHCHECK of a Python image's final stage (the API image; other images, such
    as an nginx UI, serve other routes) and compares its `--interval` and `--retries`
    (Docker's defaults, 30s and 3, count when a flag is left out) and the route of the URL it
    calls with the expected values: 30s, 3 and `/health` unless `[tool.mami-audit.expect]`
    says otherwise. The URL's port must be the one the app listens on: the `--port` or
    `--bind` of its CMD or ENTRYPOINT, else its only EXPOSE, else the expected app port
    (8000).

    ## Why is this bad?
    The spec fixes how the API is probed (R4.1: `/health` every 30 seconds; R4.2: 3 retries).
    A check on another route (`/`) reports healthy while the database is down; a check on
    another port than the app's fails forever.

    ## Example
    ```dockerfile
    HEALTHCHECK --interval=5m --retries=1 CMD curl -f http://localhost:8000/ || exit 1
    ```

    ## How to fix
    ```dockerfile
    HEALTHCHECK --interval=30s --retries=3 CMD curl -f http://localhost:8000/health || exit 1
    ```
    Interval and retries are fixed safely (only the timing changes). A different route or
    port is fixed only with `--unsafe-fixes`: the app must serve the expected route.
    """

    code = "DF003"
    name = "healthcheck-mismatch"
    summary = "HEALTHCHECK interval, retries, route or port differ from the expected values"
    requirements = ("R4.1", "R4.2", "R14.3")
    fixable = True
    bad_examples = (
        DockerfileRule.bad(
            "FROM python:3.11-slim\n"
            "HEALTHCHECK --interval=5m --retries=1 CMD curl -f http://localhost:8000/health\n",
            "FROM python:3.11-slim\n"
            "HEALTHCHECK --interval=30s --retries=3 CMD curl -f http://localhost:8000/health\n",
            count=2,
        ),
        DockerfileRule.bad(
            'FROM python:3.11-slim\nHEALTHCHECK CMD ["curl", "-f", "http://localhost:5000/"]\n',
            "FROM python:3.11-slim\n"
            'HEALTHCHECK CMD ["curl", "-f", "http://localhost:8000/health"]\n',
            unsafe=True,
        ),
    )
    good_examples = (
        DockerfileRule.good(
            "FROM python:3.11-slim\n"
            "HEALTHCHECK --interval=0.5m --retries=3 CMD curl -f http://localhost:8000/health\n"
        ),
        DockerfileRule.good(
            "FROM nginx:1.27-alpine\nHEALTHCHECK CMD wget -q --spider http://127.0.0.1:8080/\n"
        ),
        DockerfileRule.good(
            'FROM python:3.11-slim\nHEALTHCHECK CMD ["python", "-c", "import app.probe"]\n'
        ),
    )

    def check_dockerfile(self, context: Context, document: Dockerfile) -> Iterator[Finding]:
        stage = final_stage(context, document)
        check = None if stage is None else _final_healthcheck(document, stage)
        if check is None or stage is None or not is_python_image(document, stage):
            return
        parsed = check.healthcheck()
        if parsed is None or parsed.disabled:
            return
        expect = context.expect
        yield from self._check_timing(document, check, "interval", expect.healthcheck_interval)
        yield from self._check_timing(document, check, "retries", str(expect.healthcheck_retries))
        match = _URL_RE.search(parsed.command)
        if match is not None:
            app_port = _app_port(context, document, stage)
            yield from self._check_url(context, document, check, match.group(0), app_port)

    def _check_timing(
        self, document: Dockerfile, check: Instruction, option: str, expected: str
    ) -> Iterator[Finding]:
        given = check.flag(option)
        default = "30s" if option == "interval" else "3"
        value = default if given is None else given
        if option == "interval":
            same = _seconds(value) is not None and _seconds(value) == _seconds(expected)
        else:
            same = value.strip() == expected
        if same:
            return
        written = f"--{option}={given}" if given is not None else None
        span = (document.find_in(check, written) if written else None) or document.instruction_span(
            check
        )
        message = f"HEALTHCHECK --{option} is {value}, expected {expected}"
        if written and span != document.instruction_span(check):
            edit = Edit.replace(document.path, span, f"--{option}={expected}")
            fix = Fix.safe(f"Set --{option}={expected}", edit)
        else:
            keyword_end = document.keyword_span(check)
            edit = Edit.insert(
                document.path,
                keyword_end.end_line,
                keyword_end.end_column,
                f" --{option}={expected}",
            )
            fix = Fix.safe(f"Add --{option}={expected}", edit)
        yield self.finding(document, span, message, fix)

    def _check_url(
        self, context: Context, document: Dockerfile, check: Instruction, url: str, app_port: int
    ) -> Iterator[Finding]:
        try:
            from urllib.parse import urlsplit  # only when a health check has a URL

            parts = urlsplit(url)
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            return
        expect = context.expect
        path = parts.path or "/"
        if path == expect.health_path and port == app_port:
            return
        span = document.span_or_instruction(check, url)
        wanted = f"{parts.scheme}://{parts.hostname}:{app_port}{expect.health_path}"
        problems = []
        if path != expect.health_path:
            problems.append(f"route {path} instead of {expect.health_path}")
        if port != app_port:
            problems.append(f"port {port}, but the app listens on {app_port}")
        fix = None
        if span != document.instruction_span(check) and parts.hostname:
            fix = Fix.unsafe(f"Probe {wanted}", Edit.replace(document.path, span, wanted))
        message = f"HEALTHCHECK probes {', '.join(problems)}"
        yield self.finding(document, span, message, fix)


@register
class HealthcheckToolMissing(DockerfileRule):
    """The HEALTHCHECK calls curl or wget, which the final image does not have.

    ## What it does
    Looks at the program the final image's HEALTHCHECK runs. When it is `curl` or `wget`, it
    checks that a RUN of the final stage (or a stage it builds on) installs it, that a COPY
    or ADD brings a file of that name (a static curl from another image), or that the base
    image ships it: Docker's full `python:3.x` images have both, `alpine` and the alpine
    variants have busybox `wget`, and `-slim`, `debian` and `ubuntu` images have neither.
    Other base images are not judged.

    ## Why is this bad?
    `python:3.11-slim` has no curl: the check fails with "executable file not found", the
    container never becomes healthy and everything that waits on it waits forever (R1.4).

    ## Example
    ```dockerfile
    FROM python:3.11-slim
    HEALTHCHECK CMD curl -f http://localhost:8000/health || exit 1
    ```

    ## How to fix
    Install the tool in the runtime stage (and clean the apt lists):
    ```dockerfile
    RUN apt-get update && apt-get install -y --no-install-recommends curl \\
        && rm -rf /var/lib/apt/lists/*
    ```
    or probe with Python itself: `CMD ["python", "-c", "import urllib.request, sys; ..."]`.
    """

    code = "DF008"
    name = "healthcheck-tool-missing"
    summary = "The HEALTHCHECK uses curl or wget, which the final image lacks"
    severity = Severity.ERROR
    requirements = ("R1.4",)
    bad_examples = (
        DockerfileRule.bad(
            "FROM python:3.11-slim\n"
            "HEALTHCHECK CMD curl -f http://localhost:8000/health || exit 1\n"
        ),
        DockerfileRule.bad(
            "FROM python:3.11-slim AS builder\nRUN apt-get update && apt-get install -y curl\n"
            "FROM python:3.11-slim\n"
            'HEALTHCHECK CMD ["curl", "-f", "http://localhost:8000/health"]\n'
        ),
    )
    good_examples = (
        DockerfileRule.good(
            "FROM python:3.11-slim\n"
            "RUN apt-get update && apt-get install -y --no-install-recommends curl \\\n"
            "    && rm -rf /var/lib/apt/lists/*\n"
            "HEALTHCHECK CMD curl -f http://localhost:8000/health || exit 1\n"
        ),
        DockerfileRule.good(
            "FROM python:3.11-alpine\n"
            "HEALTHCHECK CMD wget -qO- http://localhost:8000/health || exit 1\n"
        ),
        DockerfileRule.good(
            "FROM python:3.11-slim\n"
            "COPY --from=ghcr.io/tarampampam/curl:8.6.0 /bin/curl /bin/curl\n"
            "HEALTHCHECK CMD curl -f http://localhost:8000/health || exit 1\n"
        ),
    )

    def check_dockerfile(self, context: Context, document: Dockerfile) -> Iterator[Finding]:
        stage = final_stage(context, document)
        check = None if stage is None else _final_healthcheck(document, stage)
        if check is None or stage is None:
            return
        parsed = check.healthcheck()
        if parsed is None or parsed.disabled:
            return
        if parsed.exec_form is not None:
            program = parsed.exec_form[0].rsplit("/", 1)[-1] if parsed.exec_form else ""
            if program in ("sh", "/bin/sh", "bash") and len(parsed.exec_form) > 2:
                program = parsed.exec_form[2].split()[0] if parsed.exec_form[2].split() else ""
        else:
            program = parsed.command.split()[0].rsplit("/", 1)[-1] if parsed.command.split() else ""
        if program not in ("curl", "wget") or stage_has_program(document, stage, program) is not False:
            return
        span = document.span_or_instruction(check, program)
        message = (
            f"The HEALTHCHECK runs `{program}`, but `{document.root_base(stage)}` has no "
            f"{program} and no RUN of the final stage installs it"
        )
        yield self.finding(document, span, message)


@register
class PythonUnbuffered(DockerfileRule):
    """PYTHONUNBUFFERED is not set in the runtime image.

    ## What it does
    Checks that a Python image's final stage sets `PYTHONUNBUFFERED` (to `1`) with ENV. A
    Python image is one whose base image is Python's or whose CMD or ENTRYPOINT runs Python
    (a Node image that installs python3 in a RUN to build native modules is not). CPython
    reads the value as a number: empty and `0` leave the output buffered and are reported.

    ## Why is this bad?
    Without it Python buffers stdout when it is not a terminal, which in a container it never
    is: log lines arrive late, in bursts, and the last ones are lost when the process dies
    (R2.5, R20.4).

    ## Example
    ```dockerfile
    FROM python:3.11-slim
    CMD ["python", "-m", "app"]
    ```

    ## How to fix
    ```dockerfile
    FROM python:3.11-slim
    ENV PYTHONUNBUFFERED=1
    CMD ["python", "-m", "app"]
    ```
    The fix is safe: it only makes output unbuffered.
    """

    code = "DF009"
    name = "python-unbuffered-missing"
    summary = "PYTHONUNBUFFERED=1 is not set in the runtime stage"
    requirements = ("R2.5", "R20.4")
    fixable = True
    bad_examples = (
        DockerfileRule.bad(
            'FROM python:3.11-slim\nCMD ["python", "-m", "app"]\n',
            'FROM python:3.11-slim\nENV PYTHONUNBUFFERED=1\nCMD ["python", "-m", "app"]\n',
        ),
        DockerfileRule.bad(
            'FROM python:3.11-slim\nENV PYTHONUNBUFFERED=""\nCMD ["python", "-m", "app"]\n',
            count=1,
        ),
        DockerfileRule.bad(
            'FROM python:3.11-slim\nENV PYTHONUNBUFFERED=0\nCMD ["python", "-m", "app"]\n',
            count=1,
        ),
    )
    good_examples = (
        DockerfileRule.good(
            "FROM python:3.11-slim AS base\nENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1\n"
            'FROM base\nCMD ["python", "-m", "app"]\n'
        ),
        DockerfileRule.good('FROM nginx:1.27-alpine\nCMD ["nginx", "-g", "daemon off;"]\n'),
        DockerfileRule.good(
            "FROM node:20-alpine\nRUN apk add --no-cache python3 make g++ && npm ci\n"
            'CMD ["node", "server.js"]\n'
        ),
    )

    def check_dockerfile(self, context: Context, document: Dockerfile) -> Iterator[Finding]:
        stage = final_stage(context, document)
        if stage is None or not is_python_image(document, stage):
            return
        value = env_value(document, stage, "PYTHONUNBUFFERED")
        if value is not None and not _BUFFERED_VALUE_RE.match(value):
            return
        span = document.instruction_span(stage.from_instruction)
        if value is None:
            line = stage.from_instruction.end_line + 1
            text = f"{document.written_keyword('ENV')} PYTHONUNBUFFERED=1\n"
            edit = insert_lines(document, line, text)
            fix = Fix.safe("Add `ENV PYTHONUNBUFFERED=1`", edit)
            message = "PYTHONUNBUFFERED is not set: Python buffers its log output in the container"
        else:  # set by an ENV we would have to rewrite: report only
            fix = None
            shown = f"to `{value}`" if value else "empty"
            message = f"PYTHONUNBUFFERED is set {shown}, which leaves Python's output buffered"
        yield self.finding(document, span, message, fix)


def _resolve(path: str, workdir: str) -> str:
    return posixpath.normpath(posixpath.join(workdir, path))


def _is_within(path: str, directory: str) -> bool:
    return path == directory or path.startswith(directory.rstrip("/") + "/")


@register
class DataDirectoriesNotWritable(DockerfileRule):
    """The data and logs directories are not created and owned by the runtime user.

    ## What it does
    For a Python image whose final stage runs as a non-root user, checks that the expected
    data directory (`/app/data`, where the default `sqlite:///data/app.db` lives) and logs
    directory (`/app/logs`) are created in the image and owned by that user: by `mkdir` and
    `chown` (or `install -d -o`) as root, by `mkdir` after switching USER, or by
    `COPY --chown=<user>` into them.

    ## Why is this bad?
    The non-root user cannot create `/app/data` in a root-owned `/app`: the first write of
    the sqlite database fails at start-up, and a bind mount of `./data` comes up owned by root
    (R18.4).

    ## Example
    ```dockerfile
    FROM python:3.11-slim
    WORKDIR /app
    RUN useradd --system mami
    USER mami
    ```

    ## How to fix
    Create them as root and hand them to the user, before `USER`:
    ```dockerfile
    RUN mkdir -p /app/data /app/logs && chown mami /app/data /app/logs
    USER mami
    ```
    The fix is safe when it can run as root right before the final USER.
    """

    code = "DF010"
    name = "data-dirs-not-writable"
    summary = "The data and logs directories are not created and owned by the runtime user"
    severity = Severity.ERROR
    requirements = ("R18.4", "R5.1")
    fixable = True
    bad_examples = (
        DockerfileRule.bad(
            "FROM python:3.11-slim\nWORKDIR /app\nRUN useradd --system mami\nUSER mami\n"
            'CMD ["python", "-m", "app"]\n',
            "FROM python:3.11-slim\nWORKDIR /app\nRUN useradd --system mami\n"
            "RUN mkdir -p /app/data /app/logs && chown mami /app/data /app/logs\nUSER mami\n"
            'CMD ["python", "-m", "app"]\n',
        ),
        DockerfileRule.bad(
            "FROM python:3.11-slim\nWORKDIR /app\nRUN useradd --system mami && mkdir data logs\n"
            'USER mami\nCMD ["python", "-m", "app"]\n',
        ),
    )
    good_examples = (
        DockerfileRule.good(
            "FROM python:3.11-slim\nWORKDIR /app\nRUN useradd --system mami\n"
            "RUN mkdir -p data logs && chown -R mami:mami /app/data /app/logs\nUSER mami\n"
        ),
        DockerfileRule.good(
            "FROM python:3.11-slim\nWORKDIR /app\nRUN useradd --system mami\nUSER mami\n"
            "RUN mkdir -p /app/data /app/logs\n"
        ),
        DockerfileRule.good("FROM python:3.11-slim\nWORKDIR /app\n"),
    )

    def check_dockerfile(self, context: Context, document: Dockerfile) -> Iterator[Finding]:
        stage = final_stage(context, document)
        if stage is None or not is_python_image(document, stage):
            return
        final_user = last_user(document, stage)
        if final_user is None or is_root(user_text(document, final_user)):
            return  # root can write anywhere; DF001 reports the root user itself
        owner = user_name(user_text(document, final_user))
        if not owner:
            return
        expect = context.expect
        missing = [
            directory
            for directory in (expect.data_dir, expect.logs_dir)
            if not self._owned(document, stage, owner, directory)
        ]
        if not missing:
            return
        listed = " ".join(missing)
        message = (
            f"{listed} {'is' if len(missing) == 1 else 'are'} not created and owned by `{owner}`"
        )
        fix = None
        chain = document.chain_instructions(stage)
        users_before = [
            ins for ins in chain if ins.keyword == "USER" and ins.line < final_user.line
        ]
        user_before = user_text(document, users_before[-1]) if users_before else None
        if final_user.stage == stage.index and is_root(user_before):
            run = document.written_keyword("RUN")
            text = f"{run} mkdir -p {listed} && chown {owner} {listed}\n"
            fix = Fix.safe(
                f"Create {listed} owned by {owner}",
                insert_lines(document, final_user.line, text),
            )
        yield self.finding(document, document.instruction_span(final_user), message, fix)

    def _owned(self, document: Dockerfile, stage: Stage, owner: str, directory: str) -> bool:
        """Replay the final image's instructions, tracking WORKDIR and USER, until one of
        them creates `directory` for `owner` or hands it over."""
        workdir, user = "/", "root"
        for instruction in document.chain_instructions(stage):
            if instruction.keyword == "WORKDIR":
                workdir = _resolve(instruction.arguments.strip(), workdir)
            elif instruction.keyword == "USER":
                user = user_name(user_text(document, instruction))
            elif instruction.keyword in ("COPY", "ADD"):
                if _copies_owned(instruction, owner, directory, workdir):
                    return True
            elif instruction.keyword == "RUN" and any(
                _command_owns(command, owner, user, directory, workdir)
                for command in run_commands(instruction)
            ):
                return True
        return False


def _copies_owned(instruction: Instruction, owner: str, directory: str, workdir: str) -> bool:
    """`COPY --chown=<owner> ... <directory or below>`."""
    chown = instruction.flag("chown")
    words = instruction.words()
    if not chown or not words or chown.split(":")[0] != owner:
        return False
    return _is_within(_resolve(words[-1], workdir), directory)


def _command_owns(
    command: SimpleCommand, owner: str, user: str, directory: str, workdir: str
) -> bool:
    """mkdir as the owner, chown to the owner (-R for a parent), or install -d -o owner."""
    arguments = [word for word in command.words[1:] if not word.startswith("-")]
    paths = [_resolve(word, workdir) for word in arguments]
    if command.name == "mkdir":
        return user == owner and directory in paths
    if command.name == "install":
        return "-d" in command.words and owner in command.words and directory in paths
    if command.name != "chown" or len(arguments) < 2:
        return False
    new_owner = arguments[0].split(":")[0]
    if new_owner != owner and not new_owner.startswith("$"):
        return False
    recursive = any(word in ("-R", "--recursive") for word in command.words[1:])
    return any(
        path == directory or (recursive and _is_within(directory, path)) for path in paths[1:]
    )
