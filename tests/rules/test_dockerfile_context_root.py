"""DF012/DF013: which folder is the build context of a Dockerfile in a subfolder.

`docker build -f docker/api.Dockerfile .` and compose's `context: .` build from the project
root, while `docker build docker/` builds from the Dockerfile's folder. Without knowing the
command, the context is the folder (the Dockerfile's own, or one above it) against which the
COPY/ADD sources resolve best; when no single folder does, only sources that exist in none of
them are reported.
"""

from __future__ import annotations

from auditor.testing import check_files


def found(files: dict[str, str], select: list[str]) -> list[tuple[str, str, int, str]]:
    return [(f.code, f.path, f.span.line, f.message) for f in check_files(files, select=select)]


API = "FROM python:3.11-slim\nWORKDIR /app\nCOPY requirements.txt .\nCOPY app ./app\n"


def test_sources_that_resolve_against_the_root_take_the_root_as_the_context() -> None:
    files = {"docker/api.Dockerfile": API, "requirements.txt": "", "app/main.py": ""}
    assert found(files, ["DF012"]) == []


def test_a_source_missing_from_the_root_context_is_still_reported() -> None:
    text = API + "COPY config.toml .\n"
    files = {"docker/api.Dockerfile": text, "requirements.txt": "", "app/main.py": ""}
    assert found(files, ["DF012"]) == [
        (
            "DF012",
            "docker/api.Dockerfile",
            5,
            "`config.toml` does not exist in the build context `.`",
        )
    ]


def test_sources_beside_the_dockerfile_keep_its_folder_as_the_context() -> None:
    text = "FROM node:20-alpine\nCOPY package.json .\nCOPY src ./src\nCOPY nginx.conf /etc/\n"
    files = {"frontend/Dockerfile": text, "frontend/package.json": "{}", "frontend/src/a.js": ""}
    assert found(files, ["DF012"]) == [
        (
            "DF012",
            "frontend/Dockerfile",
            4,
            "`nginx.conf` does not exist in the build context `frontend`",
        )
    ]


def test_a_deeper_dockerfile_can_take_a_middle_folder_as_the_context() -> None:
    text = "FROM python:3.11-slim\nCOPY api/requirements.txt .\nCOPY api/app ./app\n"
    files = {
        "services/docker/Dockerfile": text,
        "services/api/requirements.txt": "",
        "services/api/app/main.py": "",
    }
    assert found(files, ["DF012"]) == []


def test_when_no_single_folder_wins_only_sources_missing_everywhere_are_reported() -> None:
    # entrypoint.sh is beside the Dockerfile, requirements.txt at the root: one each.
    text = (
        "FROM python:3.11-slim\nCOPY entrypoint.sh /\nCOPY requirements.txt .\n"
        "COPY missing.txt .\nCOPY *.whl /wheels/\n"
    )
    files = {"docker/Dockerfile": text, "docker/entrypoint.sh": "", "requirements.txt": ""}
    assert [(code, line) for code, _, line, _ in found(files, ["DF012"])] == [
        ("DF012", 4),
        ("DF012", 5),
    ]
    messages = [message for *_, message in found(files, ["DF012"])]
    assert messages[0] == (
        "`missing.txt` does not exist in the build context, whichever it is "
        "(`docker` or a folder above it)"
    )
    assert messages[1].startswith("`*.whl` matches no file in the build context, whichever")


def test_a_path_climbing_out_of_every_possible_context_is_reported() -> None:
    text = "FROM python:3.11-slim\nCOPY ../../../app /app\n"
    files = {"docker/api/Dockerfile": text, "app/main.py": ""}
    assert [(code, line) for code, _, line, _ in found(files, ["DF012"])] == [("DF012", 2)]


def test_the_root_context_uses_the_root_dockerignore() -> None:
    files = {
        "docker/api.Dockerfile": API,
        "requirements.txt": "",
        "app/main.py": "",
        ".dockerignore": "app/\n",
        "docker/.dockerignore": "requirements.txt\n",
    }
    assert found(files, ["DF012", "DF013"]) == [
        (
            "DF013",
            "docker/api.Dockerfile",
            4,
            "`app` is excluded by .dockerignore (pattern `app/` on line 1)",
        )
    ]


def test_an_unknown_context_does_not_guess_the_ignore_file() -> None:
    text = "FROM python:3.11-slim\nCOPY entrypoint.sh /\nCOPY requirements.txt .\n"
    files = {
        "docker/Dockerfile": text,
        "docker/entrypoint.sh": "",
        "requirements.txt": "",
        ".dockerignore": "requirements.txt\n",
    }
    assert found(files, ["DF012", "DF013"]) == []
