"""docs/rules-workflow.md lists every GH rule with its name, criteria and zizmor peer."""

from __future__ import annotations

import re
from pathlib import Path

import rules
from auditor.rule import registry

DOCS = Path(__file__).resolve().parents[2] / "docs" / "rules-workflow.md"


def test_the_rules_table_matches_the_registry() -> None:
    rules.load_all()
    rows = re.findall(
        r"^\| (GH\d{3}) \| ([a-z0-9-]+) \|([^|]*)\|([^|]*)\|", DOCS.read_text(), re.M
    )
    documented = {code: (name, criteria, peer.strip()) for code, name, criteria, peer in rows}
    family = [rule for rule in registry if rule.code.startswith("GH")]
    assert set(documented) == {rule.code for rule in family}
    for rule in family:
        name, criteria, peer = documented[rule.code]
        assert name == rule.name
        assert re.findall(r"R\d+\.\d+", criteria) == list(rule.requirements), rule.code
        assert peer == ", ".join(rule.peers), rule.code
