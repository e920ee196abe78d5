"""NP004/NP005 reach the verdict of the real `npm ci` on lockfiles built for each case.

npm ci needs package metadata from a registry when the lockfile does not satisfy
package.json (that is how it finds out), so the test serves a tiny registry on loopback
that speaks npm's protocol: one JSON document (a "packument") per package name. `--dry-run`
stops npm before it would download a tarball.
"""

from __future__ import annotations

import http.server
import json
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from auditor.testing import check_files

# name -> version -> dependencies of that version
REGISTRY: dict[str, dict[str, dict[str, str]]] = {
    "a": {"1.0.0": {}, "1.1.0": {}, "2.0.0": {}, "2.1.0-beta.1": {}},
    "b": {"1.0.0": {"a": "^1.0.0"}},
    "c": {"3.0.0": {}},
}


class _Registry(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        name = self.path.strip("/").replace("%2f", "/").replace("%2F", "/")
        port = self.server.server_address[1]
        if name not in REGISTRY:
            self.send_response(404)
            self.end_headers()
            return
        versions = {
            version: {
                "name": name,
                "version": version,
                "dependencies": dependencies,
                "dist": {
                    "tarball": f"http://127.0.0.1:{port}/{name}/-/{name}-{version}.tgz",
                    "integrity": "sha512-" + "A" * 86 + "==",
                },
            }
            for version, dependencies in REGISTRY[name].items()
        }
        latest = max(v for v in versions if "-" not in v)
        body = json.dumps({"name": name, "dist-tags": {"latest": latest}, "versions": versions})
        data = body.encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def registry() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Registry)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def _entry(registry: str, name: str, version: str, **extra: object) -> dict[str, object]:
    return {
        "version": version,
        "resolved": f"{registry}{name}/-/{name}-{version}.tgz",
        "integrity": "sha512-" + "A" * 86 + "==",
        **extra,
    }


def _files(
    registry: str, declared: dict[str, dict[str, str]], locked: dict[str, dict]
) -> dict[str, str]:
    package = {"name": "case", "version": "1.0.0", **declared}
    lock = {
        "name": "case",
        "version": "1.0.0",
        "lockfileVersion": 3,
        "requires": True,
        "packages": {"": {"name": "case", "version": "1.0.0", **declared}, **locked},
    }
    return {
        "package.json": json.dumps(package, indent=2) + "\n",
        "package-lock.json": json.dumps(lock, indent=2) + "\n",
    }


def _cases(registry: str) -> dict[str, tuple[dict, dict]]:
    a11 = _entry(registry, "a", "1.1.0")
    b = _entry(registry, "b", "1.0.0", dependencies={"a": "^1.0.0"})
    return {
        "in-sync": (
            {"dependencies": {"a": "^1.0.0", "b": "1.0.0"}},
            {"node_modules/a": a11, "node_modules/b": b},
        ),
        "added-dependency": (
            {"dependencies": {"a": "^1.0.0", "c": "3.0.0"}},
            {"node_modules/a": a11},
        ),
        "added-dev-dependency": (
            {"dependencies": {"a": "^1.0.0"}, "devDependencies": {"c": "3.0.0"}},
            {"node_modules/a": a11},
        ),
        "range-excludes-lock": (
            {"dependencies": {"a": "^2.0.0"}},
            {"node_modules/a": a11},
        ),
        "range-changed-still-satisfied": (
            {"dependencies": {"a": "~1.1.0"}},
            {"node_modules/a": a11},
        ),
        "removed-dependency": (
            {"dependencies": {"a": "^1.0.0"}},
            {"node_modules/a": a11, "node_modules/c": _entry(registry, "c", "3.0.0")},
        ),
        "transitive-unsatisfied": (
            {"dependencies": {"a": "2.0.0", "b": "1.0.0"}},
            {"node_modules/a": _entry(registry, "a", "2.0.0"), "node_modules/b": b},
        ),
        "transitive-nested": (
            {"dependencies": {"a": "2.0.0", "b": "1.0.0"}},
            {
                "node_modules/a": _entry(registry, "a", "2.0.0"),
                "node_modules/b": b,
                "node_modules/b/node_modules/a": a11,
            },
        ),
        "transitive-missing": ({"dependencies": {"b": "1.0.0"}}, {"node_modules/b": b}),
        "alias-satisfied": (
            {"dependencies": {"x": "npm:a@^1.0.0"}},
            {"node_modules/x": {**a11, "name": "a"}},
        ),
        "alias-unsatisfied": (
            {"dependencies": {"x": "npm:a@^2.0.0"}},
            {"node_modules/x": {**a11, "name": "a"}},
        ),
        "prerelease-not-in-range": (
            {"dependencies": {"a": "^2.0.0"}},
            {"node_modules/a": _entry(registry, "a", "2.1.0-beta.1")},
        ),
        "optional-peer-missing": (
            {
                "dependencies": {"a": "^1.0.0"},
                "peerDependencies": {"c": "3.0.0"},
                "peerDependenciesMeta": {"c": {"optional": True}},
            },
            {"node_modules/a": a11},
        ),
        "transitive-optional-missing": (
            {"dependencies": {"b": "1.0.0"}},
            {
                "node_modules/b": {**b, "optionalDependencies": {"c": "3.0.0"}},
                "node_modules/a": a11,
            },
        ),
        "root-optional-missing": (
            {"dependencies": {"a": "^1.0.0"}, "optionalDependencies": {"c": "3.0.0"}},
            {"node_modules/a": a11},
        ),
        "star-range": (
            {"dependencies": {"a": "*"}},
            {"node_modules/a": _entry(registry, "a", "2.0.0")},
        ),
    }


CASE_NAMES = list(_cases("http://x/"))


def _npm_ci_refuses(folder: Path, registry: str, cache: Path) -> bool:
    done = subprocess.run(
        [
            "npm",
            "ci",
            "--dry-run",
            "--ignore-scripts",
            "--no-audit",
            "--no-fund",
            "--registry",
            registry,
            "--cache",
            str(cache),
            "--prefer-online",
        ],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode == 0:
        return False
    assert "in sync" in done.stderr, done.stderr  # refused for the reason under test only
    return True


@pytest.mark.skipif(shutil.which("npm") is None, reason="npm is not installed")
@pytest.mark.parametrize("case", CASE_NAMES)
def test_np004_np005_agree_with_npm_ci(case: str, registry: str, tmp_path: Path) -> None:
    declared, locked = _cases(registry)[case]
    files = _files(registry, declared, locked)
    project = tmp_path / "project"
    project.mkdir()
    for path, text in files.items():
        (project / path).write_text(text)
    npm_refuses = _npm_ci_refuses(project, registry, tmp_path / "cache")
    findings = check_files(files, select=["NP004", "NP005"])
    assert bool(findings) == npm_refuses, (case, [f.message for f in findings])


@pytest.mark.skipif(shutil.which("npm") is None, reason="npm is not installed")
def test_np015_fix_keeps_the_lockfile_acceptable_to_npm_ci(registry: str, tmp_path: Path) -> None:
    """Dropping the identical devDependencies copy leaves package.json and the untouched
    lockfile in sync for the real npm ci, as they were before."""
    from auditor.rule import Example
    from auditor.testing import run_example
    from rules.node.versions import DependencyInBothSections

    declared = {"dependencies": {"a": "1.1.0"}, "devDependencies": {"c": "3.0.0", "a": "1.1.0"}}
    locked = {
        "node_modules/a": _entry(registry, "a", "1.1.0"),
        "node_modules/c": _entry(registry, "c", "3.0.0", dev=True),
    }
    files = _files(registry, declared, locked)
    project = tmp_path / "project"
    project.mkdir()
    for path, text in files.items():
        (project / path).write_text(text)
    assert not _npm_ci_refuses(project, registry, tmp_path / "cache")

    run = run_example(DependencyInBothSections, Example(files, True))
    assert [finding.code for finding in run.findings] == ["NP015"]
    fixed = run.files["package.json"]
    assert json.loads(fixed)["devDependencies"] == {"c": "3.0.0"}
    assert fixed.endswith("}\n") and '\n    "c": "3.0.0"\n' in fixed  # layout kept
    (project / "package.json").write_text(fixed)
    assert not _npm_ci_refuses(project, registry, tmp_path / "cache")
    assert check_files(run.files, select=["NP004", "NP005", "NP015"]) == []
