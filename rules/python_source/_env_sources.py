"""Where environment variables are documented or provided besides the Settings class.

`.env.example` files (any discovered example kind of documents.dotenv, set or commented out)
and Compose files. Compose files are scanned as text, not parsed: a key of an
`environment:` mapping or list (`KEY: value`, `- KEY=value`) and any `${KEY}` interpolation
count; both are cheap to find and reading a YAML file fully is the compose family's job.
"""

from __future__ import annotations

import posixpath
import re
from typing import TYPE_CHECKING

from auditor.facts.cache import project_fact

if TYPE_CHECKING:
    from auditor.documents.dotenv import EnvFile
    from auditor.project import Project

_COMPOSE_NAME = re.compile(r"^(?:docker-)?compose(?:[.-][\w.-]+)?\.ya?ml$")
_INTERPOLATION = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")
_ENVIRONMENT_ENTRY = re.compile(r"^\s*(?:-\s*)?[\"']?([A-Za-z_][A-Za-z0-9_]*)[\"']?\s*[:=]")


def is_compose_file(path: str) -> bool:
    return bool(_COMPOSE_NAME.match(posixpath.basename(path)))


def example_files(project: Project) -> list[EnvFile]:
    from auditor.documents.dotenv import EnvFile

    return [
        document
        for document in project.documents("dotenv")
        if isinstance(document, EnvFile) and not document.is_secret
    ]


def compose_variables(project: Project) -> set[str]:
    """Variables a Compose file sets in `environment:` or interpolates with ${...}."""
    return project_fact(project, "compose_variables", _compose_variables)


def _compose_variables(project: Project) -> set[str]:
    found: set[str] = set()
    for path in project.files():
        if not is_compose_file(path):
            continue
        source = project.source(path)
        if source is None or source.error is not None:
            continue
        found.update(_INTERPOLATION.findall(source.text))
        in_environment, indent = False, 0
        for line in source.text.split("\n"):
            stripped = line.strip()
            if not stripped or stripped.startswith("#"):
                continue
            current = len(line) - len(line.lstrip())
            if stripped.startswith("environment:"):
                in_environment, indent = True, current
                continue
            if in_environment and current <= indent:
                in_environment = False
            if in_environment:
                entry = _ENVIRONMENT_ENTRY.match(line)
                if entry:
                    found.add(entry.group(1))
    return found


def provided_variables(project: Project) -> set[str] | None:
    """Variables documented in an example env file or provided by Compose; None when an
    example file does not parse (AU001 reports it, and guessing would mislead)."""
    names: set[str] = set()
    for document in example_files(project):
        if document.parse_error is not None:
            return None
        names.update(document.documented())
    return names | compose_variables(project)
