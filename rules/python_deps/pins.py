"""How requirements pin versions: unpinned lines, hashes, conflicts and duplicates (R8.5)."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.documents.requirements import RequirementsFile, normalise_name
from auditor.rule import Context, Finding, Fix, Severity, register
from rules.python_deps._base import (
    DependencyRule,
    delete_requirement_line,
    editable_line,
    replace_requirement,
    with_specifier,
)
from rules.python_deps._model import Entry, InstallSet, dependency_model, marker_environment
from rules.python_deps._names import name_map

# Packages whose versions the spec names: PY003 judges them, with the spec's values.
SPEC_PINNED = frozenset({"fastapi", "uvicorn", "pydantic"})
_UPPER_BOUNDS = frozenset({"==", "===", "<", "<=", "~="})


@register
class UnpinnedRequirement(DependencyRule):
    """Reports a production requirement with no version, or with no upper bound.

    ## What it does
    In the requirements the image installs, reports a requirement without a version
    specifier (`redis`) and one with only lower bounds or exclusions (`redis>=4.0`,
    `groq!=0.5`). A pin (`==`), a compatible release (`~=`) or a bounded range
    (`>=2.5,<3`) is fine, and so is a version pinned in a `-c` constraints file. FastAPI,
    uvicorn and pydantic are PY003's (the spec names their versions).

    ## Why is this bad?
    Every rebuild of the image may install a newer release than the one tested: the same
    commit builds a different image, and a major release breaks it without any change in
    the repository (R1.1).

    ## Example
    ```text
    redis
    groq>=0.4
    ```

    ## How to fix
    Pin the version you tested (`redis==5.0.8`), or bound the range (`groq>=0.4,<1`); a
    lock tool (pip-compile, `uv pip compile`) can write the pins for you. When the
    project's environment (`.venv`, `venv`, `--python`) has the distribution installed at a
    version the line admits, the fix pins that version (unsafe: the image stops taking the
    newest release and installs the one you run locally). Without an environment, which
    version to pin is yours to say.
    """

    code = "PY005"
    name = "unpinned-requirement"
    summary = "A production requirement without a version or without an upper bound"
    requirements = ("R1.1",)
    fixable = True
    bad_examples = (
        DependencyRule.bad("redis\ngroq>=0.4\nneo4j==5.28.1\n", count=2),
        DependencyRule.bad(
            {
                "requirements.txt": "redis[hiredis]  # cache\ngroq>=0.4\nneo4j==5.28.1\n",
                ".venv/pyvenv.cfg": "home = /usr/bin\n",
                ".venv/lib/python3.11/site-packages/redis-5.0.8.dist-info/METADATA": (
                    "Metadata-Version: 2.1\nName: redis\nVersion: 5.0.8\n"
                ),
                ".venv/lib/python3.11/site-packages/groq-0.3.0.dist-info/METADATA": (
                    "Metadata-Version: 2.1\nName: groq\nVersion: 0.3.0\n"
                ),
            },
            # groq 0.3.0 is outside `>=0.4`: not pinned
            {"requirements.txt": "redis[hiredis]==5.0.8  # cache\ngroq>=0.4\nneo4j==5.28.1\n"},
            count=2,
            unsafe=True,
        ),
        DependencyRule.bad(
            {
                "Dockerfile": "FROM python:3.11-slim\nCOPY requirements/ requirements/\n"
                "RUN pip install --no-cache-dir -r requirements/prod.txt\n",
                "requirements/prod.txt": "-r base.txt\n",
                "requirements/base.txt": "qdrant-client\n",
            },
            count=1,
        ),
    )
    good_examples = (
        DependencyRule.good("redis==5.0.8\ngroq~=0.11.0\nneo4j>=5.20,<6\n"),
        DependencyRule.good(
            {"requirements.txt": "redis\n-c constraints.txt\n", "constraints.txt": "redis==5.0.8\n"}
        ),
        DependencyRule.good(
            {
                "Dockerfile": "FROM python:3.11-slim\nCOPY requirements.txt .\n"
                "RUN pip install --no-cache-dir -r requirements.txt\n",
                "requirements.txt": "redis==5.0.8\n",
                "requirements-dev.txt": "-r requirements.txt\npytest\n",
            }
        ),
    )

    def check(self, context: Context) -> Iterator[Finding]:
        # Grouped once per install set: grouping evaluates every entry's marker, so doing it
        # per entry was quadratic (5,000 requirements with markers: minutes).
        groups_of_set: dict[int, dict[str, list[Entry]]] = {}
        for install_set, entry in dependency_model(context).production_entries():
            requirement = entry.requirement
            name = requirement.name
            if name is None or name in SPEC_PINNED or requirement.specifier is None:
                continue
            groups = groups_of_set.get(id(install_set))
            if groups is None:
                groups = groups_of_set[id(install_set)] = install_set.by_name(constraints=True)
            constrained = [
                other
                for other in groups.get(name, [])
                if other.constraint and _bounded(other)
            ]
            if _bounded(entry) or constrained:
                continue
            specs = list(requirement.specifier)
            message = (
                f"{name} is unpinned: each rebuild installs whatever is newest"
                if not specs
                else f"`{requirement.display()}` has no upper bound: a new major release "
                "gets into the next build"
            )
            yield self.finding(
                entry.document, entry.span(), message, _pin_installed(context, entry)
            )


def _pin_installed(context: Context, entry: Entry) -> Fix | None:
    """Pin the version the project's environment has installed, if the line admits it."""
    from packaging.version import InvalidVersion, Version

    requirement = entry.requirement
    metadata = name_map(context).metadata
    if metadata is None or not editable_line(entry) or requirement.hashes or requirement.url:
        return None
    installed = metadata.versions.get(requirement.name or "")
    if installed is None or requirement.specifier is None:
        return None
    try:
        if not requirement.specifier.contains(Version(installed), prereleases=True):
            return None
    except InvalidVersion:
        return None
    edit = replace_requirement(entry, with_specifier(requirement, f"=={installed}"))
    return Fix.unsafe(
        f"Pin {requirement.name}=={installed}, the version installed in the project's "
        "environment (the image then installs what you run locally)",
        edit,
    )


def _bounded(entry: Entry) -> bool:
    specifier = entry.requirement.specifier
    return specifier is not None and any(s.operator in _UPPER_BOUNDS for s in specifier)


@register
class PartialHashes(DependencyRule):
    """Reports requirements without `--hash` in a file where other lines have hashes.

    ## What it does
    When any requirement that one pip command installs carries `--hash` (or a file or the
    Dockerfile's pip command says `--require-hashes`), pip switches to hash-checking mode for
    all of them. This rule reports every requirement of that install that has no hash, or is
    not pinned with `==`.

    ## Why is this bad?
    In hash-checking mode pip refuses to install anything ("Hashes are required in
    --require-hashes mode, but they are missing from some requirements"), so the image
    build fails (R1.1).

    ## Example
    ```text
    redis==5.0.8 --hash=sha256:0000000000000000000000000000000000000000000000000000000000000000
    groq==0.11.0
    ```

    ## How to fix
    Hash every line (`pip-compile --generate-hashes` or `uv pip compile --generate-hashes`
    writes them), or none.
    """

    code = "PY006"
    name = "partial-hashes"
    summary = "Some requirements have --hash and others do not: pip refuses the install"
    severity = Severity.ERROR
    requirements = ("R1.1",)
    _HASH = "--hash=sha256:" + "0" * 64
    bad_examples = (
        DependencyRule.bad(f"redis==5.0.8 {_HASH}\ngroq==0.11.0\n", count=1),
        DependencyRule.bad(f"redis>=5 {_HASH}\n", count=1),
        DependencyRule.bad("--require-hashes\nredis==5.0.8\n", count=1),
        DependencyRule.bad(
            {
                "Dockerfile": "FROM python:3.11-slim\nCOPY requirements.txt .\n"
                "RUN pip install --no-cache-dir --require-hashes -r requirements.txt\n",
                "requirements.txt": "redis==5.0.8\n",
            },
            count=1,
        ),
    )
    good_examples = (
        DependencyRule.good(f"redis==5.0.8 {_HASH}\ngroq==0.11.0 \\\n    {_HASH}\n"),
        DependencyRule.good("redis==5.0.8\ngroq==0.11.0\n"),
    )

    def check(self, context: Context) -> Iterator[Finding]:
        reported: set[tuple[str, int]] = set()
        for install_set in dependency_model(context).sets:
            installed = [entry for entry in install_set.entries if not entry.constraint]
            hashed = [entry for entry in installed if entry.requirement.hashes]
            if not hashed and not install_set.require_hashes:
                continue
            example = hashed[0].where if hashed else "--require-hashes"
            for entry in installed:
                key = (entry.document.path, entry.requirement.line)
                if key in reported:
                    continue
                requirement = entry.requirement
                if not requirement.hashes:
                    message = (
                        f"`{requirement.display()}` has no --hash, but {example} has one: "
                        "pip refuses the whole install in hash-checking mode"
                    )
                elif not requirement.pinned:
                    message = (
                        f"`{requirement.display()}` has a --hash but is not pinned with ==: "
                        "pip refuses it in hash-checking mode"
                    )
                else:
                    continue
                reported.add(key)
                yield self.finding(entry.document, entry.span(), message)


@register
class ConflictingRequirements(DependencyRule):
    """Reports a package required twice with specifiers no single version satisfies (R8.5).

    ## What it does
    Within what one pip command installs (a file, the files it includes with `-r` and its
    `-c` constraints), groups the requirements by distribution name (PEP 503, extras
    ignored: `uvicorn[standard]` and `uvicorn` are one package) and proves, with packaging's
    SpecifierSet at every boundary version the specifiers name and just around each, that
    no version satisfies them all: `redis>=4.0` with `redis<4.0`, a pin outside another
    line's range, an extra's line pinned differently. Environment markers are evaluated for
    the image's Python (from the Dockerfile's FROM), so lines for different Pythons do not
    conflict. When the project's environment (`.venv`, `venv`, `--python`) has a pinned
    package installed at exactly that version, its Requires-Dist (with the extras the line
    asks for: `celery[redis]` pulls `redis` with its own range) is checked against the other
    lines too. Offline and static; `--online` adds the resolver's view of the whole graph.

    ## Why is this bad?
    pip refuses the install ("ResolutionImpossible"), so the build fails (R8.5 wants that
    failure loud; this rule reports it before the build). Which line was meant is unknown.

    ## Example
    ```text
    redis>=4.0
    redis<4.0
    ```

    ## How to fix
    Keep one requirement per package with the range you mean. PY007 has no fix of its own,
    as which line was meant is unknown; when one side is the spec's value (FastAPI, uvicorn,
    pydantic), PY003's fix moves the other line to it and PY008's then removes the exact
    repeat.
    """

    code = "PY007"
    name = "conflicting-requirements"
    summary = "The same package required with specifiers no version satisfies"
    severity = Severity.ERROR
    requirements = ("R8.5", "R1.1")
    bad_examples = (
        DependencyRule.bad("redis>=4.0\nredis<4.0\n", count=1),
        DependencyRule.bad("uvicorn[standard]==0.30.3\nuvicorn==0.22.0\n", count=1),
        DependencyRule.bad(
            {
                "requirements.txt": "-c constraints.txt\nneo4j==5.28.1\n",
                "constraints.txt": "neo4j<5\n",
            },
            count=1,
        ),
    )
    good_examples = (
        DependencyRule.good("redis>=4.0\nredis<6\n"),
        DependencyRule.good(
            "numpy==1.24.4 ; python_version < '3.9'\nnumpy==2.1.0 ; python_version >= '3.9'\n"
        ),
    )

    def check(self, context: Context) -> Iterator[Finding]:
        from rules.python_deps._versions import witness

        reported: set[tuple[str, int]] = set()
        for install_set in dependency_model(context).sets:
            for name, entries in install_set.by_name(constraints=True).items():
                versioned = [e for e in entries if e.requirement.specifier is not None]
                if len(versioned) < 2:
                    continue
                if witness([e.requirement.specifier for e in versioned]) is not None:
                    continue
                first, second = _conflicting_pair(versioned)
                key = (second.document.path, second.requirement.line)
                if key in reported:
                    continue
                reported.add(key)
                others = [e for e in versioned if e is not second]
                shown = ", ".join(f"`{e.requirement.display()}` ({e.where})" for e in others)
                yield self.finding(
                    second.document, second.span(),
                    f"`{second.requirement.display()}` conflicts with {shown}: no version of "
                    f"{name} satisfies them all, so pip fails to install (R8.5)",
                )  # fmt: skip
            yield from self._through_requirements(context, install_set, reported)

    def _through_requirements(
        self, context: Context, install_set: InstallSet, reported: set[tuple[str, int]]
    ) -> Iterator[Finding]:
        """A pinned package whose exact version is installed in the project's environment:
        its Requires-Dist (with the extras asked for) against the other lines."""
        from packaging.requirements import InvalidRequirement
        from packaging.requirements import Requirement as Pep508
        from packaging.version import InvalidVersion, Version

        from rules.python_deps._versions import witness

        metadata = name_map(context).metadata
        if metadata is None:
            return
        groups = install_set.by_name(constraints=True)
        environment = marker_environment(install_set.python_version)
        for entry in install_set.installed():
            requirement = entry.requirement
            dist = requirement.name
            if not dist or not requirement.pinned or dist not in metadata.versions:
                continue
            pin = next(s.version for s in requirement.specifier or () if s.operator[:2] == "==")
            try:
                if Version(metadata.versions[dist]) != Version(pin):
                    continue  # another version is installed: this one's requirements are unknown
            except InvalidVersion:
                continue
            for raw in metadata.requirements.get(dist, []):
                try:
                    needed = Pep508(raw)
                except InvalidRequirement:
                    continue
                if not _asked_for(needed, requirement.extras, environment):
                    continue
                target = normalise_name(needed.name)
                others = [e for e in groups.get(target, []) if e.requirement.specifier is not None]
                if not others or not str(needed.specifier):
                    continue
                specs = [needed.specifier, *(e.requirement.specifier for e in others)]
                if witness([spec for spec in specs if spec is not None]) is not None:
                    continue
                victim = others[-1]
                key = (victim.document.path, victim.requirement.line)
                if key in reported:
                    continue
                reported.add(key)
                yield self.finding(
                    victim.document, victim.span(),
                    f"`{victim.requirement.display()}` conflicts with "
                    f"`{requirement.display()}` ({entry.where}), which requires "
                    f"{needed.name}{needed.specifier} (installed metadata of {dist} {pin}): "
                    "pip fails to install (R8.5)",
                )  # fmt: skip


def _asked_for(needed: object, extras: frozenset[str], environment: dict[str, str]) -> bool:
    """Does a Requires-Dist apply: its marker holds without an extra, or with one asked for."""
    marker = getattr(needed, "marker", None)
    if marker is None:
        return True
    try:
        return any(marker.evaluate({**environment, "extra": extra}) for extra in {"", *extras})
    except Exception:  # an odd marker: do not claim a conflict on it
        return False


def _conflicting_pair(entries: list[Entry]) -> tuple[Entry, Entry]:
    """The first two entries that conflict on their own; else the first and the last."""
    from rules.python_deps._versions import witness

    for later_index, later in enumerate(entries):
        for earlier in entries[:later_index]:
            pair = [earlier.requirement.specifier, later.requirement.specifier]
            if witness([spec for spec in pair if spec is not None]) is None:
                return earlier, later
    return entries[0], entries[-1]


@register
class DuplicateRequirement(DependencyRule):
    """Reports a package listed more than once in what one pip command installs.

    ## What it does
    Reports a requirement whose distribution an earlier line of the same install (the file
    or a file it includes) already names, when the two can be satisfied together (PY007
    reports those that cannot). An exact repeat in the same file is removed by the fix
    (safe: pip installs the same thing); an inline comment on the removed line is kept as a
    comment line.

    ## Why is this bad?
    Two lines for one package drift apart: someone bumps one and not the other, and the
    install fails or silently keeps the older range.

    ## Example
    ```text
    redis==5.0.8
    groq==0.11.0
    redis==5.0.8
    ```

    ## How to fix
    Keep one line per package.
    """

    code = "PY008"
    name = "duplicate-requirement"
    summary = "A package listed more than once"
    fixable = True
    bad_examples = (
        DependencyRule.bad(
            "redis==5.0.8\ngroq==0.11.0\nredis==5.0.8  # cache\n",
            "redis==5.0.8\ngroq==0.11.0\n# cache\n",
            count=1,
        ),
        DependencyRule.bad(
            "redis==5.0.8\ngroq==0.11.0\nRedis == 5.0.8", "redis==5.0.8\ngroq==0.11.0", count=1
        ),
        DependencyRule.bad("redis>=5\nredis<6\n", count=1),
        DependencyRule.bad(
            {"requirements.txt": "-r base.txt\nredis==5.0.8\n", "base.txt": "redis==5.0.8\n"},
            count=1,
        ),
    )
    good_examples = (
        DependencyRule.good("redis==5.0.8\ngroq==0.11.0\n"),
        DependencyRule.good(
            {"requirements.txt": "-c constraints.txt\nredis\n", "constraints.txt": "redis==5.0.8\n"}
        ),
    )

    def check(self, context: Context) -> Iterator[Finding]:
        from rules.python_deps._versions import witness

        reported: set[tuple[str, int]] = set()
        for install_set in dependency_model(context).sets:
            for name, entries in install_set.by_name().items():
                if len(entries) < 2:
                    continue
                specs = [e.requirement.specifier for e in entries if e.requirement.specifier]
                if len(specs) > 1 and witness(specs) is None:
                    continue  # PY007's
                first = entries[0]
                for entry in entries[1:]:
                    key = (entry.document.path, entry.requirement.line)
                    if key in reported:
                        continue
                    reported.add(key)
                    yield self._finding(name, first, entry)

    def _finding(self, name: str, first: Entry, entry: Entry) -> Finding:
        same = _same(first, entry)
        fix = None
        in_same_file = first.document is entry.document and isinstance(
            entry.document, RequirementsFile
        )
        if same and in_same_file:
            fix = Fix.safe(f"Remove the repeated {name} line", delete_requirement_line(entry))
        what = "repeats" if same else "lists again"
        return self.finding(
            entry.document, entry.span(),
            f"`{entry.requirement.display()}` {what} {name} of {first.where} "
            f"(`{first.requirement.display()}`): keep one line per package",
            fix,
        )  # fmt: skip


def _same(first: Entry, second: Entry) -> bool:
    a, b = first.requirement, second.requirement
    return (
        a.specifier == b.specifier
        and a.extras == b.extras
        and str(a.marker) == str(b.marker)
        and a.url == b.url
        and a.editable == b.editable
    )
