"""Edge cases of the DF rules about base images, beyond their documented examples."""

from __future__ import annotations

from auditor.testing import check_files


def codes(files: dict[str, str], select: list[str], config: dict | None = None) -> list[str]:
    return [f"{f.code}:{f.span.line}" for f in check_files(files, select=select, config=config)]


def test_python_c_library_mismatch_between_stages() -> None:
    slim_to_alpine = (
        "FROM python:3.11-slim AS builder\nRUN pip wheel --no-cache-dir -w /wheels psycopg2\n"
        "FROM python:3.11-alpine\nCOPY --from=builder /wheels /wheels\n"
        "RUN pip install --no-cache-dir --no-index /wheels/*\n"
    )
    findings = check_files({"Dockerfile": slim_to_alpine}, select=["DF015"])
    assert [f.span.line for f in findings] == [1]
    assert "glibc" in findings[0].message and "musl" in findings[0].message
    alpine_to_slim = slim_to_alpine.replace("3.11-slim", "X").replace("3.11-alpine", "3.11-slim")
    alpine_to_slim = alpine_to_slim.replace("X", "3.11-alpine3.20")
    assert codes({"Dockerfile": alpine_to_slim}, ["DF015"]) == ["DF015:1"]
    same_libc = slim_to_alpine.replace("3.11-alpine", "3.11-bookworm")
    assert codes({"Dockerfile": same_libc}, ["DF015"]) == []
    both_alpine = slim_to_alpine.replace("3.11-slim", "3.11-alpine")
    assert codes({"Dockerfile": both_alpine}, ["DF015"]) == []
    node_assets = (
        "FROM node:22-alpine AS ui\nRUN npm ci\n"
        "FROM python:3.11-slim\nCOPY --from=ui /dist /app/static\n"
    )
    assert codes({"Dockerfile": node_assets}, ["DF015"]) == []


def test_python_version_mismatch_is_reported_once_even_when_the_libc_differs_too() -> None:
    text = (
        "FROM python:3.12-slim AS builder\nRUN pip wheel --no-cache-dir -w /w fastapi\n"
        "FROM python:3.11-alpine\nCOPY --from=builder /w /w\n"
    )
    findings = check_files({"Dockerfile": text}, select=["DF015"])
    assert len(findings) == 1 and "Python 3.12" in findings[0].message


def test_base_image_rules_judge_the_target_stage() -> None:
    text = (
        "FROM python:3.12-slim AS builder\nRUN pip wheel --no-cache-dir -w /w fastapi\n"
        "FROM python:3.9-slim AS production\nCOPY --from=builder /w /w\n"
        "FROM python:3.12-slim AS test\nRUN pip install --no-cache-dir pytest\n"
    )
    assert codes({"Dockerfile": text}, ["DF015", "DF016"]) == []
    target = {"expect": {"target": "production"}}
    assert sorted(codes({"Dockerfile": text}, ["DF015", "DF016"], target)) == [
        "DF015:1",
        "DF016:3",
    ]
