"""What the compose rules share: the stacks, findings at a value's origin, and YAML text edits.

Fixes are precise text edits on the file that holds the value (never a re-dump): a key
inserted into a service's block with the block's own indentation, a line removed, a port
quoted. The fixer re-parses the result as a compose file before anything is written.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.facts.compose import Node, Origin, Service, Stack, stacks_of
from auditor.lazy_pattern import LazyPattern
from auditor.rule import Context, Edit, Finding, Fix, Rule, Span


class ComposeRule(Rule):
    """A rule that looks at each compose stack (base + override, and each variant)."""

    example_path = "docker-compose.yml"
    # Which stacks: "default" (what `docker compose up` runs), "variants" (e.g. prod), "all".
    stacks = "default"

    def check(self, context: Context) -> Iterator[Finding]:
        seen: set[tuple[str, str, int, str]] = set()
        for stack in stacks_of(context.project):
            if self.stacks == "default" and not stack.is_default:
                continue
            if self.stacks == "variants" and stack.is_default:
                continue
            for finding in self.check_stack(context, stack):
                key = (finding.path, finding.message, finding.span.line, finding.code)
                if key not in seen:  # a base-file value appears in every stack built on it
                    seen.add(key)
                    yield finding

    def check_stack(self, context: Context, stack: Stack) -> Iterator[Finding]:
        raise NotImplementedError(f"{type(self).__name__} does not define check_stack()")

    def at(self, context: Context, origin: Origin, message: str, fix: Fix | None = None) -> Finding:
        document = context.project.text_document(origin.path)
        length = document.line_length(origin.line) if document else 0
        span = Span(origin.line, origin.column, origin.line, max(length + 1, origin.column))
        return self.finding(origin.path, span, message, fix)


def spec_service(context: Context, stack: Stack, name: str) -> Service | None:
    return stack.service(name)


def is_image(service: Service, *names: str) -> bool:
    """Does the service run one of these images (by name, any registry or tag)?"""
    image = str(service.value("image") or "")
    base = image.rsplit("/", 1)[-1].split(":", 1)[0].split("@", 1)[0]
    return base in names


def long_running(service: Service) -> bool:
    """A service meant to stay up (not a one-shot job like a migration)."""
    restart = str(service.value("restart") or "")
    return restart != "no" or service.get("restart") is None


# --- text edits ----------------------------------------------------------------------------


def block_of(lines: list[str], key_line: int) -> tuple[int, str]:
    """For the mapping key at `key_line` (1-based): the last line of its block and the
    indentation of its children ("" when the block has none)."""
    own = _indent(lines[key_line - 1])
    last = key_line
    child_indent = ""
    for number in range(key_line + 1, len(lines) + 1):
        text = lines[number - 1]
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        if len(_indent(text)) <= len(own):
            break
        if not child_indent:
            child_indent = _indent(text)
        last = number
    return last, child_indent


def _indent(text: str) -> str:
    return text[: len(text) - len(text.lstrip(" "))]


def insert_into_service(context: Context, service: Service, text_lines: list[str]) -> Edit | None:
    """Insert `key: value` lines (written at indent 0 for the service's children, nested
    lines with 2 spaces more each) at the end of the service's block in its own file."""
    return insert_under_key(context, service.key_origin, text_lines)


def insert_under_key(context: Context, origin: Origin, text_lines: list[str]) -> Edit | None:
    """As insert_into_service, for the mapping key written at `origin`."""
    document = context.project.text_document(origin.path)
    if document is None or origin.line > len(document.lines):
        return None
    lines = document.lines
    last, child = block_of(lines, origin.line)
    if not child or "\t" in child:
        return None
    step = _step(lines, origin.line, child)
    body = "".join(child + line.replace("  ", step) + "\n" for line in text_lines)
    if last < len(lines):
        return Edit.insert(origin.path, last + 1, 1, body)
    return Edit.insert(origin.path, last, len(lines[last - 1]) + 1, "\n" + body.rstrip("\n"))


def _step(lines: list[str], key_line: int, child: str) -> str:
    """The file's indentation step (the service's children relative to the service)."""
    own = _indent(lines[key_line - 1])
    return " " * max(len(child) - len(own), 2)


def append_top_level(context: Context, path: str, text: str) -> Edit | None:
    """Append a top-level section (`text`, whole lines) after a blank line at the end of the
    file. Inserted at the very end, where a key added to the last service would go too, so
    the fixer applies the two in separate passes instead of interleaving them."""
    document = context.project.text_document(path)
    if document is None:
        return None
    lines = document.lines
    if lines[-1] == "":  # the file ends with a newline
        return Edit.insert(path, len(lines), 1, "\n" + text)
    return Edit.insert(path, len(lines), len(lines[-1]) + 1, "\n\n" + text.rstrip("\n"))


def words_text(words: list[str] | None) -> str:
    return " ".join(words or [])


_DURATION = LazyPattern(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")
_UNIT_SECONDS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600}


def seconds(duration: str) -> float | None:
    """A Compose duration (`1m30s`) in seconds, or None when it is not one."""
    text = str(duration).strip()
    if not text:
        return None
    total, position = 0.0, 0
    for match in _DURATION.finditer(text):
        if match.start() != position:
            return None
        total += float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
        position = match.end()
    return total if position == len(text) else None


def value_text(node: Node | None) -> str:
    return "" if node is None or node.value is None else str(node.value)


# --- scalar edits ---------------------------------------------------------------------------

_KEY_ALONE = LazyPattern(r"\s*[^\s#][^#]*:\s*(#.*)?")
_BLOCK_STARTS = ("|", ">", "&", "*", "[", "{", "!", "%", "@", "`")


def scalar_span(lines: list[str], line: int, column: int) -> Span | None:
    """The text of the one-line scalar that starts at (line, column), inside its quotes; None
    when it is not a simple one (a block scalar, a flow collection, an anchor or alias, a
    quoted text with escapes, a plain text that continues on the next line)."""
    if not 0 < line <= len(lines):
        return None
    text = lines[line - 1]
    start = column - 1
    if start >= len(text) or text[start].isspace():
        return None
    quote = text[start]
    if quote in "\"'":
        end = text.find(quote, start + 1)
        if end < 0 or "\\" in text[start + 1 : end] or text[end + 1 : end + 2] == quote:
            return None
        return Span(line, start + 2, line, end + 1)
    if text.startswith(_BLOCK_STARTS, start):
        return None
    rest = text[start:]
    comment = rest.find(" #")
    value = (rest if comment < 0 else rest[:comment]).rstrip()
    if not value or _continues(lines, line):
        return None
    return Span(line, column, line, column + len(value))


def _continues(lines: list[str], line: int) -> bool:
    """Does a plain scalar on `line` go on over the next line (a more indented line that is
    neither a key nor an item)?"""
    own = len(_indent(lines[line - 1]))
    for text in lines[line:]:
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        if len(_indent(text)) <= own:
            return False
        stripped = text.strip()
        return not (stripped.startswith("- ") or ": " in stripped or stripped.endswith(":"))
    return False


def value_span(context: Context, origin: Origin) -> Span | None:
    """The scalar value of the `key: value` whose key is written at `origin`."""
    document = context.project.text_document(origin.path)
    if document is None or not 0 < origin.line <= len(document.lines):
        return None
    text = document.lines[origin.line - 1]
    start = origin.column - 1
    if text[start : start + 1] in ("'", '"'):
        close = text.find(text[start], start + 1)
        if close < 0:
            return None
        colon = close + 1
    else:
        colon = text.find(":", start)
    if colon < 0 or text[colon : colon + 1] != ":":
        return None
    after = colon + 1
    while after < len(text) and text[after] == " ":
        after += 1
    if after == colon + 1 or after >= len(text):
        return None  # nothing on this line: a block, not a scalar
    return scalar_span(document.lines, origin.line, after + 1)


def scalar_text(context: Context, path: str, span: Span) -> str:
    document = context.project.text_document(path)
    assert document is not None
    return document.lines[span.line - 1][span.column - 1 : span.end_column - 1]


def append_to_block(context: Context, origin: Origin, item_lines: list[str]) -> Edit | None:
    """Append lines (written at indent 0 for the block's children) at the end of the block
    of the key written at `origin` (`environment:`, `volumes:`): a list's items or a
    mapping's keys. None when the block has no children on lines of their own."""
    document = context.project.text_document(origin.path)
    if document is None or not 0 < origin.line <= len(document.lines):
        return None
    lines = document.lines
    last, child = block_of(lines, origin.line)
    if not child or "\t" in child or not _KEY_ALONE.fullmatch(lines[origin.line - 1]):
        return None
    step = _step(lines, origin.line, child)
    body = "".join(child + line.replace("  ", step) + "\n" for line in item_lines)
    if last < len(lines):
        return Edit.insert(origin.path, last + 1, 1, body)
    return Edit.insert(origin.path, last, len(lines[last - 1]) + 1, "\n" + body.rstrip("\n"))


def add_mount(context: Context, service: Service, mount: str) -> Edit | None:
    """Add `- mount` to the service's `volumes` (a block list), or a `volumes` key with it."""
    volumes = service.get("volumes")
    if volumes is None:
        return insert_into_service(context, service, ["volumes:", f"  - {mount}"])
    if volumes.is_list and not volumes.value:
        return _fill_empty_flow_list(context, volumes.origin, mount)
    if volumes.is_list:
        return append_to_block(context, volumes.origin, [f"- {mount}"])
    return None


def _fill_empty_flow_list(context: Context, origin: Origin, item: str) -> Edit | None:
    """`key: []` -> `key:` with the block item `- item` under it."""
    document = context.project.text_document(origin.path)
    span = flow_or_scalar_value_span(context, origin)
    if document is None or span is None or span.line != span.end_line:
        return None
    text = document.lines[origin.line - 1]
    if text[span.column - 1 : span.end_column - 1].replace(" ", "") != "[]":
        return None
    colon = text.rfind(":", 0, span.column - 1)
    own = _indent(text)
    step = " " * max(len(own) - len(_indent(_parent_line(document.lines, origin.line))), 2)
    return Edit.replace(
        origin.path,
        Span(origin.line, colon + 2, origin.line, span.end_column),
        f"\n{own}{step}- {item}",
    )


def _parent_line(lines: list[str], line: int) -> str:
    """The nearest line above `line` that is less indented (the parent key)."""
    own = len(_indent(lines[line - 1]))
    for number in range(line - 1, 0, -1):
        text = lines[number - 1]
        if text.strip() and not text.lstrip().startswith("#") and len(_indent(text)) < own:
            return text
    return ""


def declare_volume(context: Context, path: str, name: str) -> Edit | None:
    """Declare the named volume `name` under the top-level `volumes` of the file `path`."""
    from auditor.facts.compose import file_tree

    root = file_tree(context.project, path)
    if root is None:
        return None
    section = root.get("volumes")
    if section is None:
        return append_top_level(context, path, f"volumes:\n  {name}:\n")
    if section.is_map and section.value:
        return append_to_block(context, section.origin, [f"{name}:"])
    return None


def joined(*edits: Edit) -> tuple[Edit, ...]:
    """The edits of one fix, those inserting at the same point joined in the order given (a
    fix's edits must not overlap)."""
    out: list[Edit] = []
    for edit in edits:
        same = next(
            (
                index
                for index, kept in enumerate(out)
                if kept.path == edit.path
                and kept.span == edit.span
                and kept.span is not None
                and kept.span.line == kept.span.end_line
                and kept.span.column == kept.span.end_column
            ),
            None,
        )
        if same is None:
            out.append(edit)
        else:
            kept = out[same]
            out[same] = Edit.replace(kept.path, kept.span, kept.content + edit.content)
    return tuple(out)


def flow_or_scalar_value_span(context: Context, origin: Origin) -> Span | None:
    """The value of the `key: value` whose key is at `origin` when it is written on that
    line: a one-line flow list (`["CMD", "curl", ...]`) or a simple scalar."""
    document = context.project.text_document(origin.path)
    if document is None or not 0 < origin.line <= len(document.lines):
        return None
    text = document.lines[origin.line - 1]
    colon = text.find(":", origin.column - 1)
    if colon < 0:
        return None
    after = colon + 1
    while after < len(text) and text[after] == " ":
        after += 1
    rest = text[after:].rstrip()
    if rest.startswith("["):
        end = _flow_list_end(rest)
        tail = rest[end:].strip() if end else "?"
        if end is None or (tail and not tail.startswith("#")):
            return None
        return Span(origin.line, after + 1, origin.line, after + 1 + end)
    return value_span(context, origin)


def _flow_list_end(text: str) -> int | None:
    """The length of the one-level flow list `text` starts with (`["a", "b"]`), quotes
    respected; None when it does not close on this text or nests."""
    quote = ""
    for index, char in enumerate(text[1:], start=1):
        if quote:
            if char == "\\" or (char == quote and text[index + 1 : index + 2] == quote):
                return None  # escapes: not ours to rewrite
            if char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char in "[{":
            return None
        elif char == "]":
            return index + 1
    return None


def block_list_value_span(context: Context, origin: Origin) -> Span | None:
    """For `key:` at `origin` followed by a block list of plain one-line items and nothing
    else (no comment to lose): the span from after `key:` to the end of the last item, which
    a flow value can replace."""
    document = context.project.text_document(origin.path)
    if document is None or not 0 < origin.line <= len(document.lines):
        return None
    lines = document.lines
    if not _KEY_ALONE.fullmatch(lines[origin.line - 1]) or "#" in lines[origin.line - 1]:
        return None
    last, child = block_of(lines, origin.line)
    if not child or last == origin.line:
        return None
    for text in lines[origin.line : last]:
        stripped = text.strip()
        if not stripped.startswith("- ") or "#" in stripped or text[: len(child)] != child:
            return None
    key_text = lines[origin.line - 1].rstrip()
    return Span(origin.line, len(key_text) + 1, last, len(lines[last - 1]) + 1)
