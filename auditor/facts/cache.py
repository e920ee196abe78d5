"""One value per (project, fact): facts are computed once per Project and never outlive it.

The fixer audits each pass on a new Project (with an overlay of edited files), so keying the
cache by the Project object keeps a fact from one pass out of the next.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar
from weakref import WeakKeyDictionary

if TYPE_CHECKING:
    from auditor.project import Project

T = TypeVar("T")

_FACTS: WeakKeyDictionary[Project, dict[str, Any]] = WeakKeyDictionary()


def project_fact(project: Project, name: str, compute: Callable[[Project], T]) -> T:
    """`compute(project)` the first time `name` is asked of this project; the same value after."""
    facts = _FACTS.setdefault(project, {})
    if name not in facts:
        facts[name] = compute(project)
    return facts[name]  # type: ignore[no-any-return]
