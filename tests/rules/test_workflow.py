"""The GH family on workflows shaped the way teams write them, and beside the real zizmor.

The zizmor comparison runs `zizmor --offline --format json` on the same files and checks that,
for each audit a GH rule mirrors (its `peers`), both tools flag the same lines. The cases are
built where the two agree by design; where they differ on purpose (zizmor flags every
`pull_request_target`, GH012 only one that checks out the pull request's code) the case is
named and asserted as a difference.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import rules
from auditor.config import Config
from auditor.engine import audit, select_rules
from auditor.project import Project
from auditor.rule import Finding, registry
from auditor.testing import check_files, write_files

rules.load_all()

ZIZMOR = shutil.which("zizmor") or str(Path(sys.executable).with_name("zizmor"))
WORKFLOW = ".github/workflows/docker-build.yml"
SHA = "08c6903cd8c0fde910a37f88322edcfb5dd907a8"


def codes(findings: list[Finding]) -> list[str]:
    return [finding.code for finding in findings]


def test_a_workflow_that_is_not_a_mapping_is_a_parse_error() -> None:
    findings = check_files({WORKFLOW: "- on: push\n- jobs: {}\n"}, select=["GH", "AU001"])
    assert codes(findings) == ["AU001"]
    assert findings[0].path == WORKFLOW
    assert "must be a mapping" in findings[0].message


def test_broken_yaml_names_the_line_and_other_files_are_still_audited() -> None:
    findings = check_files(
        {
            WORKFLOW: "on: push\njobs:\n  a: [unclosed\n",
            ".github/workflows/other.yml": "on: push\njobs:\n  a:\n    runs-on: x\n"
            "    steps:\n      - uses: actions/checkout@v4\n",
        },
        select=["GH010", "AU001"],
    )
    assert [(f.code, f.path) for f in findings] == [
        ("AU001", WORKFLOW),
        ("GH010", ".github/workflows/other.yml"),
    ]
    assert findings[0].span.line >= 3


def test_yaml_1_1_on_true_is_read_as_the_triggers() -> None:
    text = "%YAML 1.1\n---\non: [push]\npermissions: {}\njobs: {}\n"
    findings = check_files({WORKFLOW: text}, select=["GH002"])
    assert [f.message for f in findings] == ["The workflow does not run on `pull_request`"]
    assert findings[0].span.line == 3


def test_anchors_and_merge_keys_are_followed() -> None:
    text = (
        "on: [push, pull_request]\npermissions: {}\n"
        "x-checkout: &checkout\n  uses: actions/checkout@v4\n"
        "jobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - *checkout\n"
        "      - <<: *checkout\n        name: again\n"
    )
    findings = check_files({WORKFLOW: text}, select=["GH010", "GH014"])
    assert sorted(codes(findings)) == ["GH010", "GH010", "GH014", "GH014"]


def test_matrix_values_in_run_are_not_template_injection() -> None:
    text = (
        "on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ${{ matrix.os }}\n"
        "    strategy:\n      matrix:\n        os: [ubuntu-24.04]\n        py: ['3.11']\n"
        "    steps:\n      - run: echo ${{ matrix.py }} ${{ github.event.head_commit.message }}\n"
    )
    findings = check_files({WORKFLOW: text}, select=["GH013"])
    assert len(findings) == 1 and "head_commit.message" in findings[0].message
    assert (findings[0].span.line, findings[0].span.column) == (
        11,
        40,
    )  # the expression itself, as zizmor points


def test_composite_action_steps_are_audited_and_followed() -> None:
    files = {
        WORKFLOW: "on: [push, pull_request]\npermissions: {}\njobs:\n  a:\n"
        "    runs-on: ubuntu-24.04\n    steps:\n      - uses: ./.github/actions/build\n",
        ".github/actions/build/action.yml": "name: build\nruns:\n  using: composite\n  steps:\n"
        "    - uses: docker/setup-buildx-action@v3\n"
        "    - run: docker build -t app . && echo ${{ github.event.pull_request.title }}\n"
        "      shell: bash\n",
    }
    findings = check_files(files, select=["GH004", "GH010", "GH013"])
    assert [(f.code, f.path, f.span.line) for f in findings] == [
        ("GH010", ".github/actions/build/action.yml", 5),
        ("GH013", ".github/actions/build/action.yml", 6),
    ]


def test_reusable_workflow_cycle_ends() -> None:
    files = {
        WORKFLOW: "on: [push, pull_request]\npermissions: {}\njobs:\n"
        "  a:\n    uses: ./.github/workflows/b.yml\n",
        ".github/workflows/b.yml": "on: workflow_call\npermissions: {}\njobs:\n"
        "  b:\n    uses: ./.github/workflows/docker-build.yml\n",
    }
    findings = check_files(files, select=["GH004"])
    assert codes(findings) == ["GH004"]


def test_empty_folder_and_a_project_without_docker_need_no_workflow() -> None:
    assert check_files({"README.md": "hi\n"}, select=["GH"]) == []


def test_fix_twice_changes_nothing_the_second_time(tmp_path: Path) -> None:
    from auditor.fixer import plan_fixes, write_changes

    write_files(
        tmp_path,
        {
            WORKFLOW: "on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-24.04\n"
            "    steps:\n      - uses: actions/checkout@" + SHA + "  # v5\n"
            "      # the tests\n      - run: make test\n"
            "  b:\n    runs-on: ubuntu-24.04\n    steps:\n      - uses: actions/checkout@"
            + SHA
            + "\n",
        },
    )
    config = Config()
    selected = [registry.get("GH014")]
    first = plan_fixes(tmp_path, config, selected, unsafe=False)
    assert write_changes(first) == []
    text = (tmp_path / WORKFLOW).read_text()
    assert text.count("persist-credentials: false") == 2
    assert (
        "  # v5\n        with:\n          persist-credentials: false\n      # the tests\n" in text
    )
    assert text.endswith(SHA + "\n        with:\n          persist-credentials: false\n")
    second = plan_fixes(tmp_path, config, selected, unsafe=False)
    assert not second.changed
    result = audit(Project(tmp_path, config), config, selected)
    assert result.findings == []


# -- beside the real zizmor ---------------------------------------------------------------------

ZIZMOR_CASES = {
    "unpinned.yml": "on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-24.04\n"
    "    steps:\n      - uses: docker/login-action@v3\n"
    "      - uses: actions/setup-python@" + SHA + "\n",
    "permissions.yml": "on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n"
    "    steps:\n      - run: make\n"
    "  b:\n    runs-on: ubuntu-24.04\n    permissions: write-all\n    steps:\n      - run: make\n",
    "top-level-write.yml": "on: push\npermissions:\n  contents: read\n  packages: write\njobs:\n"
    "  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: make\n",
    "top-level-write-two-jobs.yml": "on: push\npermissions:\n  contents: read\n  packages: write\n"
    "jobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: make\n"
    "  b:\n    runs-on: ubuntu-24.04\n    permissions: {}\n    steps:\n      - run: make\n",
    "injection.yml": "on: issues\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-24.04\n"
    "    steps:\n      - run: |\n          echo ok\n"
    '          echo "${{ github.event.issue.title }}" ${{ github.event.issue.number }}\n',
    "artipacked.yml": "on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-24.04\n"
    "    steps:\n      - uses: actions/checkout@" + SHA + "\n"
    "      - uses: actions/checkout@"
    + SHA
    + "\n        with:\n          persist-credentials: false\n",
    "pwn.yml": "on: pull_request_target\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-24.04\n"
    "    steps:\n      - uses: actions/checkout@" + SHA + "\n        with:\n"
    "          ref: ${{ github.event.pull_request.head.sha }}\n          persist-credentials: false\n",
}


def _zizmor_lines(folder: Path) -> set[tuple[str, str, int]]:
    done = subprocess.run(
        [ZIZMOR, "--offline", "--no-progress", "--format", "json", str(folder)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode in (0, 10, 11, 12, 13, 14), done.stderr
    found = set()
    for finding in json.loads(done.stdout):
        for location in finding["locations"]:
            if location["symbolic"]["kind"] != "Primary":
                continue
            path = Path(location["symbolic"]["key"]["Local"]["verbatim_path"]).name
            line = location["concrete"]["location"]["start_point"]["row"] + 1
            found.add((finding["ident"], path, line))
    return found


@pytest.mark.skipif(not Path(ZIZMOR).exists(), reason="zizmor is in the test extra")
def test_gh_rules_flag_the_lines_zizmor_flags(tmp_path: Path) -> None:
    write_files(
        tmp_path, {f".github/workflows/{name}": text for name, text in ZIZMOR_CASES.items()}
    )
    theirs = _zizmor_lines(tmp_path / ".github" / "workflows")
    config = Config()
    mirrored = {
        rule.code: rule.peers[0] for rule in registry if rule.code.startswith("GH") and rule.peers
    }
    selected = [rule for rule in select_rules(config) if rule.code in mirrored]
    result = audit(Project(tmp_path, config), config, selected)
    ours = {(mirrored[f.code], Path(f.path).name, f.span.line) for f in result.findings}

    comparable = {entry for entry in theirs if entry[0] in mirrored.values()}
    # zizmor calls every pull_request_target dangerous; GH012 reports the checkout of the
    # pull request's head, the line that makes it exploitable.
    assert ("dangerous-triggers", "pwn.yml", 1) in comparable
    assert ("dangerous-triggers", "pwn.yml", 9) in ours
    comparable.discard(("dangerous-triggers", "pwn.yml", 1))
    ours.discard(("dangerous-triggers", "pwn.yml", 9))
    assert ours == comparable
    assert {ident for ident, _, _ in ours} == set(mirrored.values()) - {"dangerous-triggers"}


def test_composite_action_inputs_in_run_are_template_injection() -> None:
    files = {
        ".github/actions/x/action.yml": "name: x\ninputs:\n  title: {description: t}\nruns:\n"
        '  using: composite\n  steps:\n    - run: echo "${{ inputs.title }}"\n      shell: bash\n'
        '    - run: echo "$TITLE"\n      shell: bash\n      env:\n        TITLE: ${{ inputs.title }}\n',
        WORKFLOW: "on: workflow_dispatch\npermissions: {}\njobs:\n  a:\n    runs-on: x\n"
        "    steps:\n      - run: echo ${{ inputs.name }}\n",
    }
    findings = check_files(files, select=["GH013"])
    assert [(f.path, f.span.line) for f in findings] == [(".github/actions/x/action.yml", 7)]
