"""The traceability data: every spec criterion has exactly one status source.

auditor/spec_criteria.toml lists the spec's criteria; each is enforced by registered rules,
runtime-only, or pending on the issue whose family will enforce it. These tests fail when a
criterion has no source, when a rule cites a criterion the spec does not have, and when a
criterion marked pending (or runtime-only) is in fact enforced by a registered rule: the
data file must follow the rules as families land.
"""

from __future__ import annotations

import re
from pathlib import Path
from collections.abc import Iterator

import rules
from auditor import readiness
from auditor.readiness import coverage_problems, load_spec
from auditor.rule import Context, Finding, Rule, registry
from auditor.testing import registered

rules.load_all()


def test_the_data_file_lists_every_criterion_of_the_spec_once_in_order() -> None:
    spec = load_spec()
    ids = [c.id for requirement in spec.requirements for c in requirement.criteria]
    assert len(ids) == len(set(ids)) == 107
    assert [r.id for r in spec.requirements] == [f"R{n}" for n in range(1, 22)]
    for requirement in spec.requirements:
        numbers = [int(c.id.split(".")[1]) for c in requirement.criteria]
        assert numbers == list(range(1, len(numbers) + 1)), requirement.id
        assert all(c.id.startswith(requirement.id + ".") for c in requirement.criteria)
        assert all(c.text and not c.text.startswith(c.id) for c in requirement.criteria)


def test_every_criterion_has_exactly_one_status_source() -> None:
    assert coverage_problems(list(registry)) == []


def test_runtime_only_criteria_say_why_and_how_to_verify() -> None:
    for criterion in load_spec().criteria.values():
        if criterion.runtime_only:
            assert criterion.runtime_only.endswith(".") and "\n" not in criterion.runtime_only
            assert len(criterion.verify) > 20, criterion.id


class _CitesUnknown(Rule):
    """Cites a criterion the spec does not have."""

    code = "ZZ901"
    name = "zz-cites-unknown"
    summary = "test rule"
    requirements = ("R13.9",)

    def check(self, context: Context) -> Iterator[Finding]:
        return iter(())


def _pending_criterion(tmp_path) -> tuple[str, Path]:
    """A criterion marked pending that no registered rule cites yet, and a copy of the data
    file to work on. Once every family has landed nothing is pending: the copy then turns one
    runtime-only criterion into a pending one, so these tests keep testing the mechanism."""
    data = readiness.DATA_FILE.read_text(encoding="utf-8")
    copy = tmp_path / "spec_criteria.toml"
    cited = {criterion for rule in registry for criterion in rule.requirements}
    found = [c.id for c in load_spec().criteria.values() if c.pending and c.id not in cited]
    if found:
        copy.write_text(data, encoding="utf-8")
        return found[0], copy
    runtime = next(c.id for c in load_spec().criteria.values() if c.runtime_only)
    block = re.search(rf'id = "{re.escape(runtime)}"\n.*?(?=\n\[\[|\Z)', data, re.S)
    assert block is not None
    lines = [
        line
        for line in block.group(0).split("\n")
        if line and not line.startswith(("runtime-only = ", "verify = "))
    ]
    block_text = "\n".join([*lines, 'pending = ["#13"]']) + "\n"
    copy.write_text(data.replace(block.group(0), block_text), encoding="utf-8")
    return runtime, copy


# The next tests look at the problems a change adds, so that only
# test_every_criterion_has_exactly_one_status_source fails while the data file lags behind a
# family that has just landed.


def _added_problems(*rules: type[Rule], spec=None) -> list:
    before = set(coverage_problems(list(registry)))
    with registered(*rules):
        after = coverage_problems(list(registry), spec)
    return [problem for problem in after if problem not in before]


def test_a_rule_citing_an_unknown_criterion_is_a_problem() -> None:
    problems = _added_problems(_CitesUnknown)
    assert [p.criterion for p in problems] == ["R13.9"]
    assert "ZZ901" in problems[0].message


def test_a_pending_criterion_that_a_rule_enforces_is_a_problem(tmp_path) -> None:
    pending, copy = _pending_criterion(tmp_path)
    enforcing = type(
        "_EnforcesPending",
        (_CitesUnknown,),
        {"code": "ZZ902", "name": "zz-enforces", "requirements": (pending,)},
    )
    problems = _added_problems(enforcing, spec=load_spec(copy))
    assert [p.criterion for p in problems] == [pending]
    assert "more than one status source" in problems[0].message and "pending" in problems[0].message


def test_a_criterion_with_no_source_is_a_problem(tmp_path) -> None:
    pending, copy = _pending_criterion(tmp_path)
    data = copy.read_text(encoding="utf-8")
    # Drop the pending line of that one criterion.
    block = re.search(rf'id = "{re.escape(pending)}"\n.*?pending = \[[^\]]*\]\n', data, re.S)
    assert block is not None
    stripped = data.replace(block.group(0), re.sub(r"pending = \[[^\]]*\]\n", "", block.group(0)))
    copy = tmp_path / "spec_criteria.toml"
    copy.write_text(stripped, encoding="utf-8")
    before = set(coverage_problems(list(registry)))
    problems = [p for p in coverage_problems(list(registry), load_spec(copy)) if p not in before]
    assert [(p.criterion, p.message) for p in problems] == [
        (pending, "neither enforced by a rule, runtime-only nor pending")
    ]


def test_spec_coverage_doc_is_generated_from_the_data_and_not_stale() -> None:
    assert readiness.main(["--check-docs"]) == 0, "run: python -m auditor.readiness --write-docs"
    text = readiness.DOCS_FILE.read_text(encoding="utf-8")
    for criterion in load_spec().criteria.values():
        assert f"**{criterion.id}**" in text
    for rule in registry:
        for cited in rule.requirements:
            assert f"`{rule.code}`" in text, cited


def test_prune_pending_drops_only_what_rules_now_enforce(tmp_path) -> None:
    pending, copy = _pending_criterion(tmp_path)
    original = copy.read_text(encoding="utf-8").splitlines()
    enforcing = type(
        "_EnforcesPending",
        (_CitesUnknown,),
        {"code": "ZZ903", "name": "zz-landed", "requirements": (pending,)},
    )
    with registered(enforcing):
        pruned = readiness.prune_pending(list(registry), copy)
        spec = load_spec(copy)
        problems = coverage_problems(list(registry), spec)
    assert pruned == [pending]
    assert spec.criteria[pending].pending == ()
    assert pending not in {p.criterion for p in problems}
    after = copy.read_text(encoding="utf-8").splitlines()
    assert len(original) - len(after) == 1  # one line removed, the rest as it was
