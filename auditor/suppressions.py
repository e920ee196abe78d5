"""Suppression comments ("pragmas") and what they silence.

    # mami-audit: ignore[DF001,missing-healthcheck] reason
        on a comment line of its own: silences those rules on the statement that follows
        (the next line that is not a comment; for a Dockerfile, the whole instruction with
        its continuation lines). A blank line in between ends it.
    # mami-audit: ignore-file[DF001] reason
        anywhere in the file, on a comment line of its own: silences those rules in the file.
    # hadolint ignore=DL3008,DL3009          (before an instruction)
    # hadolint global ignore=DL3008          (for the file)
        hadolint's own pragmas silence the rules whose `peers` name those checks, so a team
        switching from hadolint keeps its comments.

Only lines the document's parser read as comments count: a `#` line inside a Dockerfile
heredoc body is file content (or a shell comment of the script), not a pragma.

Rules are named by code or name. A mami-audit pragma that is malformed, names no rule we know
or precedes no statement is a problem the `invalid-suppression` rule (AU002) reports.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

from auditor.documents.base import Document
from auditor.lazy_pattern import LazyPattern
from auditor.records import field, record
from auditor.rule import Finding, Rule, RuleRegistry, registry

_MAMI = LazyPattern(r"^#\s*mami-audit\s*:\s*(?P<body>.*)$")
_MAMI_BODY = LazyPattern(r"^(?P<scope>ignore-file|ignore)\s*\[(?P<codes>[^\]]*)\]\s*(?P<reason>.*)$")
_HADOLINT = LazyPattern(r"^#\s*hadolint\s+(?P<global>global\s+)?ignore\s*=\s*(?P<codes>.*)$")
_PEER_CODE = LazyPattern(r"^[A-Za-z]+[0-9]+$")

Scope = Literal["statement", "file"]


class Pragma(NamedTuple):  # NamedTuples: cheaper than dataclasses to create at start-up
    line: int
    scope: Scope
    selectors: tuple[str, ...]  # our codes/names, or peer codes when origin is "hadolint"
    origin: Literal["mami-audit", "hadolint"]
    target: tuple[int, int] | None = None  # the statement's lines, for scope "statement"
    reason: str = ""

    def covers(self, rule: type[Rule], finding: Finding) -> bool:
        if self.scope == "statement":
            if self.target is None or not self.target[0] <= finding.span.line <= self.target[1]:
                return False
        if self.origin == "hadolint":
            return any(code.upper() in self.selectors for code in rule.peers)
        return rule.code in self.selectors or rule.name in self.selectors


class PragmaProblem(NamedTuple):
    line: int
    column: int
    message: str


@record
class Suppressions:
    """The pragmas of one file."""

    pragmas: list[Pragma] = field(default_factory=list)
    problems: list[PragmaProblem] = field(default_factory=list)

    def suppresses(self, rule: type[Rule], finding: Finding) -> bool:
        return any(pragma.covers(rule, finding) for pragma in self.pragmas)


def might_have_pragmas(text: str) -> bool:
    """A cheap test before parsing: most files have no pragma at all."""
    return "mami-audit" in text or "hadolint" in text


def parse_suppressions(document: Document, rules: RuleRegistry = registry) -> Suppressions:
    found = Suppressions()
    if not might_have_pragmas(document.text):
        return found
    lines = document.lines
    comment_lines = parsed_comment_lines(document)
    for index, raw in enumerate(lines):
        stripped = raw.strip()
        number = index + 1
        if not stripped.startswith("#"):
            continue
        if comment_lines is not None and number not in comment_lines:
            continue  # e.g. a heredoc body line: content, not a comment
        column = len(raw) - len(raw.lstrip()) + 1
        mami = _MAMI.match(stripped)
        if mami:
            _read_mami(found, document, number, column, mami.group("body"), rules)
            continue
        hadolint = _HADOLINT.match(stripped)
        if hadolint:
            codes = tuple(
                code.strip().upper()
                for code in hadolint.group("codes").split(",")
                if _PEER_CODE.match(code.strip())
            )
            if hadolint.group("global"):
                found.pragmas.append(Pragma(number, "file", codes, "hadolint"))
            else:
                target = _statement_after(document, number)
                found.pragmas.append(Pragma(number, "statement", codes, "hadolint", target))
    return found


def parsed_comment_lines(document: Document) -> frozenset[int] | None:
    """The lines the document's own parser read as comments, or None when it cannot tell.

    A parsed Dockerfile lists its comments (heredoc bodies are not among them); the attribute
    is read by name so that this module does not import a kind's parser. Other kinds, plain
    text and documents that failed to parse fall back to "a line starting with `#`".
    """
    comments = getattr(document, "comments", None)
    if document.parse_error is not None or not isinstance(comments, list):
        return None
    return frozenset(comment.line for comment in comments)


def _read_mami(
    found: Suppressions,
    document: Document,
    line: int,
    column: int,
    body: str,
    rules: RuleRegistry,
) -> None:
    match = _MAMI_BODY.match(body.strip())
    if not match:
        usage = "expected `# mami-audit: ignore[CODE,...] reason` or `ignore-file[CODE,...]`"
        found.problems.append(PragmaProblem(line, column, f"malformed suppression: {usage}"))
        return
    selectors: list[str] = []
    problems_before = len(found.problems)
    for item in (part.strip() for part in match.group("codes").split(",")):
        if not item:
            continue
        rule = rules.get(item)
        if rule is None:
            found.problems.append(
                PragmaProblem(line, column, f"suppression names unknown rule {item!r}")
            )
            continue
        selectors.append(rule.code)
    if not selectors and len(found.problems) == problems_before:
        found.problems.append(PragmaProblem(line, column, "suppression names no rule"))
    reason = match.group("reason").strip()
    if match.group("scope") == "ignore-file":
        found.pragmas.append(Pragma(line, "file", tuple(selectors), "mami-audit", reason=reason))
        return
    target = _statement_after(document, line)
    if target is None:
        found.problems.append(
            PragmaProblem(line, column, "suppression is not followed by a statement")
        )
    found.pragmas.append(Pragma(line, "statement", tuple(selectors), "mami-audit", target, reason))


def _statement_after(document: Document, line: int) -> tuple[int, int] | None:
    """Lines of the statement a pragma on `line` applies to: the next non-comment line's."""
    lines = document.lines
    for number in range(line + 1, len(lines) + 1):
        stripped = lines[number - 1].strip()
        if not stripped:
            return None
        if stripped.startswith("#"):
            continue
        return document.statement_range(number)
    return None


def unused_codes(
    pragma: Pragma, findings: list[Finding], rules_run: set[str], rules: RuleRegistry = registry
) -> list[str]:
    """Codes a mami-audit pragma names whose rule ran and found nothing the pragma covers.

    A rule that did not run this time (not selected) cannot tell, so it is never reported.
    """
    if pragma.origin != "mami-audit" or (pragma.scope == "statement" and pragma.target is None):
        return []
    unused = []
    for code in pragma.selectors:
        rule = rules.get(code)
        if rule is None or code not in rules_run:
            continue
        if not any(finding.code == code and pragma.covers(rule, finding) for finding in findings):
            unused.append(code)
    return unused
