"""The rule catalog as JSON: the contract of `mami-audit rules --output-format json`.

`[{"code", "name", "summary", "severity", "requirements", "fixable", "peers"}, ...]` in code
order; documented in docs/output-formats.md.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, TextIO

from auditor.rule import Rule, Severity


def rule_to_json(rule: type[Rule]) -> dict[str, Any]:
    return {
        "code": rule.code,
        "name": rule.name,
        "summary": rule.summary,
        "severity": Severity(rule.severity).value,
        "requirements": list(rule.requirements),
        "fixable": bool(rule.fixable),
        "peers": list(rule.peers),
    }


def render_rules_json(rules: Iterable[type[Rule]], out: TextIO) -> None:
    ordered = sorted(rules, key=lambda rule: rule.code)
    json.dump([rule_to_json(rule) for rule in ordered], out, indent=2, ensure_ascii=False)
    out.write("\n")
