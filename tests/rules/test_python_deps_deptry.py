"""PY020-PY023 beside the real deptry (DEP001-DEP004) on projects built the way teams do.

Each project is a requirements.txt and an app/ package. deptry runs from this environment,
so it maps import names with the metadata of what is installed here (PyYAML, click, typer,
requests are; python-dotenv and pillow are not); mami-audit finds no .venv in the project
and uses its table of well-known names. For every project the test states what each tool
reports; where they differ, `DIFFERENCES` says why, and the rule's docstring documents it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from auditor.testing import check_files, write_files

DEPTRY = shutil.which("deptry", path=str(Path(sys.executable).parent))

# (name, files, deptry's findings, ours), findings as "CODE:module-or-package"
PROJECTS = [
    (
        "missing",
        {
            "requirements.txt": "requests==2.32.3\n",
            "app/main.py": "import requests\nimport yaml\nimport boto3\n",
        },
        {"DEP001:boto3", "DEP001:yaml"},
        {"PY020:boto3", "PY020:yaml"},
    ),
    (
        "unused",
        {
            "requirements.txt": "requests==2.32.3\nclick==8.1.7\nsome-sdk==1.0\n",
            "app/main.py": "import click\n",
        },
        {"DEP002:requests", "DEP002:some-sdk"},
        {"PY021:requests", "PY023:some-sdk"},
    ),
    (
        "transitive",
        {"requirements.txt": "typer==0.12.5\n", "app/main.py": "import typer\nimport click\n"},
        {"DEP003:click"},
        {"PY022:click"},
    ),
    (
        "mismatched-names",
        {
            "requirements.txt": "pyyaml==6.0.2\npython-dotenv==1.0.1\npillow==11.0.0\n",
            "app/main.py": "import yaml\nimport dotenv\nfrom PIL import Image\n",
        },
        {"DEP001:dotenv", "DEP001:PIL", "DEP002:python-dotenv", "DEP002:pillow"},
        set(),
    ),
    (
        "spec-and-runtime-packages",
        {
            "requirements.txt": "fastapi==0.115.0\nredis==5.0.8\npython-multipart==0.0.9\n",
            "app/main.py": "print('no imports yet')\n",
        },
        {"DEP002:fastapi", "DEP002:redis", "DEP002:python-multipart"},
        set(),
    ),
]

# Why a finding of one tool has no counterpart in the other. Each is by design.
DIFFERENCES = {
    "DEP003:yaml": "deptry sees PyYAML installed in its own environment (a tool there pulls "
    "it in); nothing the image installs requires it, so for the image it is missing: PY020",
    "DEP002:some-sdk": "PY023: which module some-sdk installs is unknown, so it is not guessed",
    "DEP001:dotenv": "table of well-known names: dotenv is python-dotenv (deptry needs it "
    "installed)",
    "DEP001:PIL": "table of well-known names: PIL is pillow (deptry needs it installed)",
    "DEP002:python-dotenv": "same mapping: python-dotenv provides dotenv, which is imported",
    "DEP002:pillow": "same mapping: pillow provides PIL, which is imported",
    "DEP002:fastapi": "the spec requires fastapi (R8.1): a requirement, used or not yet",
    "DEP002:redis": "the spec requires redis (R8.2)",
    "DEP002:python-multipart": "a runtime-only package: FastAPI imports it for form parsing",
}
# deptry maps names with what is installed where it runs (this environment, which in CI also
# holds the reference app's requirements): these findings of its depend on that.
ONLY_WITHOUT = {  # reported only when the distribution is NOT installed here
    "DEP001:dotenv": "python-dotenv",
    "DEP002:python-dotenv": "python-dotenv",
    "DEP001:PIL": "pillow",
    "DEP002:pillow": "pillow",
}
INSTEAD_WHEN_INSTALLED = {"DEP001:yaml": ("pyyaml", "DEP003:yaml")}


def installed(distribution: str) -> bool:
    from importlib.metadata import PackageNotFoundError, distribution as find

    try:
        find(distribution)
    except PackageNotFoundError:
        return False
    return True


def expected_from_deptry(theirs: set[str]) -> set[str]:
    expected = set()
    for finding in theirs:
        if finding in ONLY_WITHOUT and installed(ONLY_WITHOUT[finding]):
            continue
        if finding in INSTEAD_WHEN_INSTALLED:
            name, instead = INSTEAD_WHEN_INSTALLED[finding]
            finding = instead if installed(name) else finding
        expected.add(finding)
    return expected


COUNTERPART = {"DEP001": "PY020", "DEP002": "PY021", "DEP003": "PY022", "DEP004": "PY020"}


def deptry_findings(root: Path) -> set[str]:
    report = root / "deptry.json"
    done = subprocess.run(
        [str(DEPTRY), ".", "--requirements-files", "requirements.txt", "-o", str(report)],
        cwd=root, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode in (0, 1), done.stderr
    return {f"{item['error']['code']}:{item['module']}" for item in json.loads(report.read_text())}


def our_findings(files: dict[str, str]) -> set[str]:
    found = check_files(files, select=["PY020", "PY021", "PY022", "PY023"])
    result = set()
    for finding in found:
        subject = finding.message.split("`")[1] if finding.message.startswith("`") else None
        if subject is None:
            subject = finding.message.split(" ")[0]
            if finding.code == "PY023":
                subject = finding.message.split(" ")[3]
        result.add(f"{finding.code}:{subject}")
    return result


@pytest.mark.skipif(DEPTRY is None, reason="deptry is in the test extra")
@pytest.mark.parametrize(
    ("name", "files", "theirs", "ours"), PROJECTS, ids=[p[0] for p in PROJECTS]
)
def test_agreement_with_deptry_and_differences_by_design(
    tmp_path: Path, name: str, files: dict[str, str], theirs: set[str], ours: set[str]
) -> None:
    write_files(tmp_path, {**files, "app/__init__.py": ""})
    theirs = expected_from_deptry(theirs)
    assert deptry_findings(tmp_path) == theirs
    assert our_findings(files) == ours
    for finding in theirs:
        code, subject = finding.split(":", 1)
        agreed = any(
            mine.startswith(COUNTERPART[code] + ":")
            and mine.split(":", 1)[1].lower()
            in (subject.lower(), subject.lower().replace("-", "_"))
            for mine in ours
        )
        assert agreed or finding in DIFFERENCES, f"{finding}: no counterpart and no reason"
    for mine in ours:  # and nothing of ours that deptry does not see, except by design
        code, subject = mine.split(":", 1)
        counterpart = [t for t in theirs if t.split(":", 1)[1].lower() == subject.lower()]
        assert counterpart, f"{mine}: deptry does not report it"
