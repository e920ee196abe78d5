"""NP021 (online) runs the real `npm audit` against a loopback registry that answers npm's
bulk advisory endpoint, and says "could not check" when the registry is unreachable."""

from __future__ import annotations

import gzip
import http.server
import json
import shutil
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from auditor.config import Config
from auditor.engine import audit, select_rules
from auditor.project import Project
from auditor.rule import registry
from auditor.testing import check_files, run_example, write_files
from rules.node.online import VulnerableLockedPackage

pytestmark = pytest.mark.skipif(shutil.which("npm") is None, reason="npm is not installed")

ADVISORY = {
    "id": 1,
    "url": "https://github.com/advisories/GHSA-p6mc-m468-83gw",
    "title": "Prototype Pollution in lodash",
    "severity": "high",
    "vulnerable_versions": "<4.17.19",
    "cwe": ["CWE-1321"],
    "cvss": {"score": 7.4, "vectorString": None},
}


class _Advisories(http.server.BaseHTTPRequestHandler):
    requests: ClassVar[list[dict]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        if self.headers.get("content-encoding") == "gzip":
            body = gzip.decompress(body)
        asked = json.loads(body)
        _Advisories.requests.append(asked)
        answer = {"lodash": [ADVISORY]} if "lodash" in asked else {}
        data = json.dumps(answer).encode()
        self.send_response(200 if self.path.endswith("/advisories/bulk") else 404)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        """The package document npm reads to tell whether a fix is available."""
        name = self.path.strip("/")
        versions = {
            v: {"name": name, "version": v, "dist": {"tarball": "", "integrity": ""}}
            for v in ("4.17.15", "4.17.21")
        }
        data = json.dumps(
            {"name": name, "dist-tags": {"latest": "4.17.21"}, "versions": versions}
        ).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def advisories(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Advisories)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("MAMI_AUDIT_NPM_REGISTRY", f"http://127.0.0.1:{server.server_address[1]}/")
    monkeypatch.setenv("npm_config_cache", str(tmp_path / "npm-cache"))
    _Advisories.requests = []
    yield
    server.shutdown()


def _online(files: dict[str, str]) -> list[str]:
    import tempfile

    config = Config().with_overrides(select=["NP021"], online=True)
    with tempfile.TemporaryDirectory() as folder:
        write_files(Path(folder), files)
        result = audit(Project(Path(folder), config), config, select_rules(config))
    assert not result.failures, [failure.traceback for failure in result.failures]
    return [f"{f.path}:{f.span.line}:{f.code}: {f.message}" for f in result.findings]


def test_documented_examples_against_the_loopback_registry(advisories: None) -> None:
    rule = VulnerableLockedPackage
    assert rule.online and registry.get(rule.code) is rule
    for example in rule.bad_examples:
        run = run_example(rule, example)
        assert len(run.findings) == example.count, [f.message for f in run.findings]
        assert "lodash 4.17.15: Prototype Pollution in lodash (high," in run.findings[0].message
        assert run.findings[0].path == "package-lock.json" and run.findings[0].span.line == 3
    for example in rule.good_examples:
        assert run_example(rule, example).findings == []
    assert {"lodash": ["4.17.15"]} in _Advisories.requests  # npm sent the locked version


def test_not_run_without_online(advisories: None) -> None:
    files = dict(VulnerableLockedPackage.bad_examples[0].files)
    assert check_files(files, select=["NP021"]) == []
    assert _Advisories.requests == []


def test_unreachable_registry_says_could_not_check(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed once the block ends: nothing listens there
    monkeypatch.setenv("MAMI_AUDIT_NPM_REGISTRY", f"http://127.0.0.1:{port}/")
    monkeypatch.setenv("npm_config_cache", str(tmp_path / "npm-cache"))
    found = _online(dict(VulnerableLockedPackage.bad_examples[0].files))
    assert len(found) == 1
    assert found[0].startswith("package-lock.json:1:NP021: could not check for advisories: ")
    assert "ECONNREFUSED" in found[0]
