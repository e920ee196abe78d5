"""The API, the worker and Elasticsearch: restart policy, env_file, secrets, worker mode (R2.1,
R10, R14, R15)."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator

from auditor.facts.compose import (
    Node,
    Service,
    Stack,
    as_mapping,
    compose_files,
    file_tree,
)
from auditor.lazy_pattern import LazyPattern
from auditor.rule import Context, Edit, Finding, Fix, Severity, register
from rules.compose._base import (
    ComposeRule,
    append_to_block,
    insert_into_service,
    scalar_span,
    scalar_text,
    value_span,
    value_text,
)


@register
class RestartPolicy(ComposeRule):
    """A service does not restart by itself.

    ## What it does
    Reports a service of the default stack without `restart: unless-stopped` (R14.2, R14.5).
    One-shot jobs that say `restart: "no"` are left alone; `always` and `on-failure` are
    reported (they differ from the spec's policy). The fix adds the missing key.

    Note: a restart policy acts when a container *exits*. Docker does not restart a container
    that is running but unhealthy; CP011 checks for what does (an autoheal service).

    ## Why is this bad?
    After a crash or a server reboot the service stays down until someone notices.

    ## Example
    ```yaml
      mami-ai:
        image: mami-ai:1.0
    ```

    ## How to fix
    `restart: unless-stopped` on every long-running service.
    """

    code = "CP017"
    name = "restart-policy"
    summary = "A service lacks restart: unless-stopped"
    requirements = ("R14.2", "R14.5")
    fixable = True
    bad_examples = (
        ComposeRule.bad(
            "services:\n  mami-ai:\n    image: mami-ai:1.0  # the API\n\n"
            "  redis:\n    image: redis:7.4\n",
            "services:\n  mami-ai:\n    image: mami-ai:1.0  # the API\n"
            "    restart: unless-stopped\n\n"
            "  redis:\n    image: redis:7.4\n    restart: unless-stopped\n",
            count=2,
        ),
        ComposeRule.bad("services:\n  web:\n    image: nginx:1.27\n    restart: always\n"),
    )
    good_examples = (
        ComposeRule.good(
            "services:\n  web:\n    image: nginx:1.27\n    restart: unless-stopped\n"
            '  migrate:\n    image: example/migrate:1\n    restart: "no"\n'
        ),
    )

    def check_stack(self, context: Context, stack: Stack) -> Iterator[Finding]:
        for name, service in stack.services.items():
            restart = service.get("restart")
            if restart is None:
                # A `deploy.restart_policy` (Swarm) also restarts it.
                deploy = service.get("deploy")
                if deploy is not None and deploy.get("restart_policy") is not None:
                    continue
                edit = insert_into_service(context, service, ["restart: unless-stopped"])
                fix = Fix.safe("Add `restart: unless-stopped`", edit) if edit else None
                yield self.at(
                    context, service.key_origin, f"`{name}` has no restart policy (R14.2)", fix
                )
            elif restart.value not in ("unless-stopped", "no"):
                yield self.at(
                    context,
                    restart.origin,
                    f"`{name}` restarts `{restart.value}`, not `unless-stopped` (R14.2)",
                )


@register
class MissingEnvFile(ComposeRule):
    """The API or the worker does not read the project's `.env`.

    ## What it does
    Checks that the API and worker services list `.env` under `env_file` (R2.1, R14.1).

    ## Why is this bad?
    Compose reads `.env` only to fill `${...}` in the compose file; the container sees none of
    it without `env_file`, so the app runs on its defaults (no API keys, wrong URLs).

    ## Example
    ```yaml
      mami-ai:
        build: .
    ```

    ## How to fix
    `env_file: .env`.

    The fix adds it to a service that has no `env_file` (one that reads other files is left
    to the user). When the project has no `.env` beside the compose file, it writes the long
    syntax `- path: .env` with `required: false` (Docker Compose 2.24 or later), since
    Compose refuses to start a service whose `env_file` is missing; create `.env` from your
    `.env.example` then. The fix is unsafe: the container then sees every variable in `.env`,
    which may change what the app does.
    """

    code = "CP018"
    name = "missing-env-file"
    summary = "The API or the worker does not read .env through env_file"
    requirements = ("R2.1", "R14.1")
    fixable = True
    bad_examples = (
        ComposeRule.bad(
            "services:\n  mami-ai:\n    image: a:1\n",
            "services:\n  mami-ai:\n    image: a:1\n    env_file:\n      - path: .env\n"
            "        required: false\n",
            unsafe=True,
        ),
        ComposeRule.bad(
            {
                "docker-compose.yml": "services:\n  mami-worker:\n    image: a:1 # worker\n",
                ".env": "GROQ_API_KEY=x\n",
            },
            {"docker-compose.yml": "services:\n  mami-worker:\n    image: a:1 # worker\n"
            "    env_file: .env\n"},
            unsafe=True,
        ),
        ComposeRule.bad("services:\n  mami-ai:\n    image: a:1\n    env_file: config.env\n"),
    )
    good_examples = (
        ComposeRule.good("services:\n  mami-ai:\n    image: a:1\n    env_file: .env\n"),
        ComposeRule.good(
            "services:\n  mami-worker:\n    image: a:1\n    env_file:\n"
            "      - path: ./.env\n        required: false\n"
        ),
    )

    def check_stack(self, context: Context, stack: Stack) -> Iterator[Finding]:
        for name in (context.expect.api_service, context.expect.worker_service):
            service = stack.service(name)
            if service is None:
                continue
            files = service.value("env_file")
            entries = files if isinstance(files, list) else [files] if files else []
            paths = [e.get("path") if isinstance(e, dict) else e for e in entries]
            if not any(posixpath.normpath(str(p or "")) == ".env" for p in paths):
                where = service.get("env_file") or None
                yield self.at(
                    context,
                    where.origin if where else service.key_origin,
                    f"`{name}` does not read .env through `env_file` (R2.1)",
                    None if where else self._fix(context, service),
                )

    def _fix(self, context: Context, service: Service) -> Fix | None:
        folder = posixpath.dirname(service.key_origin.path)
        if context.project.exists(posixpath.join(folder, ".env")):
            lines = ["env_file: .env"]
        else:  # Compose refuses a missing env_file unless it is marked not required
            lines = ["env_file:", "  - path: .env", "    required: false"]
        edit = insert_into_service(context, service, lines)
        # Unsafe: the container then sees every variable of .env.
        return Fix.unsafe("Read .env through `env_file`", edit) if edit else None


_SECRET_NAME = LazyPattern(r"(?i)(api_?key|secret|token|passw(or)?d|private_?key|credential)")
_PLACEHOLDERS = frozenset({"", "changeme", "change-me", "admin", "false", "true", "none", "null"})


@register
class SecretLiteral(ComposeRule):
    """A compose file writes a secret into `environment` as a literal.

    ## What it does
    Reports an `environment` entry whose name says secret (`*_API_KEY`, `*TOKEN*`,
    `*SECRET*`, `*PASSWORD*`) and whose value is written in the file rather than taken from
    `.env` by `${VAR}` or `env_file`. Mirrors KICS's "Passwords And Secrets" queries.

    ## Why is this bad?
    The compose file is committed: the key is in the git history for good, and in every clone
    and CI log.

    ## Example
    ```yaml
        environment:
          GROQ_API_KEY: gsk_live_1234567890abcdef
    ```

    ## How to fix
    Revoke the key, put the new one in `.env` (git-ignored) and write
    `GROQ_API_KEY: ${GROQ_API_KEY}` or rely on `env_file: .env`.
    """

    code = "CP019"
    name = "secret-literal"
    summary = "A secret is written into the compose file's environment"
    severity = Severity.ERROR
    requirements = ("R2.1",)
    peers = ("kics:passwords-and-secrets",)
    bad_examples = (
        ComposeRule.bad(
            "services:\n  mami-ai:\n    image: a:1\n    environment:\n"
            "      - GROQ_API_KEY=gsk_live_1234567890abcdef\n"
        ),
    )
    good_examples = (
        ComposeRule.good(
            "services:\n  mami-ai:\n    image: a:1\n    environment:\n"
            "      GROQ_API_KEY: ${GROQ_API_KEY}\n"
            "      GF_SECURITY_ADMIN_PASSWORD: ${GRAFANA_ADMIN_PASSWORD:-admin}\n"
            "      INTERNAL_UPLOAD_TOKEN: ${INTERNAL_UPLOAD_TOKEN:?set it in .env}\n"
        ),
    )

    def check(self, context: Context) -> Iterator[Finding]:
        for document in compose_files(context.project):
            root = file_tree(context.project, document.path)
            services = root.get("services") if root else None
            if services is None or not services.is_map:
                continue
            for name, service in services.value.items():
                env = service.get("environment") if service.is_map else None
                if env is None:
                    continue
                mapping = as_mapping("environment", env)
                if not mapping.is_map:
                    continue  # not a list or mapping: CP001 reports it
                for key, node in mapping.value.items():
                    if not _SECRET_NAME.search(key) or node.interpolated:
                        continue
                    if value_text(node).strip().lower() in _PLACEHOLDERS:
                        continue
                    yield self.at(
                        context,
                        node.origin,
                        f"`{name}` writes the secret {key} into the compose file",
                    )

    def check_stack(self, context: Context, stack: Stack) -> Iterator[Finding]:
        return iter(())


@register
class WorkerSettings(ComposeRule):
    """The worker service does not run in worker mode, with its command and token.

    ## What it does
    Checks the worker service: `NODE_MODE=WORKER` (R15.2), the command
    `python -m app.image.worker_local` (R15.3), `INTERNAL_UPLOAD_TOKEN` in its environment,
    from `${...}` or through `env_file` (R15.5), and `depends_on` the API with
    `condition: service_healthy` (R3.4, R15.4).

    ## Why is this bad?
    Without `NODE_MODE=WORKER` the worker starts a second API; without the token the API
    refuses its uploads; without waiting for a healthy API its first jobs fail.

    ## Example
    ```yaml
      mami-worker:
        image: mami-ai:1.0
        depends_on:
          - mami-ai
    ```

    ## How to fix
    ```yaml
        command: ["python", "-m", "app.image.worker_local"]
        environment:
          NODE_MODE: WORKER
          INTERNAL_UPLOAD_TOKEN: ${INTERNAL_UPLOAD_TOKEN:?set it in .env}
        depends_on:
          mami-ai:
            condition: service_healthy
    ```
    """

    code = "CP020"
    name = "worker-settings"
    summary = "The worker lacks NODE_MODE=WORKER, its command, the token or a healthy API"
    requirements = ("R3.4", "R15.2", "R15.3", "R15.4", "R15.5")
    bad_examples = (
        ComposeRule.bad(
            "services:\n  mami-ai:\n    image: a:1\n  mami-worker:\n    image: a:1\n"
            "    depends_on:\n      - mami-ai\n",
            count=4,
        ),
    )
    good_examples = (
        ComposeRule.good(
            "services:\n  mami-ai:\n    image: a:1\n  mami-worker:\n    image: a:1\n"
            '    command: ["python", "-m", "app.image.worker_local"]\n'
            "    environment:\n      NODE_MODE: WORKER\n"
            "      INTERNAL_UPLOAD_TOKEN: ${INTERNAL_UPLOAD_TOKEN:?set it in .env}\n"
            "    depends_on:\n      mami-ai:\n        condition: service_healthy\n"
        ),
    )

    WORKER_MODULE = "app.image.worker_local"

    def check_stack(self, context: Context, stack: Stack) -> Iterator[Finding]:
        worker = stack.service(context.expect.worker_service)
        if worker is None:
            return
        env = worker.mapping("environment")
        mode = env.get("NODE_MODE")
        if mode is None or str(mode.value).upper() != "WORKER":
            where = mode.origin if mode is not None else worker.key_origin
            yield self.at(context, where, "the worker does not set NODE_MODE=WORKER (R15.2)")
        words = worker.command_words() or []
        if self.WORKER_MODULE not in words or "-m" not in words:
            where = worker.get("command").origin if worker.get("command") else worker.key_origin
            yield self.at(
                context,
                where,
                f"the worker is not started with `python -m {self.WORKER_MODULE}` (R15.3)",
            )
        reads_env_file = bool(worker.value("env_file"))
        if "INTERNAL_UPLOAD_TOKEN" not in env and not reads_env_file:
            yield self.at(
                context,
                worker.key_origin,
                "the worker gets no INTERNAL_UPLOAD_TOKEN (R15.5)",
            )
        api = context.expect.api_service
        condition = worker.depends_on().get(api)
        if condition != "service_healthy":
            node = worker.get("depends_on")
            what = "does not depend on" if condition is None else "does not wait for a healthy"
            yield self.at(
                context,
                node.origin if node else worker.key_origin,
                f"the worker {what} `{api}` (`condition: service_healthy`, R3.4)",
            )


@register
class ElasticsearchSettings(ComposeRule):
    """Elasticsearch is not single-node with the expected heap, or runs without security in
    production.

    ## What it does
    In the default stack: `discovery.type=single-node` (R10.1), `xpack.security.enabled=false`
    (R10.2, development only) and `ES_JAVA_OPTS` with `-Xms` and `-Xmx` both
    `elasticsearch-heap` (512m, R10.3).
    In a production stack (an override such as `docker-compose.prod.yml`): security off and
    a port published beyond the loopback address (`127.0.0.1`) together are reported.

    The fix (unsafe: Elasticsearch then starts differently) sets the three in the default
    stack's files, in the syntax the service's `environment` uses (`- KEY=value` items or
    `KEY: value`), keeping the other `ES_JAVA_OPTS` flags. Security in production has no fix:
    whether to turn it on (with passwords and TLS) or to stop publishing the port is the
    user's choice.

    ## Why is this bad?
    Without single-node, Elasticsearch waits for a cluster that never forms; a heap with
    different bounds resizes under load; security off and published lets anyone read and
    delete every log.

    ## Example
    ```yaml
      elasticsearch:
        environment:
          ES_JAVA_OPTS: -Xms256m -Xmx1g
    ```

    ## How to fix
    ```yaml
        environment:
          discovery.type: single-node
          xpack.security.enabled: "false"
          ES_JAVA_OPTS: -Xms512m -Xmx512m
    ```
    """

    code = "CP021"
    name = "elasticsearch-settings"
    summary = "Elasticsearch is not single-node with a fixed 512m heap (security off only in dev)"
    requirements = ("R10.1", "R10.2", "R10.3")
    stacks = "all"
    fixable = True
    bad_examples = (
        ComposeRule.bad(
            "services:\n  elasticsearch:\n    image: elasticsearch:8.19.13\n    environment:\n"
            "      ES_JAVA_OPTS: -Xms256m -Xmx1g  # heap\n    ports:\n      - 9200:9200\n",
            "services:\n  elasticsearch:\n    image: elasticsearch:8.19.13\n    environment:\n"
            "      ES_JAVA_OPTS: -Xms512m -Xmx512m  # heap\n      discovery.type: single-node\n"
            '      xpack.security.enabled: "false"\n    ports:\n      - 9200:9200\n',
            count=3,
            unsafe=True,
        ),
        ComposeRule.bad(
            "services:\n  elasticsearch:\n    image: elasticsearch:8.19.13\n    environment:\n"
            '      - "ES_JAVA_OPTS=-XX:+UseG1GC -Xmx1g"\n      - xpack.security.enabled=true\n',
            "services:\n  elasticsearch:\n    image: elasticsearch:8.19.13\n    environment:\n"
            '      - "ES_JAVA_OPTS=-XX:+UseG1GC -Xmx512m -Xms512m"\n'
            "      - xpack.security.enabled=false\n      - discovery.type=single-node\n",
            count=3,
            unsafe=True,
        ),
        ComposeRule.bad(
            {
                "docker-compose.yml": "services:\n  elasticsearch:\n"
                "    image: elasticsearch:8.19.13\n    environment:\n"
                "      - ES_JAVA_OPTS=-Xms512m -Xmx512m\n      - discovery.type=zen\n",
                "docker-compose.override.yml": "services:\n  elasticsearch:\n"
                "    environment:\n      - xpack.security.enabled=true\n",
            },
            {
                "docker-compose.yml": "services:\n  elasticsearch:\n"
                "    image: elasticsearch:8.19.13\n    environment:\n"
                "      - ES_JAVA_OPTS=-Xms512m -Xmx512m\n      - discovery.type=single-node\n",
                "docker-compose.override.yml": "services:\n  elasticsearch:\n"
                "    environment:\n      - xpack.security.enabled=false\n",
            },
            count=2,
            unsafe=True,
        ),
        ComposeRule.bad(
            "services:\n  elasticsearch:\n    image: elasticsearch:8.19.13\n",
            "services:\n  elasticsearch:\n    image: elasticsearch:8.19.13\n    environment:\n"
            "      discovery.type: single-node\n"
            '      xpack.security.enabled: "false"\n      ES_JAVA_OPTS: -Xms512m -Xmx512m\n',
            count=3,
            unsafe=True,
        ),
        ComposeRule.bad(
            {
                "docker-compose.yml": "services:\n  elasticsearch:\n"
                "    image: elasticsearch:8.19.13\n"
                "    environment:\n      discovery.type: single-node\n"
                '      xpack.security.enabled: "false"\n      ES_JAVA_OPTS: -Xms512m -Xmx512m\n'
                '    ports:\n      - "9200:9200"\n',
                "docker-compose.prod.yml": "services:\n  elasticsearch:\n    restart: always\n",
            }
        ),
    )
    good_examples = (
        ComposeRule.good(
            {
                "docker-compose.yml": "services:\n  elasticsearch:\n"
                "    image: elasticsearch:8.19.13\n"
                "    environment:\n      - discovery.type=single-node\n"
                "      - xpack.security.enabled=false\n      - ES_JAVA_OPTS=-Xms512m -Xmx512m\n"
                '    ports:\n      - "9200:9200"\n',
                "docker-compose.prod.yml": "services:\n  elasticsearch:\n    ports: !reset []\n",
            }
        ),
        ComposeRule.good(
            {
                "docker-compose.yml": "services:\n  elasticsearch:\n"
                "    image: elasticsearch:8.19.13\n"
                "    environment:\n      - discovery.type=single-node\n"
                "      - xpack.security.enabled=false\n      - ES_JAVA_OPTS=-Xms512m -Xmx512m\n"
                '    ports:\n      - "127.0.0.1:9200:9200"\n',
                "docker-compose.prod.yml": "services:\n  elasticsearch:\n    restart: always\n",
            }
        ),
    )

    def check_stack(self, context: Context, stack: Stack) -> Iterator[Finding]:
        service = stack.service(context.expect.elasticsearch_service)
        if service is None:
            return
        env = service.mapping("environment")
        security = (
            str(env["xpack.security.enabled"].value).lower()
            if "xpack.security.enabled" in env
            else None
        )
        if not stack.is_default:
            # A port bound to the loopback address is not reachable from other machines.
            exposed = [p for p in service.ports() if p.published and not _loopback(p.host_ip)]
            if security == "false" and exposed:
                yield self.at(
                    context,
                    exposed[0].node.origin,
                    "Elasticsearch runs without security and is published in the "
                    f"`{stack.name}` stack",
                )
            return
        where = (
            service.get("environment").origin if service.get("environment") else service.key_origin
        )
        discovery = env.get("discovery.type")
        if discovery is None or discovery.value != "single-node":
            yield self.at(
                context,
                discovery.origin if discovery else where,
                "Elasticsearch is not `discovery.type: single-node` (R10.1)",
                self._setting_fix(context, service, "discovery.type", "single-node"),
            )
        if security != "false":
            node = env.get("xpack.security.enabled")
            yield self.at(
                context,
                node.origin if node else where,
                "development Elasticsearch should set `xpack.security.enabled: false` (R10.2)",
                self._setting_fix(context, service, "xpack.security.enabled", "false"),
            )
        opts = env.get("ES_JAVA_OPTS")
        text = str(opts.value or "") if opts else ""
        low = re.search(r"-Xms(\S+)", text)
        high = re.search(r"-Xmx(\S+)", text)
        heap = context.expect.elasticsearch_heap
        if not (low and high and low.group(1).lower() == high.group(1).lower() == heap.lower()):
            yield self.at(
                context,
                opts.origin if opts else where,
                f"ES_JAVA_OPTS is {text!r}, not `-Xms{heap} -Xmx{heap}` (R10.3)",
                self._heap_fix(context, service, heap),
            )

    def _setting_fix(
        self, context: Context, service: Service, key: str, wanted: str
    ) -> Fix | None:
        """Set an environment entry, in the syntax the service's `environment` uses."""
        node = service.mapping("environment").get(key)
        if node is not None:
            return self._replace_entry(context, service, key, node, wanted)
        edit = add_environment_entry(context, service, key, wanted)
        # Unsafe: it changes how Elasticsearch starts (no cluster discovery, no security).
        return Fix.unsafe(f"Set `{key}={wanted}`", edit) if edit else None

    def _heap_fix(self, context: Context, service: Service, heap: str) -> Fix | None:
        node = service.mapping("environment").get("ES_JAVA_OPTS")
        wanted = f"-Xms{heap} -Xmx{heap}"
        if node is None:
            edit = add_environment_entry(context, service, "ES_JAVA_OPTS", wanted)
            return Fix.unsafe(f"Set `ES_JAVA_OPTS={wanted}`", edit) if edit else None
        text = str(node.value or "")
        for flag in ("-Xms", "-Xmx"):
            if re.search(re.escape(flag) + r"\S+", text):
                text = re.sub(re.escape(flag) + r"\S+", flag + heap, text)
            else:
                text = f"{text} {flag}{heap}".strip()
        return self._replace_entry(context, service, "ES_JAVA_OPTS", node, text)

    def _replace_entry(
        self, context: Context, service: Service, key: str, node: Node, wanted: str
    ) -> Fix | None:
        if node.interpolated:
            return None  # `${...}`: the value is the user's to set in .env
        document = context.project.text_document(node.origin.path)
        if document is None or not 0 < node.origin.line <= len(document.lines):
            return None
        # The syntax of the file that writes the entry (files of a stack may differ).
        listed = document.lines[node.origin.line - 1].lstrip().startswith("- ")
        if listed:  # `- KEY=value`: the item's whole text
            span = scalar_span(document.lines, node.origin.line, node.origin.column)
            if span is None or not scalar_text(context, node.origin.path, span).startswith(
                key + "="
            ):
                return None
            content = f"{key}={wanted}"
        else:
            span = value_span(context, node.origin)
            if span is None:
                return None
            content = wanted
            line = document.lines[span.line - 1]
            if span.column == 1 or line[span.column - 2] not in "'\"":
                content = _yaml_plain(wanted)
        if content is None or "'" in content or '"' in content:
            return None
        return Fix.unsafe(
            f"Set `{key}={wanted}`", Edit.replace(node.origin.path, span, content)
        )


def _loopback(host_ip: str) -> bool:
    return host_ip.startswith("127.") or host_ip in ("::1", "localhost")


def _yaml_plain(text: str) -> str:
    """`text` as a YAML value Compose reads as that string (quoted when YAML would read a
    boolean, a number or null)."""
    if text.lower() in ("true", "false", "null", "~", "") or re.fullmatch(r"[-+.\d]+", text):
        return f'"{text}"'
    return text


def add_environment_entry(
    context: Context, service: Service, key: str, value: str
) -> Edit | None:
    """Add `key` to the service's environment: `- key=value` in a list, `key: value` in a
    mapping, and an `environment` mapping when the service has none."""
    environment = service.get("environment")
    if environment is None:
        return insert_into_service(
            context, service, ["environment:", f"  {key}: {_yaml_plain(value)}"]
        )
    if environment.is_list:
        return append_to_block(context, environment.origin, [f"- {key}={value}"])
    if environment.is_map:
        return append_to_block(context, environment.origin, [f"{key}: {_yaml_plain(value)}"])
    return None
