"""The compose files themselves: the compose-spec schema and how the stack is assembled."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.facts.compose import Stack, compose_files, schema_problems
from auditor.rule import Context, Finding, Severity, register
from rules.compose._base import ComposeRule


@register
class SchemaViolation(ComposeRule):
    """A compose file breaks the Compose specification's schema.

    ## What it does
    Validates every compose file (after interpolation, as Compose does) against the
    compose-spec JSON schema vendored in `auditor/schemas/compose-spec.json`, and reports each
    complaint at the line of the key or value it names: an unknown key, a value of the wrong
    type, a restart policy Compose does not know.

    ## Why is this bad?
    `docker compose up` refuses the whole file, on the server, at deploy time.

    ## Example
    ```yaml
    services:
      web:
        image: nginx:1.27
        ports: "80:80"
    ```

    ## How to fix
    Write the value as the specification asks (`ports` is a list: `- "80:80"`) and remove
    keys Compose does not know (or prefix them with `x-`).
    """

    code = "CP001"
    name = "compose-schema-violation"
    summary = "A compose file breaks the compose-spec schema"
    severity = Severity.ERROR
    peers = ("docker compose config",)
    bad_examples = (
        ComposeRule.bad('services:\n  web:\n    image: nginx:1.27\n    ports: "80:80"\n'),
        ComposeRule.bad("services:\n  web:\n    image: nginx:1.27\n    restrat: always\n"),
    )
    good_examples = (
        ComposeRule.good('services:\n  web:\n    image: nginx:1.27\n    ports:\n      - "80:80"\n'),
        ComposeRule.good(
            "x-common: &common\n  restart: unless-stopped\nservices:\n"
            "  web:\n    <<: *common\n    image: nginx:1.27\n"
            "    healthcheck:\n      retries: ${RETRIES:-3}\n"
        ),
    )

    def check(self, context: Context) -> Iterator[Finding]:
        for document in compose_files(context.project):
            for problem in schema_problems(context.project, document.path):
                yield self.at(context, problem.origin, problem.message)

    def check_stack(self, context: Context, stack: Stack) -> Iterator[Finding]:
        return iter(())


@register
class StackAssembly(ComposeRule):
    """Compose cannot assemble the stack: bad interpolation, a missing or looping include or
    extends.

    ## What it does
    Builds the stack as Compose does (interpolation from `.env.example`/`.env`, `include`,
    `extends`) and reports what stops it: `${` without its `}`, an `include` or `extends`
    that names a file that does not exist or lies outside the project, an `extends` chain
    that loops, a service `extends` names that the file does not define.

    ## Why is this bad?
    `docker compose` stops with an error before starting anything.

    ## Example
    ```yaml
    services:
      web:
        image: nginx:${NGINX_VERSION
    ```

    ## How to fix
    Close the substitution (`${NGINX_VERSION}`), point `include`/`extends` at a file inside
    the project, and break the loop.
    """

    code = "CP002"
    name = "compose-stack-broken"
    summary = "Compose cannot assemble the stack (interpolation, include, extends)"
    severity = Severity.ERROR
    stacks = "all"
    peers = ("docker compose config",)
    bad_examples = (
        ComposeRule.bad('services:\n  web:\n    image: "nginx:${NGINX_VERSION"\n'),
        ComposeRule.bad(
            "include:\n  - other/compose.yaml\nservices:\n  web:\n    image: nginx:1.27\n"
        ),
        ComposeRule.bad(
            "services:\n  a:\n    extends: b\n    image: nginx:1.27\n"
            "  b:\n    extends: a\n    image: nginx:1.27\n"
        ),
    )
    good_examples = (
        ComposeRule.good(
            {
                "docker-compose.yml": "include:\n  - db/compose.yaml\nservices:\n"
                "  web:\n    extends:\n      file: common.yml\n      service: base\n",
                "common.yml": "services:\n  base:\n    image: nginx:${NGINX_VERSION:-1.27}\n",
                "db/compose.yaml": "services:\n  db:\n    image: postgres:17\n",
            }
        ),
    )

    def check_stack(self, context: Context, stack: Stack) -> Iterator[Finding]:
        for problem in stack.problems:
            yield self.at(context, problem.origin, problem.message)
