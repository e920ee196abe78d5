"""The PY rules beyond their documented examples: bad input, which file is production, fixes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from auditor.testing import check_files, write_files

REPOSITORY = Path(__file__).resolve().parents[2]
FULL_SPEC = (
    "fastapi==0.115.0\nuvicorn[standard]==0.30.3\npydantic>=2.12.5,<3\nsqlmodel==0.0.22\n"
    "neo4j==5.28.1\nqdrant-client==1.12.1\nredis==5.0.8\ngroq==0.11.0\ngoogle-genai==1.2.0\n"
)


def found(files: dict[str, str | bytes], select: list[str] | None = None) -> list[str]:
    return [f"{f.path}:{f.span.line}:{f.code}" for f in check_files(files, select=select or ["PY"])]


def run_cli(root: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "auditor", *arguments],
        cwd=root,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(REPOSITORY), "NO_COLOR": "1", "PATH": "/usr/bin:/bin"},
        timeout=120,
    )


def test_the_spec_complete_file_is_clean() -> None:
    assert found({"requirements.txt": FULL_SPEC}) == []


def test_bad_input_gives_findings_at_lines_and_the_rest_is_still_checked() -> None:
    text = (
        b"\xef\xbb\xbf" + FULL_SPEC.replace("\n", "\r\n").encode()
        + b"uvicorn = 0.30.3\r\n"
        + b"--index-url https://bob:s3cret@pypi.example/simple\r\n"
        + b"celery \\\r\n  >=5 ; python_version >= '3.8'\r\n"
        + b"-r ../outside.txt\r\n"
    )  # fmt: skip
    assert found({"requirements.txt": text}) == [
        "requirements.txt:10:PY001",
        "requirements.txt:11:PY011",
        "requirements.txt:12:PY005",
        "requirements.txt:14:PY002",
    ]


def test_include_cycle_and_missing_include_do_not_hang_or_crash() -> None:
    files = {
        "requirements.txt": FULL_SPEC + "-r a.txt\n",
        "a.txt": "-r b.txt\nflask==3.0.0\n",
        "b.txt": "-r a.txt\n-r missing.txt\n",
    }
    assert found(files, ["PY002"]) == ["b.txt:1:PY002", "b.txt:2:PY002"]
    messages = [f.message for f in check_files(files, select=["PY002"])]
    assert "include cycle: requirements.txt -> a.txt -> b.txt -> a.txt" in messages[0] or (
        "a.txt -> b.txt -> a.txt" in messages[0]
    )


def test_undecodable_file_is_one_parse_error_not_a_traceback(tmp_path: Path) -> None:
    write_files(tmp_path, {"requirements.txt": b"redis==5.0.8\n\xff\xfe\n", "pyproject.toml": ""})
    done = run_cli(tmp_path, "check", ".", "--select", "PY,AU001", "--output-format", "concise")
    assert done.returncode == 1, done.stderr
    assert "requirements.txt:2:1: AU001" in done.stdout and "Traceback" not in done.stderr


def test_credentials_never_printed_in_any_format(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            "pyproject.toml": "",
            "requirements.txt": "--extra-index-url https://ci:hunter2@pypi.example/simple\n"
            "git+https://ci:hunter2@git.example/x.git#egg=x ; os_name ==\n",
        },
    )
    for output in ("full", "concise", "json", "sarif", "github"):
        done = run_cli(tmp_path, "check", ".", "--select", "PY", "--output-format", output)
        assert done.returncode == 1, done.stderr
        assert "hunter2" not in done.stdout + done.stderr, output
        assert "****" in done.stdout, output


def test_the_dockerfile_decides_which_file_is_production() -> None:
    dockerfile = (
        "FROM python:3.11-slim\nWORKDIR /app\nCOPY requirements/prod.txt /tmp/req.txt\n"
        "RUN pip install --no-cache-dir -r /tmp/req.txt\n"
    )
    files = {
        "Dockerfile": dockerfile,
        "requirements/prod.txt": FULL_SPEC.replace("redis==5.0.8", "redis"),
        "requirements.txt": "fastapi\npytest\n",  # not what the image installs
    }
    assert found(files, ["PY003", "PY005", "PY010"]) == ["requirements/prod.txt:7:PY005"]


def test_markers_are_evaluated_for_the_images_python() -> None:
    text = FULL_SPEC + "numpy==1.24.4 ; python_version < '3.12'\nnumpy==2.1.0\n"
    old = {"Dockerfile": "FROM python:3.11-slim\nCOPY requirements.txt .\n"
           "RUN pip install -r requirements.txt\n", "requirements.txt": text}  # fmt: skip
    new = dict(old, Dockerfile=old["Dockerfile"].replace("3.11", "3.12"))
    assert found(old, ["PY007"]) == ["requirements.txt:11:PY007"]
    assert found(new, ["PY007"]) == []


def test_pyproject_is_production_when_the_image_installs_the_project() -> None:
    files = {
        "Dockerfile": "FROM python:3.11-slim\nCOPY . .\nRUN pip install --no-cache-dir .\n",
        "pyproject.toml": '[project]\nname = "x"\nversion = "1"\ndependencies = [\n'
        '  "fastapi==0.110.0",\n  "redis",\n]\n',
    }
    assert found(files, ["PY003", "PY005"]) == [
        "pyproject.toml:1:PY003",  # uvicorn missing
        "pyproject.toml:1:PY003",  # pydantic missing
        "pyproject.toml:5:PY003",
        "pyproject.toml:6:PY005",
    ]
    library = {"pyproject.toml": files["pyproject.toml"]}
    assert found(library, ["PY003", "PY005"]) == []


def test_fix_keeps_bom_crlf_comments_and_order_and_a_second_fix_changes_nothing(
    tmp_path: Path,
) -> None:
    original = (
        b"\xef\xbb\xbf# API\r\nfastapi  # web\r\nuvicorn[standard]==0.30.3\r\n"
        b"pydantic>=2.0.0,<3\r\nredis==5.0.8\r\nredis==5.0.8  # again\r\n"
    )
    write_files(tmp_path, {"pyproject.toml": "", "requirements.txt": original})
    first = run_cli(tmp_path, "check", ".", "--select", "PY003,PY008", "--fix")
    assert first.returncode == 0, first.stdout + first.stderr
    fixed = (tmp_path / "requirements.txt").read_bytes()
    assert fixed == (
        b"\xef\xbb\xbf# API\r\nfastapi==0.115.0  # web\r\nuvicorn[standard]==0.30.3\r\n"
        b"pydantic>=2.0.0,<3\r\nredis==5.0.8\r\n# again\r\n"
    )
    second = run_cli(tmp_path, "check", ".", "--select", "PY003,PY008", "--fix")
    assert second.returncode == 0 and (tmp_path / "requirements.txt").read_bytes() == fixed


def test_reference_requirements_are_clean_for_the_family() -> None:
    done = run_cli(REPOSITORY, "check", ".", "--select", "PY", "--output-format", "concise")
    assert done.returncode == 0, done.stdout + done.stderr


def test_legacy_example_shows_the_family_at_work() -> None:
    done = run_cli(
        REPOSITORY, "check", "examples/legacy-mami", "--select", "PY", "--output-format", "concise"
    )
    codes = {line.split(" ")[1] for line in done.stdout.splitlines() if ": PY" in line}
    assert {"PY003", "PY004", "PY005", "PY007", "PY008", "PY009", "PY010", "PY011"} <= codes
