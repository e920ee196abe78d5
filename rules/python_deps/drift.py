"""Drift between the dependencies the image installs and the modules the code imports.

The peers are deptry's DEP001 (missing), DEP002 (unused), DEP003 (transitive) and DEP004
(misplaced dev dependency). The differences are ours by design, and each rule says which:
- the declared set is what the image installs (the Dockerfile's `pip install -r` files,
  includes followed), not whatever one file lists; a dependency declared only in a dev file
  is "undeclared" for the image (deptry's DEP004 case, folded into PY020);
- the code is the app package's (the imports fact of auditor.facts.imports), imports under
  `if TYPE_CHECKING:` excluded (they never run);
- a distribution the spec requires (R8.1/R8.2), a server or driver used without an import
  (python-multipart, uvloop, psycopg2, ...) and a console script the Dockerfile runs
  (uvicorn, alembic) count as used;
- an import name -> distribution we cannot know (no installed metadata, not in the table,
  not in `package-module-map`) is said to be unknown (PY023), not guessed into PY021.
"""

from __future__ import annotations

import posixpath
import sys
from collections.abc import Iterator
from typing import NamedTuple

from auditor.documents.requirements import RequirementsFile, normalise_name
from auditor.facts.cache import project_fact
from auditor.facts.imports import ImportSite, imported_modules
from auditor.lazy_pattern import LazyPattern
from auditor.rule import Context, Edit, Finding, Fix, Severity, Span, register
from rules.python_deps._base import DependencyRule
from rules.python_deps._model import Entry, InstallSet, dependency_model
from rules.python_deps._names import (
    RUNTIME_ONLY,
    WELL_KNOWN_SAME_NAME,
    NameMap,
    environment_note,
    name_map,
)
from rules.python_deps.hygiene import DEPRECATED, is_dev_tool

DEP_PEERS_MISSING = ("DEP001", "DEP004")
_SEPARATORS_RE = LazyPattern(r"[\s,|]+")


Imports = dict[str, tuple[list[ImportSite], set[str]]]  # top-level name -> (sites, dotted names)


class Declared(NamedTuple):
    """One image's view: what it installs and the code it runs."""

    entries: list[Entry]  # what the image installs (or the pyproject's [project] deps)
    anchor_path: str  # where findings about a missing declaration land
    anchor_span: Span
    described: str
    elsewhere: dict[str, str]  # dist -> a non-production file that declares it
    imports: Imports  # the third-party imports of the code in the image's build context


def scopes(context: Context) -> list[Declared]:
    """Per build context (the folder of the Dockerfiles that install requirements): what its
    images install and what the code in it imports. Without production requirements, the
    root pyproject's [project] dependencies against the app code, as deptry would read them."""
    return project_fact(context.project, "python_deps_scopes", lambda _: _scopes(context))


def _scopes(context: Context) -> list[Declared]:
    model = dependency_model(context)
    elsewhere: dict[str, str] = {}
    for install_set in model.sets:
        if not install_set.production:
            for entry in install_set.installed():
                if entry.requirement.name:
                    elsewhere.setdefault(entry.requirement.name, entry.document.path)
    for pyproject in model.pyprojects:
        for extra, group in pyproject.groups.items():
            for requirement in group:
                if extra and requirement.name:
                    elsewhere.setdefault(requirement.name, f"{pyproject.path} [{extra}]")
    by_folder: dict[str, list[InstallSet]] = {}
    for install_set in model.production_sets():
        dockerfile = install_set.origin.rsplit(":", 1)[0] if install_set.origin else ""
        by_folder.setdefault(posixpath.dirname(dockerfile), []).append(install_set)
    found = []
    for folder, sets in sorted(by_folder.items()):
        entries: list[Entry] = []
        seen: set[tuple[str, int]] = set()
        for install_set in sets:
            for entry in install_set.installed():
                key = (entry.document.path, entry.requirement.line)
                if key not in seen:
                    seen.add(key)
                    entries.append(entry)
        imports = imported_third_party(context) if not folder else _folder_imports(context, folder)
        top = sets[0]
        found.append(
            Declared(entries, top.top[0].path, Span.point(1), top.described, elsewhere, imports)
        )
    if found:
        return found
    root_pyproject = next((p for p in model.pyprojects if p.path == "pyproject.toml"), None)
    project_table = root_pyproject.data.get("project") if root_pyproject else None
    if root_pyproject is None or not isinstance(project_table, dict):
        return []
    if "dependencies" not in project_table:
        return []
    entries = [Entry(root_pyproject, r, False) for r in root_pyproject.dependencies]
    line = entries[0].requirement.line if entries else 1
    imports = imported_third_party(context)
    span = Span.point(line)
    return [Declared(entries, root_pyproject.path, span, "pyproject.toml", elsewhere, imports)]


def _folder_imports(context: Context, folder: str) -> Imports:
    """The third-party imports of the Python files in a build context below the root (the
    imports fact covers the root's app package only)."""
    from auditor.documents import python
    from auditor.documents.python import PythonModule, module_name

    prefix = folder + "/"
    paths = [p for p in context.project.files() if p.startswith(prefix) and python.matches(p)]
    local = {module_name(path[len(prefix) :]).split(".", 1)[0] for path in paths}
    inside = module_name(prefix + "x.py").rsplit(".", 1)[0]  # relative imports resolve here
    result: Imports = {}
    for path in paths:
        document = context.project.document(path, "python")
        if not isinstance(document, PythonModule) or document.tree is None:
            continue
        for item in document.imports:
            module = item.module
            if item.type_checking or not module or (module + ".").startswith(inside + "."):
                continue
            top = module.split(".", 1)[0]
            if top in local or top in sys.stdlib_module_names or top == "__future__":
                continue
            sites, dotted = result.setdefault(top, ([], set()))
            if not sites or (sites[-1].path, sites[-1].line) != (path, item.line):
                site = ImportSite(module, path, item.line, item.column, item.conditional, False)
                sites.append(site)
            dotted.add(module if item.attribute in (None, "*") else item.target)
    return result


def running_sites(sites: list[ImportSite]) -> list[ImportSite]:
    return [site for site in sites if not site.type_checking]


def imported_third_party(context: Context) -> dict[str, tuple[list[ImportSite], set[str]]]:
    """Top-level name -> (the import sites that run, the dotted names they import).

    The dotted names go as deep as the statement says: `from google import genai` imports
    `google.genai` (a namespace package: google-genai provides it, not "google")."""

    def build(project: object) -> dict[str, tuple[list[ImportSite], set[str]]]:
        from auditor.facts.python_code import python_code

        third_party = imported_modules(context.project).third_party
        dotted: dict[str, set[str]] = {}
        for document in python_code(context.project).app_modules:
            for item in document.imports:
                top = item.module.split(".", 1)[0]
                if top in third_party and not item.type_checking:
                    name = item.module if item.attribute in (None, "*") else item.target
                    dotted.setdefault(top, set()).add(name)
        result = {}
        for top, sites in third_party.items():
            running = running_sites(sites)
            if running:
                result[top] = (running, dotted.get(top) or {site.module for site in running})
        return result

    return project_fact(context.project, "python_deps_imports", build)


def _providers(names: NameMap, modules: set[str]) -> tuple[set[str], str]:
    """The distributions that may provide any of `modules`, and the least sure source."""
    order = ("config", "metadata", "table", "name")
    dists: set[str] = set()
    worst = "config"
    for module in sorted(modules):
        found, source = names.distributions_of(module)
        dists |= found
        worst = max(worst, source, key=order.index)
    return dists, worst


def _sites_text(sites: list[ImportSite]) -> str:
    shown = ", ".join(f"{site.path}:{site.line}" for site in sites[:3])
    return shown + (f" and {len(sites) - 3} more" if len(sites) > 3 else "")


def _declared_names(found: Declared) -> set[str]:
    return {entry.requirement.name for entry in found.entries if entry.requirement.name}


def _unknown_modules(found: Declared, names: NameMap) -> list[str]:
    """Declared distributions whose modules nobody knows (dev tools are no candidates)."""
    return sorted(
        name
        for name in _declared_names(found)
        if names.modules_of(name)[1] == "name" and not is_dev_tool(name)
    )


class DriftRule(DependencyRule):
    """A drift rule judges each scope (a Dockerfile folder's requirements against the code
    there) with the one import name -> distribution map of the run."""

    def check(self, context: Context) -> Iterator[Finding]:
        names = name_map(context)
        for found in scopes(context):
            yield from self._check_scope(context, names, found)

    def _check_scope(self, context: Context, names: NameMap, found: Declared) -> Iterator[Finding]:
        raise NotImplementedError


@register
class UndeclaredImport(DriftRule):
    """Reports a module the code imports that no requirement the image installs provides.

    ## What it does
    Takes the third-party modules the app imports (imports under `if TYPE_CHECKING:`
    excluded) and looks each up among the distributions the image installs, through the
    import name -> distribution map: `[tool.mami-audit] package-module-map`, the installed
    metadata of the project's `.venv`/`venv` or `--python`, and a table of well-known
    mismatches (PIL/pillow, yaml/PyYAML, dotenv/python-dotenv, google.genai/google-genai,
    jose, jwt, cv2, sklearn, ...). The finding lands on the requirements file to change and
    names the import sites; it says when the module is declared only in a dev file, and
    when a declared distribution whose modules are unknown might be the provider.

    Differs from deptry's DEP001/DEP004 by design: the declared set is what the Dockerfile
    installs, so a dependency declared only in requirements-dev.txt is missing here too.

    ## Why is this bad?
    The container starts and fails with ImportError (R1.3) at the first request or at
    start-up, though everything worked on the developer's machine where it happened to be
    installed.

    ## Example
    ```text
    fastapi==0.115.0
    ```
    with `import yaml` in app/config.py.

    ## How to fix
    Add the distribution (here `PyYAML==6.0.2`) to the requirements the image installs, or
    map the module in `package-module-map` if a declared distribution provides it.

    When exactly one distribution provides the module, known from `package-module-map`,
    the installed metadata or mami-audit's tables (not guessed from the module's name), the
    fix appends it to the requirements file the image installs, unsafe (the image gets a
    new package). The version is one already chosen in the project: the pin of a dev
    requirements file or of the pyproject's extras that lists it, else the version
    installed in the project's environment; with neither, the line is added without a
    version, because the ImportError is certain and the version pip picks is the one a
    plain `pip install` picks, and PY005 then asks you to pin it. No fix for a dev tool
    (PY010 would move it back out), a deprecated distribution (PY009 replaces it: the code
    must move to the successor), or requirements with `--hash` (a line without one makes
    pip refuse the install: compile the lock again).
    """

    code = "PY020"
    name = "undeclared-import"
    summary = "The code imports a module no requirement of the image provides"
    severity = Severity.ERROR
    requirements = ("R1.3",)
    fixable = True
    peers = DEP_PEERS_MISSING
    bad_examples = (
        DependencyRule.bad(
            {"requirements.txt": "fastapi==0.115.0\n", "app/config.py": "import yaml\n"},
            {"requirements.txt": "fastapi==0.115.0\npyyaml\n"},
            count=1,
            unsafe=True,
        ),
        DependencyRule.bad(
            {
                "requirements.txt": "fastapi==0.115.0  # api",
                "requirements-dev.txt": "-r requirements.txt\npydantic-settings==2.6.1\n",
                "app/config.py": "from pydantic_settings import BaseSettings\n",
            },
            {"requirements.txt": "fastapi==0.115.0  # api\npydantic-settings==2.6.1\n"},
            count=1,
            unsafe=True,
        ),
        DependencyRule.bad(
            {
                "requirements.txt": "fastapi==0.115.0 --hash=sha256:" + "0" * 64 + "\n",
                "app/config.py": "import yaml\n",
            },
            {"requirements.txt": "fastapi==0.115.0 --hash=sha256:" + "0" * 64 + "\n"},
            count=1,
            unsafe=True,
        ),
        DependencyRule.bad(
            {
                "requirements.txt": "fastapi==0.115.0\n",
                "requirements-dev.txt": "-r requirements.txt\npytest==8.3.3\n",
                "app/main.py": "import fastapi\nimport pytest\n",
            },
            {"requirements.txt": "fastapi==0.115.0\n"},
            count=1,
            unsafe=True,
        ),
    )
    good_examples = (
        DependencyRule.good(
            {
                "requirements.txt": "pyyaml==6.0.2\npillow==11.0.0\ngoogle-genai==1.2.0\n",
                "app/main.py": "import yaml\nfrom PIL import Image\nfrom google import genai\n"
                "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import boto3\n",
            }
        ),
        DependencyRule.good(
            {"requirements.txt": "weird-dist==1.0\n", "app/main.py": "import oddname\n"},
            config={"package-module-map": {"weird-dist": "oddname"}},
        ),
    )

    def _check_scope(self, context: Context, names: NameMap, found: Declared) -> Iterator[Finding]:
        declared_names = _declared_names(found)
        pulled = names.requires_closure(declared_names)
        unknown = _unknown_modules(found, names)
        for top, (sites, modules) in sorted(found.imports.items()):
            dists, source = _providers(names, modules)
            if dists & declared_names or dists & set(pulled):
                continue  # declared, or PY022's (transitive)
            shown = " or ".join(sorted(dists))
            notes = []
            elsewhere = [found.elsewhere[d] for d in sorted(dists) if d in found.elsewhere]
            if elsewhere:
                notes.append(
                    f"it is declared only in {elsewhere[0]}, which the image does not install"
                )
            if source == "name" and unknown:
                notes.append(
                    f"unless {', '.join(unknown)} (whose modules are unknown here: "
                    f"{environment_note(names.metadata)}) provides it"
                )
            replaced = [d for d in sorted(dists) if d in DEPRECATED]
            if replaced:
                notes.append(
                    f"{replaced[0]} is deprecated, so it is not added back: move this code to "
                    f"{DEPRECATED[replaced[0]].name}"
                )
            note = f" ({'; '.join(notes)})" if notes else ""
            fix = None
            if len(dists) == 1 and (source != "name" or dists <= WELL_KNOWN_SAME_NAME):
                fix = _declare(context, names, found, next(iter(dists)))
            yield self.finding(
                found.anchor_path, found.anchor_span,
                f"`{top}` is imported at {_sites_text(sites)} but {found.described} installs "
                f"no {shown}: ImportError in the container (R1.3){note}",
                fix,
            )  # fmt: skip


def _declare(context: Context, names: NameMap, found: Declared, dist: str) -> Fix | None:
    """Append `dist` to the image's requirements file, at a version the project chose."""
    if is_dev_tool(dist) or dist in DEPRECATED:
        return None
    document = context.project.document(found.anchor_path, "requirements")
    if not isinstance(document, RequirementsFile) or document.parse_error is not None:
        return None
    if any(entry.requirement.hashes for entry in found.entries):
        return None  # a hashed lock: an unhashed line makes pip refuse it; compile it again
    line, why = _chosen_requirement(context, names, dist)
    last = len(document.lines)
    separator = "" if document.text.endswith("\n") or not document.text else "\n"
    edit = Edit.insert(document.path, last, document.line_length(last) + 1, f"{separator}{line}\n")
    return Fix.unsafe(f"Add `{line}` to {document.path} ({why})", edit)


def _chosen_requirement(context: Context, names: NameMap, dist: str) -> tuple[str, str]:
    """The requirement line for `dist`, and where its version comes from."""
    model = dependency_model(context)
    for install_set in model.sets:
        if install_set.production:
            continue
        for entry in install_set.installed():
            requirement = entry.requirement
            if requirement.name == dist and requirement.pinned and not requirement.url:
                pin = next(s for s in requirement.specifier or () if s.operator[:2] == "==")
                return f"{requirement.written_name}{pin}", f"the version {entry.where} pins"
    for pyproject in model.pyprojects:
        for group in pyproject.groups.values():
            for requirement in group:
                if requirement.name == dist and requirement.pinned and not requirement.url:
                    pin = next(s for s in requirement.specifier or () if s.operator[:2] == "==")
                    return f"{requirement.written_name}{pin}", f"the version {pyproject.path} pins"
    metadata = names.metadata
    if metadata is not None and dist in metadata.versions:
        return f"{dist}=={metadata.versions[dist]}", "the version installed in the environment"
    return dist, "no version is chosen anywhere in the project: pin the one you test with"


@register
class TransitiveImport(DriftRule):
    """Reports a module the code imports that is installed only as another package's dependency.

    ## What it does
    Reports an imported module whose distribution the image's requirements do not name, but
    which one of them requires (`starlette` through `fastapi`, `anyio` through `httpx`).
    Which distribution requires which comes from the installed metadata when the project's
    environment is found, else from a table of the usual FastAPI stack. The finding lands on
    the requirements file and names the import sites and the distribution that pulls it in.

    Same as deptry's DEP003, with the image's requirements as the declared set.

    ## Why is this bad?
    The code depends on a version of that package nobody chose: when the declared package
    drops or replaces the dependency, or moves to a new major version of it, the container
    fails at import (R1.3) with no change to requirements.txt.

    ## Example
    ```text
    fastapi==0.115.0
    ```
    with `from starlette.responses import JSONResponse` in app/main.py.

    ## How to fix
    Declare it, pinned to the version that is installed today (`starlette==0.38.6`), or
    import it through the declared package (`from fastapi.responses import JSONResponse`).
    """

    code = "PY022"
    name = "transitive-import"
    summary = "The code imports a package installed only as another's dependency"
    requirements = ("R1.3",)
    peers = ("DEP003",)
    bad_examples = (
        DependencyRule.bad(
            {
                "requirements.txt": "fastapi==0.115.0\n",
                "app/main.py": "from starlette.responses import JSONResponse\n",
            },
            count=1,
        ),
    )
    good_examples = (
        DependencyRule.good(
            {
                "requirements.txt": "fastapi==0.115.0\nstarlette==0.38.6\n",
                "app/main.py": "from starlette.responses import JSONResponse\n",
            }
        ),
    )

    def _check_scope(self, context: Context, names: NameMap, found: Declared) -> Iterator[Finding]:
        declared_names = _declared_names(found)
        pulled = names.requires_closure(declared_names)
        for top, (sites, modules) in sorted(found.imports.items()):
            dists, _ = _providers(names, modules)
            if dists & declared_names:
                continue
            via = sorted(dist for dist in dists if dist in pulled)
            if not via:
                continue
            yield self.finding(
                found.anchor_path, found.anchor_span,
                f"`{top}` is imported at {_sites_text(sites)} but {found.described} installs "
                f"{via[0]} only because {pulled[via[0]]} requires it: declare it (R1.3)",
            )  # fmt: skip


class _Usage(NamedTuple):
    used: set[str]  # distributions the code imports or the Dockerfile runs
    spec: set[str]  # distributions the spec requires
    pulled: dict[str, str]  # distributions another declared one requires -> that one


def _usage(context: Context, names: NameMap, found: Declared) -> _Usage:
    used: set[str] = set()
    for _, modules in found.imports.values():
        used |= _providers(names, modules)[0]
    used |= _dockerfile_commands(context, names)
    expect = context.expect
    spec = {"fastapi", "uvicorn", "pydantic"}
    spec |= {normalise_name(name) for name in _SEPARATORS_RE.split(expect.python_packages) if name}
    return _Usage(used, spec, names.requires_closure(_declared_names(found)))


def _dockerfile_commands(context: Context, names: NameMap) -> set[str]:
    """Distributions whose console scripts (or `python -m` modules) a Dockerfile runs."""
    from auditor.documents.dockerfile import Dockerfile
    from rules.dockerfile._shell import simple_commands

    used: set[str] = set()
    for document in context.project.documents("dockerfile"):
        if not isinstance(document, Dockerfile) or document.parse_error is not None:
            continue
        for instruction in document.of_keyword("RUN", "CMD", "ENTRYPOINT"):
            scripts = [instruction.shell_command]
            for command in simple_commands(instruction.shell_command):
                if command.name in ("sh", "bash") and "-c" in command.words[1:-1]:
                    scripts.append(command.words[command.words.index("-c") + 1])
            exec_form = instruction.exec_form or ()
            if len(exec_form) > 2 and exec_form[1] == "-c":  # ["sh", "-c", "a && b"]
                scripts.append(exec_form[2])
            commands = [c for script in scripts for c in simple_commands(script)]
            for command in commands:
                words = command.words
                script = names.script_distribution(command.name)
                if script:
                    used.add(script)
                if command.name.startswith("python") and len(words) > 2 and words[1] == "-m":
                    used |= names.distributions_of(words[2])[0]
    return used


@register
class UnusedDependency(DriftRule):
    """Reports a production requirement that nothing imports or runs.

    ## What it does
    Reports a requirement of the image whose modules the app never imports, whose console
    script the Dockerfile never runs, and that is not a package the spec requires (R8.1,
    R8.2) nor a server or driver used without an import (python-multipart, uvloop,
    psycopg2, gunicorn, ...). Which modules a distribution installs comes from
    `package-module-map`, the installed metadata or the table of well-known names; when none
    of them knows, PY023 says so instead of this rule guessing.

    Differs from deptry's DEP002 by design: the spec's packages, runtime-only packages and
    the Dockerfile's commands count as uses.

    ## Why is this bad?
    Every unused package makes the image bigger and slower to build, adds its own
    vulnerabilities, and its pins can conflict with the packages that are used.

    ## Example
    ```text
    requests==2.32.3
    ```
    in an app that never imports `requests`.

    ## How to fix
    Remove the line; if the package is used in a way no import shows, say so with
    `# mami-audit: ignore[PY021] <why>` on the line before it.
    """

    code = "PY021"
    name = "unused-dependency"
    summary = "A production requirement nothing imports or runs"
    peers = ("DEP002",)
    bad_examples = (
        DependencyRule.bad(
            {
                "requirements.txt": "requests==2.32.3\npyyaml==6.0.2\n",
                "app/main.py": "import yaml\n",
            },
            count=1,
        ),
    )
    good_examples = (
        DependencyRule.good(
            {
                "requirements.txt": "uvicorn==0.30.3\nalembic==1.13.3\npython-multipart==0.0.9\n"
                "redis==5.0.8\n",
                "Dockerfile": "FROM python:3.11-slim\nCOPY requirements.txt .\n"
                "RUN pip install --no-cache-dir -r requirements.txt\n"
                'CMD ["sh", "-c", "alembic upgrade head && uvicorn app.main:app"]\n',
                "app/main.py": "print('hi')\n",
            }
        ),
    )

    def _check_scope(self, context: Context, names: NameMap, found: Declared) -> Iterator[Finding]:
        for entry, modules, source in _unused_entries(context, names, found):
            if source == "name":
                continue  # PY023's: we cannot know what it installs
            yield self.finding(
                entry.document, entry.span(),
                f"{entry.requirement.written_name} is never imported (it installs "
                f"{', '.join(sorted(modules))}, per {_source(source)}) nor run by a Dockerfile",
            )  # fmt: skip


def _unused_entries(
    context: Context, names: NameMap, found: Declared
) -> Iterator[tuple[Entry, set[str], str]]:
    """The requirements nothing imports or runs, once per distribution (a package listed twice
    is PY008's), with the modules it installs and where that knowledge comes from."""
    usage = _usage(context, names, found)
    reported: set[str] = set()
    for entry in found.entries:
        dist = entry.requirement.name
        if dist is None or dist in reported or _counts_as_used(entry, usage):
            continue
        reported.add(dist)
        modules, source = names.modules_of(dist)
        yield entry, modules, source


def _counts_as_used(entry: Entry, usage: _Usage) -> bool:
    dist = entry.requirement.name or ""
    return (
        dist in usage.used
        or dist in usage.spec
        or dist in RUNTIME_ONLY
        or is_dev_tool(dist)
        or dist in usage.pulled  # a lock file's transitive pin: installed anyway
        or _annotated_as_pulled_in(entry)
    )


def _annotated_as_pulled_in(entry: Entry) -> bool:
    """pip-compile and uv write `# via PACKAGE` under a transitive pin of a lock file (and
    `# via -r requirements.in` under a direct one)."""
    lines = entry.document.lines
    index = entry.requirement.end_line  # the line after the requirement, 0-based
    via = False
    while index < len(lines) and lines[index].lstrip().startswith("#"):
        text = lines[index].lstrip("# \t")
        if text.startswith("via"):
            via = True
            text = text[3:].strip()
        if via and text and not text.startswith(("-r ", "-c ", "via")):
            return True
        index += 1
    return False


def _source(source: str) -> str:
    return {
        "config": "package-module-map",
        "metadata": "the installed metadata",
        "table": "mami-audit's table of well-known names",
    }[source]


@register
class UnknownImportName(DriftRule):
    """Says when it cannot know whether a production requirement is used.

    ## What it does
    Reports a requirement of the image that nothing imports under its own name, when
    nothing tells which modules it installs: it is not installed in an environment mami-audit
    found (`.venv`, `venv`, `--python`), not in the table of well-known names, and not in
    `[tool.mami-audit] package-module-map`. Rather than guess (deptry assumes the module is
    named like the distribution), it says it cannot know.

    ## Why is this bad?
    Either the package is unused (see PY021) or the code imports it under another name that
    mami-audit cannot see: an undecided dependency check is not a passed one.

    ## Example
    ```text
    some-sdk==1.0.0
    ```

    ## How to fix
    Map it (`package-module-map = { "some-sdk" = "somesdk" }`), point `--python` at an
    environment where it is installed, or remove it if it is unused.
    """

    code = "PY023"
    name = "unknown-import-name"
    summary = "Cannot tell which module a production requirement installs"
    severity = Severity.INFO
    peers = ("DEP002",)
    bad_examples = (
        DependencyRule.bad(
            {"requirements.txt": "some-sdk==1.0.0\n", "app/main.py": "import yaml\n"}, count=1
        ),
    )
    good_examples = (
        DependencyRule.good(
            {"requirements.txt": "some-sdk==1.0.0\n", "app/main.py": "import some_sdk\n"}
        ),
        DependencyRule.good(
            {"requirements.txt": "some-sdk==1.0.0\n", "app/main.py": "import somesdk\n"},
            config={"package-module-map": {"some-sdk": ["somesdk"]}},
        ),
    )

    def _check_scope(self, context: Context, names: NameMap, found: Declared) -> Iterator[Finding]:
        for entry, modules, source in _unused_entries(context, names, found):
            if source != "name":
                continue
            yield self.finding(
                entry.document, entry.span(),
                f"cannot know whether {entry.requirement.written_name} is used: nothing "
                f"imports `{next(iter(modules))}`, and which modules it installs is unknown "
                f"({environment_note(names.metadata)}; not in package-module-map)",
            )  # fmt: skip
