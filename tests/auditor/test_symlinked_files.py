"""A file reached twice through a symlink inside the root is audited, and reported, once."""

from __future__ import annotations

import os

import pytest

from auditor.config import Config
from auditor.project import Project

EXCLUDE_BUILD = Config.from_mapping({"extend-exclude": ["build/"]}, source="test")
DOCKERFILE = "FROM python:3.11-slim\nCOPY missing.txt .\n"


def concise_paths(out: str, code: str) -> list[str]:
    return sorted(line.split(":", 1)[0] for line in out.splitlines() if f" {code} " in line)


@pytest.mark.parametrize("git", [True, False], ids=["git", "walk"])
def test_a_symlink_to_a_file_in_the_root_is_listed_once(make_project, git) -> None:  # type: ignore[no-untyped-def]
    root = make_project({"Dockerfile": DOCKERFILE, "docker/.keep": ""}, git=git)
    os.symlink("Dockerfile", root / "Dockerfile.prod")
    os.symlink("../Dockerfile", root / "docker" / "Dockerfile")
    files = Project(root).files()
    assert "Dockerfile" in files
    assert "Dockerfile.prod" not in files and "docker/Dockerfile" not in files


@pytest.mark.parametrize("git", [True, False], ids=["git", "walk"])
def test_a_symlinked_dockerfile_is_reported_once(make_project, cli, git) -> None:  # type: ignore[no-untyped-def]
    root = make_project({"Dockerfile": DOCKERFILE}, git=git)
    os.symlink("Dockerfile", root / "Dockerfile.prod")
    run = cli("check", "--select", "DF012", "--output-format", "concise", ".", cwd=root)
    assert concise_paths(run.out, "DF012") == ["Dockerfile"], run.out


def test_a_symlink_whose_target_only_it_reaches_is_audited_as_itself(
    make_project, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    outside = tmp_path / "shared" / "Dockerfile"
    outside.parent.mkdir()
    outside.write_text(DOCKERFILE)
    root = make_project({"app.py": "", "build/.keep": ""})
    os.symlink(outside, root / "Dockerfile")
    # Target inside the root but not discovered itself (excluded): the link is the only way.
    (root / "build" / "Dockerfile").write_text(DOCKERFILE)
    os.symlink("build/Dockerfile", root / "Containerfile")
    files = Project(root, EXCLUDE_BUILD).files()
    assert "Dockerfile" in files and "Containerfile" in files


def test_two_links_to_one_file_and_no_real_path_keep_one(make_project) -> None:  # type: ignore[no-untyped-def]
    root = make_project({"build/Dockerfile": DOCKERFILE})
    os.symlink("build/Dockerfile", root / "Dockerfile")
    os.symlink("build/Dockerfile", root / "Dockerfile.dev")
    files = Project(root, EXCLUDE_BUILD).files()
    assert [path for path in files if "Dockerfile" in path] == ["Dockerfile"]


def test_a_named_symlink_is_the_path_reported(make_project, cli) -> None:  # type: ignore[no-untyped-def]
    root = make_project({"Dockerfile": DOCKERFILE})
    os.symlink("Dockerfile", root / "Dockerfile.prod")
    run = cli(
        "check", "--select", "DF012", "--output-format", "concise", "Dockerfile.prod", cwd=root
    )
    assert concise_paths(run.out, "DF012") == ["Dockerfile.prod"], run.out
    run = cli("check", "--select", "DF012", "--output-format", "concise", ".", cwd=root)
    assert concise_paths(run.out, "DF012") == ["Dockerfile"], run.out


def test_dangling_and_folder_links_are_left_as_they_were(make_project) -> None:  # type: ignore[no-untyped-def]
    root = make_project({"Dockerfile": DOCKERFILE, "docker/api.Dockerfile": DOCKERFILE})
    os.symlink("nowhere", root / "Dockerfile.gone")
    os.symlink("docker", root / "deploy")
    files = Project(root).files()
    assert "Dockerfile.gone" in files and "deploy" in files
    assert "docker/api.Dockerfile" in files


def test_fix_through_a_symlink_edits_the_file_once(make_project, cli) -> None:  # type: ignore[no-untyped-def]
    root = make_project({"Dockerfile": 'FROM python:3.11-slim\nCMD ["python", "-m", "app"]\n'})
    os.symlink("Dockerfile", root / "Dockerfile.prod")
    run = cli("check", "--select", "DF009", "--output-format", "concise", ".", cwd=root)
    assert concise_paths(run.out, "DF009") == ["Dockerfile"], run.out
    run = cli("check", "--select", "DF009", "--fix", ".", cwd=root)
    assert run.code == 0, run.out + run.err
    assert (root / "Dockerfile").read_text().count("PYTHONUNBUFFERED") == 1
    assert (root / "Dockerfile.prod").is_symlink()
