"""The sarif format: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

One run, whose tool.driver describes every rule that ran (id, name, descriptions, help from
the rule's docs, default level, spec criteria) and whose results point at the findings with
URIs relative to the audited root (`%SRCROOT%`). Columns count Unicode code points, as
mami-audit does, and say so (`columnKind`). A fix becomes a SARIF `fix` when all its edits
change text inside existing files; file creations and deletions have no faithful SARIF form,
so such fixes are left out (the finding is still reported).
"""

from __future__ import annotations

import json
import re
from importlib import metadata
from typing import Any, TextIO
from urllib.parse import quote

from auditor import __version__
from auditor.result import FailedRule, RunResult
from auditor.rule import Applicability, EditKind, Finding, Fix, Rule, Severity, Span, registry

SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
SOURCE_ROOT = "%SRCROOT%"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
# Project-URL labels tried in order for tool.driver.informationUri.
_INFORMATION_LABELS = ("homepage", "repository", "source", "documentation")


def information_uri() -> str | None:
    """The installed distribution's home page, if its metadata names one."""
    try:
        meta = metadata.metadata("mami-audit")
    except metadata.PackageNotFoundError:
        return None
    urls = {}
    for entry in meta.get_all("Project-URL") or []:
        label, _, url = entry.partition(",")
        urls.setdefault(label.strip().lower(), url.strip())
    for label in _INFORMATION_LABELS:
        if urls.get(label):
            return urls[label]
    return meta.get("Home-page") or None


def doc_section(documentation: str, title: str) -> str:
    """The body of the `## title` section of a rule's Markdown docs, or ""."""
    match = re.search(
        rf"^##\s+{re.escape(title)}\s*$(.*?)(?=^##\s|\Z)", documentation, re.M | re.S | re.I
    )
    return match.group(1).strip() if match else ""


def unwrap(text: str) -> str:
    """Plain text with the docstring's hard line breaks inside prose paragraphs joined.

    Paragraphs holding a list or a code fence keep their lines.
    """
    paragraphs = re.split(r"\n\s*\n", text.strip())
    return "\n\n".join(
        paragraph
        if re.search(r"^\s*(?:[-*+]\s|\d+[.)]\s|```)", paragraph, re.M)
        else " ".join(line.strip() for line in paragraph.splitlines())
        for paragraph in paragraphs
    )


def rule_descriptor(rule: type[Rule]) -> dict[str, Any]:
    documentation = rule.documentation() or rule.summary
    full_description = unwrap(doc_section(documentation, "What it does")) or rule.summary
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": full_description},
        "help": {"text": documentation, "markdown": documentation},
        "defaultConfiguration": {"level": LEVELS[Severity(rule.severity)]},
        "properties": {
            "requirements": list(rule.requirements),
            "peers": list(rule.peers),
            "fixable": bool(rule.fixable),
            # GitHub shows tags on the alert and lets users filter by them.
            "tags": ["mami-audit", *rule.requirements],
        },
    }


def unknown_rule_descriptor(finding: Finding) -> dict[str, Any]:
    """A finding of a rule the engine did not list and the registry does not know."""
    return {
        "id": finding.code,
        "name": finding.name,
        "shortDescription": {"text": finding.name},
        "defaultConfiguration": {"level": LEVELS[Severity(finding.severity)]},
        "properties": {"requirements": list(finding.requirements), "tags": ["mami-audit"]},
    }


def artifact_location(path: str) -> dict[str, str]:
    # Percent-encoded so that spaces, '#', '%' or ':' in a path stay one relative reference.
    return {"uri": quote(path, safe="/"), "uriBaseId": SOURCE_ROOT}


def region(span: Span) -> dict[str, int]:
    # SARIF positions start at 1; a malformed 0 would make the whole log invalid.
    return {
        "startLine": max(span.line, 1),
        "startColumn": max(span.column, 1),
        "endLine": max(span.end_line, 1),
        "endColumn": max(span.end_column, 1),
    }


def sarif_fix(fix: Fix) -> dict[str, Any] | None:
    if any(edit.kind is not EditKind.REPLACE or edit.span is None for edit in fix.edits):
        return None
    changes: dict[str, list[dict[str, Any]]] = {}
    for edit in sorted(fix.edits, key=lambda edit: (edit.path, edit.span)):
        replacement: dict[str, Any] = {"deletedRegion": region(edit.span)}
        if edit.content:
            replacement["insertedContent"] = {"text": edit.content}
        changes.setdefault(edit.path, []).append(replacement)
    if not changes:
        return None
    description = fix.message
    if fix.applicability is Applicability.UNSAFE:
        description += " (unsafe fix: may change behaviour)"
    return {
        "description": {"text": description},
        "artifactChanges": [
            {"artifactLocation": artifact_location(path), "replacements": replacements}
            for path, replacements in changes.items()
        ],
        "properties": {"applicability": fix.applicability.value},
    }


def sarif_result(finding: Finding, rule_index: int) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.code,
        "ruleIndex": rule_index,
        "level": LEVELS[Severity(finding.severity)],
        "message": {"text": finding.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": artifact_location(finding.path),
                    "region": region(finding.span),
                }
            }
        ],
    }
    fix = sarif_fix(finding.fix) if finding.fix is not None else None
    if fix is not None:
        result["fixes"] = [fix]
    return result


def failure_notification(failure: FailedRule, rule_index: int | None) -> dict[str, Any]:
    """A rule that raised, as an `invocations[].toolExecutionNotifications` entry."""
    where = f" on {failure.path}" if failure.path else ""
    notification: dict[str, Any] = {
        "level": "error",
        "message": {
            "text": f"rule {failure.code} ({failure.name}) failed{where}: {failure.message}; "
            "its findings may be missing"
        },
        "associatedRule": {"id": failure.code},
    }
    if rule_index is not None:
        notification["associatedRule"]["index"] = rule_index
    if failure.path:
        notification["locations"] = [
            {"physicalLocation": {"artifactLocation": artifact_location(failure.path)}}
        ]
    return notification


def result_to_sarif(result: RunResult) -> dict[str, Any]:
    descriptors = [rule_descriptor(rule) for rule in result.rules]
    index_of = {descriptor["id"]: index for index, descriptor in enumerate(descriptors)}
    results = []
    for finding in sorted(result.findings, key=lambda finding: finding.sort_key):
        if finding.code not in index_of:
            known = registry.get(finding.code)
            descriptor = (
                rule_descriptor(known) if known is not None else unknown_rule_descriptor(finding)
            )
            index_of[finding.code] = len(descriptors)
            descriptors.append(descriptor)
        results.append(sarif_result(finding, index_of[finding.code]))

    driver: dict[str, Any] = {
        "name": "mami-audit",
        "version": __version__,
        "semanticVersion": __version__,
    }
    uri = information_uri()
    if uri:
        driver["informationUri"] = uri
    driver["rules"] = descriptors

    root_uri = result.root.absolute().as_uri()
    run: dict[str, Any] = {
        "tool": {"driver": driver},
        "originalUriBaseIds": {SOURCE_ROOT: {"uri": root_uri.rstrip("/") + "/"}},
        "columnKind": "unicodeCodePoints",
        "results": results,
        # A failed rule makes the run unsuccessful: its findings may be missing.
        "invocations": [
            {
                "executionSuccessful": not result.rule_failures,
                "toolExecutionNotifications": [
                    failure_notification(failure, index_of.get(failure.code))
                    for failure in result.rule_failures
                ],
            }
        ],
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render(
    result: RunResult, out: TextIO, *, show_fixes: bool = False, statistics: bool = False
) -> None:
    json.dump(result_to_sarif(result), out, indent=2, ensure_ascii=False)
    out.write("\n")
