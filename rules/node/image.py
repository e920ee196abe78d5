"""The Node image: new enough for the packages it installs, not past end of life, and
installing from the lockfile (`npm ci`) in the stages that build the app."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from typing import TYPE_CHECKING, NamedTuple

from auditor.documents.dockerfile import Dockerfile, Instruction, Stage, parse_image
from auditor.lazy_pattern import LazyPattern
from auditor.npm_semver import satisfies
from auditor.rule import Context, Edit, Finding, Fix, Severity, Span, register
from rules.dockerfile._base import DockerfileRule
from rules.node._base import lockfile_of
from rules.node._releases import (
    NODE_END_OF_LIFE,
    end_of_life,
    node_image,
    oldest_supported_lts,
    today,
)

if TYPE_CHECKING:
    from auditor.documents.package_json import PackageJson
    from auditor.facts.compose import Service
    from rules.node._releases import NodeImage

_NPM_INSTALL_RE = LazyPattern(r"(?<![\w-])npm\s+(install|i|isntall|add)(?![\w-])")
_SHELL_BREAK_RE = LazyPattern(r"&&|\|\||[;|&\n()]")
_DEV_STAGE_NAMES = frozenset({"dev", "development", "develop"})
# Variants the official node images publish for every supported LTS line (older Debian
# releases such as buster are gone from the newer lines, so they are not carried over).
_LASTING_VARIANTS = frozenset({"", "alpine", "slim", "bookworm", "bookworm-slim"})


def compose_node_images(context: Context) -> Iterator[tuple[Service, object, NodeImage]]:
    """The compose services that run a `node:<version>` image as it is. The compose model is
    imported only when the project has a compose file: a project of Dockerfiles alone skips it."""
    if not context.project.has_kind("compose"):
        return
    from rules.node.compose import node_image_services

    yield from node_image_services(context)


# These rules judge the Node image a Dockerfile builds from (or a compose service runs), with
# or without a package.json beside it; the rest of the family needs Node files.
KINDS = ("dockerfile", "package-json", "package-lock", "compose")
NEEDS = ("dockerfile", "compose")


class Requirement(NamedTuple):
    who: str  # "vite 7.2.4" or "package.json"
    node_range: str
    where: str  # "frontend/package-lock.json:3195"


def packages_built_by(context: Context, dockerfile: Dockerfile) -> list[PackageJson]:
    """The package.json files a Dockerfile installs: the one beside it, and those its COPY
    and ADD instructions take (read from the Dockerfile's folder or the project root, the
    two build contexts projects use)."""
    from auditor.documents.package_json import PackageJson

    folder = posixpath.dirname(dockerfile.path)
    candidates = [posixpath.join(folder, "package.json")]
    for instruction in dockerfile.of_keyword("COPY", "ADD"):
        if instruction.flag("from") is not None:
            continue
        words = instruction.exec_form or tuple(instruction.arguments.split())
        for source in words[:-1]:
            name = posixpath.basename(source)
            if name in ("package.json", "package*.json") or source.endswith("/"):
                base = posixpath.dirname(source) if name.startswith("package") else source
                for context_root in (folder, ""):
                    candidates.append(
                        posixpath.normpath(posixpath.join(context_root, base, "package.json"))
                    )
    found: list[PackageJson] = []
    for path in dict.fromkeys(candidates):
        document = context.project.document(path, "package-json")
        if (
            isinstance(document, PackageJson)
            and document.parse_error is None
            and document not in found
        ):
            found.append(document)
    return found


def node_requirements(context: Context, package: PackageJson) -> list[Requirement]:
    """engines.node of package.json and of every package its lockfile installs."""
    requirements = []
    own = package.engines_node
    if own is not None and isinstance(own.value.value, str):
        line = package.value_span(own).line
        requirements.append(Requirement(package.path, own.value.value, f"{package.path}:{line}"))
    lock = lockfile_of(context, package)
    if lock is not None and lock.parse_error is None:
        for path, entry in lock.packages.items():
            if not path or entry.engines_node is None:
                continue
            who = f"{entry.name} {entry.version}" if entry.version else entry.name
            requirements.append(Requirement(who, entry.engines_node, f"{lock.path}:{path}"))
    return requirements


def _too_old_message(what: str, image, failing: list[Requirement]) -> str:
    first = failing[0]
    message = f"{what} runs Node {image.shown}, but {first.who} needs Node `{first.node_range}` ({first.where})"
    if len(failing) > 1:
        others = ", ".join(r.who for r in failing[1:4])
        more = f" and {len(failing) - 4} more" if len(failing) > 4 else ""
        message += f"; so do {others}{more}"
    return message


def _at(rule, context: Context, origin, message: str) -> Finding:
    document = context.project.text_document(origin.path)
    length = document.line_length(origin.line) if document else 0
    span = Span(origin.line, origin.column, origin.line, max(length + 1, origin.column))
    return rule.finding(origin.path, span, message)


def supported_replacement(image, requirements: list[Requirement]) -> str | None:
    """`node:18-alpine` -> `node:22-alpine`: the oldest LTS line still supported today whose
    newest release satisfies every requirement, in the same variant. None when the tag pins
    a minor or patch (which release of the new line is a choice), has a digest, or a
    variant not published for every line."""
    reference = parse_image(image.reference)
    if reference.digest or image.minor is not None or not image.tag[:1].isdigit():
        return None
    variant = image.tag.partition("-")[2]
    if variant not in _LASTING_VARIANTS:
        return None
    day = today()
    for major in sorted(m for m, ends in NODE_END_OF_LIFE.items() if m % 2 == 0 and ends > day):
        newest = f"{major}.999999.999999"
        if all(satisfies(newest, r.node_range) is not False for r in requirements):
            return f"{reference.name}:{major}" + (f"-{variant}" if variant else "")
    return None


def _upgrade_fix(
    document: Dockerfile, stage: Stage, image, requirements: list[Requirement]
) -> Fix | None:
    if stage.base_written != stage.base:
        return None  # written with an ARG: the value is set elsewhere
    replacement = supported_replacement(image, requirements)
    span = document.find_in(stage.from_instruction, stage.base_written)
    if replacement is None or span is None:
        return None
    return Fix.unsafe(
        f"Use {replacement} (a newer Node: rebuild and run the tests)",
        Edit.replace(document.path, span, replacement),
    )


def _node_stages(document: Dockerfile) -> Iterator[tuple[Stage, object]]:
    for stage in document.stages:
        if document.parent_stage(stage) is not None or not stage.base_resolved:
            continue
        image = node_image(stage.base)
        if image is not None:
            yield stage, image


@register
class NodeImageTooOld(DockerfileRule):
    """The Node image is older than what package.json or a locked package requires.

    ## What it does
    For each Dockerfile stage built `FROM node:<version>`, takes the newest Node release the
    tag can pull (`node:18` -> the newest 18.x; `node:20.18.1` exactly that) and checks it
    against `engines.node` of the package.json the Dockerfile installs and of every package
    in its lockfile (Vite 7 declares `^20.19.0 || >=22.12.0` there). Tags without a version
    (`node:lts`, `node:latest`) are skipped (DF014 asks for a version). The package.json
    is the one beside the Dockerfile or one it COPYs. A compose service that runs
    `image: node:<version>` (without `build`) is checked the same way against the
    package.json in the folder bind-mounted on its working directory.

    ## Why is this bad?
    npm only warns about engines (EBADENGINE), so the image builds, and then `vite build`
    or the dev server crashes on an API the old Node lacks — in the image build, in CI, or
    only once the container starts.

    ## Example
    ```dockerfile
    FROM node:18-alpine
    COPY package.json package-lock.json ./
    RUN npm ci
    ```
    with `vite` 7 in the lockfile.

    ## How to fix
    Use a Node line every package supports, e.g. `FROM node:22-bookworm-slim`. For a
    Dockerfile tag that names only the major (`node:18`, `node:18-alpine`), the fix (unsafe:
    another Node runs the build) moves it to the oldest LTS line still supported that
    satisfies every requirement, keeping the variant (`node:22-alpine`). A tag pinning a
    minor or patch, or with a digest, is left to you: which release to pin is a choice.
    """

    code = "NP007"
    name = "node-image-too-old"
    summary = "The Node image is older than engines.node of package.json or a locked package"
    severity = Severity.ERROR
    requirements = ("R9.4",)
    fixable = True
    _LOCK = (
        '{"name": "web", "lockfileVersion": 3, "packages": {\n'
        '  "": {"name": "web", "devDependencies": {"vite": "7.2.4"}},\n'
        '  "node_modules/vite": {"version": "7.2.4", "dev": true,\n'
        '    "engines": {"node": "^20.19.0 || >=22.12.0"}}\n}}\n'
    )
    _PACKAGE = '{"name": "web", "devDependencies": {"vite": "7.2.4"}}\n'
    bad_examples = (
        DockerfileRule.bad(
            {
                "Dockerfile": "FROM node:18-alpine\nWORKDIR /app\nCOPY package.json package-lock.json ./\n"
                "RUN npm ci\n",
                "package.json": _PACKAGE,
                "package-lock.json": _LOCK,
            },
            {
                # the oldest supported LTS line (22 until its end of life) satisfies Vite's range
                "Dockerfile": f"FROM node:{oldest_supported_lts()}-alpine\nWORKDIR /app\n"
                "COPY package.json package-lock.json ./\nRUN npm ci\n",
            },
            count=1,
            unsafe=True,
        ),
        DockerfileRule.bad(
            {
                "frontend/Dockerfile": "FROM node:20.18-slim\nRUN npm ci\n",
                "frontend/package.json": '{"engines": {"node": ">=22"}}\n',
            },
            count=1,
        ),
        DockerfileRule.bad(
            {
                "docker-compose.yml": "services:\n  ui:\n    image: node:20.18-alpine\n"
                "    working_dir: /app\n    volumes:\n      - ./frontend:/app\n",
                "frontend/package.json": '{"engines": {"node": ">=22.12"}}\n',
            },
            count=1,
        ),
    )
    good_examples = (
        DockerfileRule.good(
            {
                "Dockerfile": "FROM node:22-alpine\nCOPY package.json package-lock.json ./\nRUN npm ci\n",
                "package.json": _PACKAGE,
                "package-lock.json": _LOCK,
            }
        ),
        DockerfileRule.good(
            {
                "Dockerfile": "FROM node:lts\nRUN npm ci\n",
                "package.json": '{"engines": {"node": ">=22"}}\n',
            }
        ),
    )

    def check(self, context: Context) -> Iterator[Finding]:
        yield from super().check(context)
        for service, origin, image in compose_node_images(context):
            from rules.node.compose import service_package

            package = service_package(context, service)
            requirements = node_requirements(context, package) if package is not None else []
            failing = [
                r for r in requirements if satisfies(image.newest_version, r.node_range) is False
            ]
            if failing:
                yield _at(
                    self,
                    context,
                    origin,
                    _too_old_message(f"image {image.reference}", image, failing),
                )

    def check_dockerfile(self, context: Context, document: Dockerfile) -> Iterator[Finding]:
        stages = list(_node_stages(document))
        if not stages:
            return
        requirements = [
            r for p in packages_built_by(context, document) for r in node_requirements(context, p)
        ]
        for stage, image in stages:
            failing = [
                r for r in requirements if satisfies(image.newest_version, r.node_range) is False
            ]
            if not failing:
                continue
            message = _too_old_message(stage.base, image, failing)
            span = document.span_or_instruction(stage.from_instruction, stage.base_written)
            fix = _upgrade_fix(document, stage, image, requirements)
            yield self.finding(document, span, message, fix)


@register
class NodeEndOfLife(DockerfileRule):
    """The Node image is of a release line past its end of life.

    ## What it does
    Reports a `FROM node:<version>` whose release line has reached end of life, from a
    small dated table of Node release lines in rules/node/_releases.py (Node 18: April
    2025; Node 20: April 2026; odd lines two months after the next even one's release).
    Codename tags (`node:hydrogen`) count as their line. Compose services that run
    `image: node:<version>` are checked too.

    ## Why is this bad?
    An end-of-life Node gets no security fixes, and current packages drop it one by one
    (Vite 7 needs Node 20.19+ or 22.12+): the next upgrade turns into an emergency.

    ## Example
    ```dockerfile
    FROM node:18-alpine
    ```

    ## How to fix
    Move to a supported LTS line, e.g. `FROM node:22-bookworm-slim` or `node:24`. For a
    Dockerfile tag that names only the major, the fix (unsafe: another Node runs the build)
    moves it to the oldest LTS line still supported that satisfies the `engines.node` of
    the package.json and lockfile the Dockerfile installs, keeping the variant; see NP007.
    """

    code = "NP008"
    name = "node-end-of-life"
    summary = "The Node image is of an end-of-life release line"
    fixable = True
    bad_examples = (
        DockerfileRule.bad(
            {
                "Dockerfile": "FROM node:18-alpine\nRUN npm ci\n",
                "package.json": '{"engines": {"node": ">=20"}}\n',
            },
            {"Dockerfile": f"FROM node:{oldest_supported_lts()}-alpine\nRUN npm ci\n"},
            count=1,
            unsafe=True,
        ),
        DockerfileRule.bad("FROM node:gallium AS build\nRUN npm ci\nFROM nginx:1.27\n", count=1),
        DockerfileRule.bad(
            {
                "docker-compose.yml": "services:\n  ui:\n    image: node:16-alpine\n    command: npm run dev\n"
            },
            count=1,
        ),
    )
    good_examples = (
        DockerfileRule.good("FROM node:24-alpine\nRUN npm ci\n"),
        DockerfileRule.good("FROM python:3.11-slim\nRUN pip --version\n"),
    )

    def check(self, context: Context) -> Iterator[Finding]:
        yield from super().check(context)
        day = today()
        for _service, origin, image in compose_node_images(context):
            ended = end_of_life(image.major)
            if ended is not None and ended <= day:
                message = (
                    f"image {image.reference}: Node {image.major} reached end of life on {ended}"
                )
                yield _at(self, context, origin, message)

    def check_dockerfile(self, context: Context, document: Dockerfile) -> Iterator[Finding]:
        day = today()
        requirements: list[Requirement] | None = None
        for stage, image in _node_stages(document):
            ended = end_of_life(image.major)
            if ended is None or ended > day:
                continue
            if requirements is None:
                requirements = [
                    r
                    for p in packages_built_by(context, document)
                    for r in node_requirements(context, p)
                ]
            span = document.span_or_instruction(stage.from_instruction, stage.base_written)
            message = f"{stage.base}: Node {image.major} reached end of life on {ended}"
            fix = _upgrade_fix(document, stage, image, requirements)
            yield self.finding(document, span, message, fix)


def npm_install_calls(instruction: Instruction) -> Iterator[tuple[str, list[str]]]:
    """Each `npm install` in a RUN: the text as written and the words after it."""
    command = instruction.shell_command
    for match in _NPM_INSTALL_RE.finditer(command):
        rest = command[match.end() :]
        end = _SHELL_BREAK_RE.search(rest)
        words = (rest[: end.start()] if end else rest).replace("\\\n", " ").split()
        yield match.group(0), words


@register
class NpmInstallInImage(DockerfileRule):
    """An image build runs `npm install` where `npm ci` installs from the lockfile.

    ## What it does
    Reports a RUN instruction that runs `npm install` (or `npm i`) without package names,
    which installs what package.json lists. Exceptions: `npm install -g <tool>` and other
    installs of named packages, and a stage named `dev` or `development`: R7.1's dev
    service runs `npm install` on purpose, at container start, against the mounted source.

    ## Why is this bad?
    `npm install` resolves ranges again and rewrites package-lock.json when it disagrees,
    so the image holds whatever was newest that day. `npm ci` installs exactly the
    lockfile and fails when it is out of sync: the deterministic install R9.3 asks for.

    ## Example
    ```dockerfile
    FROM node:22-alpine AS build
    COPY package.json package-lock.json ./
    RUN npm install
    ```

    ## How to fix
    `RUN npm ci` (copy package-lock.json first). The fix is unsafe: `npm ci` fails where
    there is no lockfile or it is out of sync, which is the point, but check first.
    """

    code = "NP013"
    name = "npm-install-in-image"
    summary = "RUN npm install in an image build instead of npm ci"
    requirements = ("R9.3",)
    fixable = True
    bad_examples = (
        DockerfileRule.bad(
            "FROM node:22-alpine AS build\nCOPY package.json package-lock.json ./\n"
            "RUN npm install --no-audit && npm run build\n",
            "FROM node:22-alpine AS build\nCOPY package.json package-lock.json ./\n"
            "RUN npm ci --no-audit && npm run build\n",
            unsafe=True,
        ),
    )
    good_examples = (
        DockerfileRule.good("FROM node:22-alpine\nRUN npm install -g pnpm@9\nRUN npm ci\n"),
        DockerfileRule.good(
            'FROM node:22-alpine AS dev\nRUN npm install\nCMD ["npm", "run", "dev"]\n'
        ),
    )

    def check_dockerfile(self, context: Context, document: Dockerfile) -> Iterator[Finding]:
        for stage in document.stages:
            names = {link.name.lower() for link in document.stage_chain(stage) if link.name}
            if names & _DEV_STAGE_NAMES:
                continue
            for instruction in stage.of_keyword("RUN"):
                for written, words in npm_install_calls(instruction):
                    if any(not word.startswith("-") for word in words):
                        continue  # named packages: a tool, not the project's dependencies
                    span = document.span_or_instruction(instruction, written)
                    fix = None
                    found = document.find_in(instruction, written)
                    if found is not None:
                        fix = Fix.unsafe(
                            "Install with `npm ci` (needs an in-sync package-lock.json in the image)",
                            Edit.replace(document.path, found, "npm ci"),
                        )
                    message = f"`{written}` in stage {stage.name or stage.index}: use `npm ci` to install the lockfile"
                    yield self.finding(document, span, message, fix)
