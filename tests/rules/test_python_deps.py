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
    # (The drift rules stay out: celery, imported by nothing here, is PY021's.)
    offline_file_rules = ["PY001", "PY002", "PY003", "PY004", "PY005", "PY007", "PY008", "PY011"]
    assert found({"requirements.txt": text}, offline_file_rules) == [
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
    shown = {"PY003", "PY004", "PY005", "PY007", "PY008", "PY009", "PY010", "PY011", "PY020"}
    assert shown | {"PY021"} <= codes


def test_a_lock_files_transitive_pins_are_not_unused() -> None:
    """pip-compile / uv output: `# via PACKAGE` under a transitive pin, `-r` under a direct
    one; hashes on continuation lines."""
    lock = (
        "fastapi==0.115.0 \\\n    --hash=sha256:" + "a" * 64 + "\n    # via -r requirements.in\n"
        "async-timeout==5.0.1 \\\n    --hash=sha256:" + "b" * 64 + "\n    # via redis\n"
        "typing-inspection==0.4.2 \\\n    --hash=sha256:" + "c" * 64 + "\n"
        "    # via\n    #   pydantic\n    #   pydantic-settings\n"
        "requests==2.32.3 \\\n    --hash=sha256:" + "d" * 64 + "\n    # via -r requirements.in\n"
    )
    files = {"requirements.txt": lock, "app/main.py": "import fastapi\n"}
    assert found(files, ["PY006", "PY020", "PY021", "PY022", "PY023"]) == [
        "requirements.txt:12:PY021"  # requests: a direct requirement nothing imports
    ]


def test_a_folder_copied_elsewhere_is_traced_back_to_its_files() -> None:
    files = {
        "Dockerfile": "FROM python:3.12-slim\nWORKDIR /srv\nCOPY requirements/ /tmp/req/\n"
        "RUN pip install --no-cache-dir -r /tmp/req/prod.txt\n",
        "requirements/prod.txt": "-r base.txt\ngunicorn==21.2.0\n",
        "requirements/base.txt": "requests\n",
        "requirements/dev.txt": "-r base.txt\npytest\n",
    }
    assert found(files, ["PY005", "PY010"]) == ["requirements/base.txt:1:PY005"]
    relative = dict(files, Dockerfile="FROM python:3.12-slim\nWORKDIR /srv\nCOPY . .\n"
                    "RUN pip install -r requirements/dev.txt\n")  # fmt: skip
    assert found(relative, ["PY005", "PY010"]) == [
        "requirements/base.txt:1:PY005",
        "requirements/dev.txt:2:PY005",
        "requirements/dev.txt:2:PY010",
    ]


def test_each_build_context_is_judged_against_its_own_code() -> None:
    """Two images in one repository: the root's app and a worker in its own folder."""
    files = {
        "Dockerfile": "FROM python:3.11-slim\nCOPY requirements.txt .\n"
        "RUN pip install -r requirements.txt\n",
        "requirements.txt": "requests==2.32.3\n",
        "app/config.py": "import requests\n",
        "worker/Dockerfile": "FROM python:3.11-slim\nCOPY requirements.txt .\n"
        "RUN pip install -r requirements.txt\n",
        "worker/requirements.txt": "pyyaml==6.0.2\n",
        "worker/job.py": "import yaml\nimport requests\nfrom . import helpers\n",
        "worker/helpers.py": "import json\n",
    }
    assert found(files, ["PY020", "PY021", "PY022", "PY023"]) == ["worker/requirements.txt:1:PY020"]
    message = check_files(files, select=["PY020"])[0].message
    assert message.startswith("`requests` is imported at worker/job.py:2")


def fake_environment(base: Path) -> None:
    """A virtualenv's site-packages holding one installed distribution, as pip lays it out:
    acme-sdk installs the module `acmesdk`, requires `acme-core`, and has a console script."""
    (base / "bin").mkdir(parents=True)
    (base / "bin" / "python").symlink_to(sys.executable)  # never run: metadata is read as files
    site = base / "lib" / "python3.11" / "site-packages"
    info = site / "acme_sdk-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: acme-sdk\nVersion: 1.0\nRequires-Dist: acme-core>=2\n"
        "Requires-Dist: pytest ; extra == 'test'\nRequires-Dist: fastjson<3 ; extra == 'fast'\n"
        "\nThe description.\n"
    )
    (info / "RECORD").write_text(
        "acmesdk/__init__.py,,\nacmesdk/client.py,,\nacme_sdk-1.0.dist-info/METADATA,,\n"
        "../../../bin/acme,,\n"
    )
    (info / "entry_points.txt").write_text("[console_scripts]\nacme = acmesdk.cli:main\n")
    core = site / "acme_core-2.0.dist-info"
    core.mkdir()
    (core / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-core\nVersion: 2.0\n")
    (core / "RECORD").write_text("acme_core_impl/__init__.py,,\n")


def test_installed_metadata_from_the_projects_venv_or_python(tmp_path: Path) -> None:
    project = tmp_path / "project"
    files = {
        "pyproject.toml": "",
        "requirements.txt": "acme-sdk==1.0\n",
        "app/__init__.py": "",
        "app/config.py": "import acmesdk\nimport acme_core_impl\n",
    }
    write_files(project, files)
    select = ["--select", "PY020,PY021,PY022,PY023", "--output-format", "concise"]
    without = run_cli(project, "check", ".", *select)
    assert "PY020 `acme_core_impl`" in without.stdout  # unknown: nothing says who provides it
    assert "PY023 cannot know whether acme-sdk is used" in without.stdout

    environment = tmp_path / "elsewhere-venv"
    fake_environment(environment)
    given = run_cli(project, "check", ".", *select, "--python", str(environment / "bin/python"))
    assert given.stdout.splitlines() == [
        "requirements.txt:1:1: PY022 `acme_core_impl` is imported at app/config.py:2 but "
        "requirements.txt installs acme-core only because acme-sdk requires it: declare it (R1.3)",
        "1 finding in 1 file.",
    ], given.stdout + given.stderr

    fake_environment(project / ".venv")  # found without --python
    found_there = run_cli(project, "check", ".", *select)
    assert found_there.stdout == given.stdout


def test_python_option_naming_nothing_is_a_usage_error(tmp_path: Path) -> None:
    write_files(tmp_path, {"pyproject.toml": "", "requirements.txt": "redis==5.0.8\n"})
    done = run_cli(tmp_path, "check", ".", "--python", str(tmp_path / "missing" / "python"))
    assert done.returncode == 2
    assert "no such interpreter or virtualenv" in done.stderr and "Traceback" not in done.stderr


def test_a_wheel_builder_and_its_runtime_install_are_one_set() -> None:
    dockerfile = (
        "FROM python:3.11-slim AS builder\nCOPY requirements.txt .\n"
        "RUN pip wheel --no-cache-dir --wheel-dir /wheels -r requirements.txt\n"
        "FROM python:3.11-slim\nCOPY requirements.txt .\n"
        "RUN pip install --no-cache-dir --no-index --find-links=/wheels -r requirements.txt\n"
    )
    files = {"Dockerfile": dockerfile, "requirements.txt": "redis\n"}
    assert found(files, ["PY003", "PY005"]) == [
        "requirements.txt:1:PY003",  # fastapi, uvicorn, pydantic missing: once each
        "requirements.txt:1:PY003",
        "requirements.txt:1:PY003",
        "requirements.txt:1:PY005",
    ]


def test_conflicts_through_an_installed_packages_requirements_and_extras(tmp_path: Path) -> None:
    """PY007 with the project's environment: acme-sdk 1.0 is installed there and requires
    acme-core>=2, and fastjson<3 with its `fast` extra."""
    project = tmp_path / "project"
    fake_environment(project / ".venv")
    lines = "acme-sdk[fast]==1.0\nacme-core==1.5\nfastjson==3.1\n"
    write_files(project, {"pyproject.toml": "", "requirements.txt": lines})
    done = run_cli(project, "check", ".", "--select", "PY007", "--output-format", "concise")
    assert done.stdout.splitlines()[:2] == [
        "requirements.txt:2:1: PY007 `acme-core==1.5` conflicts with `acme-sdk[fast]==1.0` "
        "(requirements.txt:1), which requires acme-core>=2 (installed metadata of acme-sdk 1.0): "
        "pip fails to install (R8.5)",
        "requirements.txt:3:1: PY007 `fastjson==3.1` conflicts with `acme-sdk[fast]==1.0` "
        "(requirements.txt:1), which requires fastjson<3 (installed metadata of acme-sdk 1.0): "
        "pip fails to install (R8.5)",
    ], done.stdout + done.stderr
    without_extra = "acme-sdk==1.0\nacme-core==2.0\nfastjson==3.1\n"
    other_version = "acme-sdk==0.9\nacme-core==1.5\n"  # its requirements are not known here
    for text in (without_extra, other_version):
        (project / "requirements.txt").write_text(text)
        done = run_cli(project, "check", ".", "--select", "PY007", "--output-format", "concise")
        assert done.returncode == 0, done.stdout


def test_the_docs_table_lists_every_py_rule() -> None:
    import re

    import rules
    from auditor.rule import registry

    rules.load_all()
    text = (REPOSITORY / "docs" / "python-dependencies.md").read_text()
    listed = dict(re.findall(r"^\| (PY\d{3}) \| ([a-z0-9-]+) \|", text, re.M))
    rules_now = {rule.code: rule.name for rule in registry if rule.code.startswith("PY")}
    assert listed == rules_now
    fixable = set(re.findall(r"^\| (PY\d{3}) \| [a-z0-9-]+ \| (?:safe|unsafe)", text, re.M))
    assert fixable == {code for code in rules_now if registry.get(code).fixable}
