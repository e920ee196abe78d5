"""Small rules and real RunResults for the report tests.

The rules are plain Rule subclasses that are not registered (the global registry belongs
to the real catalog); their findings come from real parsed Dockerfiles written to disk, so
positions are the ones the document model computes.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from auditor.documents import dockerfile
from auditor.documents.base import SourceFile
from auditor.result import RunResult
from auditor.rule import Context, Edit, Finding, Fix, Rule, Severity, Span


class RootUser(Rule):
    """Flags a final stage that runs as root.

    ## What it does
    Checks that the final stage switches
    to an unprivileged user.

    - USER root counts as root
    - so does USER 0

    ## Why is this bad?
    A process running as root in a container can do more harm when it is broken into.

    ## Example
    ```dockerfile
    FROM python:3.12-slim
    CMD ["python", "-m", "app"]
    ```

    ## How to fix
    Add `USER mami` before CMD.
    """

    code = "TR001"
    name = "test-root-user"
    summary = "The final stage runs as root"
    severity = Severity.ERROR
    requirements = ("R1.5", "R14.4")
    peers = ("DL3002",)
    fixable = True

    def check(self, context: Context) -> Iterator[Finding]:
        raise AssertionError("report tests build findings directly")


class PipCache(Rule):
    """## What it does
    Looks for pip without --no-cache-dir.
    """

    code = "TR002"
    name = "test-pip-cache"
    summary = "pip install keeps its cache in the image"
    severity = Severity.WARNING
    requirements = ("R8.4",)
    fixable = True


class Hygiene(Rule):
    """## What it does
    Notes things worth knowing.
    """

    code = "TR003"
    name = "test-hygiene"
    summary = "A note"
    severity = Severity.INFO


RULES: list[type[Rule]] = [RootUser, PipCache, Hygiene]

DOCKERFILE = (
    "FROM python:3.12-slim AS runtime\n"
    "WORKDIR /app\n"
    "RUN pip install -r requirements.txt\n"
    "COPY . .\n"
    'CMD ["python", "-m", "app"]\n'
)


def parse_dockerfile(root: Path, path: str) -> dockerfile.Dockerfile:
    return dockerfile.parse(SourceFile.read(path, root / path))


def write(root: Path, path: str, text: str) -> None:
    target = root / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A small project: a Dockerfile at the root and one in a folder with a space."""
    write(tmp_path, "Dockerfile", DOCKERFILE)
    write(tmp_path, "docker/web app/Dockerfile", "FROM nginx:latest\nRUN pip install flask\n")
    return tmp_path


def sample_findings(root: Path) -> list[Finding]:
    """Findings of every severity, with safe, unsafe and file-creating fixes."""
    main = parse_dockerfile(root, "Dockerfile")
    web = parse_dockerfile(root, "docker/web app/Dockerfile")
    cmd = main.instructions[-1]
    pip = main.instructions[2]
    pip_column = main.lines[pip.line - 1].index("pip") + 1
    return [
        RootUser().finding(
            main,
            main.line_span(cmd.line),
            "The final stage runs as root",
            Fix.safe(
                "Add `USER mami` before CMD", Edit.insert("Dockerfile", cmd.line, 1, "USER mami\n")
            ),
        ),
        PipCache().finding(
            main,
            Span(pip.line, pip_column, pip.line, pip_column + len("pip install")),
            "`pip install` without --no-cache-dir",
            Fix.unsafe(
                "Add --no-cache-dir",
                Edit.insert(
                    "Dockerfile", pip.line, pip_column + len("pip install"), " --no-cache-dir"
                ),
            ),
        ),
        Hygiene().finding(
            web,
            web.line_span(1),
            "Base image `nginx:latest` is not pinned",
            Fix.safe(
                "Create a .dockerignore", Edit.create_file("docker/web app/.dockerignore", ".git\n")
            ),
        ),
        PipCache().finding(web, web.line_span(2, 2), "`pip install` without --no-cache-dir"),
    ]


@pytest.fixture
def result(project: Path) -> RunResult:
    return RunResult(root=project, findings=sample_findings(project), rules=RULES, files=2)


@pytest.fixture
def clean_result(project: Path) -> RunResult:
    return RunResult(root=project, findings=[], rules=RULES, files=2)


@pytest.fixture
def rules() -> list[type[Rule]]:
    return list(RULES)


@pytest.fixture
def render_text():
    """`render_text(format, result, **options) -> str`: what the format writes."""
    import io

    from auditor.report import render

    def run(format_name: str, result: RunResult, **options: bool) -> str:
        out = io.StringIO()
        render(format_name, result, out, **options)
        return out.getvalue()

    return run
