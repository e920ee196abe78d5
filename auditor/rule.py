"""What a rule is, what it finds and how a fix is described.

Rules are small classes in the `rules` package. They read parsed documents through a
`Context` and yield `Finding`s; they never write. A finding may carry a `Fix`: a set of
`Edit`s the fixer applies under the fix contract (see README, "Fixes").

Positions everywhere are 1-based. `end_column` is exclusive (it points one past the last
character), the way SARIF counts. Columns count characters of the decoded text, whose line
endings are normalised to "\\n" and whose BOM is removed (see documents.base.SourceFile).

The immutable values here (Span, Edit, Fix, Finding, Example) are NamedTuples rather than
frozen dataclasses: every run creates these classes at start-up, and a NamedTuple class costs
a small fraction of a dataclass's (which compiles each generated method). Copy one with a
change through `_replace` (the NamedTuple API, despite the underscore).
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

if TYPE_CHECKING:  # imported for annotations only, to keep start-up light
    from auditor.config import Config
    from auditor.documents.base import Document
    from auditor.expectations import Expectations
    from auditor.project import Project


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Applicability(str, enum.Enum):
    SAFE = "safe"  # keeps behaviour the user relies on and loses no comment
    UNSAFE = "unsafe"  # applied only with --unsafe-fixes


class Span(NamedTuple):  # ordered by line, column, end_line, end_column
    line: int
    column: int
    end_line: int
    end_column: int

    @classmethod
    def point(cls, line: int, column: int = 1) -> Span:
        return cls(line, column, line, column)

    @classmethod
    def lines(cls, first: int, last: int, last_line_length: int) -> Span:
        """Whole lines `first`..`last`; the last line is `last_line_length` characters long."""
        return cls(first, 1, last, last_line_length + 1)


class EditKind(str, enum.Enum):
    REPLACE = "replace"  # replace the text in `span` by `content` (an insertion when empty)
    CREATE = "create"  # create the file `path` with `content`; it must not exist
    DELETE = "delete"  # delete the file `path`


class Edit(NamedTuple):
    path: str  # relative to the project root, POSIX separators
    kind: EditKind
    span: Span | None = None
    content: str = ""

    @classmethod
    def replace(cls, path: str, span: Span, content: str) -> Edit:
        return cls(path, EditKind.REPLACE, span, content)

    @classmethod
    def insert(cls, path: str, line: int, column: int, content: str) -> Edit:
        return cls(path, EditKind.REPLACE, Span.point(line, column), content)

    @classmethod
    def delete_text(cls, path: str, span: Span) -> Edit:
        return cls(path, EditKind.REPLACE, span, "")

    @classmethod
    def create_file(cls, path: str, content: str) -> Edit:
        return cls(path, EditKind.CREATE, None, content)

    @classmethod
    def delete_file(cls, path: str) -> Edit:
        return cls(path, EditKind.DELETE)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"path": self.path, "kind": self.kind.value}
        if self.span is not None:
            data.update(
                line=self.span.line,
                column=self.span.column,
                end_line=self.span.end_line,
                end_column=self.span.end_column,
            )
        if self.kind is not EditKind.DELETE:
            data["content"] = self.content
        return data


class Fix(NamedTuple):
    applicability: Applicability
    message: str  # imperative, shown to the user: "Add `USER mami` before CMD"
    edits: tuple[Edit, ...]

    @classmethod
    def safe(cls, message: str, *edits: Edit) -> Fix:
        return cls(Applicability.SAFE, message, tuple(edits))

    @classmethod
    def unsafe(cls, message: str, *edits: Edit) -> Fix:
        return cls(Applicability.UNSAFE, message, tuple(edits))


class Finding(NamedTuple):
    code: str
    name: str
    message: str
    path: str  # relative to the project root, POSIX separators
    span: Span
    severity: Severity
    requirements: tuple[str, ...] = ()
    fix: Fix | None = None
    peers: tuple[str, ...] = ()

    @property
    def sort_key(self) -> tuple[str, Span, str]:
        return (self.path, self.span, self.code)


class Example(NamedTuple):
    """A snippet shown in a rule's docs and run by the generic example test.

    `files` maps relative paths to their text; a bare string is the rule's `example_path`.
    A bad example must yield at least one finding of its rule (exactly `count` when given);
    with `fixed`, applying the rule's fixes (unsafe ones too when `unsafe`) must turn each
    listed file into the given text. A good example must yield no finding of its rule.
    """

    files: Mapping[str, str]
    bad: bool
    fixed: Mapping[str, str] | None = None
    count: int | None = None
    unsafe: bool = False
    config: Mapping[str, Any] = MappingProxyType({})  # [tool.mami-audit] keys


def _as_files(rule_path: str, text: str | Mapping[str, str]) -> Mapping[str, str]:
    return {rule_path: text} if isinstance(text, str) else dict(text)


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
        return self._by_code.get(code_or_name.upper()) or self._by_name.get(code_or_name.lower())

    def matching(self, selector: str) -> list[type[Rule]]:
        """Rules a --select/--ignore entry names: a code, a code prefix, a name or ALL."""
        if selector.upper() == "ALL":
            return list(self)
        exact = self.get(selector)
        if exact is not None:
            return [exact]
        prefix = selector.upper()
        return [rule for rule in self if rule.code.startswith(prefix)]


registry = RuleRegistry()


def register(rule: type[Rule]) -> type[Rule]:
    """Class decorator: `@register` adds a rule to the global registry."""
    return registry.register(rule)
