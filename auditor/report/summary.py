"""What the human-readable formats (full, concise) say besides the findings themselves.

The closing summary, the per-rule statistics of --statistics and the list of applied fixes
of --show-fixes are worded once here so that both formats say the same thing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from auditor.report.sanitize import inline
from auditor.result import RunResult
from auditor.rule import Finding


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def fixable_ids(result: RunResult) -> set[int]:
    """Identities of the findings that --fix would fix (unsafe ones too with --unsafe-fixes)."""
    return {id(finding) for finding in result.fixable}


def summary_lines(result: RunResult, *, mention_fixed: bool = True) -> list[str]:
    """The closing lines, e.g. "3 findings in 2 files, 1 fixable with --fix.".

    `mention_fixed=False` leaves out "Fixed N findings." when --show-fixes listed them.
    """
    lines = []
    if result.fixed and mention_fixed:
        lines.append(f"Fixed {plural(len(result.fixed), 'finding')}.")
    if result.failed_rules:
        # Never "All checks passed" when a rule did not finish: the errors say which.
        failed = f"{plural(result.failed_rules, 'rule')} failed, so the results are incomplete."
        if not result.findings:
            lines.append(f"No findings from the rules that finished; {failed}")
            return lines
    if not result.findings:
        lines.append("All checks passed.")
        return lines
    files = len({finding.path for finding in result.findings})
    text = f"{plural(len(result.findings), 'finding')} in {plural(files, 'file')}"
    fixable = len(result.fixable)
    if fixable:
        text += f", {fixable} fixable with --fix"
    hidden = len(result.hidden_unsafe_fixes)
    if hidden:
        text += f"; {hidden} more with --unsafe-fixes"
    lines.append(text + ".")
    if result.failed_rules:
        lines.append(failed[0].upper() + failed[1:])
    return lines


class RuleCount(NamedTuple):  # a NamedTuple: cheaper to create at start-up than a dataclass
    """One row of --statistics: how often a rule fired and how many of those --fix fixes."""

    code: str
    name: str
    count: int
    fixable: int  # fixed by --fix (with --unsafe-fixes when that is on)
    unsafe_fixable: int  # fixed only if --unsafe-fixes were given

    @property
    def marker(self) -> str:
        """`[*]` when --fix fixes some, `[-]` when only --unsafe-fixes would, else blank."""
        if self.fixable:
            return "[*]"
        if self.unsafe_fixable:
            return "[-]"
        return "   "


def rule_counts(result: RunResult) -> list[RuleCount]:
    """Counts per rule code, most frequent first, then by code."""
    fixable = fixable_ids(result)
    hidden = {id(finding) for finding in result.hidden_unsafe_fixes}
    groups: dict[str, list[Finding]] = {}
    for finding in result.findings:
        groups.setdefault(finding.code, []).append(finding)
    rows = [
        RuleCount(
            code=code,
            name=findings[0].name,
            count=len(findings),
            fixable=sum(id(f) in fixable for f in findings),
            unsafe_fixable=sum(id(f) in hidden for f in findings),
        )
        for code, findings in groups.items()
    ]
    return sorted(rows, key=lambda row: (-row.count, row.code))


def statistics_lines(rows: Iterable[RuleCount]) -> list[str]:
    """Aligned text rows: count, code, fix marker, name."""
    rows = list(rows)
    if not rows:
        return []
    count_width = max(len(str(row.count)) for row in rows)
    code_width = max(len(row.code) for row in rows)
    return [
        f"{row.count:>{count_width}}  {row.code:<{code_width}}  {row.marker} {row.name}"
        for row in rows
    ]


def fixed_by_file(result: RunResult) -> list[tuple[str, list[tuple[str, str, int]]]]:
    """The applied fixes per file: [(path, [(code, name, count), ...]), ...], sorted."""
    per_file: dict[str, dict[tuple[str, str], int]] = {}
    for finding in result.fixed:
        counts = per_file.setdefault(finding.path, {})
        key = (finding.code, finding.name)
        counts[key] = counts.get(key, 0) + 1
    return [
        (path, [(code, name, count) for (code, name), count in sorted(counts.items())])
        for path, counts in sorted(per_file.items())
    ]


def fixed_lines(result: RunResult) -> list[str]:
    """The --show-fixes listing, e.g. "Fixed 2 findings:" then "- Dockerfile:" ..."""
    if not result.fixed:
        return []
    lines = [f"Fixed {plural(len(result.fixed), 'finding')}:"]
    for path, rules in fixed_by_file(result):
        lines.append(f"- {inline(path)}:")
        lines.extend(f"    {count} × {code} ({name})" for code, name, count in rules)
    return lines
