"""Packages installed by RUN: version pins and package-manager caches (apk, pip, npm, yarn)."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.documents.dockerfile import Dockerfile
from auditor.lazy_pattern import LazyPattern
from auditor.rule import Context, Edit, Finding, Fix, Severity, Span, register
from rules.dockerfile._base import DockerfileRule, mounted_targets
from rules.dockerfile._shell import SimpleCommand, command_matches, pip_call, run_commands


def _verb(command: SimpleCommand) -> tuple[str, list[str]]:
    """The subcommand (first word that is not an option) and the words after it."""
    words = list(command.words[1:])
    for index, word in enumerate(words):
        if not word.startswith("-"):
            return word, words[index + 1 :]
    return "", []


_APK_CACHES = ("/var/cache/apk", "/etc/apk/cache")


@register
class ApkCacheKept(DockerfileRule):
    """`apk add` without `--no-cache`.

    ## What it does
    Finds `apk add` in a RUN without `--no-cache`, unless the RUN mounts a cache on apk's
    cache folder (`/var/cache/apk`). Mirrors hadolint's DL3019.

    ## Why is this bad?
    Without `--no-cache`, apk keeps the package index it downloaded in `/var/cache/apk`, a
    few MB in every layer that installs something, unless each RUN remembers to delete it.

    ## Example
    ```dockerfile
    RUN apk add curl
    ```

    ## How to fix
    ```dockerfile
    RUN apk add --no-cache curl
    ```
    The fix is safe: apk fetches a fresh index for the install and keeps nothing. hadolint
    also reports a RUN that deletes `/var/cache/apk/*` afterwards; so does this rule, since
    `--no-cache` does the same without a separate step.
    """

    code = "DF044"
    name = "apk-cache-kept"
    summary = "apk add without --no-cache"
    peers = ("DL3019",)
    fixable = True
    bad_examples = (
        DockerfileRule.bad(
            "FROM alpine:3.20\nRUN apk update && apk add curl\n",
            "FROM alpine:3.20\nRUN apk update && apk add --no-cache curl\n",
        ),
    )
    good_examples = (
        DockerfileRule.good("FROM alpine:3.20\nRUN apk add --no-cache curl\n"),
        DockerfileRule.good(
            "FROM alpine:3.20\nRUN --mount=type=cache,target=/var/cache/apk apk add curl\n"
        ),
    )

    def check_dockerfile(self, context: Context, document: Dockerfile) -> Iterator[Finding]:
        for instruction in document.of_keyword("RUN"):
            if set(mounted_targets(instruction, "cache", "tmpfs")) & set(_APK_CACHES):
                continue
            for match in command_matches(
                document, instruction, r"(?<![\w.-])apk\s+(?:-\S+\s+)*add\b"
            ):
                if "--no-cache" in match.segment.split():
                    continue
                line, column = document.position(match.start)
                end_line, end_column = document.position(match.end)
                edit = Edit.insert(document.path, end_line, end_column, " --no-cache")
                yield self.finding(
                    document,
                    Span(line, column, end_line, end_column),
                    "`apk add` without `--no-cache` leaves apk's index in the image",
                    Fix.safe("Add `--no-cache`", edit),
                )


_PIP_PINS = ("==", "~=", "@")
_PATH_LIKE_RE = LazyPattern(
    r"^(?:[./~$]|[A-Za-z][A-Za-z0-9+.-]*://|git\+)|\.(?:whl|zip|tar\.gz|tgz)$"
)


def _pip_unpinned(target: str) -> bool:
    """Is a pip install target a requirement without an exact version? Paths, URLs, wheels
    and variables are not requirements; `pkg==1.2`, `pkg~=1.2` and `pkg @ url` are pinned."""
    return not _PATH_LIKE_RE.search(target) and not any(pin in target for pin in _PIP_PINS)


@register
class PipUnpinned(DockerfileRule):
    """`pip install` of a package without a version.

    ## What it does
    Finds `pip install` of a package named on the command line without `==` (or `~=`, or a
    direct `@` reference). Requirement files (`-r`), constraint files (`-c`, which pin what
    they name), paths, URLs and wheels are not judged. Mirrors hadolint's DL3013.

    ## Why is this bad?
    The image gets whatever version is newest on the day it is built: two builds of the same
    commit differ, and a new major release breaks the app without any change in the
    repository (R8.1). Pins belong in requirements.txt, which the image installs.

    ## Example
    ```dockerfile
    RUN pip install --no-cache-dir fastapi uvicorn
    ```

    ## How to fix
    ```dockerfile
    RUN pip install --no-cache-dir fastapi==0.115.0 uvicorn==0.30.6
    ```
    or `pip install --no-cache-dir -r requirements.txt` with pinned requirements.
    """

    code = "DF045"
    name = "pip-unpinned"
    summary = "pip install of a package without a version"
    peers = ("DL3013",)
    bad_examples = (
        DockerfileRule.bad(
            "FROM python:3.11-slim\nRUN pip install --no-cache-dir fastapi 'uvicorn>=0.30'\n",
            count=1,
        ),
    )
    good_examples = (
        DockerfileRule.good(
            "FROM python:3.11-slim\n"
            "RUN pip install --no-cache-dir fastapi==0.115.0 -r requirements.txt /wheels/*.whl .\n"
        ),
    )

    def check_dockerfile(self, context: Context, document: Dockerfile) -> Iterator[Finding]:
        for instruction in document.of_keyword("RUN"):
            for command in run_commands(instruction):
                call = pip_call(command)
                if (
                    call is None
                    or call.subcommand != "install"
                    or call.has_option("-c", "--constraint")
                ):
                    continue
                loose = [target for target in call.targets if _pip_unpinned(target)]
                if loose:
                    span = document.span_or_instruction(instruction, loose[0])
                    names = ", ".join(f"`{target}`" for target in loose)
                    message = f"pip installs {names} without a pinned version"
                    yield self.finding(document, span, message)


_NPM_INSTALLS = ("install", "i", "add")


def _npm_unpinned(target: str) -> bool:
    """`express` or `@scope/pkg` without `@version`; paths, tarballs and URLs are not judged."""
    if target.startswith((".", "/", "~", "$")) or ":" in target or target.endswith(".tgz"):
        return False
    return "@" not in target[1:]


@register
class NpmUnpinned(DockerfileRule):
    """`npm install` of a package without a version.

    ## What it does
    Finds `npm install PACKAGE` (also `npm i` and `npm add`) of a package without
    `@version` (or a tag). `npm install` and `npm ci` without packages install the lockfile's
    versions and are not reported. Mirrors hadolint's DL3016, which looks at `npm install`
    only.

    ## Why is this bad?
    The image gets the newest release on the day it is built, which the lockfile does not
    record: builds stop being reproducible, and a new major version breaks them.

    ## Example
    ```dockerfile
    RUN npm install -g pnpm
    ```

    ## How to fix
    ```dockerfile
    RUN npm install -g pnpm@9.12.0
    ```
    """

    code = "DF046"
    name = "npm-unpinned"
    summary = "npm install of a package without a version"
    peers = ("DL3016",)
    bad_examples = (
        DockerfileRule.bad("FROM node:22-slim\nRUN npm install -g pnpm @vue/cli\n", count=1),
    )
    good_examples = (
        DockerfileRule.good(
            "FROM node:22-slim\nRUN npm ci && npm install -g pnpm@9.12.0 @vue/cli@5 ./local\n"
        ),
    )

    def check_dockerfile(self, context: Context, document: Dockerfile) -> Iterator[Finding]:
        for instruction in document.of_keyword("RUN"):
            for command in run_commands(instruction):
                if command.name != "npm":
                    continue
                verb, arguments = _verb(command)
                if verb not in _NPM_INSTALLS:
                    continue
                loose = [
                    word for word in arguments if not word.startswith("-") and _npm_unpinned(word)
                ]
                if loose:
                    span = document.span_or_instruction(instruction, loose[0])
                    names = ", ".join(f"`{name}`" for name in loose)
                    yield self.finding(document, span, f"npm installs {names} without a version")


@register
class YarnCacheKept(DockerfileRule):
    """`yarn install` without `yarn cache clean`.

    ## What it does
    Finds a RUN that runs `yarn install` (or `yarn` alone) without `yarn cache clean` in the
    same RUN, unless the RUN mounts a cache on yarn's cache folder. Mirrors hadolint's
    DL3060, which does not know that a bare `yarn` installs too.

    ## Why is this bad?
    yarn keeps a copy of every package it downloaded in its cache folder, often as large as
    node_modules itself, and that copy stays in the layer.

    ## Example
    ```dockerfile
    RUN yarn install --frozen-lockfile
    ```

    ## How to fix
    ```dockerfile
    RUN yarn install --frozen-lockfile && yarn cache clean
    ```
    """

    code = "DF047"
    name = "yarn-cache-kept"
    summary = "yarn install without yarn cache clean"
    severity = Severity.INFO
    peers = ("DL3060",)
    bad_examples = (DockerfileRule.bad("FROM node:22-slim\nRUN yarn install --frozen-lockfile\n"),)
    good_examples = (
        DockerfileRule.good(
            "FROM node:22-slim\nRUN yarn install --frozen-lockfile && yarn cache clean\n"
        ),
        DockerfileRule.good(
            "FROM node:22-slim\n"
            "RUN --mount=type=cache,target=/usr/local/share/.cache/yarn yarn install\n"
        ),
    )

    def check_dockerfile(self, context: Context, document: Dockerfile) -> Iterator[Finding]:
        for instruction in document.of_keyword("RUN"):
            if any("yarn" in target for target in mounted_targets(instruction, "cache", "tmpfs")):
                continue
            verbs = [_verb(c)[0] for c in run_commands(instruction) if c.name == "yarn"]
            installs = any(verb in ("install", "") for verb in verbs)
            cleans = any(
                c.name == "yarn" and list(c.words[1:3]) == ["cache", "clean"]
                for c in run_commands(instruction)
            )
            if installs and not cleans:
                span = document.span_or_instruction(instruction, "yarn")
                message = (
                    "`yarn install` without `yarn cache clean` leaves yarn's cache in the image"
                )
                yield self.finding(document, span, message)
