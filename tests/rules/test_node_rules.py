"""The Node family on bad input, workspaces and fixes, beyond each rule's own examples."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.config import Config
from auditor.fixer import plan_fixes
from auditor.testing import check_files, write_files
from rules.node._releases import oldest_supported_lts


def _codes(findings: list) -> list[tuple[str, str, int]]:
    return sorted((f.code, f.path, f.span.line) for f in findings)


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (
            '{\n  "dependencies": {\n    "react": "19.2.0",\n  }\n}\n',
            4,
            "trailing comma",
        ),
        ('{\n  // the UI\n  "name": "web"\n}\n', 2, "comments are not allowed"),
        ('[\n  {"name": "web"}\n]\n', 1, "holds an array"),
        ("{\"name\": 'web'}\n", 1, "double quotes"),
        ("", 1, "empty"),
    ],
)
def test_invalid_package_json_is_one_parse_error_at_its_line(
    text: str, line: int, words: str
) -> None:
    findings = check_files({"package.json": text}, select=["NP", "AU001"])
    assert [(f.code, f.span.line) for f in findings] == [("AU001", line)]
    assert words in findings[0].message


def test_invalid_lockfile_is_a_parse_error_and_not_a_missing_lockfile() -> None:
    files = {
        "package.json": '{"dependencies": {"a": "1.0.0"}}\n',
        "package-lock.json": '{"lockfileVersion": 3, "packages": {,}}\n',
    }
    findings = check_files(files, select=["NP", "AU001"])
    assert [(f.code, f.path) for f in findings] == [("AU001", "package-lock.json")]


def test_a_bom_is_read_through() -> None:
    files = {"package.json": b'\xef\xbb\xbf{"name": "web", "dependencies": {"a": "1.0.0"}}\n'}
    findings = check_files(files, select=["NP", "AU001"])
    assert [f.code for f in findings] == ["NP003"]


def test_duplicate_keys_are_reported_where_npm_would_ignore_them() -> None:
    text = '{\n  "scripts": {"dev": "vite"},\n  "scripts": {"build": "vite build"},\n  "devDependencies": {"vite": "7.2.4"}\n}\n'
    findings = check_files({"package.json": text}, select=["NP016", "NP010"])
    assert _codes(findings) == [
        ("NP010", "package.json", 3),
        ("NP016", "package.json", 2),
    ]


def test_specs_that_are_not_registry_versions_are_skipped_not_crashed_on() -> None:
    package = {
        "dependencies": {
            "tag": "latest",
            "ws": "workspace:*",
            "local": "file:../x",
            "git": "git+https://github.com/org/repo.git#v1.0.0",
            "short": "org/repo#main",
            "alias": "npm:react@19",
            "url": "https://example.com/x-1.0.0.tgz",
            "empty": "",
            "weird": "not a version !!",
        }
    }
    lock = {
        "lockfileVersion": 3,
        "packages": {
            "": {"dependencies": package["dependencies"]},
            "node_modules/tag": {"version": "2.0.0"},
            "node_modules/local": {"resolved": "../x", "link": True},
            "node_modules/git": {
                "version": "1.0.0",
                "resolved": "git+ssh://git@github.com/org/repo.git#abc",
            },
            "node_modules/short": {"version": "1.0.0"},
            "node_modules/alias": {"name": "react", "version": "19.2.0"},
            "node_modules/url": {
                "version": "1.0.0",
                "resolved": "https://example.com/x-1.0.0.tgz",
            },
            "node_modules/empty": {"version": "3.0.0"},
            "node_modules/weird": {"version": "3.0.0"},
            "node_modules/ws": {"version": "1.0.0"},
        },
    }
    files = {
        "package.json": json.dumps(package, indent=2) + "\n",
        "package-lock.json": json.dumps(lock, indent=2) + "\n",
    }
    findings = check_files(files, select=["NP", "AU001"])
    # `latest` and "" are not pins; nothing else is a registry range, and the lock satisfies all.
    assert sorted((f.code, f.message.split(" ")[0]) for f in findings) == [
        ("NP002", "empty"),
        ("NP002", "tag"),
    ]


def test_odd_lockfile_shapes_do_not_crash() -> None:
    files = {
        "package.json": '{"dependencies": {"a": "^1.0.0"}}\n',
        "package-lock.json": '{"lockfileVersion": "3", "packages": {"node_modules/a": [1], "": 5}}\n',
    }
    findings = check_files(files, select=["NP", "AU001"])
    assert {f.code for f in findings} <= {"NP002", "NP006"}


def test_workspace_lock_at_the_root_installs_the_workspaces() -> None:
    lock = {
        "lockfileVersion": 3,
        "packages": {
            "": {"workspaces": ["web"]},
            "web": {"name": "web", "dependencies": {"a": "1.0.0"}},
            "node_modules/web": {"resolved": "web", "link": True},
            "node_modules/a": {"version": "1.0.0"},
        },
    }
    files = {
        "package.json": '{"workspaces": ["web"]}\n',
        "package-lock.json": json.dumps(lock) + "\n",
        "web/package.json": '{"name": "web", "dependencies": {"a": "1.0.0", "b": "2.0.0"}}\n',
    }
    findings = check_files(files, select=["NP003", "NP004", "NP005"])
    assert [(f.code, f.path, f.message.split(" ")[1]) for f in findings] == [
        ("NP004", "web/package.json", "b@2.0.0")
    ]


def _fix(
    files: dict[str, str | bytes], select: list[str], unsafe: bool = False
) -> dict[str, bytes]:
    import tempfile

    from auditor.engine import select_rules
    from rules import load_all

    load_all()
    config = Config().with_overrides(select=select)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write_files(root, files)
        outcome = plan_fixes(root, config, select_rules(config), unsafe=unsafe)
        return {path: data for path, data in outcome.changed.items() if data is not None}


def test_engines_fix_keeps_crlf_bom_and_the_missing_final_newline() -> None:
    text = '{\r\n    "name": "web",\r\n    "devDependencies": {\r\n        "vite": "7.2.4"\r\n    }\r\n}'
    files = {
        "package.json": b"\xef\xbb\xbf" + text.encode(),
        "package-lock.json": '{"lockfileVersion": 3, "packages": {}}\n',
    }
    changed = _fix(files, ["NP009"])
    data = changed["package.json"]
    assert data.startswith(b"\xef\xbb\xbf") and not data.endswith(b"\n")
    body = data[3:].decode()
    assert "\n" not in body.replace("\r\n", "")
    assert body.replace("\r\n", "\n") == (
        '{\n    "name": "web",\n    "engines": {\n'
        f'        "node": ">={oldest_supported_lts()}"\n    }},\n'
        '    "devDependencies": {\n        "vite": "7.2.4"\n    }\n}'
    )


def test_pin_fix_is_not_offered_when_the_lock_is_out_of_sync() -> None:
    lock = {
        "lockfileVersion": 3,
        "packages": {
            "": {"dependencies": {"a": "^1.0.0"}},
            "node_modules/a": {"version": "1.2.0"},
        },
    }
    files = {
        "package.json": '{"dependencies": {"a": "^1.0.0", "b": "^2.0.0"}}\n',
        "package-lock.json": json.dumps(lock) + "\n",
    }
    findings = check_files(files, select=["NP002"])
    assert [f.fix for f in findings] == [None, None]
    assert _fix(files, ["NP002"], unsafe=True) == {}


def test_spec_version_fix_is_unsafe_and_says_the_lock_must_be_refreshed() -> None:
    findings = check_files(
        {"package.json": '{"dependencies": {"react": "^18.2.0"}}\n'}, select=["NP001"]
    )
    fixes = [f.fix for f in findings if f.fix is not None]
    assert fixes and all(fix.applicability.value == "unsafe" for fix in fixes)
    assert all("npm install" in fix.message for fix in fixes)
