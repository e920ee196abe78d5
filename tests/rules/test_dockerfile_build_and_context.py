"""Edge cases of the DF rules about builds, the build context and base images."""

from __future__ import annotations

import datetime

from auditor.testing import check_files, run_example
from rules.dockerfile.build import PipCacheNotDisabled
from rules.dockerfile.images import PYTHON_END_OF_LIFE, python_version


def codes(files: dict[str, str], select: list[str]) -> list[str]:
    return [f"{f.code}:{f.span.line}" for f in check_files(files, select=select)]


def test_wheel_builder_accepts_an_index_install_of_pip_itself() -> None:
    text = "FROM python:3.11-slim\nRUN pip install --no-cache-dir --upgrade pip setuptools\n"
    assert codes({"Dockerfile": text}, ["DF004"]) == []


def test_runtime_install_through_a_bind_mount_of_the_wheels_is_accepted() -> None:
    text = (
        "FROM python:3.11-slim AS builder\nRUN pip wheel --no-cache-dir -w /wheels -r requirements.txt\n"
        "FROM python:3.11-slim\n"
        "RUN --mount=type=bind,from=builder,source=/wheels,target=/wheels \\\n"
        "    pip install --no-cache-dir --no-index --find-links=/wheels -r requirements.txt\n"
    )
    assert codes({"Dockerfile": text}, ["DF004", "DF005", "DF006", "DF015"]) == []


def test_pip_cache_fix_inside_a_heredoc_and_a_continuation() -> None:
    text = (
        "FROM python:3.11-slim\nRUN <<EOF\nset -e\npip3 install -r requirements.txt\nEOF\n"
        "RUN echo a \\\n    && pip install fastapi\n"
    )
    run = run_example(PipCacheNotDisabled, PipCacheNotDisabled.bad(text))
    assert [f.span.line for f in run.findings] == [4, 7]
    assert run.files["Dockerfile"] == text.replace(
        "pip3 install", "pip3 install --no-cache-dir"
    ).replace("pip install fastapi", "pip install --no-cache-dir fastapi")


def test_pip_cache_is_not_confused_by_pipx_or_text_mentioning_pip() -> None:
    text = "FROM python:3.11-slim\nRUN pipx install black && echo 'run pip install later'\n"
    assert codes({"Dockerfile": text}, ["DF006"]) == []


def test_build_tools_removed_later_in_another_run_still_count() -> None:
    text = (
        "FROM python:3.11-slim\nRUN apt-get update && apt-get install -y gcc\n"
        "RUN apt-get purge -y gcc\n"
    )
    assert codes({"Dockerfile": text}, ["DF007"]) == ["DF007:2"]


def test_copy_order_only_counts_context_copies_before_the_install() -> None:
    text = (
        "FROM python:3.11-slim\nCOPY requirements/ /app/requirements/\n"
        "RUN pip install --no-cache-dir -r /app/requirements/base.txt\nCOPY . /app\n"
    )
    assert codes({"Dockerfile": text}, ["DF011"]) == []


def test_copy_sources_resolve_against_the_dockerfiles_folder() -> None:
    files = {
        "backend/Dockerfile": "FROM python:3.11-slim\nCOPY requirements.txt app/ /app/\nCOPY ../x /x\n",
        "backend/requirements.txt": "",
        "backend/app/main.py": "",
        "requirements.txt": "",
    }
    assert codes(files, ["DF012"]) == ["DF012:3"]
    files["backend/Dockerfile"] = "FROM python:3.11-slim\nCOPY main.py /app/\n"
    assert codes(files, ["DF012"]) == ["DF012:2"]


def test_copy_sources_exec_form_quoted_and_gitignored_files() -> None:
    files = {
        "Dockerfile": 'FROM python:3.11-slim\nCOPY ["my file.txt", ".env.example", "/app/"]\n',
        "my file.txt": "",
        ".env.example": "",
        ".gitignore": "my file.txt\n",
    }
    assert codes(files, ["DF012", "DF013"]) == []


def test_ignore_file_beside_the_dockerfile_wins_over_the_context_one() -> None:
    files = {
        "Dockerfile": "FROM python:3.11-slim\nCOPY app ./app\n",
        "Dockerfile.dockerignore": "",
        ".dockerignore": "app\n",
        "app/main.py": "",
    }
    assert codes(files, ["DF013"]) == []
    del files["Dockerfile.dockerignore"]
    assert codes(files, ["DF013"]) == ["DF013:2"]


def test_a_glob_counts_as_ignored_only_when_every_match_is() -> None:
    files = {
        "Dockerfile": "FROM python:3.11-slim\nCOPY *.txt /app/\n",
        ".dockerignore": "*.txt\n!requirements.txt\n",
        "requirements.txt": "",
        "notes.txt": "",
    }
    assert codes(files, ["DF013"]) == []
    files[".dockerignore"] = "*.txt\n"
    assert codes(files, ["DF013"]) == ["DF013:2"]


def test_a_broken_dockerignore_does_not_stop_the_dockerfile_rules() -> None:
    files = {
        "Dockerfile": "FROM python:3.11-slim\nCOPY app ./app\n",
        ".dockerignore": "app[\n",
        "app/main.py": "",
    }
    assert codes(files, ["DF012", "DF013"]) == []


def test_python_versions_of_image_tags() -> None:
    assert python_version("python:3.11.9-slim-bookworm") == "3.11"
    assert python_version("docker.io/library/python:3.12-alpine3.20") == "3.12"
    assert python_version("python:slim") is None
    assert python_version("pypy:3.10") is None


def test_the_end_of_life_table_is_dated_and_ordered() -> None:
    dates = [PYTHON_END_OF_LIFE[v] for v in ("3.8", "3.9", "3.10", "3.11", "3.12", "3.13")]
    assert dates == sorted(dates)
    assert PYTHON_END_OF_LIFE["3.9"] < "2026-11-26" < PYTHON_END_OF_LIFE["3.11"]
    assert all(datetime.date.fromisoformat(value) for value in PYTHON_END_OF_LIFE.values())


def test_python_mismatch_follows_stage_indexes_in_copy_from() -> None:
    text = (
        "FROM python:3.12-slim\nRUN pip wheel --no-cache-dir -w /w fastapi\n"
        "FROM python:3.11-slim\nCOPY --from=0 /w /w\n"
    )
    assert codes({"Dockerfile": text}, ["DF015"]) == ["DF015:1"]


def test_unpinned_image_ignores_scratch_and_unresolved_args() -> None:
    text = "ARG BASE\nFROM ${BASE}\nRUN x\nFROM scratch\nCOPY --from=0 /x /x\n"
    assert codes({"Dockerfile": text}, ["DF014"]) == []


def test_build_tools_under_an_apk_virtual_package_count_as_removed_only_by_that_name() -> None:
    removed = (
        "FROM python:3.11-alpine\n"
        "RUN apk add -t build-deps gcc make && pip install --no-cache-dir x && apk del build-deps\n"
    )
    assert codes({"Dockerfile": removed}, ["DF007"]) == []
    other_group = (
        "FROM python:3.11-alpine\n"
        "RUN apk add --virtual=.a gcc && apk add --virtual .b make && apk del .b\n"
    )
    assert codes({"Dockerfile": other_group}, ["DF007"]) == ["DF007:2"]
    later_run = "FROM python:3.11-alpine\nRUN apk add --virtual .b gcc\nRUN apk del .b\n"
    assert codes({"Dockerfile": later_run}, ["DF007"]) == ["DF007:2"]


def test_wheel_builder_message_when_the_final_stage_is_built_from_it() -> None:
    text = (
        "FROM python:3.11-slim AS builder\nRUN pip wheel --no-cache-dir -w /w flask\n"
        "FROM builder AS runtime\nRUN pip install --no-cache-dir --no-index /w/*\n"
    )
    [finding] = check_files({"Dockerfile": text}, select=["DF004"])
    assert "built FROM `builder`" in finding.message and "No builder" not in finding.message


def test_pip_cache_abbreviated_option_and_a_cache_removed_afterwards() -> None:
    for run in (
        "pip install --no-cache flask",
        "pip install flask && rm -rf /root/.cache/pip",
        "pip install flask && pip cache purge",
        "pip wheel -w /w flask; rm -rf ~/.cache",
    ):
        text = f"FROM python:3.11-slim\nRUN {run}\n"
        assert codes({"Dockerfile": text}, ["DF006"]) == [], run
    for run in (
        "rm -rf /root/.cache/pip && pip install flask",
        "pip install --no-cache-directory flask",
        "pip install flask && rm -rf /root/.cache/pipx",
    ):
        text = f"FROM python:3.11-slim\nRUN {run}\n"
        assert codes({"Dockerfile": text}, ["DF006"]) == ["DF006:2"], run


def test_runtime_stage_rules_judge_the_expected_target() -> None:
    text = (
        "FROM python:3.11-slim AS production\n"
        "RUN apt-get update && apt-get install -y --no-install-recommends gcc\n"
        "FROM production AS test\nRUN pip install --no-cache-dir pytest\n"
    )
    target = {"expect": {"target": "production"}}
    found = check_files({"Dockerfile": text}, select=["DF004", "DF007", "DF021"], config=target)
    assert sorted(f"{f.code}:{f.span.line}" for f in found) == ["DF007:2", "DF021:2"]
    last = check_files({"Dockerfile": text}, select=["DF004", "DF007", "DF021"])
    assert sorted(f"{f.code}:{f.span.line}" for f in last) == ["DF004:4", "DF007:2", "DF021:2"]
