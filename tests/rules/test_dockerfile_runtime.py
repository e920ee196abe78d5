"""Edge cases of the DF rules about the final image, beyond their documented examples."""

from __future__ import annotations

from auditor.rule import Applicability
from auditor.testing import check_files, run_example
from rules.dockerfile.runtime import (
    DataDirectoriesNotWritable,
    HealthcheckMismatch,
    MissingHealthcheck,
    RootUser,
)


def codes(files: dict[str, str], select: list[str], config: dict | None = None) -> list[str]:
    return [f"{f.code}:{f.span.line}" for f in check_files(files, select=select, config=config)]


def test_root_user_spellings() -> None:
    for user in ("root", "0", "root:root", "0:0"):
        text = f"FROM python:3.11-slim\nUSER {user}\n"
        assert codes({"Dockerfile": text}, ["DF001"]) == ["DF001:2"], user
    assert codes({"Dockerfile": "FROM python:3.11-slim\nUSER 1000:1000\n"}, ["DF001"]) == []
    assert codes({"Dockerfile": "FROM python:3.11-slim\nUSER ${APP_USER}\n"}, ["DF001"]) == []


def test_root_user_looks_only_at_the_final_stage_and_what_it_builds_on() -> None:
    builder_only = "FROM python:3.11-slim AS builder\nUSER mami\nFROM python:3.11-slim\nCMD x\n"
    assert codes({"Dockerfile": builder_only}, ["DF001"]) == ["DF001:3"]
    inherited = "FROM python:3.11-slim AS base\nUSER mami\nFROM base\nCMD x\n"
    assert codes({"Dockerfile": inherited}, ["DF001"]) == []
    distroless = "FROM gcr.io/distroless/python3-debian12:nonroot\nCMD x\n"
    assert codes({"Dockerfile": distroless}, ["DF001"]) == []


def test_root_user_fix_is_unsafe_and_reuses_an_existing_user() -> None:
    text = (
        "FROM python:3.11-slim\nRUN useradd --system mami\n"
        'ENTRYPOINT ["python"]\nCMD ["-m", "app"]\n'
    )
    findings = check_files({"Dockerfile": text}, select=["DF001"])
    assert findings[0].fix is not None and findings[0].fix.applicability is Applicability.UNSAFE
    run = run_example(RootUser, RootUser.bad(text, unsafe=True))
    assert run.files["Dockerfile"] == (
        "FROM python:3.11-slim\nRUN useradd --system mami\n"
        'USER mami\nENTRYPOINT ["python"]\nCMD ["-m", "app"]\n'
    )


def test_root_user_fix_uses_the_configured_user_and_a_file_without_final_newline() -> None:
    example = RootUser.bad(
        "FROM python:3.11-slim\nRUN echo hi",
        unsafe=True,
        config={"expect": {"user": "svc"}},
    )
    run = run_example(RootUser, example)
    assert run.files["Dockerfile"] == (
        "FROM python:3.11-slim\nRUN echo hi\n"
        "RUN groupadd --system svc && useradd --system --gid svc --no-create-home svc\nUSER svc"
    )


def test_healthcheck_inherited_from_a_parent_stage_counts() -> None:
    text = (
        "FROM python:3.11-slim AS base\n"
        'HEALTHCHECK CMD ["curl", "-f", "http://localhost:8000/health"]\n'
        'FROM base\nCMD ["python", "-m", "app"]\n'
    )
    assert codes({"Dockerfile": text}, ["DF002", "DF003"]) == []
    other_parent = text.replace("FROM base", "FROM python:3.11-slim")
    assert codes({"Dockerfile": other_parent}, ["DF002"]) == ["DF002:3"]


def test_healthcheck_defaults_and_duration_spellings() -> None:
    for interval in ("30s", "0.5m", "30000ms"):
        text = f"FROM python:3.11\nHEALTHCHECK --interval={interval} CMD curl -f http://localhost:8000/health\n"
        assert codes({"Dockerfile": text}, ["DF003"]) == [], interval
    text = (
        "FROM python:3.11\nHEALTHCHECK --interval=1m30s CMD curl -f http://localhost:8000/health\n"
    )
    assert codes({"Dockerfile": text}, ["DF003"]) == ["DF003:2"]


def test_healthcheck_expectations_come_from_the_config() -> None:
    text = "FROM python:3.11\nHEALTHCHECK --interval=10s --retries=5 CMD curl -f http://localhost:9000/ready\n"
    config = {
        "expect": {
            "healthcheck-interval": "10s",
            "healthcheck-retries": 5,
            "app-port": 9000,
            "health-path": "/ready",
        }
    }
    assert codes({"Dockerfile": text}, ["DF003"], config) == []
    assert len(codes({"Dockerfile": text}, ["DF003"])) == 3  # interval, retries and the URL


def test_healthcheck_adds_a_missing_flag_when_fixing_retries() -> None:
    text = "FROM python:3.11\nHEALTHCHECK --retries=1 CMD curl -f http://localhost:8000/health\n"
    run = run_example(HealthcheckMismatch, HealthcheckMismatch.bad(text))
    assert run.files["Dockerfile"] == text.replace("--retries=1", "--retries=3")


def test_missing_healthcheck_fix_only_for_python_images() -> None:
    findings = check_files({"Dockerfile": 'FROM nginx:1.27\nCMD ["nginx"]\n'}, select=["DF002"])
    assert len(findings) == 1 and findings[0].fix is None
    run = run_example(MissingHealthcheck, MissingHealthcheck.bad("FROM python:3.11\n", unsafe=True))
    assert run.files["Dockerfile"].startswith("FROM python:3.11\nHEALTHCHECK --interval=30s")


def test_healthcheck_tool_is_found_in_the_chain_or_the_base_image() -> None:
    check = "HEALTHCHECK CMD curl -f http://localhost:8000/health\n"
    full = "FROM python:3.11-bookworm\n" + check
    assert codes({"Dockerfile": full}, ["DF008"]) == []
    inherited = (
        "FROM python:3.11-slim AS base\nRUN apt-get update && apt-get install -y curl\n"
        "FROM base\n" + check
    )
    assert codes({"Dockerfile": inherited}, ["DF008"]) == []
    unknown_base = "FROM ghcr.io/acme/python-base:1\n" + check
    assert codes({"Dockerfile": unknown_base}, ["DF008"]) == []
    shell_wrapped = 'FROM python:3.11-slim\nHEALTHCHECK CMD ["sh", "-c", "curl -f http://localhost:8000/health"]\n'
    assert codes({"Dockerfile": shell_wrapped}, ["DF008"]) == ["DF008:2"]


def test_python_unbuffered_ignores_non_python_images_and_reads_the_chain() -> None:
    assert codes({"Dockerfile": 'FROM node:22\nCMD ["node", "server.js"]\n'}, ["DF009"]) == []
    debian_running_python = 'FROM debian:bookworm-slim\nCMD ["python3", "-m", "app"]\n'
    assert codes({"Dockerfile": debian_running_python}, ["DF009"]) == ["DF009:1"]


def test_data_dirs_owned_through_copy_chown_or_a_recursive_chown_of_a_parent() -> None:
    base = "FROM python:3.11-slim\nWORKDIR /app\nRUN useradd --system mami\n"
    by_copy = (
        base + "COPY --chown=mami:mami data /app/data\nCOPY --chown=mami logs/ logs\nUSER mami\n"
    )
    assert codes({"Dockerfile": by_copy}, ["DF010"]) == []
    by_parent = base + "RUN mkdir -p data logs && chown -R mami /app\nUSER mami\n"
    assert codes({"Dockerfile": by_parent}, ["DF010"]) == []
    not_recursive = base + "RUN mkdir -p data logs && chown mami /app\nUSER mami\n"
    assert codes({"Dockerfile": not_recursive}, ["DF010"]) == ["DF010:5"]


def test_data_dirs_follow_configured_paths_and_numeric_users() -> None:
    text = (
        "FROM python:3.11-slim\nRUN mkdir -p /srv/db /srv/log && chown 1000 /srv/db /srv/log\n"
        "USER 1000\n"
    )
    config = {"expect": {"data-dir": "/srv/db", "logs-dir": "/srv/log"}}
    assert codes({"Dockerfile": text}, ["DF010"], config) == []
    assert codes({"Dockerfile": text}, ["DF010"]) == ["DF010:3"]


def test_data_dirs_fix_is_not_offered_when_the_user_before_is_not_root() -> None:
    text = "FROM python:3.11-slim\nUSER nobody\nUSER mami\n"
    findings = check_files({"Dockerfile": text}, select=["DF010"])
    assert len(findings) == 1 and findings[0].fix is None
    run = run_example(DataDirectoriesNotWritable, DataDirectoriesNotWritable.bad(text))
    assert run.files["Dockerfile"] == text
