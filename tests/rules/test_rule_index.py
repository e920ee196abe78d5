"""rules/_index.py is current, the kinds the families declare are the kinds they read, and a
run that loads only some families still knows every rule a selector or pragma names."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

import rules
from auditor import project as project_module
from auditor.rule import Rule, registry
from auditor.testing import run_example

REPOSITORY = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPOSITORY / "scripts"))
generate_rule_index = importlib.import_module("generate_rule_index")

rules.load_all()


def test_the_index_is_current() -> None:
    """Fails after adding a family, a rule or a family's KINDS without regenerating."""
    current = (REPOSITORY / "rules" / "_index.py").read_text(encoding="utf-8")
    assert current == generate_rule_index.index_text(), (
        "rules/_index.py is stale: run python scripts/generate_rule_index.py"
    )


def test_the_index_names_every_family_module() -> None:
    from rules._index import FAMILIES

    assert set(FAMILIES) == set(rules.family_modules())


def _rules_with_declared_kinds() -> list[pytest.param]:
    found = []
    for module_name in rules.family_modules():
        kinds = getattr(importlib.import_module(module_name), "KINDS", None)
        if kinds is None:
            continue
        for rule in registry:
            if rule.__module__.startswith(module_name):
                found.append(pytest.param(rule, frozenset(kinds), id=rule.code))
    return found


@pytest.mark.parametrize(("rule", "kinds"), _rules_with_declared_kinds())
def test_rules_read_only_the_kinds_their_family_declares(
    rule: type[Rule], kinds: frozenset[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run every example of the rule and record the document kinds it asks the project for:
    a kind missing from KINDS would leave the family unloaded on a project that has it."""
    asked: set[str] = set()
    all_of_kind = project_module.Project.documents
    one_of_kind = project_module.Project.document

    def documents(self: project_module.Project, kind: str):  # type: ignore[no-untyped-def]
        asked.add(kind)
        return all_of_kind(self, kind)

    def document(self: project_module.Project, path: str, kind: str):  # type: ignore[no-untyped-def]
        asked.add(kind)
        return one_of_kind(self, path, kind)

    monkeypatch.setattr(project_module.Project, "documents", documents)
    monkeypatch.setattr(project_module.Project, "document", document)
    for example in (*rule.bad_examples, *rule.good_examples):
        run_example(rule, example)
    assert asked <= kinds, f"{rule.code} reads {sorted(asked - kinds)}, not in its family's KINDS"


# In a fresh interpreter: load the families for the kinds of a project of Dockerfiles only,
# then list what is loaded and resolve selectors of families that were not.
_PARTIAL_LOAD = """
import sys
import rules
from auditor.rule import registry

rules.load_for_kinds({"dockerfile"})
loaded = {name for name in sys.modules if name.startswith("rules.")}
print(sorted(name for name in rules.family_modules() if name in loaded))
print(registry.get(sys.argv[1]) is not None)
"""


# As if rules.general read only compose files: a Dockerfile project does not load it, and
# naming one of its rules (by code, name or prefix) does.
_PRETEND_GENERAL_READS_COMPOSE = """
import sys
import rules
import rules._index as index
from auditor.rule import registry

kinds, codes, names = index.FAMILIES["rules.general"]
index.FAMILIES["rules.general"] = (("compose",), codes, names)
rules.load_for_kinds({"dockerfile"})
print("rules.general" in sys.modules)
print([rule.code for rule in registry.matching(sys.argv[1])])
print("rules.general" in sys.modules)
"""


@pytest.mark.parametrize("selector", ["AU002", "invalid-suppression", "AU"])
def test_a_partial_load_finds_other_families_by_selector(selector: str) -> None:
    environment = dict(os.environ, PYTHONPATH=str(REPOSITORY))
    done = subprocess.run(
        [sys.executable, "-c", _PRETEND_GENERAL_READS_COMPOSE, selector],
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
        check=True,
    )
    before, matched, after = done.stdout.splitlines()
    assert before == "False" and after == "True"
    assert "AU002" in matched


def test_a_dockerfile_project_loads_the_dockerfile_family_and_the_undeclared_ones() -> None:
    environment = dict(os.environ, PYTHONPATH=str(REPOSITORY))
    done = subprocess.run(
        [sys.executable, "-c", _PARTIAL_LOAD, "DF001"],
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
        check=True,
    )
    loaded, found = done.stdout.splitlines()
    assert "rules.dockerfile" in loaded and "rules.general" in loaded
    assert found == "True"
