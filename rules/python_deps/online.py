"""Checks that need the network (run with --online): the resolver's verdict, vulnerabilities.

Both say "could not check: <why>" in a finding when the index, the resolver or the
vulnerability service cannot be used; a check that did not run never passes silently.

The resolver is uv's (`uv pip compile --python-version X --python-platform linux`): it
resolves for the image's Python, from the Dockerfile's FROM, without installing anything and
without needing wheels for that Python. pip can only resolve for another Python with
`--only-binary=:all:` and exact platform tags; measured on this repository's requirements.txt
(warm caches, same machine, same run) pip took 3.7-7.1 s and uv 0.9-1.5 s, and pip
could not find the manylinux wheels of pillow 13.0.0 that a real install on Linux uses (see
docs/python-dependencies.md). Vulnerabilities come from pip-audit's OSV service (the library,
not its CLI), whose URL `MAMI_AUDIT_OSV_URL` overrides (a mirror, or the tests' loopback server).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NamedTuple

from auditor.rule import Context, Finding, Severity, Span, register
from rules.python_deps._base import DependencyRule
from rules.python_deps._model import Entry, InstallSet, dependency_model

DEFAULT_OSV_URL = "https://api.osv.dev/v1/query"
_ANSI_RE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_PIN_RE = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;]+)")
_NETWORK_WORDS = (
    "failed to fetch", "error sending request", "connection refused", "dns error",
    "failed to lookup address", "request failed after", "tcp connect error", "timed out",
    "network is unreachable", "could not connect", "connecterror",
)  # fmt: skip


class Resolution(NamedTuple):
    pins: dict[str, str] | None  # name -> version, when the resolver succeeded
    conflict: str | None  # the resolver's own explanation of why no solution exists
    problem: str | None  # why it could not check


def _uv() -> str | None:
    try:
        from uv import find_uv_bin

        return str(find_uv_bin())
    except (ImportError, FileNotFoundError):
        return shutil.which("uv")


# Answers of the network for this process, keyed by what was asked: `--fix` audits each fix
# pass on a new Project, and the same files must not be resolved or queried again.
_RESOLVED: dict[tuple[str, ...], Resolution] = {}
_ADVISORIES: dict[tuple[str, str, str], list[object]] = {}


def resolve(context: Context, install_set: InstallSet) -> Resolution:
    python = install_set.python_version or context.expect.python_version
    indexes = [
        os.environ.get(name, "") for name in ("UV_DEFAULT_INDEX", "UV_INDEX_URL", "UV_INDEX")
    ]
    key = (python, *indexes, *(f"{doc.path}\0{doc.text}" for doc in install_set.documents))
    if key not in _RESOLVED:
        _RESOLVED[key] = _resolve(context, install_set)
    return _RESOLVED[key]


def _resolve(context: Context, install_set: InstallSet) -> Resolution:
    uv = _uv()
    if uv is None:
        return Resolution(None, None, "uv is not installed (pip install 'mami-audit[online]')")
    python = install_set.python_version or context.expect.python_version
    files = [str(context.project.absolute(doc.path)) for doc in install_set.top]
    command = [uv, "pip", "compile", "--python-version", python, "--python-platform", "linux"]
    command += ["--no-header", "--no-annotate", "--quiet", "--color", "never", *files]
    environment = dict(os.environ, UV_NO_PROGRESS="1")
    try:
        with _progress(f"resolving {install_set.described} for Python {python} (uv)"):
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=600, env=environment
            )
    except (OSError, subprocess.TimeoutExpired) as error:
        return Resolution(None, None, f"uv did not finish: {error}")
    errors = _ANSI_RE.sub("", done.stderr).strip()
    if done.returncode == 0:
        pins = {}
        for line in done.stdout.splitlines():
            match = _PIN_RE.match(line.strip())
            if match:
                from auditor.documents.requirements import normalise_name

                pins[normalise_name(match.group(1))] = match.group(2)
        return Resolution(pins, None, None)
    lowered = errors.lower()
    if "no solution found" in lowered and not any(w in lowered for w in _NETWORK_WORDS):
        return Resolution(None, _explanation(errors), None)
    lines = [line.strip() for line in errors.splitlines() if line.strip()]
    first = lines[0] if lines else "uv failed"
    fetching = next((line for line in lines if "://" in line), None)
    if fetching and fetching != first:  # name the URL that failed: "Failed to fetch: https://..."
        first = f"{first}; {fetching.removeprefix('cause:').strip()}"
    reason = (
        "the package index cannot be reached"
        if any(word in lowered for word in _NETWORK_WORDS)
        else "uv failed"
    )
    return Resolution(None, None, f"{reason} ({_clean(first)})")


def _clean(text: str) -> str:
    from auditor.documents.requirements import mask_credentials

    return mask_credentials(" ".join(text.replace("×", " ").replace("╰─▶", " ").split()))


def _explanation(errors: str) -> str:
    lines = [_clean(line) for line in errors.splitlines() if line.strip()]
    return " ".join(line for line in lines if not line.lower().startswith("no solution found"))


@contextmanager
def _progress(description: str, total: int | None = None) -> Iterator[_Advance]:
    """A rich progress line on stderr when it is a terminal; nothing otherwise."""
    if not sys.stderr.isatty():
        yield _Advance(None, None)
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn

    columns = [SpinnerColumn(), TextColumn("{task.description}")]
    if total is not None:
        columns.append(BarColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task(description, total=total)
        yield _Advance(progress, task)


class _Advance:
    def __init__(self, progress: object, task: object) -> None:
        self.progress = progress
        self.task = task

    def __call__(self, description: str) -> None:
        if self.progress is not None:
            update = self.progress.update  # type: ignore[attr-defined]
            update(self.task, advance=1, description=description)


def _anchor(install_set: InstallSet) -> tuple[str, Span]:
    return install_set.top[0].path, Span.point(1)


@register
class ResolverConflict(DependencyRule):
    """Resolves the image's requirements for its Python and reports a conflict (online).

    ## What it does
    With `--online`, resolves the requirements each image installs (the files of the
    Dockerfile's `pip install -r`, with their includes) for the image's Python version (from
    the Dockerfile's FROM, else `expect.python-version`) on Linux, with uv's resolver
    (`uv pip compile`; why uv and not pip: measured, see the module and the docs). A conflict
    anywhere in the dependency graph (two packages that require incompatible versions of a
    third) is reported with the resolver's own explanation. When the index or uv cannot be
    used, it reports "could not check" and why.

    ## Why is this bad?
    The image build fails at `pip install` (R1.1, R8.5), or, for a Python the developer does
    not use locally, only in CI or on the server.

    ## Example
    ```text
    fastapi==0.115.0
    starlette==0.40.0
    ```
    (fastapi 0.115.0 requires starlette<0.39.)

    ## How to fix
    Follow the explanation: move one of the named requirements to a version the other
    accepts.
    """

    code = "PY030"
    name = "resolver-conflict"
    summary = "The image's requirements do not resolve for its Python (online)"
    severity = Severity.ERROR
    requirements = ("R1.1", "R8.5")
    online = True
    bad_examples = (DependencyRule.bad("fastapi==0.115.0\nstarlette==0.40.0\n", count=1),)
    good_examples = (
        DependencyRule.good("fastapi==0.115.0\nstarlette==0.38.6\n"),
        DependencyRule.good("# nothing to install yet\n"),
    )

    def check(self, context: Context) -> Iterator[Finding]:
        for install_set in dependency_model(context).production_sets():
            if not any(True for _ in install_set.installed()):
                continue
            resolution = resolve(context, install_set)
            path, span = _anchor(install_set)
            if resolution.problem:
                yield self.finding(path, span, f"could not check: {resolution.problem}")
            elif resolution.conflict:
                entry = _named_in(install_set, resolution.conflict)
                where = (entry.document.path, entry.span()) if entry else (path, span)
                yield self.finding(
                    where[0], where[1],
                    f"the requirements of {install_set.described} do not resolve for Python "
                    f"{install_set.python_version or context.expect.python_version}: "
                    f"{resolution.conflict}",
                )  # fmt: skip


def _named_in(install_set: InstallSet, text: str) -> Entry | None:
    found = None
    lowered = text.lower()
    for entry in install_set.installed():
        name = entry.requirement.name
        if name and re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", lowered):
            found = entry
    return found


@register
class VulnerableDependency(DependencyRule):
    """Reports a dependency of the image with a known vulnerability (online, pip-audit).

    ## What it does
    With `--online`, takes the versions the image installs (the resolver's pins, see PY030;
    the `==` pins of the requirements when it cannot resolve) and asks pip-audit's OSV
    service about each. A finding names the advisory id (and its aliases), the summary and
    the first version that fixes it. Unlike pip-audit alone, which says "No known
    vulnerabilities found" when the service was unreachable and every package was skipped,
    this rule reports "could not check: <why>" then, and lists the requirements it could not
    check because their version is not known.

    ## Why is this bad?
    A known vulnerability in an image's dependency is exploitable in production, and scanners
    in the deployment pipeline will flag the image anyway.

    ## Example
    ```text
    jinja2==3.1.2
    ```

    ## How to fix
    Upgrade to the first fixed version (or later) named in the finding, and rebuild.
    """

    code = "PY031"
    name = "vulnerable-dependency"
    summary = "A dependency of the image has a known vulnerability (online, pip-audit)"
    severity = Severity.ERROR
    online = True
    bad_examples = (DependencyRule.bad("jinja2==3.1.2\n", count=1),)
    good_examples = (DependencyRule.good("jinja2==3.1.6\n"),)

    def check(self, context: Context) -> Iterator[Finding]:
        seen: set[tuple[str, str]] = set()
        for install_set in dependency_model(context).production_sets():
            entries = [e for e in install_set.installed() if e.requirement.name]
            if not entries:
                continue
            versions, unknown = self._versions(context, install_set, entries)
            path, span = _anchor(install_set)
            if unknown:
                yield self.finding(path, span, f"could not check {unknown}")
            todo = [(name, version) for name, version in versions if (name, version) not in seen]
            seen.update(todo)
            yield from self._audit(install_set, entries, todo)

    def _versions(
        self, context: Context, install_set: InstallSet, entries: list[Entry]
    ) -> tuple[list[tuple[str, str]], str]:
        resolution = resolve(context, install_set)
        if resolution.pins is not None:
            return sorted(resolution.pins.items()), ""
        pinned = []
        loose = []
        for entry in entries:
            requirement = entry.requirement
            specs = list(requirement.specifier or ())
            if requirement.pinned and specs[0].operator == "==":
                pinned.append((requirement.name or "", specs[0].version))
            else:
                loose.append(requirement.written_name or requirement.text)
        why = resolution.problem or "the requirements do not resolve (PY030)"
        unknown = ""
        if loose:
            unknown = (
                f"{', '.join(loose)} and their dependencies for vulnerabilities: their "
                f"versions are not pinned and resolving them failed ({why})"
            )
        return pinned, unknown

    def _audit(
        self, install_set: InstallSet, entries: list[Entry], todo: list[tuple[str, str]]
    ) -> Iterator[Finding]:
        path, span = _anchor(install_set)
        try:
            from packaging.version import Version
            from pip_audit._service import OsvService, ResolvedDependency
        except ImportError:
            yield self.finding(
                path, span,
                "could not check for vulnerabilities: pip-audit is not installed "
                "(pip install 'mami-audit[online]')",
            )  # fmt: skip
            return
        url = os.environ.get("MAMI_AUDIT_OSV_URL", DEFAULT_OSV_URL)
        service = OsvService(timeout=15, osv_url=url)
        by_name = {entry.requirement.name: entry for entry in entries}
        with _progress("checking vulnerabilities (pip-audit, OSV)", total=len(todo)) as advance:
            for name, version in todo:
                advance(f"{name} {version}")
                try:
                    if (url, name, version) not in _ADVISORIES:
                        query = ResolvedDependency(name, Version(version))
                        _ADVISORIES[(url, name, version)] = list(service.query(query)[1])
                    results = _ADVISORIES[(url, name, version)]
                except Exception as error:  # the service's and requests' errors alike
                    reason = str(error) or type(error).__name__
                    yield self.finding(
                        path, span,
                        f"could not check for vulnerabilities: the service at {url} cannot be "
                        f"used ({_clean(reason)[:200]}); {len(todo)} packages unchecked",
                    )  # fmt: skip
                    return
                for result in results:
                    entry = by_name.get(name)
                    where = (entry.document.path, entry.span()) if entry else (path, span)
                    yield self.finding(where[0], where[1], _describe(name, version, result))


def _describe(name: str, version: str, result: object) -> str:
    from packaging.version import Version

    advisory = getattr(result, "id", "?")
    aliases = sorted(getattr(result, "aliases", ()) or ())
    fixes = sorted(getattr(result, "fix_versions", ()) or ())
    later = [fix for fix in fixes if fix > Version(version)]
    fixed = f"first fixed in {later[0] if later else fixes[0]}" if fixes else "no fixed version yet"
    aka = f" (aka {', '.join(aliases)})" if aliases else ""
    summary = " ".join(str(getattr(result, "description", "")).split())[:160]
    return f"{name} {version}: {advisory}{aka}: {summary}; {fixed}"
