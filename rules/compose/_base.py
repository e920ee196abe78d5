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
    origin = service.key_origin
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
