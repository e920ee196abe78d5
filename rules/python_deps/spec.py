"""The versions and packages the spec names for the image's requirements (R8.1, R8.2)."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.lazy_pattern import LazyPattern
from auditor.rule import Context, Finding, Fix, Severity, Span, register
from rules.python_deps._base import (
    DependencyRule,
    editable_line,
    replace_requirement,
    with_specifier,
)
from rules.python_deps._model import Entry, InstallSet, dependency_model

_SEPARATORS_RE = LazyPattern(r"[\s,]+")


def _first_line(install_set: InstallSet) -> tuple[str, Span]:
    top = install_set.top[0]
    return top.path, Span.point(1)


@register
class SpecVersionMismatch(DependencyRule):
    """Checks the FastAPI, uvicorn and pydantic versions the spec names (R8.1).

    ## What it does
    In the requirements the image installs (the files of the Dockerfile's `pip install -r`,
    or `requirements.txt` when no Dockerfile names one), checks that FastAPI and uvicorn are
    pinned to exactly the spec's versions (`==0.115.0`, `==0.30.3`) and that pydantic allows
    no version below the spec's floor (`>=2.0.0`), nor only versions below it. A missing
    package is reported too. The values come from `[tool.mami-audit.expect]`
    (`fastapi-version`, `uvicorn-version`, `pydantic-minimum`).

    ## Why is this bad?
    The application was written and tested against those versions: FastAPI 0.110 lacks
    features 0.115 has, an unpinned uvicorn moves with every rebuild, and pydantic 1.x has a
    different API, so the container fails at import or request time.

    ## Example
    ```text
    fastapi==0.110.0
    uvicorn
    pydantic<2
    ```

    ## How to fix
    Pin `fastapi==0.115.0` and `uvicorn==0.30.3` (extras such as `uvicorn[standard]` are
    fine) and require `pydantic>=2.0.0`. The fix pins an unpinned FastAPI or uvicorn (safe),
    requires the floor for an unpinned pydantic (safe), and moves another pin to the spec's
    version (unsafe: an upgrade or downgrade the code may not expect). A pydantic
    requirement that admits versions below the floor (`pydantic<2`, `pydantic==1.10.13`,
    `pydantic>=1.10,<3`) is rewritten to start at the floor, keeping the upper bounds that
    lie above it (`pydantic>=2.0.0`, `pydantic>=2.0.0,<3`); unsafe: pydantic 2 changed the
    API (`BaseSettings` moved to pydantic-settings, validators and `Config` changed), so
    run the tests and follow pydantic's migration guide (`bump-pydantic` rewrites most of
    it). A line with `--hash` is not rewritten: its hashes are the old version's.
    """

    code = "PY003"
    name = "spec-version-mismatch"
    summary = "FastAPI, uvicorn or pydantic differ from the spec's versions"
    severity = Severity.ERROR
    requirements = ("R8.1",)
    fixable = True
    bad_examples = (
        DependencyRule.bad(
            "fastapi  # the API\nuvicorn[standard]==0.30.3\npydantic>=2.0.0\n",
            "fastapi==0.115.0  # the API\nuvicorn[standard]==0.30.3\npydantic>=2.0.0\n",
            count=1,
        ),
        DependencyRule.bad(
            "fastapi==0.110.0\nuvicorn[standard]==0.30.3 ; python_version >= '3.8'\n"
            "pydantic>=2.0.0\n",
            "fastapi==0.115.0\nuvicorn[standard]==0.30.3 ; python_version >= '3.8'\n"
            "pydantic>=2.0.0\n",
            count=1,
            unsafe=True,
        ),
        DependencyRule.bad(
            "fastapi==0.115.0\nuvicorn==0.30.3\npydantic<2  # v1 models\n",
            "fastapi==0.115.0\nuvicorn==0.30.3\npydantic>=2.0.0  # v1 models\n",
            count=1,
            unsafe=True,
        ),
        DependencyRule.bad(
            "fastapi==0.115.0\nuvicorn==0.30.3\npydantic>=1.10,<3,!=2.5.0\n",
            "fastapi==0.115.0\nuvicorn==0.30.3\npydantic>=2.0.0,!=2.5.0,<3\n",
            count=1,
            unsafe=True,
        ),
        DependencyRule.bad("fastapi==0.115.0\npydantic>=2.0.0\n", count=1),
        DependencyRule.bad(
            {
                "Dockerfile": "FROM python:3.11-slim\nCOPY requirements/prod.txt .\n"
                "RUN pip install --no-cache-dir -r prod.txt\n",
                "requirements/prod.txt": "fastapi==0.115.0\nuvicorn==0.30.3\npydantic==1.10.13\n",
            },
            {"requirements/prod.txt": "fastapi==0.115.0\nuvicorn==0.30.3\npydantic>=2.0.0\n"},
            count=1,
            unsafe=True,
        ),
    )
    good_examples = (
        DependencyRule.good("fastapi==0.115.0\nuvicorn[standard]==0.30.3\npydantic>=2.12.5,<3\n"),
        DependencyRule.good(
            "fastapi==0.116.1\nuvicorn==0.35.0\npydantic==2.11.0\n",
            config={"expect": {"fastapi-version": "0.116.1", "uvicorn-version": "0.35.0"}},
        ),
        # A dev-only file is not what the image installs.
        DependencyRule.good(
            {
                "Dockerfile": "FROM python:3.11-slim\nCOPY requirements.txt .\n"
                "RUN pip install --no-cache-dir -r requirements.txt\n",
                "requirements.txt": "fastapi==0.115.0\nuvicorn==0.30.3\npydantic>=2.0.0\n",
                "requirements-dev.txt": "fastapi\n",
            }
        ),
    )

    def check(self, context: Context) -> Iterator[Finding]:
        expect = context.expect
        for install_set in dependency_model(context).production_sets():
            groups = install_set.by_name()
            for name, version in (
                ("fastapi", expect.fastapi_version),
                ("uvicorn", expect.uvicorn_version),
            ):
                yield from self._exact(install_set, groups.get(name, []), name, version)
            yield from self._floor(install_set, groups.get("pydantic", []), expect.pydantic_minimum)

    def _exact(
        self, install_set: InstallSet, entries: list[Entry], name: str, version: str
    ) -> Iterator[Finding]:
        if not entries:
            path, span = _first_line(install_set)
            yield self.finding(
                path,
                span,
                f"{name} is not installed by {install_set.described}; "
                f"the spec requires {name}=={version} (R8.1)",
            )
            return
        for entry in entries:
            requirement = entry.requirement
            if requirement.specifier is None:
                continue  # a URL: its version is not written here
            specs = list(requirement.specifier)
            if (
                len(specs) == 1
                and specs[0].operator in ("==", "===")
                and specs[0].version == version
            ):
                continue
            fix = None
            if editable_line(entry):
                edit = replace_requirement(entry, with_specifier(requirement, f"=={version}"))
                message = f"Pin {name}=={version}"
                fix = Fix.safe(message, edit) if not specs else Fix.unsafe(message, edit)
            found = "unpinned" if not specs else f"`{requirement.display()}`"
            yield self.finding(
                entry.document, entry.span(),
                f"{name} is {found}; the spec requires {name}=={version} (R8.1)", fix,
            )  # fmt: skip

    def _floor(
        self, install_set: InstallSet, entries: list[Entry], floor: str
    ) -> Iterator[Finding]:
        from rules.python_deps._versions import allows_at_or_above, allows_below

        if not entries:
            path, span = _first_line(install_set)
            yield self.finding(
                path,
                span,
                f"pydantic is not installed by {install_set.described}; "
                f"the spec requires pydantic>={floor} (R8.1)",
            )
            return
        for entry in entries:
            requirement = entry.requirement
            if requirement.specifier is None:
                continue
            if not allows_at_or_above(requirement.specifier, floor):
                yield self.finding(
                    entry.document, entry.span(),
                    f"`{requirement.display()}` allows only versions below {floor}; the spec "
                    f"requires pydantic>={floor} (R8.1), and pydantic 2 changed the API",
                    self._raise_floor(entry, floor),
                )  # fmt: skip
                continue
            below = allows_below(requirement.specifier, floor)
            if below is None:
                continue
            fix = None
            if not list(requirement.specifier) and editable_line(entry):
                edit = replace_requirement(entry, with_specifier(requirement, f">={floor}"))
                fix = Fix.safe(f"Require pydantic>={floor}", edit)
            elif list(requirement.specifier):
                fix = self._raise_floor(entry, floor)
            specified = list(requirement.specifier)
            written = f"`{requirement.display()}`" if specified else "unpinned"
            yield self.finding(
                entry.document, entry.span(),
                f"pydantic is {written} and allows {below}, below the spec's floor {floor} "
                "(R8.1)", fix,
            )  # fmt: skip


    @staticmethod
    def _raise_floor(entry: Entry, floor: str) -> Fix | None:
        """`>=floor` with the upper bounds and exclusions that lie above it, or None when
        that is not a requirement admitting the floor and nothing below it."""
        from packaging.specifiers import InvalidSpecifier, SpecifierSet
        from packaging.version import InvalidVersion, Version

        from rules.python_deps._versions import allows_at_or_above, allows_below

        requirement = entry.requirement
        if requirement.specifier is None or not editable_line(entry) or requirement.hashes:
            return None  # (hashes are of the old version: the lock must be compiled again)
        kept = []
        for specifier in requirement.specifier:
            try:
                above = Version(specifier.version) > Version(floor)
            except InvalidVersion:
                return None  # `!=1.*` and the like: not rewritten by guesswork
            if specifier.operator in ("<", "<=", "!=") and above:
                kept.append(str(specifier))
        # sorted: a SpecifierSet's order is its hashing's, not the file's
        written = ",".join([f">={floor}", *sorted(kept)])
        try:
            new_set = SpecifierSet(written)
        except InvalidSpecifier:
            return None
        if not allows_at_or_above(new_set, floor) or allows_below(new_set, floor) is not None:
            return None
        edit = replace_requirement(entry, with_specifier(requirement, written))
        return Fix.unsafe(
            f"Require pydantic{written}: pydantic 2 changed the API, so run the tests and "
            "follow its migration guide (bump-pydantic rewrites most of it)",
            edit,
        )


@register
class MissingSpecPackage(DependencyRule):
    """Reports a package R8.2 names that the image's requirements do not install.

    ## What it does
    Checks that the requirements the image installs name SQLModel, Neo4j, Qdrant, Redis,
    Groq and Gemini (`sqlmodel`, `neo4j`, `qdrant-client`, `redis`, `groq`, and `google-genai`
    or the deprecated `google-generativeai`). The list comes from
    `[tool.mami-audit.expect] python-packages` (names separated by spaces or commas; `a|b`
    accepts either).

    ## Why is this bad?
    The application's memory system and LLM providers import them: a missing one is an
    ImportError when the container starts (R1.3), or a feature that silently never works.

    ## Example
    ```text
    fastapi==0.115.0
    redis==5.0.8
    ```

    ## How to fix
    Add the missing distributions, pinned to the versions the application was tested with.
    """

    code = "PY004"
    name = "missing-spec-package"
    summary = "A package the spec names (SQLModel, Neo4j, Qdrant, Redis, Groq, Gemini) is missing"
    severity = Severity.ERROR
    requirements = ("R8.2", "R1.3")
    bad_examples = (
        DependencyRule.bad(
            "sqlmodel==0.0.22\nneo4j==5.28.1\nqdrant-client==1.12.1\nredis==5.0.8\ngroq==0.11.0\n",
            count=1,
        ),
        DependencyRule.bad(
            "redis==5.0.8\n", count=1, config={"expect": {"python-packages": "redis celery"}}
        ),
    )
    good_examples = (
        DependencyRule.good(
            "sqlmodel==0.0.22\nneo4j==5.28.1\nqdrant-client==1.12.1\nredis[hiredis]==5.0.8\n"
            "groq==0.11.0\ngoogle-genai==1.2.0\n"
        ),
        DependencyRule.good("redis==5.0.8\n", config={"expect": {"python-packages": "Redis"}}),
    )

    def check(self, context: Context) -> Iterator[Finding]:
        from auditor.documents.requirements import normalise_name

        wanted = [
            [normalise_name(name) for name in item.split("|") if name]
            for item in _SEPARATORS_RE.split(context.expect.python_packages)
            if item
        ]
        for install_set in dependency_model(context).production_sets():
            present = set(install_set.by_name())
            for alternatives in wanted:
                if present.intersection(alternatives):
                    continue
                path, span = _first_line(install_set)
                shown = " or ".join(alternatives)
                yield self.finding(
                    path,
                    span,
                    f"{shown} is not installed by {install_set.described}; "
                    "the spec names it among the image's dependencies (R8.2)",
                )
