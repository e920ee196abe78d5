"""What the dependency rules share: which files are installed together, and which of them the
image installs (production).

An *install set* is what one pip command reads: the files it names with `-r`, the files those
include (`-r`, depth first, in order) and the constraint files (`-c`). The sets come from the
Dockerfiles' `pip install -r` / `pip wheel -r` commands (so a dev-only file is not judged as
production); every other requirements file that no other file includes forms a set of its
own, which is production only when no Dockerfile installs anything and the file is named
`requirements.txt` (the convention). A pyproject's `[project] dependencies` are production
when a Dockerfile installs the project itself (`pip install .`).

Computed once per Project; every PY rule reads the same model.
"""

from __future__ import annotations

import posixpath
import weakref
from collections.abc import Iterator
from typing import NamedTuple

from auditor.documents.base import Document
from auditor.documents.pyproject import Pyproject
from auditor.documents.requirements import Option, Requirement, RequirementsFile
from auditor.project import Project, normalise
from auditor.records import field, record
from auditor.rule import Context, Span

CONVENTIONAL_PRODUCTION_FILE = "requirements.txt"


class Entry(NamedTuple):
    """A requirement as an install set sees it."""

    document: RequirementsFile | Pyproject
    requirement: Requirement
    constraint: bool  # it comes from a `-c` file: it limits versions, installs nothing

    @property
    def where(self) -> str:
        return f"{self.document.path}:{self.requirement.line}"

    def span(self) -> Span:
        requirement = self.requirement
        if isinstance(self.document, RequirementsFile) and requirement.line == requirement.end_line:
            column = requirement.column
            return Span(requirement.line, column, requirement.line, column + len(requirement.text))
        return self.document.line_span(requirement.line, requirement.end_line)


class IncludeProblem(NamedTuple):
    document: RequirementsFile
    option: Option
    message: str


@record
class InstallSet:
    top: list[Document]  # the files the pip command (or the convention) names
    production: bool
    origin: str  # "Dockerfile:12", or "" for a file on its own
    python_version: str | None  # from the installing Dockerfile's FROM
    documents: list[RequirementsFile | Pyproject] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    require_hashes: bool = False  # a `--require-hashes` option line

    def installed(self) -> Iterator[Entry]:
        """Entries pip installs (not constraints) whose markers hold on the image's Python."""
        for entry in self.entries:
            if not entry.constraint and applies(entry.requirement, self.python_version):
                yield entry

    def by_name(self, *, constraints: bool = False) -> dict[str, list[Entry]]:
        groups: dict[str, list[Entry]] = {}
        for entry in self.entries:
            if entry.requirement.name is None or (entry.constraint and not constraints):
                continue
            if applies(entry.requirement, self.python_version):
                groups.setdefault(entry.requirement.name, []).append(entry)
        return groups

    @property
    def described(self) -> str:
        names = ", ".join(document.path for document in self.top)
        return f"{names} (installed by {self.origin})" if self.origin else names


@record
class DependencyModel:
    sets: list[InstallSet] = field(default_factory=list)
    include_problems: list[IncludeProblem] = field(default_factory=list)
    requirement_files: list[RequirementsFile] = field(default_factory=list)  # every one read
    pyprojects: list[Pyproject] = field(default_factory=list)

    def production_sets(self) -> list[InstallSet]:
        return [install for install in self.sets if install.production]

    def production_entries(self) -> Iterator[tuple[InstallSet, Entry]]:
        seen: set[tuple[str, int]] = set()
        for install in self.production_sets():
            for entry in install.installed():
                key = (entry.document.path, entry.requirement.line)
                if key not in seen:
                    seen.add(key)
                    yield install, entry


_MODELS: weakref.WeakKeyDictionary[Project, DependencyModel] = weakref.WeakKeyDictionary()


def dependency_model(context: Context) -> DependencyModel:
    project = context.project
    model = _MODELS.get(project)
    if model is None:
        model = _build(project, context.expect.python_version)
        _MODELS[project] = model
    return model


# -- building -----------------------------------------------------------------------------------


class _Install(NamedTuple):
    files: list[str]  # requirement file paths, relative to the root
    project_folder: str | None  # a `pip install .`: the folder whose pyproject is installed
    origin: str
    python_version: str | None
    require_hashes: bool  # `pip install --require-hashes`


def _build(project: Project, default_python: str) -> DependencyModel:
    model = DependencyModel()
    found = project.documents("requirements")
    model.requirement_files = [doc for doc in found if isinstance(doc, RequirementsFile)]
    model.pyprojects = [doc for doc in project.documents("pyproject") if isinstance(doc, Pyproject)]
    installs = _dockerfile_installs(project) if model.requirement_files or model.pyprojects else []

    problems: dict[tuple[str, int], IncludeProblem] = {}
    included: set[str] = set()
    for document in model.requirement_files:
        for option in document.includes():
            target = document.include_path(option)
            if target is not None:
                included.add(target)

    installed_files: set[str] = set()
    for install in installs:
        tops = [doc for path in install.files if (doc := _requirements(project, path))]
        pyproject = None
        if install.project_folder is not None:
            path = normalise(posixpath.join(install.project_folder or ".", "pyproject.toml"))
            candidate = project.document(path or "pyproject.toml", "pyproject")
            pyproject = candidate if isinstance(candidate, Pyproject) else None
        if not tops and pyproject is None:
            continue
        # A builder's `pip wheel -r f` and the runtime's `pip install -r f` install one set.
        same = [
            existing
            for existing in model.sets
            if [doc.path for doc in existing.top if isinstance(doc, RequirementsFile)]
            == [doc.path for doc in tops]
            and (pyproject is None) == (not any(isinstance(d, Pyproject) for d in existing.top))
        ]
        if same:
            same[0].require_hashes |= install.require_hashes
            continue
        install_set = InstallSet(list(tops), True, install.origin, install.python_version)
        install_set.require_hashes = install.require_hashes
        if pyproject is not None and pyproject.parse_error is None:
            install_set.top.append(pyproject)
            _add_pyproject(install_set, pyproject)
        for top in tops:
            _walk(project, install_set, top, False, [], problems)
        installed_files.update(doc.path for doc in install_set.documents)
        model.sets.append(install_set)

    conventional = not installs
    for document in model.requirement_files:
        production = (
            conventional and posixpath.basename(document.path) == CONVENTIONAL_PRODUCTION_FILE
        )
        if document.path in installed_files or (document.path in included and not production):
            continue
        install_set = InstallSet([document], production, "", default_python)
        _walk(project, install_set, document, False, [], problems)
        model.sets.append(install_set)
    for pyproject in model.pyprojects:
        if pyproject.parse_error is None and not any(pyproject in s.top for s in model.sets):
            install_set = InstallSet([pyproject], False, "", default_python)
            _add_pyproject(install_set, pyproject)
            model.sets.append(install_set)
    model.include_problems = list(problems.values())
    return model


def _requirements(project: Project, path: str) -> RequirementsFile | None:
    document = project.document(path, "requirements")
    return document if isinstance(document, RequirementsFile) else None


def _add_pyproject(install_set: InstallSet, pyproject: Pyproject) -> None:
    install_set.documents.append(pyproject)
    for requirement in pyproject.dependencies:
        install_set.entries.append(Entry(pyproject, requirement, False))


def _walk(
    project: Project,
    install_set: InstallSet,
    document: RequirementsFile,
    constraint: bool,
    stack: list[str],
    problems: dict[tuple[str, int], IncludeProblem],
) -> None:
    """Add `document` and, depth first, what it includes, the way pip reads them."""
    if document.parse_error is not None or document in install_set.documents:
        return
    install_set.documents.append(document)
    stack = [*stack, document.path]
    include_at = {option.line: option for option in document.includes()}
    by_line: dict[int, list[Requirement]] = {}
    for requirement in document.requirements:
        by_line.setdefault(requirement.line, []).append(requirement)
    if any(option.name == "--require-hashes" for option in document.options):
        install_set.require_hashes = True
    for line in sorted(set(by_line) | set(include_at)):
        for requirement in by_line.get(line, ()):
            install_set.entries.append(Entry(document, requirement, constraint))
        option = include_at.get(line)
        if option is not None:
            _include(project, install_set, document, option, constraint, stack, problems)


def _include(
    project: Project,
    install_set: InstallSet,
    document: RequirementsFile,
    option: Option,
    constraint: bool,
    stack: list[str],
    problems: dict[tuple[str, int], IncludeProblem],
) -> None:
    key = (document.path, option.line)
    value = option.value or ""
    flag = "-c" if option.name == "--constraint" else "-r"
    target = document.include_path(option)
    if "${" in value:
        return  # pip expands the variable at install time: which file it names is unknown here
    if target is None:
        if value.startswith(("http://", "https://")):
            return  # a remote file: pip fetches it at install time; nothing to read here
        problems[key] = IncludeProblem(
            document,
            option,
            f"`{flag} {value}` names a file outside the project: not audited, "
            "and not inside the Docker build context either",
        )
        return
    if target in stack:
        cycle = " -> ".join([*stack[stack.index(target) :], target])
        problems[key] = IncludeProblem(document, option, f"include cycle: {cycle}")
        return
    included = _requirements(project, target)
    if included is None:
        problems[key] = IncludeProblem(
            document, option, f"`{flag} {value}`: no such file ({target}); pip stops here"
        )
        return
    _walk(
        project,
        install_set,
        included,
        constraint or option.name == "--constraint",
        stack,
        problems,
    )


def _dockerfile_installs(project: Project) -> list[_Install]:
    from auditor.documents.dockerfile import Dockerfile
    from rules.dockerfile._shell import pip_calls
    from rules.dockerfile.images import python_version

    installs: list[_Install] = []
    for document in project.documents("dockerfile"):
        if not isinstance(document, Dockerfile) or document.parse_error is not None:
            continue
        folder = posixpath.dirname(document.path)
        for instruction in document.of_keyword("RUN"):
            calls = [c for c in pip_calls(instruction) if c.subcommand in ("install", "wheel")]
            for call in calls:
                files = [
                    _copied_path(project, document, folder, instruction, path)
                    for path in call.requirement_files
                ]
                installs_project = any(t.split("[", 1)[0] in (".", "./") for t in call.targets)
                if not files and not installs_project:
                    continue
                version = None
                if instruction.stage is not None:
                    version = python_version(document.root_base(document.stages[instruction.stage]))
                installs.append(
                    _Install(
                        [path for path in files if path],
                        folder if installs_project else None,
                        f"{document.path}:{instruction.line}",
                        version,
                        call.has_option("--require-hashes"),
                    )
                )
    return installs


def _copied_path(project: Project, document: Document, folder: str, run: object, path: str) -> str:
    """The project file a pip `-r PATH` in the RUN `run` reads: PATH is resolved against the
    WORKDIR in force, then traced back through the COPY/ADD instructions before it (a file
    copied to that path, or a folder copied above it) to its source in the build context
    (the Dockerfile's folder). Without such a COPY, PATH relative to the context."""
    from auditor.documents.dockerfile import Dockerfile

    if not isinstance(document, Dockerfile) or getattr(run, "stage", None) is None:
        return normalise(posixpath.join(folder, posixpath.basename(path))) or ""
    workdir = "/"
    copies: list[tuple[str, str, bool]] = []  # (path in the image, source, source is a folder)
    for instruction in document.chain_instructions(document.stages[run.stage]):  # type: ignore[attr-defined]
        if instruction is run:
            break
        if instruction.keyword == "WORKDIR":
            workdir = posixpath.normpath(posixpath.join(workdir, instruction.arguments.strip()))
        elif instruction.keyword in ("COPY", "ADD") and not instruction.has_flag("from"):
            words = instruction.words()
            if len(words) < 2:
                continue
            sources, destination = words[:-1], words[-1]
            into_folder = destination.endswith(("/", ".")) or len(sources) > 1
            target = posixpath.normpath(posixpath.join(workdir, destination))
            for source in sources:
                if "*" in source or "$" in source:
                    continue
                source_path = normalise(posixpath.join(folder, source)) or "."
                is_folder = source.endswith("/") or project.is_dir(source_path)
                if is_folder:
                    copies.append((target, source_path, True))
                else:
                    landed = (
                        posixpath.join(target, posixpath.basename(source))
                        if into_folder
                        else target
                    )
                    copies.append((landed, source_path, False))
    wanted = posixpath.normpath(posixpath.join(workdir, path))
    for landed, source, is_folder in reversed(copies):
        if not is_folder and landed == wanted:
            return source
        if is_folder and wanted.startswith(landed.rstrip("/") + "/"):
            inside = wanted[len(landed.rstrip("/")) + 1 :]
            return normalise(posixpath.join(source, inside)) or ""
    relative = path if not posixpath.isabs(path) else posixpath.basename(path)
    return normalise(posixpath.join(folder, relative)) or ""


# -- markers ------------------------------------------------------------------------------------


def marker_environment(python_version: str | None) -> dict[str, str]:
    """The image's environment for PEP 508 markers: Linux, CPython, the FROM's Python."""
    version = python_version or "3.11"
    return {
        "python_version": version,
        "python_full_version": f"{version}.0",
        "sys_platform": "linux",
        "platform_system": "Linux",
        "os_name": "posix",
        "platform_machine": "x86_64",
        "implementation_name": "cpython",
        "platform_python_implementation": "CPython",
        "extra": "",
    }


def applies(requirement: Requirement, python_version: str | None) -> bool:
    """Does the requirement's marker hold in the image? (No marker: yes.)"""
    if requirement.marker is None:
        return True
    try:
        return bool(requirement.marker.evaluate(marker_environment(python_version)))
    except Exception:  # an undefined or odd comparison: do not drop the line
        return True


def documents_read(model: DependencyModel) -> list[RequirementsFile | Pyproject]:
    """Every requirements file and pyproject the model read, includes too, each once."""
    seen: dict[str, RequirementsFile | Pyproject] = {}
    for document in [*model.requirement_files, *model.pyprojects]:
        seen.setdefault(document.path, document)
    for install_set in model.sets:
        for document in install_set.documents:
            seen.setdefault(document.path, document)
    return [seen[path] for path in sorted(seen)]
