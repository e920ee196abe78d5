"""Helpers for testing rules: run a rule's example, or audit a few files, in a temporary folder.

    run = run_example(MissingHealthcheck, MissingHealthcheck.bad_examples[0])
    assert run.findings and run.files["Dockerfile"] == expected

    findings = check_files({"Dockerfile": "FROM python:3.11\\n"}, select=["DF"])

Both go through the real engine and fixer (discovery, suppressions, per-file-ignores, the
fix passes and the re-parse check) on real files, so a rule is tested the way users run it.
A rule that raises makes them raise `RuleFailed`, so a test never passes on a crashed rule.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from auditor.config import Config
from auditor.engine import Audit, audit, select_rules
from auditor.fixer import plan_fixes
from auditor.project import Project
from auditor.records import record
from auditor.rule import Example, Finding, Rule, registry


class RuleFailed(AssertionError):
    """A rule raised while a test ran it."""


@record
class ExampleRun:
    findings: list[Finding]  # the findings of the rule under test, sorted
    files: dict[str, str]  # every file after applying that rule's fixes (missing = deleted)
    fix_problems: list[str]  # fixes the fixer refused, and why


def write_files(root: Path, files: Mapping[str, str | bytes]) -> None:
    """Write `files` (relative path -> text or bytes) under `root`, creating folders."""
    for path, content in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_bytes(content.encode("utf-8"))


def _raise_failures(result: Audit) -> None:
    if result.failures:
        details = "\n".join(failure.traceback for failure in result.failures)
        raise RuleFailed(f"{result.failures[0].describe()}\n{details}")


def run_example(rule_class: type[Rule], example: Example) -> ExampleRun:
    """Run one rule on an example's files; apply its fixes (unsafe ones if example.unsafe).

    The rules the example's config names in `extend-select` run too (a rule about other
    rules' results, like unused-suppression, needs them); only the rule's own findings and
    fixes count.
    """
    config = Config.from_mapping(example.config, source=f"{rule_class.code} example config")
    with tempfile.TemporaryDirectory(prefix="mami-audit-example-") as folder:
        root = Path(folder)
        write_files(root, example.files)
        rules = [rule_class, *_extra_rules(config, rule_class)]
        result = audit(Project(root, config), config, rules)
        _raise_failures(result)
        outcome = plan_fixes(root, config, [rule_class], unsafe=example.unsafe)
        _raise_failures(outcome.remaining)
        after = Project(root, config, overlay=outcome.changed)
        paths = set(example.files) | {path for path in outcome.changed}
        files = {}
        for path in sorted(paths):
            source = after.source(path)
            if source is not None:
                files[path] = source.text
    findings = [finding for finding in result.findings if finding.code == rule_class.code]
    return ExampleRun(findings, files, outcome.rejected)


def _extra_rules(config: Config, rule_class: type[Rule]) -> list[type[Rule]]:
    extra = {rule for selector in config.extend_select for rule in registry.matching(selector)}
    extra.discard(rule_class)
    return sorted(extra, key=lambda rule: rule.code)


def check_files(
    files: Mapping[str, str | bytes],
    select: Sequence[str] | None = None,
    config: Mapping[str, Any] | None = None,
) -> list[Finding]:
    """Audit `files` in a temporary project with the given [tool.mami-audit] keys."""
    from rules import load_all

    load_all()
    settings = Config.from_mapping(config or {}, source="test config")
    if select is not None:
        settings = settings.with_overrides(select=list(select))
    selected = select_rules(settings)
    with tempfile.TemporaryDirectory(prefix="mami-audit-check-") as folder:
        root = Path(folder)
        write_files(root, files)
        result = audit(Project(root, settings), settings, selected)
    _raise_failures(result)
    return result.findings


@contextmanager
def registered(*rule_classes: type[Rule]) -> Iterator[None]:
    """Add throwaway rules to the global registry for the duration of a test."""
    for rule_class in rule_classes:
        registry.register(rule_class)
    try:
        yield
    finally:
        for rule_class in rule_classes:
            registry.unregister(rule_class)
