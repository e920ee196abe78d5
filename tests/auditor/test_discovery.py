"""File discovery and lazy documents: git's list or a pruned walk, excludes, unreadable folders."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from auditor.config import Config
from auditor.project import Project, find_root, resolve_targets
from auditor.testing import write_files

NOBODY = 65534

FILES = {
    "Dockerfile": "FROM python:3.11\n",
    "app/main.py": "print(1)\n",
    "node_modules/pkg/Dockerfile": "FROM node\n",
    ".venv/lib/x.py": "",
    "build/Dockerfile": "FROM x\n",
    "keep/build.log": "",
    "logs/app.log": "",
    "docs/deep/Dockerfile.dev": "FROM y\n",
}
GITIGNORE = "*.log\n!keep/*.log\nbuild/\n"


@pytest.mark.parametrize("git", [True, False], ids=["git", "walk"])
def test_gitignore_and_pruned_folders(make_project, git) -> None:  # type: ignore[no-untyped-def]
    root = make_project({**FILES, ".gitignore": GITIGNORE}, git=git)
    files = Project(root).files()
    assert "Dockerfile" in files and "app/main.py" in files and "docs/deep/Dockerfile.dev" in files
    assert "keep/build.log" in files  # re-included by the negation
    assert not any(
        path.startswith(("node_modules/", ".venv/", "build/", "logs/", ".git/")) for path in files
    )


@pytest.mark.parametrize("git", [True, False], ids=["git", "walk"])
def test_nested_gitignore_applies_below_its_folder(make_project, git) -> None:  # type: ignore[no-untyped-def]
    files = {"a/.gitignore": "*.tmp\n", "a/x.tmp": "", "b/x.tmp": "", "a/sub/y.tmp": ""}
    root = make_project(files, git=git)
    listed = Project(root).files()
    assert "b/x.tmp" in listed
    assert "a/x.tmp" not in listed and "a/sub/y.tmp" not in listed


@pytest.mark.parametrize("git", [True, False], ids=["git", "walk"])
def test_config_exclude_and_extend_exclude(make_project, git) -> None:  # type: ignore[no-untyped-def]
    root = make_project({**FILES, "examples/Dockerfile": "FROM z\n"}, git=git)
    config = Config(extend_exclude=("examples/", "*.dev"))
    files = Project(root, config).files()
    assert "examples/Dockerfile" not in files and "docs/deep/Dockerfile.dev" not in files
    # Replacing `exclude` never lets node_modules, .venv or .git back in.
    files = Project(root, Config(exclude=())).files()
    assert not any(p.startswith(("node_modules/", ".venv/", ".git/")) for p in files)


def test_git_listing_skips_deleted_and_includes_untracked(make_project) -> None:  # type: ignore[no-untyped-def]
    root = make_project({"a.txt": "", "b.txt": ""}, git=True)
    subprocess.run(["git", "-C", str(root), "add", "a.txt", "b.txt"], check=True)
    (root / "b.txt").unlink()
    (root / "c.txt").write_text("")
    files = Project(root).files()
    assert "a.txt" in files and "c.txt" in files and "b.txt" not in files


def test_untracked_node_modules_is_not_even_listed_by_git(make_project) -> None:  # type: ignore[no-untyped-def]
    root = make_project(
        {"frontend/node_modules/x/package.json": "{}", "frontend/package.json": "{}"}, git=True
    )
    assert Project(root).files() == ["frontend/package.json"]


def test_documents_are_parsed_once_and_only_on_demand(make_project) -> None:  # type: ignore[no-untyped-def]
    root = make_project({"Dockerfile": "FROM python:3.11\n", ".dockerignore": ".git\n"})
    project = Project(root)
    assert project.loaded_kinds() == set()
    first = project.documents("dockerfile")
    assert project.loaded_kinds() == {"dockerfile"}
    assert project.documents("dockerfile")[0] is first[0]
    assert project.document("Dockerfile", "dockerfile") is first[0]


def test_document_outside_discovery_and_paths_that_escape(make_project) -> None:  # type: ignore[no-untyped-def]
    root = make_project({".gitignore": "ignored/\n", "ignored/Dockerfile": "FROM a\n"}, git=True)
    project = Project(root)
    assert "ignored/Dockerfile" not in project.files()
    assert project.document("ignored/Dockerfile", "dockerfile") is not None
    assert project.document("missing/Dockerfile", "dockerfile") is None
    assert project.document("../outside", "dockerfile") is None
    assert project.exists("ignored") and project.is_dir("ignored") and project.is_dir(".")
    assert not project.exists("../..") and not project.exists("/etc/passwd")


def test_only_the_kinds_selected_rules_read_are_parsed(make_project, use_rules) -> None:  # type: ignore[no-untyped-def]
    import rules
    from auditor.engine import audit
    from auditor.rule import registry

    rules.load_all()
    root = make_project({"Dockerfile": "FORM broken\n", "x.nothing": ""})
    project = Project(root)
    result = audit(project, Config(), [registry.get("TS010")])
    assert [f.path for f in result.findings] == ["x.nothing"]
    assert project.loaded_kinds() == set()  # the broken Dockerfile was never parsed
    # AU001 reports parse errors in what the other rules read; alone, it reads every kind.
    project = Project(root)
    result = audit(project, Config(), [registry.get("TS001"), registry.get("AU001")])
    assert project.loaded_kinds() == {"dockerfile"}
    assert [f.code for f in result.findings] == ["AU001"]


def test_find_root_and_targets(make_project) -> None:  # type: ignore[no-untyped-def]
    root = make_project({"a/b/c.txt": "", "a/pyproject.toml": "[project]\nname='x'\n"}, git=True)
    assert find_root(root / "a" / "b") == (root / "a").resolve()
    targets = resolve_targets([root / "a/b/c.txt"])
    assert targets.root == (root / "a").resolve() and targets.paths == ("b/c.txt",)
    assert targets.scope("b/c.txt") and not targets.scope("b/c.txt2")
    both = resolve_targets([root / "a/b/c.txt", root / "a/pyproject.toml"])
    assert both.root == (root / "a").resolve()


def _can_drop_privileges() -> bool:
    return os.geteuid() == 0 and shutil.which("setpriv") is not None


@pytest.mark.skipif(not _can_drop_privileges(), reason="needs root and setpriv to run as nobody")
@pytest.mark.parametrize("git", [True, False], ids=["git", "walk"])
def test_unreadable_folder_is_reported_and_the_rest_audited(run_subprocess, git) -> None:  # type: ignore[no-untyped-def]
    # As root, chmod does not stop reads, so the CLI runs as `nobody` (via setpriv) on a
    # project that `nobody` owns (git also refuses repositories owned by someone else).
    with tempfile.TemporaryDirectory(prefix="mami-audit-perm-") as folder:
        root = Path(folder)
        write_files(root, {"Dockerfile": "from python:3.11\n", "secret/Dockerfile": "FROM x\n"})
        if git:
            subprocess.run(["git", "init", "-q", str(root)], check=True)
        else:
            (root / "mami-audit.toml").write_text("")
        os.chmod(root, 0o755)
        for path in [root, *root.rglob("*")]:
            os.chown(path, NOBODY, NOBODY, follow_symlinks=False)
        os.chmod(root / "secret", 0o000)
        try:
            result = run_subprocess(
                "--select", "AU001", "--output-format", "concise", cwd=root, user=str(NOBODY)
            )
        finally:
            os.chmod(root / "secret", 0o755)
    assert "Traceback" not in result.stderr, result.stderr
    assert "mami-audit: warning: secret: cannot list folder: Permission denied" in result.stderr, (
        result.stderr
    )
    assert result.returncode == 0, (result.stdout, result.stderr)


@pytest.mark.skipif(not _can_drop_privileges(), reason="needs root and setpriv to run as nobody")
def test_unreadable_file_is_a_parse_error_finding(run_subprocess) -> None:  # type: ignore[no-untyped-def]
    with tempfile.TemporaryDirectory(prefix="mami-audit-perm-") as folder:
        root = Path(folder)
        write_files(root, {"mami-audit.toml": "", "Dockerfile": "FROM python:3.11\n"})
        os.chmod(root, 0o755)
        os.chmod(root / "mami-audit.toml", 0o644)
        os.chmod(root / "Dockerfile", 0o000)
        result = run_subprocess(
            "--select", "AU001", "--output-format", "concise", cwd=root, user=str(NOBODY)
        )
    assert result.stdout.startswith(
        "Dockerfile:1:1: AU001 cannot parse: cannot read file: Permission denied"
    ), result
    assert result.returncode == 1 and "Traceback" not in result.stderr


@pytest.mark.parametrize("git", [True, False], ids=["git", "walk"])
def test_named_paths_are_audited_even_when_excluded_unless_forced(
    make_project, cli, use_rules, git
) -> None:  # type: ignore[no-untyped-def]
    import json

    files = {
        "examples/demo/Dockerfile": "from x\n",
        "examples/demo/node_modules/Dockerfile": "from y\n",
        "Dockerfile": "from z\n",
    }
    root = make_project(files, git=git)
    (root / "mami-audit.toml").write_text('select = ["TS001"]\nextend-exclude = ["examples/"]\n')

    def paths(*args: str) -> list[str]:
        run = cli("--output-format", "json", *args, cwd=root)
        return [finding["path"] for finding in json.loads(run.out)["findings"]]

    assert paths() == ["Dockerfile"]
    # Named explicitly, an excluded folder is audited (node_modules still is not) ...
    assert paths("examples/demo") == ["examples/demo/Dockerfile"]
    assert paths("examples/demo/Dockerfile") == ["examples/demo/Dockerfile"]
    # ... unless --force-exclude (or force-exclude = true) says the config wins, as pre-commit needs.
    assert paths("--force-exclude", "examples/demo/Dockerfile") == []
    (root / "mami-audit.toml").write_text(
        'select = ["TS001"]\nextend-exclude = ["examples/"]\nforce-exclude = true\n'
    )
    assert paths("examples/demo") == []


def test_a_named_file_is_audited_even_if_gitignored(make_project, cli, use_rules) -> None:  # type: ignore[no-untyped-def]
    root = make_project({".gitignore": "*.local\n", "Dockerfile.local": "from x\n"}, git=True)
    assert "Dockerfile.local" not in Project(root).files()
    assert cli("--select", "TS001", cwd=root).code == 0
    run = cli("--select", "TS001", "--output-format", "concise", "Dockerfile.local", cwd=root)
    assert run.out.startswith("Dockerfile.local:1:1: TS001") and run.code == 1
    assert cli("--select", "TS001", "--force-exclude", "Dockerfile.local", cwd=root).code == 0


PATTERN_SETS = [
    (".git/", ".venv/", "node_modules/", "__pycache__/"),
    ("examples/", "tests/fixtures/"),
    ("/build/", "docs/api/", "dist/"),
    ("a.b-c_d/",),
]
SAMPLE_PATHS = [
    "examples/x", "examples/", "examples", "a/examples/b", "tests/fixtures/f.txt",
    "tests/fixtures/", "x/tests/fixtures/f", "tests/fixturesX/f", "build/out", "src/build/out",
    "docs/api/index.html", "docs/apis/x", "dist/x.whl", "pkg/dist/x", "__pycache__/m.pyc",
    "deep/__pycache__/m.pyc", "a.b-c_d/x", "a.b-c_dx/y", "Dockerfile", ".venv/", "node_modules",
]  # fmt: skip


@pytest.mark.parametrize("patterns", PATTERN_SETS)
def test_folder_patterns_agree_with_the_gitignore_matcher(patterns) -> None:  # type: ignore[no-untyped-def]
    from auditor.gitignore_match import GitignoreMatcher
    from auditor.project import FolderPatterns

    fast = FolderPatterns.parse(patterns)
    assert fast is not None
    reference = GitignoreMatcher.from_lines(patterns)  # checked against git itself
    for path in SAMPLE_PATHS:
        assert fast.match_file(path) == reference.match_file(path), (patterns, path)


@pytest.mark.parametrize("pattern", ["*.log", "build", "!keep/", "a/**/b/", "x?/", "[ab]/", "/"])
def test_other_patterns_go_to_the_gitignore_matcher(pattern: str) -> None:
    from auditor.project import FolderPatterns

    assert FolderPatterns.parse(("node_modules/", pattern)) is None
