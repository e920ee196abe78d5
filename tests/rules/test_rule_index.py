"""rules/_index.py is current, the kinds the rule modules declare are the kinds they read and
need, and a run that loads only some modules still knows every rule a selector or pragma names."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

import rules
from auditor import project as project_module
from auditor.documents.kinds import kinds_of
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


def test_the_index_names_every_rule_module() -> None:
    from rules._index import RULE_MODULES

    assert set(RULE_MODULES) == set(rules.rule_modules())


def test_importing_a_family_package_registers_nothing() -> None:
    """Loading by module only works when a family's __init__ imports none of its modules."""
    environment = dict(os.environ, PYTHONPATH=str(REPOSITORY))
    script = (
        "import importlib, pkgutil, rules\n"
        "from auditor.rule import registry\n"
        "for info in pkgutil.iter_modules(rules.__path__, 'rules.'):\n"
        "    if info.ispkg: importlib.import_module(info.name)\n"
        "print(sorted({rule.__module__ for rule in registry}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=environment, check=True
    )
    assert done.stdout.strip() == "[]"


def _rules_with(declaration: str) -> list[pytest.param]:
    """(rule, the kinds its module declares as KINDS or as NEEDS) for every rule whose module
    (or family) declares them."""
    found = []
    for module_name in rules.rule_modules():
        kinds, needs = rules.declared_kinds(module_name)
        declared = kinds if declaration == "KINDS" else needs
        if declared is not None:
            found += [
                pytest.param(rule, frozenset(declared), id=rule.code)
                for rule in registry
                if rule.__module__ == module_name
            ]
    return found


def test_needs_names_only_kinds_the_module_reads() -> None:
    for module_name in rules.rule_modules():
        kinds, needs = rules.declared_kinds(module_name)
        assert set(needs or ()) <= set(kinds or ()), f"{module_name}: NEEDS beyond its KINDS"


@pytest.mark.parametrize(("rule", "kinds"), _rules_with("KINDS"))
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


def _without_kinds(files: dict[str, str], kinds: frozenset[str]) -> dict[str, str]:
    return {path: text for path, text in files.items() if not kinds.intersection(kinds_of(path))}


@pytest.mark.parametrize(("rule", "needs"), _rules_with("NEEDS"))
def test_rules_report_nothing_without_the_kinds_their_family_needs(
    rule: type[Rule], needs: frozenset[str]
) -> None:
    """A family with NEEDS is not loaded on a project without those kinds, so its rules must
    have nothing to say there: each bad example, with the files of those kinds taken away
    (the Dockerfiles, Python files and the rest stay), gets no finding."""
    for example in rule.bad_examples:
        stripped = example._replace(files=_without_kinds(dict(example.files), needs))
        assert run_example(rule, stripped).findings == [], (
            f"{rule.code} reports without {sorted(needs)}: add the kind it needs to NEEDS"
        )


def test_the_bundled_example_without_the_needed_kinds_gets_nothing_from_those_families(
    tmp_path: Path,
) -> None:
    """The same on a whole legacy project: the bundled example less its needed files."""
    from auditor.testing import check_files

    example = REPOSITORY / "examples" / "legacy-mami"
    files = {
        str(path.relative_to(example)): path.read_text(encoding="utf-8", errors="replace")
        for path in example.rglob("*")
        if path.is_file()
    }
    for module_name in rules.rule_modules():
        _, needs = rules.declared_kinds(module_name)
        if needs is None:
            continue
        codes = [rule.code for rule in registry if rule.__module__ == module_name]
        findings = check_files(_without_kinds(files, frozenset(needs)), select=codes)
        assert findings == [], f"{module_name} reports without {needs}: {findings[:3]}"


# In a fresh interpreter: load the families for the kinds of a project of Dockerfiles only,
# then list what is loaded and resolve selectors of families that were not.
_PARTIAL_LOAD = """
import sys
import rules
from auditor.rule import registry

rules.load_for_kinds({"dockerfile"})
loaded = {name for name in sys.modules if name.startswith("rules.")}
print(sorted(name for name in rules.rule_modules() if name in loaded))
print(registry.get(sys.argv[1]) is not None)
"""


# As if rules.general read only compose files: a Dockerfile project does not load it, and
# naming one of its rules (by code, name or prefix) does.
_PRETEND_GENERAL_READS_COMPOSE = """
import sys
import rules
import rules._index as index
from auditor.rule import registry

kinds, codes, names = index.RULE_MODULES["rules.general"]
index.RULE_MODULES["rules.general"] = (("compose",), codes, names)
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
    assert "'rules.dockerfile.build'" in loaded and "'rules.general'" in loaded
    assert "'rules.node.image'" in loaded  # the Node image of a Dockerfile (NEEDS dockerfile)
    assert "rules.compose." not in loaded and "rules.python_deps." not in loaded
    assert "'rules.node.manifest'" not in loaded
    assert found == "True"
