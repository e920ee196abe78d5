"""What a rule is, what it finds and how a fix is described.

Rules are small classes in the `rules` package. They read parsed documents through a
`Context` and yield `Finding`s; they never write. A finding may carry a `Fix`: a set of
`Edit`s the fixer applies under the fix contract (see README, "Fixes").

The value types (Severity, Applicability, Span, Edit, Fix, Finding, Example) live in
`auditor.values`, which depends on nothing else here; they are re-exported from this module.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

# The shared value types live in auditor.values; rule modules and older code import them
# from here, so they stay re-exported.
from auditor.values import (
    Applicability,
    Edit,
    EditKind,
    Example,
    Finding,
    Fix,
    Severity,
    Span,
)

if TYPE_CHECKING:  # imported for annotations only, to keep start-up light
    from auditor.config import Config
    from auditor.documents.base import Document
    from auditor.expectations import Expectations
    from auditor.project import Project


def _as_files(rule_path: str, text: str | Mapping[str, str]) -> Mapping[str, str]:
    return {rule_path: text} if isinstance(text, str) else dict(text)


__all__ = [
    "Applicability",
    "Context",
    "Edit",
    "EditKind",
    "Example",
    "Finding",
    "Fix",
    "Rule",
    "RuleRegistry",
    "Severity",
    "Span",
    "register",
    "registry",
]


class Context:
    """What a rule may look at: the project, its configuration and expectations."""

    def __init__(self, project: Project, config: Config) -> None:
        self.project = project
        self.config = config
        # Filled by the engine as rules finish, for rules that run last and look at the
        # others' results (unused-suppression): codes of the rules that ran, and what they
        # found before suppressions.
        self.rules_run: set[str] = set()
        self.findings_so_far: list[Finding] = []

    @property
    def expect(self) -> Expectations:
        return self.config.expect


class Rule:
    """Base class of every rule. Subclasses set the class attributes and `check`.

    The class docstring is the rule's documentation in Markdown with the sections
    `## What it does`, `## Why is this bad?`, `## Example` and `## How to fix`.
    """

    code: ClassVar[str]  # stable, never reused: family prefix + number, e.g. "DF001"
    name: ClassVar[str]  # kebab-case, e.g. "missing-healthcheck"
    summary: ClassVar[str]  # one line
    severity: ClassVar[Severity] = Severity.WARNING
    requirements: ClassVar[tuple[str, ...]] = ()  # spec criteria, e.g. ("R4.1", "R4.2")
    peers: ClassVar[tuple[str, ...]] = ()  # checks of other tools it mirrors, e.g. ("DL3002",)
    fixable: ClassVar[bool] = False  # True when it can offer a fix (safe or unsafe)
    example_path: ClassVar[str] = "Dockerfile"  # where a bare-string example is written
    bad_examples: ClassVar[tuple[Example, ...]] = ()
    good_examples: ClassVar[tuple[Example, ...]] = ()
    # Run after every other rule: for rules about what the others read (parse errors,
    # suppression comments), which see `project.loaded_documents()` only once they are done.
    runs_last: ClassVar[bool] = False
    # Needs the network (an index, a vulnerability service): runs only with --online, and
    # says "could not check: <why>" in a finding when the network fails it.
    online: ClassVar[bool] = False

    def check(self, context: Context) -> Iterator[Finding]:
        raise NotImplementedError(f"{type(self).__name__} does not define check()")

    # -- helpers for subclasses -------------------------------------------------------------

    @classmethod
    def bad(
        cls,
        text: str | Mapping[str, str],
        fixed: str | Mapping[str, str] | None = None,
        *,
        count: int | None = None,
        unsafe: bool = False,
        config: Mapping[str, Any] | None = None,
    ) -> Example:
        fixed_files = None if fixed is None else _as_files(cls.example_path, fixed)
        return Example(
            _as_files(cls.example_path, text), True, fixed_files, count, unsafe, config or {}
        )

    @classmethod
    def good(
        cls, text: str | Mapping[str, str], *, config: Mapping[str, Any] | None = None
    ) -> Example:
        return Example(_as_files(cls.example_path, text), False, config=config or {})

    def finding(
        self, document: Document | str, span: Span, message: str, fix: Fix | None = None
    ) -> Finding:
        path = document if isinstance(document, str) else document.path
        return Finding(
            code=self.code,
            name=self.name,
            message=message,
            path=path,
            span=span,
            severity=self.severity,
            requirements=self.requirements,
            fix=fix,
            peers=self.peers,
        )

    @classmethod
    def documentation(cls) -> str:
        import inspect  # only the docs commands need it

        return inspect.cleandoc(cls.__doc__ or "")


class RuleRegistry:
    """All known rules by code; filled by `rules.load_all()`."""

    def __init__(self) -> None:
        self._by_code: dict[str, type[Rule]] = {}
        self._by_name: dict[str, type[Rule]] = {}
        # Set when only some rule families were imported (rules.load_for_kinds): called with
        # a selector the registry does not know, it imports the families that have it and
        # says whether it imported any.
        self.load_missing: Callable[[str], bool] | None = None

    def register(self, rule: type[Rule]) -> type[Rule]:
        for key, table in ((rule.code, self._by_code), (rule.name, self._by_name)):
            if key in table and table[key] is not rule:
                raise ValueError(f"rule {key!r} is defined twice")
            table[key] = rule
        return rule

    def unregister(self, rule: type[Rule]) -> None:
        """Remove a rule (tests register throwaway rules and take them out again)."""
        if self._by_code.get(rule.code) is rule:
            del self._by_code[rule.code]
        if self._by_name.get(rule.name) is rule:
            del self._by_name[rule.name]

    def __iter__(self) -> Iterator[type[Rule]]:
        return iter(sorted(self._by_code.values(), key=lambda rule: rule.code))

    def __len__(self) -> int:
        return len(self._by_code)

    def get(self, code_or_name: str) -> type[Rule] | None:
        found = self._known(code_or_name)
        if found is None and self.load_missing is not None and self.load_missing(code_or_name):
            found = self._known(code_or_name)
        return found

    def _known(self, code_or_name: str) -> type[Rule] | None:
        return self._by_code.get(code_or_name.upper()) or self._by_name.get(code_or_name.lower())

    def matching(self, selector: str) -> list[type[Rule]]:
        """Rules a --select/--ignore entry names: a code, a code prefix, a name or ALL.

        ALL means the loaded rules: a run loads the families that can read something."""
        if selector.upper() == "ALL":
            return list(self)
        exact = self.get(selector)
        if exact is not None:
            return [exact]
        prefix = selector.upper()
        if self.load_missing is not None:
            self.load_missing(prefix)  # the families with codes under this prefix
        return [rule for rule in self if rule.code.startswith(prefix)]


registry = RuleRegistry()


def register(rule: type[Rule]) -> type[Rule]:
    """Class decorator: `@register` adds a rule to the global registry."""
    return registry.register(rule)
