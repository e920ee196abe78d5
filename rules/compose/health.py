"""Health checks per service and what restarts an unhealthy container (R4, R10.5, R11.5, R12.5)."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.facts.compose import Node, Service, Stack
from auditor.rule import Context, Edit, Finding, Fix, Severity, Span, register
from rules.compose._base import (
    ComposeRule,
    block_list_value_span,
    flow_or_scalar_value_span,
    insert_into_service,
    is_image,
    seconds,
    value_span,
    words_text,
)
from rules.compose.seams import image_has_program


def endpoints(context: Context) -> dict[str, tuple[str, str, int]]:
    """Service -> (the path its health check must probe, criterion, the port it serves)."""
    expect = context.expect
    return {
        expect.api_service: (expect.health_path, "R4.1", expect.app_port),
        expect.elasticsearch_service: ("/_cluster/health", "R4.3", 9200),
        expect.prometheus_service: ("/-/healthy", "R4.4", 9090),
        expect.grafana_service: ("/api/health", "R4.5", expect.grafana_port),
    }


def probe_program(context: Context, stack: Stack, service: Service) -> str | None:
    """curl or wget when the service's image surely has it, else None."""
    for program in ("curl", "wget"):
        if image_has_program(context, stack, service, program):
            return program
    return None


def probe_test(program: str, url: str) -> str:
    if program == "curl":
        return f'["CMD", "curl", "-fsS", "{url}"]'
    return f'["CMD", "wget", "-q", "--spider", "{url}"]'


def probe_fix(context: Context, stack: Stack, service: Service) -> Fix | None:
    """Rewrite the `test` of the service's health check to probe its health endpoint with a
    client its image has; None when the endpoint, the client or a one-line `test` is unknown."""
    known = endpoints(context).get(service.name)
    check = service.get("healthcheck")
    test = check.get("test") if check is not None else None
    if known is None or test is None:
        return None
    path, _, port = known
    program = probe_program(context, stack, service)
    if program is None:
        return None
    url = f"http://localhost:{port}{path}"
    content = probe_test(program, url)
    span = flow_or_scalar_value_span(context, test.origin)
    if span is None and test.is_list:  # a block list: replaced by the flow list on the key line
        span = block_list_value_span(context, test.origin)
        content = " " + content
    if span is None:
        return None
    # Unsafe: a probe of the real endpoint may fail where the old one passed, and services
    # waiting for a healthy container (and autoheal) act on that.
    return Fix.unsafe(
        f"Probe {url} with {program}", Edit.replace(test.origin.path, span, content)
    )


def healthcheck_lines(program: str, url: str, interval: str, retries: int) -> list[str]:
    test = probe_test(program, url)
    return [
        "healthcheck:",
        f"  test: {test}",
        f"  interval: {interval}",
        "  timeout: 5s",
        f"  retries: {retries}",
    ]


@register
class MissingHealthcheck(ComposeRule):
    """A long-running service has no health check.

    ## What it does
    Reports a service of the default stack with neither a `healthcheck` in the compose file
    nor a HEALTHCHECK in the Dockerfile it is built from (R4). A service that turns its check
    off on purpose (`healthcheck: {disable: true}`) is left alone.

    The fix (unsafe: a failing probe marks the container unhealthy, which services waiting
    for it act on) adds a health check to the API, Elasticsearch, Prometheus and Grafana
    services when the probe is known: their endpoint (R4.1, R4.3-R4.5) and a client (curl or wget)
    the image is known to have — the Dockerfile family tells what a built image installs.

    ## Why is this bad?
    Without a check, Docker reports a hung service as running, `depends_on:
    condition: service_healthy` cannot wait for it, and nothing restarts it.

    ## Example
    ```yaml
    services:
      prometheus:
        image: prom/prometheus:v3.5.0
    ```

    ## How to fix
    ```yaml
        healthcheck:
          test: ["CMD", "wget", "-q", "--spider", "http://localhost:9090/-/healthy"]
          interval: 30s
          timeout: 5s
          retries: 3
    ```
    """

    code = "CP007"
    name = "service-without-healthcheck"
    summary = "A long-running service has no health check"
    requirements = ("R4.1", "R4.3", "R4.4", "R4.5")
    fixable = True
    bad_examples = (
        ComposeRule.bad(
            "services:\n  # metrics\n  prometheus:\n    image: prom/prometheus:v3.5.0\n"
            "    restart: unless-stopped\n",
            "services:\n  # metrics\n  prometheus:\n    image: prom/prometheus:v3.5.0\n"
            "    restart: unless-stopped\n    healthcheck:\n"
            '      test: ["CMD", "wget", "-q", "--spider", "http://localhost:9090/-/healthy"]\n'
            "      interval: 30s\n      timeout: 5s\n      retries: 3\n",
            unsafe=True,
        ),
        ComposeRule.bad(
            {
                "docker-compose.yml": "services:\n  mami-ai:\n    build: .\n",
                "Dockerfile": "FROM python:3.11-slim\nRUN apt-get update && apt-get install -y"
                ' --no-install-recommends curl\nCMD ["uvicorn", "app.main:app"]\n',
            },
            {
                "docker-compose.yml": "services:\n  mami-ai:\n    build: .\n    healthcheck:\n"
                '      test: ["CMD", "curl", "-fsS", "http://localhost:8000/health"]\n'
                "      interval: 30s\n      timeout: 5s\n      retries: 3\n",
            },
            unsafe=True,
        ),
        ComposeRule.bad("services:\n  web:\n    image: example/web:2.1\n"),
    )
    good_examples = (
        ComposeRule.good(
            "services:\n  worker:\n    image: example/worker:1\n    healthcheck:\n"
            "      disable: true\n"
        ),
        ComposeRule.good(
            {
                "docker-compose.yml": "services:\n  mami-ai:\n    build: .\n",
                "Dockerfile": "FROM python:3.11\nHEALTHCHECK CMD curl -f http://localhost:8000/health\n",
            }
        ),
        ComposeRule.good(
            'services:\n  migrate:\n    image: example/migrate:1\n    restart: "no"\n'
        ),
    )

    def check_stack(self, context: Context, stack: Stack) -> Iterator[Finding]:
        for name, service in stack.services.items():
            if service.get("healthcheck") is not None or service.value("restart") == "no":
                continue
            if image_healthcheck(context, stack, service):
                continue
            yield self.at(
                context,
                service.key_origin,
                f"`{name}` has no health check (R4)",
                self._fix(context, stack, service),
            )

    def _fix(self, context: Context, stack: Stack, service: Service) -> Fix | None:
        known = endpoints(context).get(service.name)
        if known is None:
            return None
        path, _, port = known
        program = probe_program(context, stack, service)
        if program is None:
            return None
        url = f"http://localhost:{port}{path}"
        lines = healthcheck_lines(
            program, url, context.expect.healthcheck_interval, context.expect.healthcheck_retries
        )
        edit = insert_into_service(context, service, lines)
        # Unsafe: a probe that fails marks the container unhealthy, which services waiting for
        # it (and autoheal) act on; as the Dockerfile family's HEALTHCHECK fix.
        return Fix.unsafe(f"Add a health check probing {url}", edit) if edit else None


# Pulled images whose own Dockerfile has a HEALTHCHECK.
_IMAGES_WITH_HEALTHCHECK = ("autoheal",)


def image_healthcheck(context: Context, stack: Stack, service: Service) -> bool:
    """Does the image carry its own HEALTHCHECK (the Dockerfile it is built from, or a pulled
    image known to have one)?"""
    from rules.compose.seams import built_stage

    if service.get("build") is None and is_image(service, *_IMAGES_WITH_HEALTHCHECK):
        return True

    found = built_stage(context, stack, service)
    if found is None:
        return False
    document, stage = found
    checks = [i for i in document.chain_instructions(stage) if i.keyword == "HEALTHCHECK"]
    return bool(checks) and checks[-1].arguments.strip().upper() != "NONE"


@register
class HealthcheckEndpoint(ComposeRule):
    """A service's health check does not probe its health endpoint.

    ## What it does
    Checks the health check of the API (`health-path`, `/health`, R4.1), Elasticsearch
    (`_cluster/health`, R4.3), Prometheus (`/-/healthy`, R4.4) and Grafana (`/api/health`,
    R4.5): its command must name that endpoint.

    ## Why is this bad?
    A check on `/` or on the port alone says the process listens, not that it works: Grafana
    answers `/` while its database is locked; Elasticsearch answers while the cluster is red.

    ## Example
    ```yaml
      grafana:
        healthcheck:
          test: ["CMD", "wget", "-q", "--spider", "http://localhost:3000/"]
    ```

    ## How to fix
    Probe the endpoint: `http://localhost:3000/api/health`.

    The fix (unsafe: the real endpoint may fail where the old probe passed) rewrites a
    `test` (on one line, or a block list without comments) to probe the endpoint with curl
    or wget, when the image is known to have one of them; otherwise write the probe yourself.
    """

    code = "CP008"
    name = "healthcheck-wrong-endpoint"
    summary = "A health check does not probe the service's health endpoint"
    requirements = ("R4.1", "R4.3", "R4.4", "R4.5")
    fixable = True
    bad_examples = (
        ComposeRule.bad(
            "services:\n  grafana:\n    image: grafana/grafana:12.1.1\n    healthcheck:\n"
            '      test: ["CMD", "wget", "-q", "--spider", "http://localhost:3000/"]  # probe\n'
            "      interval: 30s\n",
            "services:\n  grafana:\n    image: grafana/grafana:12.1.1\n    healthcheck:\n"
            '      test: ["CMD", "wget", "-q", "--spider", "http://localhost:3000/api/health"]'
            "  # probe\n      interval: 30s\n",
            unsafe=True,
        ),
        ComposeRule.bad(
            "services:\n  grafana:\n    image: example/grafana:1\n    healthcheck:\n"
            "      test: curl -f http://localhost:3000/\n",
        ),
        ComposeRule.bad(
            "services:\n  prometheus:\n    image: prom/prometheus:v3.5.0\n    healthcheck:\n"
            "      test:\n        - CMD\n        - wget\n        - -qO-\n"
            "        - http://localhost:9090/\n      retries: 3\n",
            "services:\n  prometheus:\n    image: prom/prometheus:v3.5.0\n    healthcheck:\n"
            '      test: ["CMD", "wget", "-q", "--spider", "http://localhost:9090/-/healthy"]\n'
            "      retries: 3\n",
            unsafe=True,
        ),
    )
    good_examples = (
        ComposeRule.good(
            "services:\n  grafana:\n    image: grafana/grafana:12.1.1\n    healthcheck:\n"
            '      test: ["CMD", "wget", "-q", "--spider", "http://localhost:3000/api/health"]\n'
        ),
    )

    def check_stack(self, context: Context, stack: Stack) -> Iterator[Finding]:
        for name, (path, criterion, _) in endpoints(context).items():
            service = stack.service(name)
            test = service.healthcheck_test() if service else None
            if service is None or test is None:
                continue
            if path.strip("/") not in words_text(test):
                where = service.get("healthcheck").get("test") or service.get("healthcheck")
                yield self.at(
                    context,
                    where.origin,
                    f"`{name}`'s health check does not probe `{path}` ({criterion})",
                    probe_fix(context, stack, service),
                )


@register
class HealthcheckTiming(ComposeRule):
    """The API's health check does not run every 30 s with 3 retries.

    ## What it does
    Checks the API service's `healthcheck` `interval` (`healthcheck-interval`, 30s, R4.1) and
    `retries` (`healthcheck-retries`, 3, R4.2). An unset value is Docker's default (30s, 3),
    which meets the spec.

    The fix (unsafe: it changes how soon the container is marked unhealthy, which services
    waiting for it and autoheal act on) writes the expected value in place of the one set.

    ## Why is this bad?
    A longer interval or more retries leave a dead API marked healthy for minutes; a shorter
    one or fewer retries restart it on a single slow answer.

    ## Example
    ```yaml
        healthcheck:
          test: ["CMD", "curl", "-fsS", "http://localhost:8000/health"]
          interval: 5m
          retries: 10
    ```

    ## How to fix
    `interval: 30s` and `retries: 3`.
    """

    code = "CP009"
    name = "healthcheck-timing"
    summary = "The API's health check interval or retries differ from R4.1/R4.2"
    requirements = ("R4.1", "R4.2")
    fixable = True
    bad_examples = (
        ComposeRule.bad(
            "services:\n  mami-ai:\n    image: a:1\n    healthcheck:\n"
            '      test: ["CMD", "curl", "-fsS", "http://localhost:8000/health"]\n'
            "      interval: 5m  # slow\n      retries: '10'\n",
            "services:\n  mami-ai:\n    image: a:1\n    healthcheck:\n"
            '      test: ["CMD", "curl", "-fsS", "http://localhost:8000/health"]\n'
            "      interval: 30s  # slow\n      retries: 3\n",
            count=2,
            unsafe=True,
        ),
    )
    good_examples = (
        ComposeRule.good(
            "services:\n  mami-ai:\n    image: a:1\n    healthcheck:\n"
            '      test: ["CMD", "curl", "-fsS", "http://localhost:8000/health"]\n'
            "      interval: 30s\n      retries: 3\n"
        ),
    )

    def check_stack(self, context: Context, stack: Stack) -> Iterator[Finding]:
        service = stack.service(context.expect.api_service)
        check = service.get("healthcheck") if service else None
        if check is None or not check.is_map or service.healthcheck_disabled:
            return
        interval = check.get("interval")
        wanted = context.expect.healthcheck_interval
        if interval is not None and seconds(str(interval.value)) != seconds(wanted):
            yield self.at(
                context,
                interval.origin,
                f"interval {interval.value} instead of {wanted} (R4.1)",
                self._fix(context, interval, "interval", wanted),
            )
        retries = check.get("retries")
        expected = context.expect.healthcheck_retries
        if retries is not None and str(retries.value) != str(expected):
            yield self.at(
                context,
                retries.origin,
                f"retries {retries.value} instead of {expected} (R4.2)",
                self._fix(context, retries, "retries", str(expected)),
            )

    def _fix(self, context: Context, node: Node, key: str, wanted: str) -> Fix | None:
        if node.interpolated:
            return None  # `${...}`: the value is the user's to set in .env
        span = value_span(context, node.origin)
        if span is None:
            return None
        document = context.project.text_document(node.origin.path)
        text = document.lines[span.line - 1] if document else ""
        quoted = span.column > 1 and text[span.column - 2] in "'\""
        if quoted:  # replace the quotes too: `retries` is a number
            span = Span(span.line, span.column - 1, span.end_line, span.end_column + 1)
        # Unsafe: it changes how soon the container is marked unhealthy.
        return Fix.unsafe(
            f"Set `{key}: {wanted}`", Edit.replace(node.origin.path, span, wanted)
        )


@register
class HealthcheckProgramMissing(ComposeRule):
    """A health check runs curl or wget, which the service's image does not have.

    ## What it does
    Looks at the program a health check runs (`CMD curl ...`, or the first word of
    `CMD-SHELL`). When it is curl or wget, it asks what the image has: for a built service,
    the Dockerfile (its RUN installs, COPYs and base image, as the DF family reads them); for
    a pulled image, what is known of it (`python:*-slim` and `node:*-slim` have neither,
    Prometheus has only wget).

    ## Why is this bad?
    The check fails with "executable file not found" forever: the container is never healthy,
    services waiting for it never start, autoheal restarts it in a loop.

    ## Example
    ```yaml
      prometheus:
        image: prom/prometheus:v3.5.0
        healthcheck:
          test: ["CMD", "curl", "-f", "http://localhost:9090/-/healthy"]
    ```

    ## How to fix
    Use a client the image has (`wget -q --spider` in Prometheus, `node -e "fetch(...)"` in
    a Node image), or install curl in the Dockerfile.

    The fix (unsafe, as CP008's) rewrites the `test` of the API, Elasticsearch,
    Prometheus or Grafana to probe its health endpoint with the client the image has. For
    other services, or an image known to have neither, the choice is yours.
    """

    code = "CP010"
    name = "healthcheck-program-missing"
    summary = "A health check runs curl or wget, which the image lacks"
    severity = Severity.ERROR
    requirements = ("R4.1", "R14.3")
    fixable = True
    bad_examples = (
        ComposeRule.bad(
            "services:\n  prometheus:\n    image: prom/prometheus:v3.5.0\n    healthcheck:\n"
            '      test: ["CMD", "curl", "-f", "http://localhost:9090/-/healthy"]\n',
            "services:\n  prometheus:\n    image: prom/prometheus:v3.5.0\n    healthcheck:\n"
            '      test: ["CMD", "wget", "-q", "--spider", "http://localhost:9090/-/healthy"]\n',
            unsafe=True,
        ),
        ComposeRule.bad(
            {
                "docker-compose.yml": "services:\n  mami-ai:\n    build: .\n    healthcheck:\n"
                "      test: curl -f http://localhost:8000/health || exit 1\n",
                "Dockerfile": 'FROM python:3.11-slim\nCMD ["uvicorn", "app.main:app"]\n',
            }
        ),
    )
    good_examples = (
        ComposeRule.good(
            "services:\n  prometheus:\n    image: prom/prometheus:v3.5.0\n    healthcheck:\n"
            '      test: ["CMD", "wget", "-q", "--spider", "http://localhost:9090/-/healthy"]\n'
        ),
        ComposeRule.good(
            "services:\n  web:\n    image: example/unknown:1\n    healthcheck:\n"
            '      test: ["CMD", "curl", "-f", "http://localhost/"]\n'
        ),
    )

    def check_stack(self, context: Context, stack: Stack) -> Iterator[Finding]:
        for name, service in stack.services.items():
            test = service.healthcheck_test()
            if not test or test[0] not in ("CMD", "CMD-SHELL") or len(test) < 2:
                continue
            program = test[1].split()[0] if test[0] == "CMD-SHELL" else test[1]
            program = program.rsplit("/", 1)[-1]
            if program not in ("curl", "wget"):
                continue
            if image_has_program(context, stack, service, program) is False:
                where = service.get("healthcheck").get("test") or service.get("healthcheck")
                yield self.at(
                    context,
                    where.origin,
                    f"`{name}`'s health check runs {program}, which its image does not have",
                    probe_fix(context, stack, service),
                )


@register
class UnhealthyNotRestarted(ComposeRule):
    """Nothing restarts a container whose health check fails.

    ## What it does
    For each service with a health check, looks for what restarts it when it turns
    unhealthy: Docker itself does not — `restart:` acts when a container *exits*, not when it
    is unhealthy. It accepts an autoheal service (an image named `autoheal` with the Docker
    socket mounted) whose label (`AUTOHEAL_CONTAINER_LABEL`, default `autoheal`) the service
    carries as `"true"`, or an autoheal watching `all` containers (R10.5, R11.5, R12.5).

    ## Why is this bad?
    An Elasticsearch that hangs stays "unhealthy" forever; logs pile up or are dropped while
    the stack looks up.

    ## Example
    ```yaml
      elasticsearch:
        image: docker.elastic.co/elasticsearch/elasticsearch:8.19.13
        healthcheck:
          test: ["CMD-SHELL", "curl -fsS http://localhost:9200/_cluster/health"]
    ```

    ## How to fix
    Add an autoheal service and label the checked services:
    ```yaml
      autoheal:
        image: willfarrell/autoheal:1.2.0
        environment:
          AUTOHEAL_CONTAINER_LABEL: autoheal
        volumes:
          - /var/run/docker.sock:/var/run/docker.sock
    ```
    and `labels: {autoheal: "true"}` on each service with a health check. (Docker Swarm and
    Kubernetes restart unhealthy containers themselves; this rule is for plain Compose.)
    There is no automatic fix: which autoheal image (and version) to trust with the Docker
    socket is yours to choose.
    """

    code = "CP011"
    name = "unhealthy-not-restarted"
    summary = "Nothing restarts a container whose health check fails (Docker does not)"
    requirements = ("R10.5", "R11.5", "R12.5")
    bad_examples = (
        ComposeRule.bad(
            "services:\n  elasticsearch:\n    image: elasticsearch:8.19.13\n    healthcheck:\n"
            '      test: ["CMD-SHELL", "curl -fsS http://localhost:9200/_cluster/health"]\n'
        ),
        ComposeRule.bad(
            "services:\n  autoheal:\n    image: willfarrell/autoheal:1.2.0\n    volumes:\n"
            "      - /var/run/docker.sock:/var/run/docker.sock\n"
            "  elasticsearch:\n    image: elasticsearch:8.19.13\n    healthcheck:\n"
            '      test: ["CMD-SHELL", "curl -fsS http://localhost:9200/_cluster/health"]\n'
        ),
    )
    good_examples = (
        ComposeRule.good(
            "services:\n  autoheal:\n    image: willfarrell/autoheal:1.2.0\n    volumes:\n"
            "      - /var/run/docker.sock:/var/run/docker.sock\n"
            "  elasticsearch:\n    image: elasticsearch:8.19.13\n    labels:\n"
            '      autoheal: "true"\n    healthcheck:\n'
            '      test: ["CMD-SHELL", "curl -fsS http://localhost:9200/_cluster/health"]\n'
        ),
    )

    def check_stack(self, context: Context, stack: Stack) -> Iterator[Finding]:
        watchers = [
            service
            for service in stack.services.values()
            if is_image(service, "autoheal", "docker-autoheal")
            and any(m.source.endswith("docker.sock") for m, _ in service.mounts())
        ]
        labels = set()
        for watcher in watchers:
            label = str(watcher.environment().get("AUTOHEAL_CONTAINER_LABEL") or "autoheal")
            if label == "all":
                return
            labels.add(label)
        for name, service in stack.services.items():
            if service in watchers or service.healthcheck_test() is None:
                continue
            service_labels = {k: str(v.value).lower() for k, v in service.mapping("labels").items()}
            if any(service_labels.get(label) == "true" for label in labels):
                continue
            if not watchers:
                message = (
                    f"`{name}` has a health check but nothing restarts it when unhealthy: "
                    "Docker restarts only on exit; add an autoheal service"
                )
            else:
                message = f'`{name}` lacks the label `{sorted(labels)[0]}: "true"` autoheal watches'
            yield self.at(context, service.key_origin, message)
