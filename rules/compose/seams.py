"""What the compose file says against the other files: the Dockerfile a service is built
from, its build context, and what its image has (the DF family's reading of the Dockerfile)."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from typing import TYPE_CHECKING

from auditor.facts.compose import Service, Stack
from auditor.rule import Context, Finding, Severity, register
from rules.compose._base import ComposeRule

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


def built_stage(context: Context, stack: Stack, service: Service) -> tuple[Dockerfile, Stage] | None:
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
        from rules.dockerfile.runtime import _has_program

        return _has_program(found[0], found[1], program)
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
    """

    code = "CP013"
    name = "data-volume-not-writable"
    summary = "The API's data directory is not mounted, or mounted read-only"
    severity = Severity.ERROR
    requirements = ("R1.5", "R5.1", "R18.4")
    bad_examples = (
        ComposeRule.bad(
            "services:\n  mami-ai:\n    image: a:1\n    volumes:\n      - ./data:/app/data:ro\n"
        ),
        ComposeRule.bad("services:\n  mami-ai:\n    image: a:1\n    volumes:\n      - ./logs:/app/logs\n"),
    )
    good_examples = (
        ComposeRule.good("services:\n  mami-ai:\n    image: a:1\n    volumes:\n      - ./data:/app/data\n"),
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
            yield self.at(
                context, where, f"nothing is mounted at {data_dir}: the database is lost with "
                "the container (R5.1)"
            )
            return
        for mount, node in mounts:
            if mount.read_only:
                who = f"user `{user}`" if user else "the app"
                yield self.at(
                    context, node.origin, f"{data_dir} is mounted read-only, but {who} writes "
                    "the database there (R18.4)"
                )

    def _user(self, context: Context, stack: Stack, service: Service) -> str | None:
        found = built_stage(context, stack, service)
        if found is None:
            return None
        from rules.dockerfile._base import last_user, user_text

        instruction = last_user(*found)
        return user_text(found[0], instruction) if instruction else "root"
