"""The json format and the rules catalog JSON: the contracts users script against."""

from __future__ import annotations

import io
import json
from pathlib import Path

from auditor import __version__
from auditor.report.catalog import render_rules_json
from auditor.result import RunResult
from auditor.rule import Finding, Severity, Span

FINDING_TYPES = {
    "code": str,
    "name": str,
    "message": str,
    "severity": str,
    "path": str,
    "line": int,
    "column": int,
    "end_line": int,
    "end_column": int,
    "requirements": list,
}


def test_top_level_contract(result: RunResult, render_text) -> None:
    document = json.loads(render_text("json", result, show_fixes=True))
    assert list(document) == ["version", "root", "findings", "summary", "failed_rules"]
    assert document["failed_rules"] == []
    assert document["version"] == __version__
    assert Path(document["root"]).is_absolute()
    assert Path(document["root"]) == result.root.absolute()
    assert document["summary"] == {"files": 2, "findings": 4, "fixable": 2, "fixed": 0}


def test_each_finding_has_exactly_the_contract_keys(result: RunResult, render_text) -> None:
    findings = json.loads(render_text("json", result))["findings"]
    assert len(findings) == 4
    for item in findings:
        assert set(item) == set(FINDING_TYPES) | {"fix"}
        for key, kind in FINDING_TYPES.items():
            assert isinstance(item[key], kind), key
        assert item["severity"] in {"error", "warning", "info"}
        assert all(isinstance(code, str) for code in item["requirements"])
        assert item["line"] >= 1 and item["column"] >= 1
        assert "\\" not in item["path"] and not item["path"].startswith("/")
        fix = item["fix"]
        if fix is not None:
            assert set(fix) == {"applicability", "message", "edits"}
            assert fix["applicability"] in {"safe", "unsafe"}


def test_positions_and_fixes_match_the_findings(result: RunResult, render_text) -> None:
    findings = json.loads(render_text("json", result))["findings"]
    expected = sorted(result.findings, key=lambda finding: finding.sort_key)
    for item, finding in zip(findings, expected, strict=True):
        span = finding.span
        assert (
            item["path"],
            item["line"],
            item["column"],
            item["end_line"],
            item["end_column"],
        ) == (finding.path, span.line, span.column, span.end_line, span.end_column)
        if finding.fix is None:
            assert item["fix"] is None
        else:
            assert item["fix"]["edits"] == [edit.to_json() for edit in finding.fix.edits]
    root_user = next(item for item in findings if item["code"] == "TR001")
    assert root_user == {
        "code": "TR001",
        "name": "test-root-user",
        "message": "The final stage runs as root",
        "severity": "error",
        "path": "Dockerfile",
        "line": 5,
        "column": 1,
        "end_line": 5,
        "end_column": 28,
        "requirements": ["R1.5", "R14.4"],
        "fix": {
            "applicability": "safe",
            "message": "Add `USER mami` before CMD",
            "edits": [
                {
                    "path": "Dockerfile",
                    "kind": "replace",
                    "line": 5,
                    "column": 1,
                    "end_line": 5,
                    "end_column": 1,
                    "content": "USER mami\n",
                }
            ],
        },
    }
    created = next(item for item in findings if item["code"] == "TR003")["fix"]["edits"]
    assert created == [
        {"path": "docker/web app/.dockerignore", "kind": "create", "content": ".git\n"}
    ]


def test_unsafe_fixes_enabled_counts_them_fixable(result: RunResult, render_text) -> None:
    result.unsafe_fixes_enabled = True
    assert json.loads(render_text("json", result))["summary"]["fixable"] == 3


def test_fixed_count_and_clean_run(clean_result: RunResult, result: RunResult, render_text) -> None:
    clean_result.fixed = result.findings[:2]
    document = json.loads(render_text("json", clean_result))
    assert document["findings"] == []
    assert document["summary"] == {"files": 2, "findings": 0, "fixable": 0, "fixed": 2}


def test_statistics_are_added_only_when_asked(result: RunResult, render_text) -> None:
    plain = json.loads(render_text("json", result))
    assert "statistics" not in plain
    document = json.loads(render_text("json", result, statistics=True))
    assert document["findings"] == plain["findings"]  # the contract is untouched
    assert document["statistics"] == [
        {"code": "TR002", "name": "test-pip-cache", "count": 2, "fixable": 0},
        {"code": "TR001", "name": "test-root-user", "count": 1, "fixable": 1},
        {"code": "TR003", "name": "test-hygiene", "count": 1, "fixable": 1},
    ]


def test_text_is_kept_exactly(tmp_path: Path, render_text) -> None:
    message = 'Zeile "ü" \x1b[31m\n日本 \\ tab\t'
    finding = Finding("TR009", "text", message, "dir/Dockerfile", Span(1, 1, 1, 2), Severity.INFO)
    document = json.loads(render_text("json", RunResult(tmp_path, [finding], [], 1)))
    assert document["findings"][0]["message"] == message


def test_rules_catalog_contract(rules) -> None:
    out = io.StringIO()
    render_rules_json(reversed(rules), out)
    catalog = json.loads(out.getvalue())
    assert [entry["code"] for entry in catalog] == ["TR001", "TR002", "TR003"]
    assert catalog[0] == {
        "code": "TR001",
        "name": "test-root-user",
        "summary": "The final stage runs as root",
        "severity": "error",
        "requirements": ["R1.5", "R14.4"],
        "fixable": True,
        "peers": ["DL3002"],
    }
    assert catalog[2]["severity"] == "info" and catalog[2]["fixable"] is False


def test_failed_rules_are_listed(result: RunResult, render_text) -> None:
    from auditor.result import FailedRule

    result.rule_failures = [FailedRule("TR002", "test-thing", "Dockerfile", "KeyError: 'x'")]
    document = json.loads(render_text("json", result))
    assert document["failed_rules"] == [
        {"code": "TR002", "name": "test-thing", "path": "Dockerfile", "message": "KeyError: 'x'"}
    ]
