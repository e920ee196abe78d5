"""The seams: what the compose stack says, checked against the other files of the project.

The reference project is copied and broken one seam at a time; each break must be found on
the file the user has to change, naming the other file where it helps.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.testing import check_files

REPO_ROOT = Path(__file__).resolve().parents[2]
REFERENCE_FILES = (
    "docker-compose.yml",
    "docker-compose.prod.yml",
    ".env.example",
    "Dockerfile",
    "requirements.txt",
    "frontend/Dockerfile",
)


def reference_files() -> dict[str, str]:
    files = {name: (REPO_ROOT / name).read_text() for name in REFERENCE_FILES}
    for folder in ("app", "docker"):
        for path in (REPO_ROOT / folder).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                files[str(path.relative_to(REPO_ROOT))] = path.read_text()
    return files


def found(files: dict[str, str]) -> set[tuple[str, str]]:
    return {(f.path, f.code) for f in check_files(files, select=["CP", "OB"])}


def test_the_reference_files_are_clean_on_their_own() -> None:
    assert found(reference_files()) == set()


@pytest.mark.parametrize(
    ("path", "old", "new", "expected"),
    [
        ("docker-compose.yml", '8000/health"', '8000/healthz"', ("docker-compose.yml", "CP028")),
        (
            "docker-compose.yml",
            "app.image.worker_local",
            "app.image.worker",
            ("docker-compose.yml", "CP029"),
        ),
        (
            "docker-compose.yml",
            "LOG_FILE: logs/mami-ai.jsonl",
            "LOGFILE: logs/mami-ai.jsonl",
            ("docker-compose.yml", "CP030"),
        ),
        (
            "requirements.txt",
            "elasticsearch==8.19.3",
            "elasticsearch==9.1.0",
            ("requirements.txt", "CP031"),
        ),
        (
            "docker/prometheus.yml",
            "metrics_path: /metrics",
            "metrics_path: /prom",
            ("docker/prometheus.yml", "OB008"),
        ),
        (
            "docker/prometheus.yml",
            '"mami-ai:8000"',
            '"mami-ai:8080"',
            ("docker/prometheus.yml", "OB004"),
        ),
        (
            "docker/prometheus.yml",
            '"mami-ai:8000"',
            '"api:8000"',
            ("docker/prometheus.yml", "OB004"),
        ),
        (
            "docker/grafana/provisioning/datasources/datasources.yml",
            "http://prometheus:9090",
            "http://localhost:9090",
            ("docker/grafana/provisioning/datasources/datasources.yml", "OB006"),
        ),
        (
            "docker-compose.yml",
            "./docker/alert_rules.yml:/etc/prometheus/alert_rules.yml:ro",
            "./docker/alerts.yml:/etc/prometheus/alert_rules.yml:ro",
            ("docker-compose.yml", "OB002"),
        ),
        (
            "docker-compose.yml",
            "context: ./frontend",
            "context: ./web",
            ("docker-compose.yml", "CP012"),
        ),
        (
            "docker/alert_rules.yml",
            'up{job="mami-ai"}',
            'up{job="mami-api"}',
            ("docker/alert_rules.yml", "OB009"),
        ),
        (
            "docker-compose.yml",
            "- ./data:/app/data",
            "- ./data:/app/data:ro",
            ("docker-compose.yml", "CP013"),
        ),
    ],
)
def test_each_broken_seam_is_found_on_the_file_to_change(
    path: str, old: str, new: str, expected: tuple[str, str]
) -> None:
    files = reference_files()
    assert old in files[path]
    files[path] = files[path].replace(old, new, 1)
    assert expected in found(files)


def test_the_dockerfile_rules_use_the_build_context_compose_names() -> None:
    files = {
        "docker-compose.yml": "services:\n  api:\n    build:\n      context: .\n"
        "      dockerfile: docker/api.Dockerfile\n",
        "docker/api.Dockerfile": "FROM python:3.11-slim\nCOPY app/ /app/app/\n"
        "COPY requirements.txt /app/\n",
        "docker/requirements.txt": "fastapi==0.115.0\n",
        "app/main.py": "x = 1\n",
        ".dockerignore": "app\n",
    }
    with_compose = {(f.span.line, f.code) for f in check_files(files, select=["DF012", "DF013"])}
    # Context `.`: app/ is dropped by the root .dockerignore, requirements.txt is not there.
    assert with_compose == {(2, "DF013"), (3, "DF012")}
    del files["docker-compose.yml"]
    # Without compose the context is ambiguous (docker/ or the root): nothing is claimed.
    assert check_files(files, select=["DF012", "DF013"]) == []


def test_a_broken_alert_rules_file_is_a_parse_error_at_its_line() -> None:
    files = reference_files()
    files["docker/alert_rules.yml"] = "groups:\n  - name: x\n    rules: [\n"
    findings = check_files(files, select=["CP", "OB", "AU"])
    assert [(f.path, f.span.line, f.code) for f in findings] == [
        ("docker/alert_rules.yml", 4, "AU001")
    ]
