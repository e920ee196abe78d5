"""The CLI end to end: selection, scope, exit codes, rule failures, bad input, the catalog."""

from __future__ import annotations

import json
import os

import pytest

pytestmark = pytest.mark.usefixtures("use_rules")

DOCKERFILE = "from python:3.11-slim\nRUN echo hi\n"


def codes_and_paths(run) -> list[tuple[str, str, int]]:  # type: ignore[no-untyped-def]
    return [(f["code"], f["path"], f["line"]) for f in json.loads(run.out)["findings"]]


# -- selection ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        ("TS001", {"TS001"}),
        ("lowercase-from", {"TS001"}),
        ("ts00", {"TS001", "TS003", "TS005", "TS007", "TS008", "TS009"}),
        ("TS001,TS007", {"TS001", "TS007"}),
    ],
)
def test_select_by_code_name_and_prefix(make_project, cli, selector, expected) -> None:  # type: ignore[no-untyped-def]
    root = make_project({"Dockerfile": DOCKERFILE})
    run = cli("--select", selector, "--output-format", "json", cwd=root)
    assert {code for code, _, _ in codes_and_paths(run)} == expected


def test_select_all_includes_every_family(make_project, cli) -> None:  # type: ignore[no-untyped-def]
    root = make_project({"Dockerfile": "FORM x\n"})
    run = cli("--select", "ALL", "--output-format", "json", cwd=root)
    assert ("AU001", "Dockerfile", 1) in codes_and_paths(run)


def test_unknown_cli_selector_names_the_option(make_project, cli) -> None:  # type: ignore[no-untyped-def]
    root = make_project({"Dockerfile": DOCKERFILE})
    run = cli("--ignore", "ZZ9", cwd=root)
    assert (
        run.code == 2
        and run.err.strip() == "mami-audit: error: --ignore: unknown rule selector 'ZZ9'"
    )


def test_findings_are_sorted_by_path_then_position(make_project, cli) -> None:  # type: ignore[no-untyped-def]
    text = "from a\nRUN x\nfrom b AS c\n"
    root = make_project({"b/Dockerfile": text, "a/Dockerfile": text, "Dockerfile": text})
    found = codes_and_paths(cli("--select", "TS001", "--output-format", "json", cwd=root))
    assert found == sorted(found, key=lambda item: (item[1], item[2]))
    assert len(found) == 6


# -- exit codes and messages ---------------------------------------------------------------------


def test_exit_codes(make_project, cli) -> None:  # type: ignore[no-untyped-def]
    root = make_project({"Dockerfile": DOCKERFILE})
    assert cli("--select", "TS001", cwd=root).code == 1
    assert cli("--select", "TS001", "--exit-zero", cwd=root).code == 0
    assert cli("--select", "TS006", cwd=root).code == 0


def test_missing_path_exits_2(make_project, cli) -> None:  # type: ignore[no-untyped-def]
    root = make_project({"Dockerfile": DOCKERFILE})
    run = cli("no/such/thing", cwd=root)
    assert run.code == 2
    assert run.err.strip() == "mami-audit: error: no/such/thing: no such file or folder"


def test_bad_option_exits_2(make_project, cli) -> None:  # type: ignore[no-untyped-def]
    root = make_project({"Dockerfile": DOCKERFILE})
    assert cli("--output-format", "xml", cwd=root).code == 2
    assert cli("--no-such-option", cwd=root).code == 2


def test_a_rule_that_raises_exits_3_and_keeps_other_findings(make_project, cli) -> None:  # type: ignore[no-untyped-def]
    root = make_project({"boom/Dockerfile": DOCKERFILE, "Dockerfile": DOCKERFILE})
    run = cli("--select", "TS001,TS003", "--output-format", "json", cwd=root)
    assert run.code == 3
    assert ("TS001", "Dockerfile", 1) in codes_and_paths(run)
    assert ("TS001", "boom/Dockerfile", 1) in codes_and_paths(run)
    message = "mami-audit: error: rule TS003 (exploding-rule) failed on boom/Dockerfile: RuntimeError: the rule fell over"
    assert message in run.err.splitlines()
    assert "Traceback" not in run.err


def test_verbose_shows_the_traceback(make_project, cli) -> None:  # type: ignore[no-untyped-def]
    root = make_project({"boom/Dockerfile": DOCKERFILE})
    run = cli("--select", "TS003", "--verbose", cwd=root)
    assert run.code == 3 and "Traceback" in run.err and "the rule fell over" in run.err


def test_output_file_gets_the_report(make_project, cli) -> None:  # type: ignore[no-untyped-def]
    root = make_project({"Dockerfile": DOCKERFILE})
    run = cli(
        "--select", "TS001", "--output-format", "concise", "--output-file", "report.txt", cwd=root
    )
    assert run.code == 1 and run.out == ""
    assert (
        (root / "report.txt")
        .read_text()
        .startswith("Dockerfile:1:1: TS001 write FROM in upper case\n")
    )


def test_statistics_counts_per_rule(make_project, cli) -> None:  # type: ignore[no-untyped-def]
    root = make_project({"Dockerfile": DOCKERFILE, "x/Dockerfile": DOCKERFILE})
    run = cli("--select", "TS001,TS007", "--statistics", "--output-format", "concise", cwd=root)
    assert run.code == 1
    assert any("TS001" in line and "2" in line for line in run.out.splitlines())


# -- scope: PATHs that are files, as pre-commit passes them ----------------------------------------


def test_file_paths_report_only_those_files(make_project, cli) -> None:  # type: ignore[no-untyped-def]
    root = make_project(
        {"Dockerfile": DOCKERFILE, "a/Dockerfile": DOCKERFILE, "b/Dockerfile": DOCKERFILE}
    )
    run = cli("--select", "TS001", "--output-format", "json", "a/Dockerfile", cwd=root)
    assert [path for _, path, _ in codes_and_paths(run)] == ["a/Dockerfile"]
    assert json.loads(run.out)["root"] == str(root.resolve())


def test_file_path_from_elsewhere_finds_its_project_root(make_project, cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    root = make_project({"deep/er/Dockerfile": DOCKERFILE})
    (root / "mami-audit.toml").write_text('select = ["TS001"]\n')
    run = cli("--output-format", "json", str(root / "deep/er/Dockerfile"), cwd=tmp_path)
    # Paths are shown from the current folder, as in ruff, whatever the root is.
    assert codes_and_paths(run) == [("TS001", "project/deep/er/Dockerfile", 1)]


def test_folder_path_scopes_to_the_folder(make_project, cli) -> None:  # type: ignore[no-untyped-def]
    root = make_project({"Dockerfile": DOCKERFILE, "sub/Dockerfile": DOCKERFILE})
    run = cli("--select", "TS001", "--output-format", "json", "sub", cwd=root)
    assert [path for _, path, _ in codes_and_paths(run)] == ["sub/Dockerfile"]
    run = cli("--select", "TS001", "--output-format", "json", cwd=root / "sub")
    assert [path for _, path, _ in codes_and_paths(run)] == ["Dockerfile"]  # from sub/


# -- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", [("AU001", "Dockerfile", 1)]),  # BuildKit: a file with no instructions is an error
        (b"FROM python:3.11\x00\n", [("AU001", "Dockerfile", 1)]),
        (b"FROM python:3.11\nRUN echo \xe9t\xe9\n", [("AU001", "Dockerfile", 2)]),
        (b"from python:3.11\r\nRUN echo hi\r\n", [("TS001", "Dockerfile", 1)]),
        (b"\xef\xbb\xbffrom python:3.11\nRUN echo hi\n", [("TS001", "Dockerfile", 1)]),
    ],
    ids=["empty", "binary", "latin-1", "crlf", "bom"],
)
def test_bad_input_gets_a_finding_not_a_crash(make_project, cli, content, expected) -> None:  # type: ignore[no-untyped-def]
    root = make_project({"Dockerfile": content})
    run = cli("--select", "AU001,TS001", "--output-format", "json", cwd=root)
    assert codes_and_paths(run) == expected
    assert "Traceback" not in run.err and run.code == 1


def test_bom_column_counts_characters_after_the_bom(make_project, cli) -> None:  # type: ignore[no-untyped-def]
    root = make_project({"Dockerfile": b"\xef\xbb\xbffrom python:3.11\n"})
    finding = json.loads(cli("--select", "TS001", "--output-format", "json", cwd=root).out)[
        "findings"
    ][0]
    assert (finding["line"], finding["column"], finding["end_column"]) == (1, 1, 5)


def test_symlink_loops_neither_hang_nor_crash(make_project, cli) -> None:  # type: ignore[no-untyped-def]
    root = make_project({"Dockerfile": DOCKERFILE})
    os.symlink(".", root / "loop")  # a folder that contains itself
    os.symlink("self.Dockerfile", root / "self.Dockerfile")  # a link to itself
    run = cli("--select", "AU001,TS001", "--output-format", "json", cwd=root)
    found = codes_and_paths(run)
    assert ("TS001", "Dockerfile", 1) in found
    assert ("AU001", "self.Dockerfile", 1) in found
    message = json.loads(run.out)["findings"]
    assert any("Too many levels of symbolic links" in f["message"] for f in message)
    assert not any(path.startswith("loop/") for _, path, _ in found)


def test_a_dockerfile_that_is_a_folder_is_reported(make_project, cli) -> None:  # type: ignore[no-untyped-def]
    root = make_project({"Dockerfile": DOCKERFILE})
    (root / "odd").mkdir()
    os.symlink("../odd", root / "odd.Dockerfile")
    run = cli("--select", "AU001", "--output-format", "json", cwd=root)
    assert [(code, path) for code, path, _ in codes_and_paths(run)] == [("AU001", "odd.Dockerfile")]


# -- the rule catalog -----------------------------------------------------------------------------


def test_rules_json_contract(make_project, cli) -> None:  # type: ignore[no-untyped-def]
    root = make_project({})
    run = cli("rules", "--output-format", "json", cwd=root)
    catalog = json.loads(run.out)
    assert run.code == 0
    entry = next(item for item in catalog if item["code"] == "TS001")
    assert entry == {
        "code": "TS001",
        "name": "lowercase-from",
        "summary": "from in lower case",
        "severity": "warning",
        "requirements": [],
        "fixable": True,
        "peers": ["DL9001"],
    }
    assert [item["code"] for item in catalog] == sorted(item["code"] for item in catalog)


def test_rules_text_lists_every_rule(make_project, cli) -> None:  # type: ignore[no-untyped-def]
    run = cli("rules", cwd=make_project({}))
    assert run.code == 0
    assert any(line.startswith("AU001") and "parse-error" in line for line in run.out.splitlines())


def test_rule_prints_documentation_by_code_or_name(make_project, cli) -> None:  # type: ignore[no-untyped-def]
    root = make_project({})
    by_code = cli("rule", "AU001", cwd=root)
    by_name = cli("rule", "parse-error", cwd=root)
    assert by_code.code == 0 and by_code.out == by_name.out
    assert by_code.out.startswith("# AU001 parse-error\n")
    assert "## What it does" in by_code.out and "Severity: error" in by_code.out


def test_unknown_rule_exits_2(make_project, cli) -> None:  # type: ignore[no-untyped-def]
    run = cli("rule", "XX999", cwd=make_project({}))
    assert run.code == 2 and "unknown rule 'XX999'" in run.err


def test_version(make_project, cli) -> None:  # type: ignore[no-untyped-def]
    from auditor import __version__

    run = cli("--version", cwd=make_project({}))
    assert run.code == 0 and run.out.strip() == f"mami-audit {__version__}"


# -- the real entry points --------------------------------------------------------------------


def test_python_dash_m_auditor_runs_the_cli(make_project, run_subprocess) -> None:  # type: ignore[no-untyped-def]
    root = make_project({"Dockerfile": "FORM x\n"})
    result = run_subprocess("--select", "AU001", "--output-format", "concise", cwd=root)
    assert result.returncode == 1
    assert result.stdout.startswith(
        "Dockerfile:1:1: AU001 cannot parse: unknown instruction: FORM\n"
    )


def test_console_script_runs_check_by_default(make_project) -> None:  # type: ignore[no-untyped-def]
    import subprocess
    import sys
    from pathlib import Path

    script = Path(sys.executable).with_name("mami-audit")
    if not script.exists():
        pytest.skip("mami-audit is not installed in this environment (pip install -e .)")
    root = make_project({"Dockerfile": "FORM x\n"})
    result = subprocess.run(
        [str(script), "--select", "AU001", "--output-format", "json"],
        cwd=root,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert json.loads(result.stdout)["findings"][0]["code"] == "AU001"


def test_a_reader_that_goes_away_is_not_an_internal_error(make_project) -> None:  # type: ignore[no-untyped-def]
    import subprocess
    import sys
    from pathlib import Path

    root = make_project(
        {
            "Dockerfile": "FROM a\n" + "FORM x\n",
            **{f"d{i}/Dockerfile": "FORM x\n" for i in range(1500)},
        }
    )
    repository = Path(__file__).resolve().parents[2]
    environment = dict(os.environ, PYTHONPATH=str(repository))
    command = [sys.executable, "-m", "auditor", "--select", "AU001", "--output-format", "concise"]
    process = subprocess.Popen(
        command, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environment
    )
    assert process.stdout is not None and process.stderr is not None
    first = process.stdout.readline()
    process.stdout.close()  # like `| head -1`
    error = process.stderr.read().decode()
    assert process.wait(timeout=120) == 1
    assert first.startswith(b"Dockerfile:2:1: AU001")
    assert error == ""


def test_paths_inside_never_audited_folders_get_a_warning(make_project, cli) -> None:  # type: ignore[no-untyped-def]
    root = make_project({"node_modules/pkg/Dockerfile": "FORM x\n"})
    run = cli("--select", "AU001", "node_modules/pkg/Dockerfile", cwd=root)
    assert run.code == 0
    message = "mami-audit: warning: node_modules/pkg/Dockerfile: inside .git, .venv, node_modules"
    assert run.err.startswith(message)


def test_finding_paths_are_normalised(make_project, cli) -> None:  # type: ignore[no-untyped-def]
    from auditor.rule import Rule, Span
    from auditor.testing import registered

    class DotSlash(Rule):
        code = "TS098"
        name = "dot-slash-path"
        summary = "reports ./Dockerfile"

        def check(self, context):  # type: ignore[no-untyped-def]
            yield self.finding("./sub/../Dockerfile", Span.point(1), "here")

    root = make_project({"Dockerfile": "FROM a\n"})
    with registered(DotSlash):
        run = cli("--select", "TS098", "--output-format", "json", "Dockerfile", cwd=root)
    assert [f["path"] for f in json.loads(run.out)["findings"]] == ["Dockerfile"]


def test_a_failed_rule_never_ends_the_report_with_all_checks_passed(make_project, cli) -> None:  # type: ignore[no-untyped-def]
    root = make_project({"boom/Dockerfile": "FROM python:3.11-slim\n"})
    for output_format in ("concise", "full"):
        run = cli("--select", "TS003", "--output-format", output_format, cwd=root)
        assert run.code == 3
        assert "All checks passed" not in run.out
        assert "1 rule failed, so the results are incomplete." in run.out
    with_findings = make_project({"boom/Dockerfile": DOCKERFILE, "Dockerfile": DOCKERFILE}, name="p2")
    run = cli("--select", "TS001,TS003", "--output-format", "concise", cwd=with_findings)
    assert run.out.splitlines()[-2:] == [
        "3 findings in 2 files, 2 fixable with --fix.",
        "1 rule failed, so the results are incomplete.",
    ]


def test_a_rule_that_raised_is_not_judged_by_unused_suppression(make_project, cli) -> None:  # type: ignore[no-untyped-def]
    text = "# mami-audit: ignore[TS003] it fires on line one\nFROM python:3.11-slim\n"
    root = make_project({"boom/Dockerfile": text})
    run = cli("--select", "TS003,AU003", "--output-format", "json", cwd=root)
    assert run.code == 3
    assert codes_and_paths(run) == []


def test_dangling_or_looping_symlink_path_exits_2(make_project, cli) -> None:  # type: ignore[no-untyped-def]
    root = make_project({"Dockerfile": DOCKERFILE})
    os.symlink("nowhere", root / "dangling")
    os.symlink("loop", root / "loop")
    for name in ("dangling", "loop"):
        run = cli(name, cwd=root)
        assert run.code == 2 and run.out == ""
        assert run.err.strip() == (
            f"mami-audit: error: {name}: a broken symlink (its target is missing or it loops)"
        )


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (("--select", ""), "--select"),
        (("--extend-select", "TS001,"), "--extend-select"),
        (("--ignore", " "), "--ignore"),
    ],
)
def test_empty_cli_selector_is_a_usage_error(make_project, cli, args, option) -> None:  # type: ignore[no-untyped-def]
    root = make_project({"Dockerfile": DOCKERFILE})
    run = cli(*args, cwd=root)
    assert run.code == 2 and run.out == ""
    assert run.err.strip() == (
        f"mami-audit: error: {option}: empty rule selector (give a code, prefix, name or ALL)"
    )


def test_empty_config_selector_is_a_config_error(make_project, cli) -> None:  # type: ignore[no-untyped-def]
    root = make_project({"Dockerfile": DOCKERFILE})
    (root / "mami-audit.toml").write_text('ignore = [""]\n')
    run = cli(cwd=root)
    assert run.code == 2
    assert run.err.strip().endswith("mami-audit.toml: ignore: empty rule selector")


def test_verbose_counts_in_the_singular_for_one(make_project, cli) -> None:  # type: ignore[no-untyped-def]
    root = make_project({"Dockerfile": DOCKERFILE})
    run = cli("--select", "TS001", "--verbose", "Dockerfile", cwd=root)
    assert "audited 1 file in " in run.err and "; 0 findings suppressed" in run.err


def test_json_and_sarif_reports_name_the_failed_rule(make_project, cli) -> None:  # type: ignore[no-untyped-def]
    root = make_project({"boom/Dockerfile": "FROM python:3.11-slim\n"})
    run = cli("--select", "TS003", "--output-format", "json", cwd=root)
    assert run.code == 3
    (failure,) = json.loads(run.out)["failed_rules"]
    assert failure["code"] == "TS003" and failure["path"] == "boom/Dockerfile"
    assert failure["message"]
    run = cli("--select", "TS003", "--output-format", "sarif", cwd=root)
    invocation = json.loads(run.out)["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    (notification,) = invocation["toolExecutionNotifications"]
    assert notification["associatedRule"]["id"] == "TS003"


def test_a_file_named_like_an_option_is_audited(make_project, cli) -> None:  # type: ignore[no-untyped-def]
    """pre-commit passes staged files after the hook's args, without `--`."""
    root = make_project({"-x.Dockerfile": "FORM broken\n", "Dockerfile": "FROM a\n"})
    run = cli("--select", "AU001", "--output-format", "concise", "-x.Dockerfile", cwd=root)
    assert run.code == 1, run.err
    assert run.out.startswith("-x.Dockerfile:1:1: AU001")
    # An option of check (or its value) keeps its meaning, even next to such a file.
    run = cli("--output-format", "json", "--select", "AU001", "-x.Dockerfile", cwd=root)
    assert run.code == 1 and json.loads(run.out)["findings"][0]["path"] == "-x.Dockerfile"
    run = cli("--select", "AU001", "--bogus-option", "-x.Dockerfile", cwd=root)
    assert run.code == 2
