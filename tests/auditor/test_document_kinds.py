"""The path tests of auditor/documents/kinds.py and the parser table must name the same kinds."""

from __future__ import annotations

import pytest

from auditor.documents import KIND_MODULES, kind_module
from auditor.documents.kinds import MATCHERS, kinds_of


def test_every_kind_has_a_path_test_and_a_parser() -> None:
    assert list(MATCHERS) == list(KIND_MODULES)


@pytest.mark.parametrize("kind", list(KIND_MODULES))
def test_each_parser_module_answers_with_its_kinds_path_test(kind: str) -> None:
    module = kind_module(kind)
    assert module.KIND == kind
    assert module.matches is MATCHERS[kind]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("Dockerfile", ["dockerfile"]),
        ("docker/api.Dockerfile.dockerignore", ["dockerignore"]),
        ("frontend/package-lock.json", ["package-lock"]),
        ("docker-compose.prod.yml", ["compose"]),
        ("monitoring/prometheus.yml", ["prometheus-config"]),
        (".github/workflows/ci.yml", ["workflow"]),
        ("app/core/settings.py", ["python"]),
        ("tests/test_app.py", []),
        ("README.md", []),
    ],
)
def test_kinds_of_a_path(path: str, expected: list[str]) -> None:
    assert kinds_of(path) == expected


def test_a_project_says_which_kinds_it_holds(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from auditor.config import Config
    from auditor.project import Project

    (tmp_path / "mami-audit.toml").write_text("")
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    project = Project(tmp_path, Config())
    assert project.has_kind("dockerfile") and not project.has_kind("compose")
