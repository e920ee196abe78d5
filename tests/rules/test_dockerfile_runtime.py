"""Edge cases of the DF rules about the final image, beyond their documented examples."""

from __future__ import annotations

from auditor.rule import Applicability
from auditor.testing import check_files, run_example
from rules.dockerfile.runtime import (
    DataDirectoriesNotWritable,
    HealthcheckMismatch,
    MissingHealthcheck,
    PythonUnbuffered,
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


def test_root_user_through_an_arg_or_env_default() -> None:
    arg_root = 'FROM python:3.11-slim\nARG APP_USER=root\nUSER ${APP_USER}\nCMD ["python"]\n'
    findings = check_files({"Dockerfile": arg_root}, select=["DF001"])
    assert [f.span.line for f in findings] == [3]
    assert "`${APP_USER}` (`root`)" in findings[0].message
    env_root = "FROM python:3.11-slim\nENV RUNNER=0\nUSER $RUNNER:0\n"
    assert codes({"Dockerfile": env_root}, ["DF001"]) == ["DF001:3"]
    global_default = "ARG APP_USER=root\nFROM python:3.11-slim\nARG APP_USER\nUSER ${APP_USER}\n"
    assert codes({"Dockerfile": global_default}, ["DF001"]) == ["DF001:4"]
    not_redeclared = "ARG APP_USER=root\nFROM python:3.11-slim\nUSER ${APP_USER}\n"
    assert codes({"Dockerfile": not_redeclared}, ["DF001"]) == []  # empty in the stage: unknown
    non_root = "FROM python:3.11-slim\nARG APP_USER=mami\nUSER ${APP_USER}\n"
    assert codes({"Dockerfile": non_root}, ["DF001"]) == []


def test_root_user_fix_switches_user_after_the_last_root_run() -> None:
    text = (
        'FROM python:3.11-slim\nWORKDIR /app\nCMD ["uvicorn", "app.main:app"]\n'
        "COPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\n"
        "EXPOSE 8000\n"
    )
    run = run_example(RootUser, RootUser.bad(text, unsafe=True))
    assert run.files["Dockerfile"] == text.replace(
        "requirements.txt\nEXPOSE",
        "requirements.txt\n"
        "RUN groupadd --system mami && useradd --system --gid mami --no-create-home mami\n"
        "USER mami\nEXPOSE",
    )


def test_root_user_knows_non_root_bases_and_fixes_only_python_images() -> None:
    for base in (
        "cgr.dev/chainguard/python:3.12",
        "cgr.dev/chainguard/python:latest-dev",
        "nginxinc/nginx-unprivileged:1.27-alpine",
        "gcr.io/distroless/python3-debian12:debug-nonroot",
    ):
        assert codes({"Dockerfile": f"FROM {base}\nCMD x\n"}, ["DF001"]) == [], base
    switched_back = 'FROM cgr.dev/chainguard/python:3.12\nUSER root\nCMD ["python"]\n'
    findings = check_files({"Dockerfile": switched_back}, select=["DF001"])
    assert [f.span.line for f in findings] == [2] and findings[0].fix is None
    nginx = 'FROM nginx:1.27-alpine\nEXPOSE 80\nCMD ["nginx", "-g", "daemon off;"]\n'
    findings = check_files({"Dockerfile": nginx}, select=["DF001"])
    assert len(findings) == 1 and findings[0].fix is None  # USER would stop it binding :80


def test_python_unbuffered_values_cpython_reads_as_zero() -> None:
    for value in ("0", '""', "-00", "' 0'"):
        text = f'FROM python:3.11-slim\nENV PYTHONUNBUFFERED={value}\nCMD ["python"]\n'
        assert codes({"Dockerfile": text}, ["DF009"]) == ["DF009:1"], value
    for value in ("1", "true", "false", "'0 '", "x"):
        text = f'FROM python:3.11-slim\nENV PYTHONUNBUFFERED={value}\nCMD ["python"]\n'
        assert codes({"Dockerfile": text}, ["DF009"]) == [], value


def test_a_node_image_that_builds_with_python3_is_not_a_python_image() -> None:
    text = (
        "FROM node:20-alpine\nWORKDIR /srv\nCOPY package.json ./\n"
        "RUN apk add --no-cache python3 make g++ && npm ci --omit=dev\nUSER node\n"
        'EXPOSE 3000\nCMD ["node", "server.js"]\n'
    )
    runtime_rules = ["DF001", "DF002", "DF003", "DF008", "DF009", "DF010"]
    findings = check_files({"Dockerfile": text}, select=runtime_rules)
    assert [f.code for f in findings] == ["DF002"]
    assert all(f.fix is None for f in findings)


TARGET_NOT_LAST = (
    "FROM python:3.11-slim AS base\nRUN pip install --no-cache-dir flask\n"
    "FROM base AS production\nENV PYTHONUNBUFFERED=1\n"
    "RUN useradd --system mami && mkdir -p /app/data /app/logs "
    "&& chown mami /app/data /app/logs\nUSER mami\n"
    "HEALTHCHECK --interval=30s --retries=3 CMD python -c "
    "\"import urllib.request as u; u.urlopen('http://localhost:8000/health')\"\n"
    'CMD ["python", "-m", "app"]\n'
    'FROM base AS test\nRUN pip install --no-cache-dir pytest\nCMD ["pytest"]\n'
)
RUNTIME_RULES = ["DF001", "DF002", "DF003", "DF008", "DF009", "DF010"]


def test_expect_target_names_the_stage_judged_as_the_final_image() -> None:
    files = {"Dockerfile": TARGET_NOT_LAST}
    assert sorted(codes(files, RUNTIME_RULES)) == ["DF001:9", "DF002:9", "DF009:9"]
    assert codes(files, RUNTIME_RULES, {"expect": {"target": "production"}}) == []
    # a Dockerfile without a stage of that name is judged by its last stage
    other = {"Dockerfile": 'FROM python:3.11-slim\nCMD ["python"]\n'}
    assert codes(other, ["DF001"], {"expect": {"target": "production"}}) == ["DF001:1"]


def test_fixes_edit_the_target_stage() -> None:
    text = TARGET_NOT_LAST.replace("ENV PYTHONUNBUFFERED=1\n", "")
    example = PythonUnbuffered.bad(text, config={"expect": {"target": "production"}})
    run = run_example(PythonUnbuffered, example)
    assert run.files["Dockerfile"] == text.replace(
        "AS production\n", "AS production\nENV PYTHONUNBUFFERED=1\n"
    )


def test_missing_healthcheck_fix_probes_with_what_the_image_has() -> None:
    with_curl = (
        "FROM python:3.11-slim\nRUN apt-get update && apt-get install -y --no-install-recommends"
        ' curl && rm -rf /var/lib/apt/lists/*\nCMD ["python", "-m", "app"]\n'
    )
    run = run_example(MissingHealthcheck, MissingHealthcheck.bad(with_curl, unsafe=True))
    assert 'CMD ["curl", "-fsS", "http://localhost:8000/health"]\n' in run.files["Dockerfile"]
    chainguard = 'FROM cgr.dev/chainguard/python:3.12\nENTRYPOINT ["python3", "-m", "app"]\n'
    run = run_example(MissingHealthcheck, MissingHealthcheck.bad(chainguard, unsafe=True))
    assert '    CMD ["python3", "-c", "import urllib.request; ' in run.files["Dockerfile"]


def test_missing_healthcheck_fix_leaves_nothing_for_the_other_rules_to_report() -> None:
    text = (
        "FROM python:3.11-slim\nENV PYTHONUNBUFFERED=1\n"
        "RUN useradd -r mami && mkdir -p /app/data /app/logs && chown mami /app/data /app/logs\n"
        'USER mami\nEXPOSE 80\nCMD ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "80"]\n'
    )
    run = run_example(MissingHealthcheck, MissingHealthcheck.bad(text, unsafe=True))
    fixed = run.files["Dockerfile"]
    assert "urlopen('http://localhost:80/health', timeout=4)" in fixed
    assert codes({"Dockerfile": fixed}, RUNTIME_RULES) == []


def test_healthcheck_port_is_compared_with_the_port_the_app_listens_on() -> None:
    check = "HEALTHCHECK CMD curl -f http://localhost:8000/health\n"
    for listens in (
        'CMD ["uvicorn", "app.main:app", "--port", "80"]\n',
        'CMD ["uvicorn", "app.main:app", "--port=80"]\n',
        "CMD gunicorn -b 0.0.0.0:80 app.main:app\n",
        'ENTRYPOINT ["hypercorn", "--bind=[::]:80", "app.main:app"]\n',
        "EXPOSE 80/tcp\n",
    ):
        text = "FROM python:3.11\n" + listens + check
        findings = check_files({"Dockerfile": text}, select=["DF003"])
        assert [f.message for f in findings] == [
            "HEALTHCHECK probes port 8000, but the app listens on 80"
        ], listens
    on_80 = "FROM python:3.11\nEXPOSE 80\nHEALTHCHECK CMD curl -f http://localhost:80/health\n"
    assert codes({"Dockerfile": on_80}, ["DF003"]) == []
    two_ports = "FROM python:3.11\nEXPOSE 80 9090\n" + check  # unknown: the expected port
    assert codes({"Dockerfile": two_ports}, ["DF003"]) == []


def test_healthcheck_tool_copied_into_the_image_counts() -> None:
    check = "HEALTHCHECK CMD curl -f http://localhost:8000/health || exit 1\n"
    copied = (
        "FROM python:3.11-slim\nCOPY --from=curlimages/curl:8.10.1 /usr/bin/curl /usr/local/bin/\n"
    )
    assert codes({"Dockerfile": copied + check}, ["DF008"]) == []
    other_file = "FROM python:3.11-slim\nCOPY curl.conf /etc/\n"
    assert codes({"Dockerfile": other_file + check}, ["DF008"]) == ["DF008:3"]


def test_data_dirs_name_the_user_a_variable_resolves_to() -> None:
    text = (
        "FROM python:3.11-slim\nARG APP_USER=mami\nRUN useradd --system ${APP_USER}\n"
        'USER ${APP_USER}\nCMD ["python", "-m", "app"]\n'
    )
    findings = check_files({"Dockerfile": text}, select=["DF010"])
    assert [f.message for f in findings] == [
        "/app/data /app/logs are not created and owned by `mami`"
    ]
    run = run_example(DataDirectoriesNotWritable, DataDirectoriesNotWritable.bad(text))
    assert (
        "RUN mkdir -p /app/data /app/logs && chown mami /app/data /app/logs\nUSER"
        in (run.files["Dockerfile"])
    )


def test_gunicorn_pid_file_option_is_not_a_port() -> None:
    text = (
        "FROM python:3.11\nCMD gunicorn -p 9 -b 0.0.0.0:8000 app.main:app\n"
        "HEALTHCHECK CMD curl -f http://localhost:8000/health\n"
    )
    assert codes({"Dockerfile": text}, ["DF003"]) == []


def test_fixes_write_keywords_in_the_case_of_an_all_lower_case_file() -> None:
    text = 'from python:3.11-slim\nrun pip install --no-cache-dir flask\ncmd ["python", "-m", "app"]\n'
    lines_by_rule = {
        RootUser: ("run groupadd", "user mami"),
        MissingHealthcheck: ("healthcheck --interval=30s", '    cmd ["python", "-c"'),
        PythonUnbuffered: ("env PYTHONUNBUFFERED=1",),
    }
    for rule, expected_lines in lines_by_rule.items():
        fixed = run_example(rule, rule.bad(text, unsafe=True)).files["Dockerfile"]
        for expected in expected_lines:
            assert any(line.startswith(expected) for line in fixed.splitlines()), (rule, fixed)
