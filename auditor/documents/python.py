"""Python source files, read with the standard library's `ast` (never libcst on the read path).

Which files count: `*.py` files of the project, except tests (`tests/` or `test/` folders,
`test_*.py`, `*_test.py`, `conftest.py`), Alembic's generated revisions (`*/versions/*.py`
under a `migrations` or `alembic` folder) and vendored folders (`vendor/`, `vendored/`,
`third_party/`, `site-packages/`). The config's `exclude` options drop more.

The model keeps the `ast.Module`, the module's dotted name (from its path; a leading `src/` is
not part of it) and its import table. Positions: `ast` gives UTF-8 byte columns; `column_of`
turns them into the character columns findings use.

A file that cannot be parsed gets one `ParseError` at the line where it breaks (reported by
AU001): a syntax error, bytes that are not UTF-8 (see documents.base), a coding cookie naming
another encoding on a file with non-ASCII text (Python would read it differently from us), or a
module nested so deeply that the parser gives up (RecursionError).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from functools import cached_property
from typing import NamedTuple

from auditor.documents.base import Document, ParseError, SourceFile
from auditor.documents.kinds import is_python as matches  # noqa: F401  (the kind's test)
from auditor.records import field, record
from auditor.rule import Span

KIND = "python"

# PEP 263: a comment on line 1 or 2 naming the encoding.
_CODING_COOKIE = re.compile(r"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")
_UTF8_NAMES = frozenset({"utf-8", "utf8", "utf_8", "utf-8-sig", "utf_8_sig"})


def module_name(path: str) -> str:
    """`app/core/logger.py` -> `app.core.logger`; `app/__init__.py` -> `app`; `src/x.py` -> `x`."""
    if path.startswith("src/"):
        path = path[len("src/") :]
    stem = path[: -len(".py")] if path.endswith(".py") else path
    parts = stem.split("/")
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


class Import(NamedTuple):
    """One name an import statement binds (or a star import).

    `module` is absolute (relative imports resolved against the file's package). For
    `import a.b` the bound name is `a` and `attribute` is None; for `from a import b` the bound
    name is `b`, `module` is `a` and `attribute` is `b`; for `from a import *` the bound name
    and the attribute are `*`.
    """

    bound: str
    module: str
    attribute: str | None
    target: (
        str  # the dotted name `bound` stands for: `a` for `import a.b`, `a.b` for `from a import b`
    )
    line: int
    column: int  # character column, 1-based
    conditional: bool  # inside if/try/with/a function or class body: may not run
    type_checking: bool  # under `if TYPE_CHECKING:`: never runs

    @property
    def top_level(self) -> str:
        return self.module.split(".", 1)[0]


@record
class PythonModule(Document):
    lone_cr_ends_lines = True  # as Python reads them (universal newlines)
    tree: ast.Module | None = field(default=None, repr=False)
    # The dotted name the project's imports use, when it differs from the path's (set by
    # facts.python_code for a package below a plain folder: backend/app/main.py -> app.main).
    import_name: str | None = field(default=None, repr=False)

    @property
    def module(self) -> str:
        return self.import_name or module_name(self.path)

    @property
    def is_package(self) -> bool:
        return self.path.endswith("/__init__.py") or self.path == "__init__.py"

    @cached_property
    def statements(self) -> list[Statement]:
        """Every statement at any depth, in source order."""
        return [] if self.tree is None else _collect_statements(self.tree)

    def walk_if_mentions(self, *words: str) -> list[ast.AST]:
        """Every node of the module, but only when its text contains one of `words`; []
        otherwise. Rules looking for rare calls (`print(`, `getenv`) pay for a walk only in
        the files that can have them, and the walk is done once per module."""
        if self.tree is None or not any(word in self.text for word in words):
            return []
        return self.nodes

    @cached_property
    def nodes(self) -> list[ast.AST]:
        """Every node of the module, breadth first (what `ast.walk` yields, in a list)."""
        return [] if self.tree is None else all_nodes(self.tree)

    @cached_property
    def functions_by_name(self) -> dict[str, list[ast.FunctionDef | ast.AsyncFunctionDef]]:
        """Every function defined in the module, nested ones included, by name."""
        found: dict[str, list[ast.FunctionDef | ast.AsyncFunctionDef]] = {}
        for statement in self.statements:
            if isinstance(statement.node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                found.setdefault(statement.node.name, []).append(statement.node)
        return found

    def names_in(self, node: ast.AST) -> tuple[frozenset[str], frozenset[str]]:
        """(names read, attribute names) anywhere under `node` (cached per node)."""
        cache = self.__dict__.setdefault("_names_cache", {})
        key = id(node)
        if key not in cache:
            names, attributes = set(), set()
            for inner in all_nodes(node):
                if isinstance(inner, ast.Name):
                    names.add(inner.id)
                elif isinstance(inner, ast.Attribute):
                    attributes.add(inner.attr)
            cache[key] = (frozenset(names), frozenset(attributes))
        return cache[key]  # type: ignore[no-any-return]

    @cached_property
    def imports(self) -> list[Import]:
        return [] if self.tree is None else _collect_imports(self)

    @cached_property
    def bindings(self) -> dict[str, Import]:
        """Imported names bound at module level (the last import of a name wins)."""
        table: dict[str, Import] = {}
        for item in self.imports:
            if item.bound != "*" and not item.type_checking:
                table[item.bound] = item
        return table

    @cached_property
    def star_imports(self) -> list[Import]:
        return [item for item in self.imports if item.bound == "*" and not item.type_checking]

    @cached_property
    def top_level_names(self) -> dict[str, ast.stmt]:
        """Names the module body defines (def, class, assignment, import) -> the statement."""
        names: dict[str, ast.stmt] = {}
        if self.tree is None:
            return names
        for statement in _module_level_statements(self.tree.body):
            for name in _names_bound_by(statement):
                names[name] = statement
        return names

    @cached_property
    def constants(self) -> dict[str, object]:
        """Module-level `NAME = <literal>` values (for `env_file=ENV_FILE`)."""
        values: dict[str, object] = {}
        if self.tree is None:
            return values
        for statement in self.tree.body:
            target = None
            if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
                target = statement.targets[0]
            elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
                target = statement.target
            if isinstance(target, ast.Name):
                try:
                    values[target.id] = ast.literal_eval(statement.value)  # type: ignore[arg-type]
                except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                    continue
        return values

    # -- positions ---------------------------------------------------------------------------

    def column_of(self, line: int, byte_offset: int) -> int:
        """The 1-based character column of `ast`'s UTF-8 byte offset on `line`."""
        if not 0 < line <= len(self.lines):
            return byte_offset + 1
        text = self.lines[line - 1]
        if text.isascii():
            return byte_offset + 1
        return len(text.encode("utf-8")[:byte_offset].decode("utf-8", errors="ignore")) + 1

    def span_of(self, node: ast.AST) -> Span:
        line = getattr(node, "lineno", 1)
        column = self.column_of(line, getattr(node, "col_offset", 0))
        end_line = getattr(node, "end_lineno", None) or line
        end_offset = getattr(node, "end_col_offset", None)
        end_column = column if end_offset is None else self.column_of(end_line, end_offset)
        return Span(line, column, end_line, end_column)

    def first_line_span(self, node: ast.AST) -> Span:
        """The node's span cut to its first line (a class or function: its header line)."""
        span = self.span_of(node)
        if span.end_line == span.line:
            return span
        return Span(span.line, span.column, span.line, self.line_length(span.line) + 1)

    def segment(self, node: ast.AST) -> str:
        """The node's source text."""
        span = self.span_of(node)
        start = self.offset(span.line, span.column)
        end = self.offset(span.end_line, span.end_column)
        return self.text[start:end]

    def statement_range(self, line: int) -> tuple[int, int]:
        # A suppression comment covers the whole (possibly multi-line) statement below it.
        return self._statement_ranges.get(line, (line, line))

    @cached_property
    def _statement_ranges(self) -> dict[int, tuple[int, int]]:
        ranges: dict[int, tuple[int, int]] = {}
        if self.tree is None:
            return ranges
        for statement in self.statements:
            node = statement.node
            start = node.lineno
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                if node.decorator_list:
                    start = node.decorator_list[0].lineno
                end = node.body[0].lineno - 1 if node.body else node.lineno
                end = max(end, node.lineno)
            elif isinstance(node, (ast.If, ast.For, ast.While, ast.With, ast.Try)):
                end = node.body[0].lineno - 1 if node.body else node.lineno
                end = max(end, node.lineno)
            else:
                end = node.end_lineno or start
            ranges.setdefault(start, (start, end))
        return ranges


def parse(source: SourceFile) -> PythonModule:
    document = PythonModule(source)
    if document.parse_error is not None:
        return document
    cookie = _foreign_coding_cookie(document)
    if cookie is not None:
        document.parse_error = cookie
        return document
    try:
        document.tree = ast.parse(document.text, filename=source.path, type_comments=False)
    except SyntaxError as error:
        line = max(1, error.lineno or 1)
        offset = error.offset or 1
        document.parse_error = ParseError(f"Python syntax error: {error.msg}", line, offset)
    except (RecursionError, MemoryError):
        line = _deepest_line(document.text)
        message = "too deeply nested for Python's parser (it gave up)"
        document.parse_error = ParseError(message, line)
    except ValueError as error:  # e.g. "source code string cannot contain null bytes"
        document.parse_error = ParseError(f"cannot parse as Python: {error}", 1)
    return document


def _foreign_coding_cookie(document: PythonModule) -> ParseError | None:
    """A PEP 263 cookie naming another encoding than UTF-8, on text that is not plain ASCII.

    The bytes decoded as UTF-8 (documents.base), but Python would decode them with the cookie's
    encoding and see other characters; an ASCII-only file reads the same either way.
    """
    for number, line in enumerate(document.lines[:2], start=1):
        found = _CODING_COOKIE.match(line)
        if found is None:
            if line.strip() and not line.lstrip().startswith("#"):
                return None  # the cookie must be on line 1 or 2, before any code
            continue
        encoding = found.group(1).lower()
        if encoding in _UTF8_NAMES or document.text.isascii():
            return None
        message = (
            f"declares `coding: {found.group(1)}` but mami-audit reads Python files as UTF-8; "
            "save the file as UTF-8 and drop the cookie"
        )
        return ParseError(message, number, found.start(1) + 1)
    return None


def _deepest_line(text: str) -> int:
    """Where a RecursionError most likely starts: the line where bracket nesting is deepest,
    or, without deep brackets, the longest line (a chain of thousands of unary operators)."""
    depth = deepest = 0
    line = best = 1
    for character in text:
        if character == "\n":
            line += 1
        elif character in "([{":
            depth += 1
            if depth > deepest:
                deepest, best = depth, line
        elif character in ")]}":
            depth = max(0, depth - 1)
    if deepest >= 50:
        return best
    lengths = [len(line) for line in text.split("\n")]
    return lengths.index(max(lengths)) + 1


def all_nodes(root: ast.AST) -> list[ast.AST]:
    """`root` and every node under it: `ast.walk` as a list, about twice as fast (no
    generators), which matters on a pre-commit hook's budget."""
    found = [root]
    append = found.append
    node_class = ast.AST
    index = 0
    while index < len(found):
        node = found[index]
        index += 1
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, node_class):
                        append(item)
            elif isinstance(value, node_class):
                append(value)
    return found


def _module_level_statements(body: list[ast.stmt]) -> list[ast.stmt]:
    """Statements that run at import: the body plus the bodies of its if/try blocks."""
    found: list[ast.stmt] = []
    pending = list(body)
    while pending:
        statement = pending.pop(0)
        found.append(statement)
        if isinstance(statement, ast.If):
            pending.extend(statement.body + statement.orelse)
        elif isinstance(statement, ast.Try):
            pending.extend(statement.body + statement.orelse + statement.finalbody)
            for handler in statement.handlers:
                pending.extend(handler.body)
    return found


def _names_bound_by(statement: ast.stmt) -> list[str]:
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [statement.name]
    if isinstance(statement, ast.Assign):
        return [name for target in statement.targets for name in _target_names(target)]
    if isinstance(statement, (ast.AnnAssign, ast.AugAssign)):
        return _target_names(statement.target)
    if isinstance(statement, ast.Import):
        return [(alias.asname or alias.name.split(".", 1)[0]) for alias in statement.names]
    if isinstance(statement, ast.ImportFrom):
        return [alias.asname or alias.name for alias in statement.names if alias.name != "*"]
    return []


def _target_names(target: ast.expr) -> list[str]:
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [name for element in target.elts for name in _target_names(element)]
    return []


def _is_type_checking(test: ast.expr) -> bool:
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


def resolve_relative(document: PythonModule, level: int, module: str | None) -> str:
    """The absolute module of `from <level dots><module> import ...` in `document`."""
    if level == 0:
        return module or ""
    package = document.module if document.is_package else document.module.rpartition(".")[0]
    parts = package.split(".") if package else []
    if level > 1:
        parts = parts[: max(0, len(parts) - (level - 1))]
    base = ".".join(parts)
    if module:
        return f"{base}.{module}" if base else module
    return base


class Statement(NamedTuple):
    node: ast.stmt
    conditional: bool  # inside if/try/with/a loop/a function or class body: may not run
    type_checking: bool  # under `if TYPE_CHECKING:`: never runs
    function: str | None  # the innermost enclosing function's name


_TRY_STAR = (ast.TryStar,) if hasattr(ast, "TryStar") else ()
_BLOCKS = (
    ast.If,
    ast.Try,
    ast.With,
    ast.AsyncWith,
    ast.For,
    ast.AsyncFor,
    ast.While,
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
    ast.Match,
)


def _collect_statements(tree: ast.Module) -> list[Statement]:
    """Every statement at any depth, in source order, without walking expressions (a full
    `ast.walk` costs several times more, and most questions are about statements)."""
    found: list[Statement] = []
    append = found.append
    # A stack of (remaining statements of a block, conditional, type_checking, function).
    stack: list[tuple[Iterator[ast.stmt], bool, bool, str | None]] = [
        (iter(tree.body), False, False, None)
    ]
    while stack:
        body, conditional, type_checking, function = stack[-1]
        node = next(body, None)
        if node is None:
            stack.pop()
            continue
        append(Statement(node, conditional, type_checking, function))
        if not isinstance(node, _BLOCKS) and not isinstance(node, _TRY_STAR):
            continue
        inner = node.name if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) else function
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            blocks = [(node.body, True), (node.orelse, type_checking)]
        else:
            blocks = [(node.body, type_checking)]
            blocks += [(handler.body, type_checking) for handler in getattr(node, "handlers", ())]
            blocks += [(case.body, type_checking) for case in getattr(node, "cases", ())]
            blocks += [(getattr(node, "orelse", None) or [], type_checking)]
            blocks += [(getattr(node, "finalbody", None) or [], type_checking)]
        for block, checking in reversed(blocks):  # the first block is taken next
            if block:
                stack.append((iter(block), True, checking, inner))
    return found


def _collect_imports(document: PythonModule) -> list[Import]:
    found: list[Import] = []
    for statement in document.statements:
        node, conditional, type_checking = (
            statement.node,
            statement.conditional,
            statement.type_checking,
        )
        if isinstance(node, ast.Import):
            for alias in node.names:
                # `import a.b as c` binds c to a.b; `import a.b` binds a (and loads a.b).
                bound = alias.asname or alias.name.split(".", 1)[0]
                target = alias.name if alias.asname else bound
                found.append(
                    _import(
                        document, node, bound, alias.name, None, target, conditional, type_checking
                    )
                )
        elif isinstance(node, ast.ImportFrom):
            module = resolve_relative(document, node.level, node.module)
            for alias in node.names:
                bound = "*" if alias.name == "*" else alias.asname or alias.name
                target = module if alias.name == "*" else f"{module}.{alias.name}"
                found.append(
                    _import(
                        document,
                        node,
                        bound,
                        module,
                        alias.name,
                        target,
                        conditional,
                        type_checking,
                    )
                )
    return found


def statement_calls(statement: ast.stmt) -> list[ast.Call]:
    """The calls a simple statement makes at its top: `x.f(...)`, `y = g(...)`, `return h()`,
    and the calls a chain is built from (`A().b(x).c(y)` gives all three)."""
    value = getattr(statement, "value", None) if not isinstance(statement, _BLOCKS) else None
    calls: list[ast.Call] = []
    while isinstance(value, ast.Call):
        calls.append(value)
        func = value.func
        value = func.value if isinstance(func, ast.Attribute) else None
    return calls


def _import(
    document: PythonModule,
    node: ast.stmt,
    bound: str,
    module: str,
    attribute: str | None,
    target: str,
    conditional: bool,
    type_checking: bool,
) -> Import:
    column = document.column_of(node.lineno, node.col_offset)
    return Import(bound, module, attribute, target, node.lineno, column, conditional, type_checking)
