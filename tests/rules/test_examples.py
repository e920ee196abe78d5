"""Every registered rule against its own examples and documentation.

A rule's examples are its documentation and its first tests at once: a bad example must be
found (exactly `count` times when given) and, when it shows fixed text, the rule's fixes must
produce exactly that text and a second fix run must change nothing; a good example must not be
found. The rule's metadata must be complete enough for `mami-audit rule CODE` and the reports.
"""

from __future__ import annotations

import re

import pytest

import rules
from auditor.rule import Example, Rule, Severity, registry
from auditor.testing import run_example

rules.load_all()

ALL_RULES = list(registry)
CODE = re.compile(r"^[A-Z]{2}[0-9]{3}$")
NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
REQUIREMENT = re.compile(r"^R[0-9]+\.[0-9]+$")
SECTIONS = ("## What it does", "## Why is this bad?", "## Example", "## How to fix")


def _examples(kind: str) -> list[pytest.param]:
    params = []
    for rule in ALL_RULES:
        if rule.online:
            continue  # they need a service: their own tests run them against loopback servers
        examples = rule.bad_examples if kind == "bad" else rule.good_examples
        for index, example in enumerate(examples):
            params.append(pytest.param(rule, example, id=f"{rule.code}-{rule.name}-{kind}{index}"))
    return params


def _describe(files: dict[str, str]) -> str:
    return "\n".join(f"--- {path}\n{text}" for path, text in files.items())


@pytest.mark.parametrize(("rule", "example"), _examples("bad"))
def test_bad_example_is_found(rule: type[Rule], example: Example) -> None:
    run = run_example(rule, example)
    assert run.findings, (
        f"{rule.code} found nothing in its bad example:\n{_describe(dict(example.files))}"
    )
    if example.count is not None:
        assert len(run.findings) == example.count, [f.message for f in run.findings]
    for finding in run.findings:
        assert finding.path in run.files or finding.path in example.files or finding.path == "."
        assert finding.span.line >= 1 and finding.span.column >= 1
        assert (finding.span.end_line, finding.span.end_column) >= (
            finding.span.line,
            finding.span.column,
        )
    if example.fixed is None:
        return
    assert not run.fix_problems, run.fix_problems
    for path, expected in example.fixed.items():
        assert run.files.get(path) == expected, f"{rule.code} fixed {path} differently"
    # A second fix run on the fixed files changes nothing (the fix contract).
    again = run_example(
        rule, Example(run.files, bad=True, unsafe=example.unsafe, config=example.config)
    )
    assert again.files == run.files, f"a second {rule.code} fix changed the files again"


@pytest.mark.parametrize(("rule", "example"), _examples("good"))
def test_good_example_is_clean(rule: type[Rule], example: Example) -> None:
    run = run_example(rule, example)
    assert not run.findings, [f"{f.path}:{f.span.line}: {f.message}" for f in run.findings]


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda rule: f"{rule.code}-{rule.name}")
def test_rule_metadata_is_complete(rule: type[Rule]) -> None:
    assert CODE.match(rule.code), rule.code
    assert NAME.match(rule.name), rule.name
    assert rule.summary and "\n" not in rule.summary
    assert isinstance(rule.severity, Severity)
    assert all(REQUIREMENT.match(item) for item in rule.requirements), rule.requirements
    assert rule.bad_examples, f"{rule.code} has no bad example"
    assert rule.good_examples, f"{rule.code} has no good example"
    documentation = rule.documentation()
    positions = [documentation.find(section) for section in SECTIONS]
    assert all(position >= 0 for position in positions), f"{rule.code} docs lack a section"
    assert positions == sorted(positions), f"{rule.code} docs sections are out of order"
    shows_fix = any(example.fixed is not None for example in rule.bad_examples)
    assert shows_fix == rule.fixable, f"{rule.code}: fixable={rule.fixable} but examples disagree"


def test_codes_and_names_are_unique() -> None:
    codes = [rule.code for rule in ALL_RULES]
    names = [rule.name for rule in ALL_RULES]
    assert len(codes) == len(set(codes)) and len(names) == len(set(names))
    assert "AU001" in codes, "the general family is loaded"
