"""Configuration: where it is found, what every key does, and how bad values are reported."""

from __future__ import annotations

import json

import pytest

from auditor.config import Config, ConfigError, config_for, load_config
from auditor.expectations import Expectations
from auditor.rule import Severity

pytestmark = pytest.mark.usefixtures("use_rules")

DOCKERFILE = "from python:3.11-slim\nRUN echo hi\n"


def findings(run) -> list[dict]:  # type: ignore[no-untyped-def]
    return json.loads(run.out)["findings"]


def test_defaults_without_a_config_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    config = config_for(tmp_path)
    assert config == Config()
    assert config.select == ("ALL",) and config.expect == Expectations()
    assert "node_modules/" in config.exclude and config.extend_exclude == ()


def test_pyproject_table_is_read(make_project, cli) -> None:  # type: ignore[no-untyped-def]
    root = make_project(
        {
            "Dockerfile": DOCKERFILE,
            "pyproject.toml": '[tool.mami-audit]\nselect = ["TS007"]\n[tool.mami-audit.expect]\napp-port = 8080\n',
        },
        git=True,
    )
    run = cli("--output-format", "json", cwd=root)
    assert [f["message"] for f in findings(run)] == ["port 8080"]


def test_mami_audit_toml_wins_over_pyproject(make_project, cli) -> None:  # type: ignore[no-untyped-def]
    root = make_project(
        {
            "Dockerfile": DOCKERFILE,
            "pyproject.toml": '[tool.mami-audit]\nselect = ["TS001"]\n',
            "mami-audit.toml": 'select = ["TS007"]\n',
        },
        git=True,
    )
    run = cli("--output-format", "json", cwd=root)
    assert {f["code"] for f in findings(run)} == {"TS007"}


def test_pyproject_without_our_table_is_not_a_config(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "pyproject.toml").write_text("[tool.black]\nline-length = 100\n")
    assert config_for(tmp_path) == Config()


def test_explicit_config_option(make_project, cli) -> None:  # type: ignore[no-untyped-def]
    root = make_project({"Dockerfile": DOCKERFILE, "ci/audit.toml": 'select = ["TS001"]\n'})
    run = cli("--config", "ci/audit.toml", "--output-format", "json", cwd=root)
    assert {f["code"] for f in findings(run)} == {"TS001"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('selekt = ["DF"]\n', "mami-audit.toml: selekt: unknown key"),
        ('select = "DF001"\n', "mami-audit.toml: select: expected a list of strings, got a string"),
        ("select = [1]\n", "mami-audit.toml: select: expected a list of strings"),
        ('per-file-ignores = ["x"]\n', "mami-audit.toml: per-file-ignores: expected a table"),
        (
            '[per-file-ignores]\n"a/*" = "TS001"\n',
            "mami-audit.toml: per-file-ignores.'a/*': expected a list",
        ),
        (
            '[severity]\nTS001 = "fatal"\n',
            "mami-audit.toml: severity.TS001: expected one of error, warning, info",
        ),
        (
            '[expect]\napp-port = "8000"\n',
            "mami-audit.toml: expect.app-port: expected an integer, got a string",
        ),
        (
            "[expect]\napp-port = true\n",
            "mami-audit.toml: expect.app-port: expected an integer, got a boolean",
        ),
        ("[expect]\nuser = 1\n", "mami-audit.toml: expect.user: expected a string, got an integer"),
        ("[expect]\napp_port = 1\n", "mami-audit.toml: expect.app_port: unknown key"),
        ('[expect]\ncolour = "red"\n', "mami-audit.toml: expect.colour: unknown key"),
        ("select = [\n", "mami-audit.toml: invalid TOML"),
        (
            "force-exclude = 1\n",
            "mami-audit.toml: force-exclude: expected true or false, got an integer",
        ),
        ('select = ["NOPE"]\n', "mami-audit.toml: select: unknown rule selector 'NOPE'"),
        ('ignore = ["NOPE"]\n', "mami-audit.toml: ignore: unknown rule selector 'NOPE'"),
        (
            '[per-file-ignores]\n"x" = ["NOPE"]\n',
            "per-file-ignores.'x': unknown rule selector 'NOPE'",
        ),
        ('[severity]\nNOPE = "error"\n', "mami-audit.toml: severity: unknown rule selector 'NOPE'"),
    ],
)
def test_bad_config_exits_2_naming_file_and_key(make_project, cli, text, expected) -> None:  # type: ignore[no-untyped-def]
    root = make_project({"Dockerfile": DOCKERFILE})
    (root / "mami-audit.toml").write_text(text)
    run = cli(cwd=root)
    assert run.code == 2
    assert expected in run.err
    assert len(run.err.strip().splitlines()) == 1, run.err
    assert "Traceback" not in run.err and run.out == ""


def test_bad_pyproject_table_names_the_dotted_key(make_project, cli) -> None:  # type: ignore[no-untyped-def]
    root = make_project({"pyproject.toml": "[tool.mami-audit]\nfix = true\n"}, git=True)
    run = cli(cwd=root)
    assert run.code == 2 and "pyproject.toml: tool.mami-audit.fix: unknown key" in run.err


def test_missing_config_file_is_a_usage_error(make_project, cli) -> None:  # type: ignore[no-untyped-def]
    root = make_project({"Dockerfile": DOCKERFILE})
    run = cli("--config", "nowhere.toml", cwd=root)
    assert run.code == 2 and "nowhere.toml: config file does not exist" in run.err


def test_severity_override_narrow_beats_broad(make_project, cli) -> None:  # type: ignore[no-untyped-def]
    config = '[severity]\nTS = "info"\nTS001 = "error"\n'
    root = make_project({"Dockerfile": DOCKERFILE, "mami-audit.toml": ""})
    (root / "mami-audit.toml").write_text('select = ["TS001", "TS007"]\n' + config)
    by_code = {f["code"]: f["severity"] for f in findings(cli("--output-format", "json", cwd=root))}
    assert by_code == {"TS001": "error", "TS007": "info"}


def test_per_file_ignores_use_gitignore_patterns(make_project, cli) -> None:  # type: ignore[no-untyped-def]
    root = make_project(
        {
            "Dockerfile": DOCKERFILE,
            "docker/Dockerfile": DOCKERFILE,
            "docker/x/Dockerfile": DOCKERFILE,
        }
    )
    (root / "mami-audit.toml").write_text(
        'select = ["TS001"]\n[per-file-ignores]\n"docker/" = ["lowercase-from"]\n'
    )
    paths = [f["path"] for f in findings(cli("--output-format", "json", cwd=root))]
    assert paths == ["Dockerfile"]


def test_exclude_replaces_and_extend_exclude_adds(make_project) -> None:  # type: ignore[no-untyped-def]
    root = make_project({"Dockerfile": DOCKERFILE})
    (root / "mami-audit.toml").write_text('exclude = ["build/"]\nextend-exclude = ["vendor/"]\n')
    config = load_config(root / "mami-audit.toml")
    assert config.excluded_patterns == ("build/", "vendor/")


def test_from_mapping_is_what_examples_use() -> None:
    config = Config.from_mapping({"expect": {"user": "app"}, "severity": {"TS001": "ERROR"}})
    assert config.expect.user == "app" and config.severity == {"TS001": Severity.ERROR}
    with pytest.raises(ConfigError, match="config: bogus: unknown key"):
        Config.from_mapping({"bogus": 1})


def test_cli_selectors_override_config(make_project, cli) -> None:  # type: ignore[no-untyped-def]
    root = make_project({"Dockerfile": DOCKERFILE})
    (root / "mami-audit.toml").write_text('select = ["TS001"]\nignore = ["TS007"]\n')
    codes = lambda run: sorted({f["code"] for f in findings(run)})  # noqa: E731
    assert codes(cli("--output-format", "json", cwd=root)) == ["TS001"]
    assert codes(cli("--output-format", "json", "--select", "TS007,TS001", cwd=root)) == ["TS001"]
    assert codes(cli("--output-format", "json", "--extend-select", "expected-port", cwd=root)) == [
        "TS001"
    ]
    assert (
        codes(
            cli("--output-format", "json", "--select", "TS001,TS007", "--ignore", "TS001", cwd=root)
        )
        == []
    )


# -- expect values: checked for their format, since they go into fixes (shell, YAML) ----------

BAD_EXPECT_VALUES = [
    ('user = "bad user; rm -rf /"', "expect.user: expected a user name"),
    ('user = "' + "a" * 33 + '"', "expect.user: expected a user name"),
    ('user = "Root"', "expect.user: expected a user name"),
    ('healthcheck-interval = "banana"', "expect.healthcheck-interval: expected a duration"),
    ('healthcheck-interval = "30"', "expect.healthcheck-interval: expected a duration"),
    ('healthcheck-interval = "30s; id"', "expect.healthcheck-interval: expected a duration"),
    ("healthcheck-retries = -1", "expect.healthcheck-retries: expected an integer >= 0"),
    ("app-port = -1", "expect.app-port: expected a port from 1 to 65535, got -1"),
    ("app-port = 0", "expect.app-port: expected a port from 1 to 65535, got 0"),
    ("ui-port = 99999999", "expect.ui-port: expected a port from 1 to 65535, got 99999999"),
    ('health-path = "x y"', "expect.health-path: expected a URL path starting with /"),
    ('health-path = "health"', "expect.health-path: expected a URL path starting with /"),
    ('health-path = "/health\\"; id"', "expect.health-path: expected a URL path starting with /"),
    ('python-version = "three"', "expect.python-version: expected a version of dotted numbers"),
    ('fastapi-version = "not a version"', "expect.fastapi-version: expected a version"),
    ('react-version = "19.2."', "expect.react-version: expected a version"),
    ('data-dir = "/app/my data"', "expect.data-dir: expected an absolute path"),
    ('workdir = "app"', "expect.workdir: expected an absolute path"),
    ('logs-dir = "/app/$(id)"', "expect.logs-dir: expected an absolute path"),
    ('api-service = "-api"', "expect.api-service: expected a Compose name"),
    ('network = "my net"', "expect.network: expected a Compose name"),
    ('target = "final stage"', "expect.target: expected a build stage name"),
]


@pytest.mark.parametrize(("line", "expected"), BAD_EXPECT_VALUES)
def test_bad_expect_values_exit_2_naming_file_and_key(make_project, cli, line, expected) -> None:  # type: ignore[no-untyped-def]
    root = make_project({"Dockerfile": DOCKERFILE})
    (root / "mami-audit.toml").write_text(f"[expect]\n{line}\n")
    run = cli(cwd=root)
    assert run.code == 2
    assert f"mami-audit.toml: {expected}" in run.err
    assert len(run.err.strip().splitlines()) == 1, run.err
    assert run.out == ""


def test_good_expect_values_are_accepted() -> None:
    good = {
        "user": "app_user-1",
        "healthcheck-interval": "1m30s",
        "healthcheck-retries": 0,
        "app-port": 65535,
        "ui-port": 1,
        "health-path": "/api/v1/health",
        "python-version": "3",
        "fastapi-version": "0.115.12",
        "data-dir": "/var/lib/mami-ai/data",
        "logs-dir": "/logs",
        "api-service": "mami.api_2",
        "network": "Net0",
        "target": "runtime-stage",
    }
    expect = Config.from_mapping({"expect": good}).expect
    assert expect.user == "app_user-1" and expect.healthcheck_interval == "1m30s"
    for interval in ("0.5m", "500ms", "1h2m3.5s", "10us", "5ns"):
        assert Config.from_mapping({"expect": {"healthcheck-interval": interval}})
    assert Config.from_mapping({"expect": {"user": "1000", "target": ""}}).expect.user == "1000"


def test_config_file_that_is_not_utf8_exits_2_naming_file_and_line(make_project, cli) -> None:  # type: ignore[no-untyped-def]
    text = b'[tool.mami-audit]\nselect = ["TS001"]\n# caf\xe9\n'
    root = make_project({"Dockerfile": DOCKERFILE, "pyproject.toml": text}, git=True)
    run = cli(cwd=root)
    assert run.code == 2 and run.out == ""
    assert run.err.strip().endswith("pyproject.toml: not UTF-8 text (line 3); TOML must be UTF-8")
    (root / "mami-audit.toml").write_bytes(b'select = ["TS001"] # caf\xe9\n')
    run = cli(cwd=root)
    assert run.code == 2
    assert run.err.strip().endswith("mami-audit.toml: not UTF-8 text (line 1); TOML must be UTF-8")


def test_pyproject_without_a_mami_audit_table_is_not_read_even_if_not_utf8(make_project, cli) -> None:  # type: ignore[no-untyped-def]
    root = make_project(
        {"Dockerfile": DOCKERFILE, "pyproject.toml": b"[project]\nname = 'caf\xe9'\n"}, git=True
    )
    run = cli("--select", "TS001", "--output-format", "json", cwd=root)
    assert run.code == 1 and {f["code"] for f in findings(run)} == {"TS001"}
