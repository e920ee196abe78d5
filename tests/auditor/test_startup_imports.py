"""What a check run imports: only what its rules and its output format use.

A pre-commit hook starts mami-audit on every commit, so the heavy libraries stay unloaded
unless a run needs them. Each test runs the CLI in a fresh interpreter and looks at
`sys.modules` afterwards; speed itself is measured in benchmarks/, not here.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]

# Runs `mami-audit ARGS...` and then writes the names of the loaded modules to PATH.
_RUN_AND_LIST_MODULES = """
import sys
from auditor.cli import main

listing, arguments = sys.argv[1], sys.argv[2:]
try:
    main(arguments)
finally:
    with open(listing, "w") as out:
        out.write("\\n".join(sorted(sys.modules)))
"""

FLAWED_DOCKERFILE = """\
FROM python:3.9
ADD . /app
RUN pip install -r requirements.txt
CMD uvicorn app.main:app --host 0.0.0.0
"""

# Libraries a Dockerfile-only run reported as concise text never uses.
NOT_NEEDED = ("rich", "libcst", "ruamel", "packaging", "pydantic")


def loaded_modules(
    project: Path, *arguments: str, colour: bool = False
) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    listing = project.parent / "modules.txt"
    environment = dict(os.environ, PYTHONPATH=str(REPOSITORY), NO_COLOR="1")
    environment.pop("FORCE_COLOR", None)
    environment.pop("TTY_COMPATIBLE", None)
    if colour:
        environment["FORCE_COLOR"] = "1"
    done = subprocess.run(
        [sys.executable, "-c", _RUN_AND_LIST_MODULES, str(listing), *arguments],
        cwd=project,
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
    )
    return done, set(listing.read_text().split("\n"))


def top_level(modules: set[str]) -> set[str]:
    return {name.split(".", 1)[0] for name in modules}


def make_project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    project.mkdir()
    (project / "mami-audit.toml").write_text('select = ["DF"]\n')
    (project / "Dockerfile").write_text(FLAWED_DOCKERFILE)
    return project


def test_concise_check_of_a_dockerfile_loads_no_heavy_library(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    done, modules = loaded_modules(project, "check", ".", "--output-format", "concise")

    assert done.returncode == 1, done.stderr  # the Dockerfile has findings
    assert "Dockerfile:1:" in done.stdout and "DF0" in done.stdout
    assert not top_level(modules) & set(NOT_NEEDED)
    assert "auditor.fixer" not in modules  # no --fix, no --diff
    assert "auditor.report.full" not in modules  # only the chosen format is imported


def test_the_usual_command_lines_do_not_load_typer(tmp_path: Path) -> None:
    """auditor/quick_argv.py reads them; typer (and click) load for help, typos and the
    other commands only."""
    project = make_project(tmp_path)
    done, modules = loaded_modules(project, "--select", "DF", "-o", "out.txt", ".")
    assert done.returncode == 1, done.stderr
    assert "DF0" in (project / "out.txt").read_text()
    assert not top_level(modules) & {"typer", "click"}

    done, modules = loaded_modules(project, "cleanup", "--output-format", "json")
    assert done.returncode in (0, 1), done.stderr
    assert not top_level(modules) & {"typer", "click"}

    done, modules = loaded_modules(project, "check", "--selec", "DF")
    assert done.returncode == 2 and "No such option" in done.stderr
    assert "typer" in top_level(modules)


def test_full_format_into_a_pipe_loads_no_heavy_library(tmp_path: Path) -> None:
    """The default format, as a pre-commit hook or a CI log gets it: plain text, no rich."""
    project = make_project(tmp_path)
    done, modules = loaded_modules(project, "check", ".")

    assert done.returncode == 1, done.stderr
    assert "error DF" in done.stdout or "warning DF" in done.stdout
    assert "auditor.report.full" in modules
    assert not top_level(modules) & set(NOT_NEEDED)


def test_full_format_in_colour_loads_rich(tmp_path: Path) -> None:
    """The counterpart: the listing does see a library once a run uses it."""
    project = make_project(tmp_path)
    done, modules = loaded_modules(project, "check", ".", colour=True)

    assert done.returncode == 1, done.stderr
    assert "rich" in top_level(modules)
    assert "auditor.report.full" in modules


def test_json_readiness_report_loads_no_heavy_library(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    done, modules = loaded_modules(project, "report", ".", "--output-format", "json")

    assert done.returncode == 1, done.stderr  # DF001 fails R1.5
    assert '"readiness"' in done.stdout
    assert not top_level(modules) & set(NOT_NEEDED)
    assert "auditor.report.readiness.html" not in modules  # only the chosen format


def test_a_project_without_dockerfiles_does_not_load_the_dockerfile_rules(tmp_path: Path) -> None:
    """Rule families load by the kinds of files the project has (rules/_index.py)."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "README.md").write_text("# nothing to audit\n")
    done, modules = loaded_modules(project, "check", ".", "--output-format", "concise")
    assert done.returncode == 0, done.stderr
    assert "rules.dockerfile.build" not in modules and "rules.general" in modules
    # Naming a rule of a family that was not loaded still works.
    done, modules = loaded_modules(project, "check", ".", "--select", "DF001,AU001")
    assert done.returncode == 0, done.stderr
    assert any(name.startswith("rules.dockerfile.") for name in modules)


def test_a_dockerfile_only_project_loads_no_other_kinds_parser(tmp_path: Path) -> None:
    """Which kinds a project has is decided by path (auditor/documents/kinds.py), without
    importing a parser per kind; only the kinds the project has get their parser imported."""
    project = make_project(tmp_path)
    done, modules = loaded_modules(project, "check", ".", "--output-format", "concise")
    assert done.returncode == 1, done.stderr
    parsers = {name for name in modules if name.startswith("auditor.documents.")}
    assert "auditor.documents.dockerfile" in parsers
    # (workflow's parser does load: GH001 reports a project without a CI workflow)
    assert not parsers & {
        "auditor.documents.compose",
        "auditor.documents.yaml_tree",
        "auditor.documents.python",
        "auditor.documents.requirements",
        "auditor.documents.vite_config",
    }
    assert "auditor.facts.compose" not in modules


def test_a_selection_loads_only_the_modules_with_selected_rules(tmp_path: Path) -> None:
    """`--select NP` on a Dockerfile and a package.json: the Dockerfile rules stay unloaded,
    and the result is the NP family's alone."""
    project = make_project(tmp_path)
    (project / "package.json").write_text('{"name": "ui", "dependencies": {"vite": "latest"}}\n')
    done, modules = loaded_modules(
        project, "check", ".", "--select", "NP", "--output-format", "concise"
    )
    assert done.returncode == 1, done.stderr
    assert "NP0" in done.stdout and "DF0" not in done.stdout
    assert "rules.node.versions" in modules
    dockerfile_rule_modules = {name for name in modules if name.startswith("rules.dockerfile.")}
    assert dockerfile_rule_modules <= {"rules.dockerfile._base", "rules.dockerfile._shell"}
    # Outside git, without --online and without an error, nothing starts a process or
    # formats a traceback; the node-semver port (logging, thirty patterns) is gone; records
    # are auditor.records', so neither dataclasses nor inspect is imported.
    unwanted = {"subprocess", "traceback", "logging", "nodesemver", "dataclasses", "inspect"}
    assert not top_level(modules) & unwanted
