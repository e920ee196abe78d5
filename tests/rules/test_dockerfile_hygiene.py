"""Edge cases of the hadolint-style DF rules, robustness on odd input, and suppressions."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from auditor.testing import check_files, run_example
from rules.dockerfile.hygiene import (
    AptGetMissingYes,
    AptListsNotCleaned,
    MissingPipefail,
    RelativeWorkdir,
    ShellFormCommand,
)

REPOSITORY = Path(__file__).resolve().parents[2]


def codes(files: dict[str, str | bytes], select: list[str]) -> list[str]:
    return [f"{f.code}:{f.span.line}" for f in check_files(files, select=select)]


def test_shell_form_fix_is_withheld_when_the_shell_matters() -> None:
    for command in (
        "uvicorn app:app --port $PORT",
        "alembic upgrade head && uvicorn app:app",
        "python -m app > /proc/1/fd/1",
        "python -m app \\\n    # a comment inside\n    --debug",
    ):
        findings = check_files(
            {"Dockerfile": f"FROM python:3.11\nCMD {command}\n"}, select=["DF018"]
        )
        assert len(findings) == 1 and findings[0].fix is None, command


def test_shell_form_fix_keeps_quoted_arguments_together() -> None:
    text = "FROM python:3.11\nENTRYPOINT python -c 'print(1)' \"two words\"\n"
    run = run_example(ShellFormCommand, ShellFormCommand.bad(text))
    assert run.files["Dockerfile"] == (
        'FROM python:3.11\nENTRYPOINT ["python", "-c", "print(1)", "two words"]\n'
    )


def test_apt_lists_fix_is_not_offered_for_a_lone_update() -> None:
    text = "FROM debian:bookworm-slim\nRUN apt-get update\nRUN apt-get install -y curl\n"
    findings = check_files({"Dockerfile": text}, select=["DF021"])
    assert [(f.span.line, f.fix) for f in findings] == [(2, None)]
    cache_mount = (
        "FROM debian:bookworm-slim\n"
        "RUN --mount=type=cache,target=/var/lib/apt apt-get update && apt-get install -y curl\n"
    )
    assert codes({"Dockerfile": cache_mount}, ["DF021"]) == []


def test_apt_lists_fix_keeps_a_custom_escape_character() -> None:
    text = "# escape=`\nFROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y curl\n"
    run = run_example(AptListsNotCleaned, AptListsNotCleaned.bad(text))
    assert run.files["Dockerfile"] == text.replace(
        "curl\n", "curl `\n    && rm -rf /var/lib/apt/lists/*\n"
    )


def test_pipefail_is_inherited_and_fixed_once_per_stage() -> None:
    inherited = (
        'FROM debian:bookworm-slim AS base\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\n'
        "FROM base\nRUN a | b\n"
    )
    assert codes({"Dockerfile": inherited}, ["DF023"]) == []
    twice = "FROM debian:bookworm-slim\nRUN a | b\nRUN c | d\n"
    run = run_example(MissingPipefail, MissingPipefail.bad(twice, unsafe=True))
    assert run.files["Dockerfile"] == (
        'FROM debian:bookworm-slim\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\nRUN a | b\nRUN c | d\n'
    )
    alpine = check_files({"Dockerfile": "FROM alpine:3.20\nRUN a | b\n"}, select=["DF023"])
    assert len(alpine) == 1 and alpine[0].fix is None
    assert codes({"Dockerfile": "FROM debian:bookworm-slim\nRUN a || b\n"}, ["DF023"]) == []


def test_relative_workdir_fix_uses_the_parent_stage_workdir() -> None:
    text = "FROM python:3.11 AS base\nWORKDIR /srv\nFROM base\nWORKDIR ./app/../api\n"
    run = run_example(RelativeWorkdir, RelativeWorkdir.bad(text))
    assert (
        run.files["Dockerfile"]
        == "FROM python:3.11 AS base\nWORKDIR /srv\nFROM base\nWORKDIR /srv/api\n"
    )
    assert [f.span.line for f in run.findings] == [4]


def test_secret_names_and_values() -> None:
    text = (
        "FROM python:3.11\nENV GEMINI_API_KEY=x groqApiKey=y JWT_SECRET=z\n"
        "ARG NPM_TOKEN\nENV API_KEY_FILE=/run/secrets/k GPG_KEY=A1B2 MAX_TOKENS=100\n"
    )
    messages = [f.message for f in check_files({"Dockerfile": text}, select=["DF025"])]
    assert [m.split("`")[1] for m in messages] == [
        "GEMINI_API_KEY",
        "groqApiKey",
        "JWT_SECRET",
        "NPM_TOKEN",
    ]


ODD_DOCKERFILES: dict[str, str | bytes] = {
    "empty/Dockerfile": "",
    "binary/Dockerfile": b"\x00\x01\x02FROM",
    "latin1/Dockerfile": b'FROM python:3.11\nLABEL author="Ren\xe9"\n',
    "crlf/Dockerfile": b"FROM python:3.11-slim\r\nRUN pip install x \\\r\n  | tee log\r\nCMD python -m app\r\n",
    "heredoc/Dockerfile": "FROM python:3.11\nRUN <<EOF\npip install x | tee\nEOF\nCOPY <<A <<B /x/\na\nA\nb\nB\n",
    "escape/Dockerfile": "# escape=`\nFROM python:3.11\nRUN pip install `\n  x\nWORKDIR C:\\app\n",
    "onbuild/Dockerfile": "FROM python:3.11\nONBUILD RUN <<EOF\necho\nEOF\nONBUILD COPY . /app\n",
    "weird/Dockerfile": 'FROM python:3.11\nHEALTHCHECK CMD\nCMD []\nENTRYPOINT [""]\nUSER :\nWORKDIR ""\n'
    'ENV A="unterminated\nCOPY --from= a b\nEXPOSE 8000/tcp\nRUN apt-get install\nRUN pip\n',
    "unicode/Dockerfile": 'FROM python:3.11\nLABEL note="café ☕"\nCMD echo ☕\n',
    "continuation-eof/Dockerfile": "FROM python:3.11\nRUN pip install x \\",
    "args/Dockerfile": "ARG A\nARG B=${A:-python}\nFROM ${B}:${MISSING} AS x\nFROM x\nCOPY --from=x / /\n",
    "stages/Dockerfile": "FROM a:1 AS one\nFROM one AS two\nFROM two\nUSER 0\nHEALTHCHECK NONE\n",
}


def test_every_df_rule_survives_odd_dockerfiles() -> None:
    # check_files raises RuleFailed if any rule raised: the test is that it returns.
    findings = check_files(ODD_DOCKERFILES, select=["DF", "AU001"])
    broken = {f.path for f in findings if f.code == "AU001"}
    assert {"empty/Dockerfile", "binary/Dockerfile", "latin1/Dockerfile"} <= broken
    assert not any(f.path in broken and f.code.startswith("DF") for f in findings)
    assert any(f.path == "crlf/Dockerfile" and f.code == "DF018" for f in findings)


def test_suppressions_cover_the_whole_instruction_and_hadolint_pragmas() -> None:
    text = (
        "FROM python:3.11-slim\n"
        "# mami-audit: ignore[DF006] the cache is wiped below\n"
        "RUN echo start \\\n    && pip install fastapi\n"
        "# hadolint ignore=DL3025\n"
        "CMD python -m app\n"
    )
    assert codes({"Dockerfile": text}, ["DF006", "DF018"]) == []
    assert codes({"Dockerfile": text.replace("ignore", "note")}, ["DF006", "DF018"]) == [
        "DF006:4",
        "DF018:6",
    ]


def test_the_reference_dockerfiles_of_this_repository_are_clean() -> None:
    dockerfiles = [p for p in ("Dockerfile", "frontend/Dockerfile") if (REPOSITORY / p).exists()]
    if not dockerfiles:
        pytest.skip("the reference project's Dockerfiles are not in this checkout")
    command = [sys.executable, "-m", "auditor", "check", *dockerfiles, "--select", "DF",
               "--output-format", "json", "--exit-zero"]  # fmt: skip
    done = subprocess.run(
        command,
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    findings = json.loads(done.stdout)["findings"]
    assert findings == [], [f"{f['path']}:{f['line']} {f['code']} {f['message']}" for f in findings]


def test_a_production_ready_dockerfile_is_clean() -> None:
    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "dockerfile" / "production"
    files = {
        path.relative_to(fixture).as_posix(): path.read_text(encoding="utf-8")
        for path in fixture.rglob("*")
        if path.is_file()
    }
    assert "Dockerfile" in files
    assert codes(files, ["DF"]) == []


def _mutations(text: str, seed: int) -> list[str]:
    """Deterministic damage to a valid Dockerfile: cuts, dropped and doubled lines, stray
    quotes, escapes, brackets and heredoc markers."""
    import random

    chooser = random.Random(seed)
    lines = text.split("\n")
    damaged = []
    for _ in range(6):
        copy = list(lines)
        action = chooser.randrange(5)
        index = chooser.randrange(len(copy))
        if action == 0:
            del copy[index]
        elif action == 1:
            copy.insert(index, copy[index])
        elif action == 2:
            cut = chooser.randrange(len(text) + 1)
            damaged.append(text[:cut])
            continue
        else:
            line = copy[index]
            at = chooser.randrange(len(line) + 1)
            junk = chooser.choice(['"', "'", "\\", "[", "<<EOF", " | ", "$", "`", "--x=", "#"])
            copy[index] = line[:at] + junk + line[at:]
        damaged.append("\n".join(copy))
    return damaged


def test_every_df_rule_survives_damaged_examples() -> None:
    import rules
    from auditor.rule import registry

    rules.load_all()
    files: dict[str, str | bytes] = {}
    for rule in registry:
        if not rule.code.startswith("DF"):
            continue
        for number, example in enumerate(rule.bad_examples + rule.good_examples):
            for path, text in example.files.items():
                if path.endswith("Dockerfile"):
                    for variant, damaged in enumerate(
                        _mutations(text, int(rule.code[2:]) * 100 + number)
                    ):
                        files[f"{rule.code}/{number}/{variant}/Dockerfile"] = damaged
    findings = check_files(files, select=["DF", "AU001"])  # raises RuleFailed if a rule raised
    assert {finding.path for finding in findings} <= set(files)


def test_df_fixes_keep_crlf_and_bom_through_the_cli(tmp_path: Path) -> None:
    original = (
        b"\xef\xbb\xbfFROM python:3.11-slim\r\nRUN pip install -r requirements.txt\r\n"
        b"CMD python -m app\r\n"
    )
    (tmp_path / "Dockerfile").write_bytes(original)
    command = [sys.executable, "-m", "auditor", "check", str(tmp_path), "--select",
               "DF006,DF009,DF018", "--fix", "--output-format", "concise"]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "Dockerfile").read_bytes() == (
        b"\xef\xbb\xbfFROM python:3.11-slim\r\nENV PYTHONUNBUFFERED=1\r\n"
        b"RUN pip install --no-cache-dir -r requirements.txt\r\n"
        b'CMD ["python", "-m", "app"]\r\n'
    )


def test_apt_lists_fix_is_withheld_where_an_appended_command_would_break() -> None:
    for ending in ("curl  # for the healthcheck", "git;", "vim &", "curl |"):
        text = f"FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y {ending}\n"
        findings = check_files({"Dockerfile": text}, select=["DF021"])
        assert [(f.span.line, f.fix) for f in findings] == [(2, None)], ending


def test_apt_lists_removed_only_in_a_comment_still_count_as_left() -> None:
    commented = (
        "FROM debian:bookworm-slim\n"
        "RUN apt-get update && apt-get install -y curl  # && rm -rf /var/lib/apt/lists/*\n"
    )
    assert codes({"Dockerfile": commented}, ["DF021"]) == ["DF021:2"]
    echoed = (
        "FROM debian:bookworm-slim\n"
        "RUN apt-get update && apt-get install -y curl && echo /var/lib/apt/lists\n"
    )
    assert codes({"Dockerfile": echoed}, ["DF021"]) == ["DF021:2"]
    cleaned = (
        "FROM debian:bookworm-slim\n"
        "RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists\n"
    )
    assert codes({"Dockerfile": cleaned}, ["DF021"]) == []


def test_a_command_in_a_comment_line_inside_a_continuation_is_not_a_command() -> None:
    text = (
        "FROM debian:bookworm-slim\n"
        "RUN apt-get update \\\n"
        "    # then apt-get install the tools\n"
        "    && apt-get install curl \\\n"
        "    && rm -rf /var/lib/apt/lists/*\n"
    )
    assert codes({"Dockerfile": text}, ["DF019", "DF020"]) == ["DF019:4", "DF020:4"]
    run = run_example(AptGetMissingYes, AptGetMissingYes.bad(text))
    assert "# then apt-get install the tools\n" in run.files["Dockerfile"]
    assert "apt-get install -y curl" in run.files["Dockerfile"]
    trailing = "FROM debian:bookworm-slim\nRUN apt-get update  # apt-get install curl later\n"
    assert codes({"Dockerfile": trailing}, ["DF019"]) == []


def test_apt_is_read_like_apt_get() -> None:
    text = "FROM debian:bookworm-slim\nRUN apt update && apt install curl\n"
    findings = check_files({"Dockerfile": text}, select=["DF019", "DF020", "DF021"])
    assert sorted(f.code for f in findings) == ["DF019", "DF020", "DF021"]
    assert any("`apt install`" in f.message for f in findings)
    run = run_example(AptListsNotCleaned, AptListsNotCleaned.bad(text))
    assert run.files["Dockerfile"].endswith("\\\n    && rm -rf /var/lib/apt/lists/*\n")


def test_shell_form_fix_drops_exec_and_keeps_entrypoint_cmd_semantics() -> None:
    findings = check_files(
        {"Dockerfile": 'FROM python:3.11\nENTRYPOINT python -m app\nCMD ["--reload"]\n'},
        select=["DF018"],
    )
    assert len(findings) == 1 and findings[0].fix is not None
    assert findings[0].fix.applicability.value == "unsafe"
    under_exec_entrypoint = 'FROM python:3.11\nENTRYPOINT ["python"]\nCMD -m app\n'
    findings = check_files({"Dockerfile": under_exec_entrypoint}, select=["DF018"])
    assert findings[0].fix is not None and findings[0].fix.applicability.value == "unsafe"
    alone = check_files({"Dockerfile": "FROM python:3.11\nENTRYPOINT python -m app\n"}, ["DF018"])
    assert alone[0].fix is not None and alone[0].fix.applicability.value == "safe"
    exec_option = check_files(
        {"Dockerfile": "FROM python:3.11\nCMD exec -a app python\n"}, ["DF018"]
    )
    assert exec_option[0].fix is None


def test_pipefail_is_not_asked_of_powershell_given_by_path_nor_bash_put_on_windows() -> None:
    powershell = (
        "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\n"
        'SHELL ["C:\\\\Windows\\\\System32\\\\WindowsPowerShell\\\\v1.0\\\\powershell.exe",'
        ' "-command"]\nRUN Get-ChildItem C:\\ | Out-Null\n'
    )
    assert codes({"Dockerfile": powershell}, ["DF023"]) == []
    default_shell = "FROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nRUN dir | more\n"
    findings = check_files({"Dockerfile": default_shell}, select=["DF023"])
    assert [(f.span.line, f.fix) for f in findings] == [(2, None)]


def test_fixes_write_keywords_in_the_case_of_an_all_lowercase_dockerfile() -> None:
    text = "from debian:bookworm-slim\nrun curl -fsSL https://example.com/t | sh\n"
    run = run_example(MissingPipefail, MissingPipefail.bad(text, unsafe=True))
    assert run.files["Dockerfile"].splitlines()[1] == 'shell ["/bin/bash", "-o", "pipefail", "-c"]'


def test_a_url_with_a_password_is_a_secret_whatever_the_name() -> None:
    text = (
        "FROM python:3.11\nENV DATABASE_URL=postgresql://mami:hunter2@db:5432/mami\n"
        "ENV REDIS_URL=redis://:s3cret@redis:6379/0\n"
        "ENV TEMPLATE_URL=postgresql://mami:${DB_PASSWORD}@db/mami\n"
        "ENV PUBLIC_URL=https://example.com/a:b@c HOMEPAGE=https://mami@example.com/\n"
    )
    findings = check_files({"Dockerfile": text}, select=["DF025"])
    assert [(f.span.line, "password" in f.message) for f in findings] == [
        (2, True),
        (3, True),
    ]


def _tar_bytes(compress: str = "") -> bytes:
    import io
    import tarfile

    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=f"w:{compress}") as archive:
        info = tarfile.TarInfo("d/f")
        info.size = 3
        archive.addfile(info, io.BytesIO(b"hi\n"))
    return buffer.getvalue()


def test_add_of_an_archive_without_a_suffix_is_judged_by_its_content() -> None:
    for compress in ("", "gz", "bz2", "xz"):
        files = {"Dockerfile": "FROM debian:bookworm-slim\nADD rootfs /opt/\n"}
        files["rootfs"] = _tar_bytes(compress)
        assert codes(files, ["DF017"]) == [], compress
    import gzip

    plain_gzip = {
        "Dockerfile": "FROM debian:bookworm-slim\nADD notes /opt/\n",
        "notes": gzip.compress(b"not a tar"),
    }
    [finding] = check_files(plain_gzip, select=["DF017"])
    assert finding.fix is not None and finding.fix.applicability.value == "safe"
    unknown = {"Dockerfile": "FROM debian:bookworm-slim\nADD missing *.bin /opt/\n"}
    [finding] = check_files(unknown, select=["DF017"])
    assert finding.fix is not None and finding.fix.applicability.value == "unsafe"


def test_add_reads_its_source_in_the_build_context_the_sources_show() -> None:
    files: dict[str, str | bytes] = {
        "docker/api.Dockerfile": "FROM debian:bookworm-slim\nCOPY app /app\nADD rootfs /opt/\n",
        "app/main.py": "",
        "rootfs": _tar_bytes(),
    }
    assert codes(files, ["DF017"]) == []


def test_a_hash_inside_a_word_does_not_start_a_comment() -> None:
    text = (
        "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y curl"
        " && curl -o /x https://example.com/a#b && rm -rf /var/lib/apt/lists/*  # done\n"
    )
    assert codes({"Dockerfile": text}, ["DF021"]) == []


def test_apt_lists_fix_goes_after_the_last_line_when_a_comment_line_is_inside() -> None:
    text = (
        "FROM python:3.11-slim\n"
        "RUN apt-get update \\\n"
        "    # a comment\n"
        "    && apt-get install -y git\n"
    )
    run = run_example(AptListsNotCleaned, AptListsNotCleaned.bad(text))
    assert run.files["Dockerfile"] == text.replace(
        "git\n", "git \\\n    && rm -rf /var/lib/apt/lists/*\n"
    )
    commented_last = text.replace("git\n", "git  # for pip\n")
    findings = check_files({"Dockerfile": commented_last}, select=["DF021"])
    assert [(f.span.line, f.fix) for f in findings] == [(2, None)]
