"""Which file names are Dockerfiles (in any letter case), and the warning for a named file
that no document kind reads."""

from __future__ import annotations

import pytest

from auditor.documents import dockerfile, ignorefile

DOCKERFILE = "FROM python:3.11-slim\nCOPY app.py .\n"


@pytest.mark.parametrize(
    "path",
    [
        "Dockerfile",
        "dockerfile",
        "DOCKERFILE",
        "docker/Dockerfile.prod",
        "dockerfile.dev",
        "backend.dockerfile",
        "docker/api.Dockerfile",
        "docker/api.DockerFile",
        "Containerfile",
        "containerfile",
        "Containerfile.api",
    ],
)
def test_dockerfile_names_in_any_case(path: str) -> None:
    assert dockerfile.matches(path)


@pytest.mark.parametrize(
    "path",
    [
        "auditor/documents/dockerfile.py",  # a Python module about Dockerfiles
        "docs/Dockerfile.md",
        "dockerfile.yaml",
        "Dockerfile.dockerignore",
        "backend.dockerfile.dockerignore",
        "my-dockerfile",
        "dockerfiles/README",
        "x.py",
    ],
)
def test_names_that_are_not_dockerfiles(path: str) -> None:
    assert not dockerfile.matches(path)


def test_ignore_files_beside_a_lower_case_dockerfile() -> None:
    assert ignorefile.matches("backend.dockerfile.dockerignore")
    assert ignorefile.matches("docker/dockerfile.dockerignore")
    assert not ignorefile.matches("docker/dockerfile.py.dockerignore")


@pytest.mark.parametrize("git", [True, False], ids=["git", "walk"])
def test_lower_case_dockerfiles_are_discovered_and_audited(make_project, cli, git) -> None:  # type: ignore[no-untyped-def]
    root = make_project(
        {
            "dockerfile": DOCKERFILE,
            "backend.dockerfile": DOCKERFILE,
            "docker/api.dockerfile": DOCKERFILE,
        },
        git=git,
    )
    run = cli("check", "--select", "DF012", "--output-format", "concise", ".", cwd=root)
    paths = sorted(line.split(":", 1)[0] for line in run.out.splitlines() if "DF012" in line)
    assert paths == ["backend.dockerfile", "docker/api.dockerfile", "dockerfile"], run.out


def test_a_named_lower_case_dockerfile_is_audited(make_project, cli) -> None:  # type: ignore[no-untyped-def]
    root = make_project({"backend.dockerfile": DOCKERFILE}, git=True)
    run = cli(
        "check", "--select", "DF012", "--output-format", "concise", "backend.dockerfile", cwd=root
    )
    assert run.code == 1 and "backend.dockerfile:2:6: DF012" in run.out, run.out
    assert "warning" not in run.err


def test_a_named_file_no_kind_reads_gets_a_warning(make_project, cli) -> None:  # type: ignore[no-untyped-def]
    root = make_project({"Dockerfile": DOCKERFILE, "notes.txt": "", "docker.file": ""})
    run = cli("check", "--select", "DF012", "notes.txt", "docker.file", "Dockerfile", cwd=root)
    warnings = [line for line in run.err.splitlines() if "warning" in line]
    assert len(warnings) == 1, run.err  # one line for all of them: pre-commit names many files
    assert warnings[0].startswith("mami-audit: warning: docker.file, notes.txt: ")
    assert "no document kind" in warnings[0]


def test_many_named_files_of_no_kind_are_summed_up(make_project, cli) -> None:  # type: ignore[no-untyped-def]
    names = [f"module_{index}.ini" for index in range(5)]
    root = make_project({"Dockerfile": DOCKERFILE, **{name: "" for name in names}})
    run = cli("check", "--select", "DF012", *names, cwd=root)
    warnings = [line for line in run.err.splitlines() if "warning" in line]
    assert len(warnings) == 1, run.err
    assert "module_0.ini, module_1.ini, module_2.ini and 2 more: of no document kind" in warnings[0]


def test_a_named_folder_gets_no_kind_warning(make_project, cli) -> None:  # type: ignore[no-untyped-def]
    root = make_project({"app/main.py": "", "Dockerfile": DOCKERFILE, "app.py": ""})
    run = cli("check", "--select", "DF012", "app", cwd=root)
    assert "warning" not in run.err, run.err
