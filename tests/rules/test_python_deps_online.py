"""The online PY rules against loopback servers that speak the real protocols, and for real
against addresses where nothing listens.

- a package index (PEP 503 simple pages and wheels) that uv resolves against;
- an OSV service (`POST /v1/query`), which pip-audit's OsvService queries.
Their documented examples run here too, with these servers (the generic example test skips
online rules: it has no service to give them).
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from auditor.rule import registry
from auditor.testing import check_files, run_example, write_files
from rules.python_deps.online import ResolverConflict, VulnerableDependency

REPOSITORY = Path(__file__).resolve().parents[2]


def closed_port() -> int:
    """A loopback port where nothing listens (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def index_handler(wheels: Path) -> type[BaseHTTPRequestHandler]:
    class Index(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_HEAD(self) -> None:  # noqa: N802 (http.server's name)
            self.head_only = True
            self.do_GET()

        def do_GET(self) -> None:  # noqa: N802
            parts = [part for part in self.path.split("/") if part]
            if len(parts) == 2 and parts[0] == "simple":
                files = sorted(wheels.glob(f"{parts[1].replace('-', '_')}-*.whl"))
                if not files:
                    self.send_error(404)
                    return
                links = "".join(f'<a href="/files/{f.name}">{f.name}</a>\n' for f in files)
                self._send(f"<html><body>\n{links}</body></html>".encode(), "text/html")
            elif len(parts) == 2 and parts[0] == "files" and (wheels / parts[1]).is_file():
                self._send((wheels / parts[1]).read_bytes(), "application/octet-stream")
            else:
                self.send_error(404)

        def _send(self, body: bytes, kind: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if not getattr(self, "head_only", False):
                self.wfile.write(body)

    return Index


ADVISORY = {
    "id": "GHSA-h5c8-rqwp-cp95",
    "summary": "Jinja vulnerable to HTML attribute injection",
    "aliases": ["CVE-2024-22195"],
    "affected": [
        {
            "package": {"name": "jinja2", "ecosystem": "PyPI"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "3.1.3"}]}],
        }
    ],
}


class Osv(BaseHTTPRequestHandler):
    """OSV's /v1/query: one advisory for jinja2 below 3.1.3, nothing for anything else."""

    queries: list[dict[str, object]] = []

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:  # noqa: N802
        query = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Osv.queries.append(query)
        version = tuple(int(part) for part in query["version"].split("."))
        vulnerable = query["package"]["name"] == "jinja2" and version < (3, 1, 3)
        body = json.dumps({"vulns": [ADVISORY]} if vulnerable else {}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, build_wheel: Callable[..., Path]
) -> Iterator[Server]:
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    build_wheel(wheels, "redis", "5.0.8")
    build_wheel(wheels, "jinja2", "3.1.2")
    build_wheel(wheels, "jinja2", "3.1.6")
    build_wheel(wheels, "shared", "1.0")
    build_wheel(wheels, "shared", "2.0")
    build_wheel(wheels, "left", "1.0", requires=["shared<2"])
    build_wheel(wheels, "right", "1.0", requires=["shared>=2"])
    build_wheel(wheels, "starlette", "0.38.6")
    build_wheel(wheels, "starlette", "0.40.0")
    build_wheel(wheels, "fastapi", "0.115.0", requires=["starlette<0.39,>=0.37.2"])
    server = Server(index_handler(wheels))
    monkeypatch.setenv("UV_DEFAULT_INDEX", f"{server.url}/simple")
    monkeypatch.setenv("UV_CACHE_DIR", str(tmp_path / "uv-cache"))
    monkeypatch.setenv("UV_NO_CONFIG", "1")
    yield server
    server.close()


@pytest.fixture
def osv(monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    Osv.queries = []
    server = Server(Osv)
    monkeypatch.setenv("MAMI_AUDIT_OSV_URL", f"{server.url}/v1/query")
    yield server
    server.close()


def messages(files: dict[str, str], select: list[str]) -> list[str]:
    found = check_files(files, select=select)
    return [f"{f.path}:{f.span.line}:{f.code}: {f.message}" for f in found]


def test_online_rules_do_not_run_without_online(index: Server, osv: Server) -> None:
    assert messages({"requirements.txt": "left==1.0\nright==1.0\n"}, ["PY030", "PY031"]) == []
    assert Osv.queries == []


def test_resolver_conflict_in_the_graph_with_the_resolvers_explanation(
    index: Server, osv: Server
) -> None:
    from auditor.config import Config
    from auditor.engine import audit, select_rules

    # left requires shared<2 and right shared>=2: no single line conflicts, the graph does.
    files = {"requirements.txt": "left==1.0\nright==1.0\n"}
    assert messages(files, ["PY007"]) == []
    config = Config().with_overrides(select=["PY030"], online=True)
    assert [rule.code for rule in select_rules(config)] == ["PY030"]
    found = _online(files, ["PY030"])
    assert len(found) == 1 and found[0].startswith("requirements.txt:")
    assert "do not resolve for Python 3.11" in found[0]
    assert "shared" in found[0] and "left" in found[0] and "right" in found[0]
    assert audit  # imported for the engine path used by _online


def test_resolvable_requirements_are_audited_with_the_resolved_versions(
    index: Server, osv: Server
) -> None:
    found = _online({"requirements.txt": "left==1.0\njinja2==3.1.2\n"}, ["PY030", "PY031"])
    assert found == [
        "requirements.txt:2:PY031: jinja2 3.1.2: CVE-2024-22195 (aka GHSA-h5c8-rqwp-cp95): "
        "Jinja vulnerable to HTML attribute injection; first fixed in 3.1.3"
    ]
    queried = sorted((q["package"]["name"], q["version"]) for q in Osv.queries)  # type: ignore
    assert queried == [("jinja2", "3.1.2"), ("left", "1.0"), ("shared", "1.0")]


def test_documented_examples_with_the_loopback_services(index: Server, osv: Server) -> None:
    for rule in (ResolverConflict, VulnerableDependency):
        assert rule.online and registry.get(rule.code) is rule
        for example in rule.bad_examples:
            run = run_example(rule, example)
            assert len(run.findings) == (example.count or len(run.findings)) > 0, rule.code
        for example in rule.good_examples:
            assert run_example(rule, example).findings == [], rule.code


def test_unreachable_index_and_service_say_could_not_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("UV_DEFAULT_INDEX", f"http://127.0.0.1:{closed_port()}/simple")
    monkeypatch.setenv("UV_CACHE_DIR", str(tmp_path / "uv-cache"))
    monkeypatch.setenv("UV_NO_CONFIG", "1")
    monkeypatch.setenv("MAMI_AUDIT_OSV_URL", f"http://127.0.0.1:{closed_port()}/v1/query")
    found = _online({"requirements.txt": "redis==5.0.8\ngroq>=0.4\n"}, ["PY030", "PY031"])
    assert found[0].startswith("requirements.txt:1:PY030: could not check: the package index")
    assert any("PY031: could not check groq" in line for line in found), found
    assert any("could not check for vulnerabilities: the service at" in line for line in found)
    assert not any("No known vulnerabilities" in line for line in found)


def test_cli_online_option_and_quiet_progress_off_a_terminal(
    tmp_path: Path, index: Server, osv: Server
) -> None:
    import os

    write_files(tmp_path, {"pyproject.toml": "", "requirements.txt": "jinja2==3.1.2\n"})
    environment = dict(os.environ, PYTHONPATH=str(REPOSITORY), NO_COLOR="1")
    command = [sys.executable, "-m", "auditor", "check", ".", "--select", "PY031"]
    offline = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, env=environment)
    assert offline.returncode == 0, offline.stdout + offline.stderr
    online = subprocess.run(
        [*command, "--online", "--output-format", "concise"],
        cwd=tmp_path, capture_output=True, text=True, env=environment, timeout=300,
    )  # fmt: skip
    assert online.returncode == 1, online.stderr
    assert "PY031 jinja2 3.1.2: CVE-2024-22195" in online.stdout
    assert online.stderr == ""  # no progress display when stderr is not a terminal


def _online(files: dict[str, str], select: list[str]) -> list[str]:
    import tempfile

    from auditor.config import Config
    from auditor.engine import audit, select_rules
    from auditor.project import Project

    config = Config().with_overrides(select=select, online=True)
    with tempfile.TemporaryDirectory() as folder:
        write_files(Path(folder), files)
        result = audit(Project(Path(folder), config), config, select_rules(config))
    assert not result.failures, [failure.traceback for failure in result.failures]
    return [f"{f.path}:{f.span.line}:{f.code}: {f.message}" for f in result.findings]


def test_the_pre_commit_hook_does_not_go_online() -> None:
    """The hook's command line has no --online, so online rules never run there unless a
    project adds it to the hook's args."""
    hooks = (REPOSITORY / ".pre-commit-hooks.yaml").read_text()
    entries = [line for line in hooks.splitlines() if line.strip().startswith("entry:")]
    assert entries and not any("--online" in line for line in entries)


def test_progress_shows_on_a_terminal(tmp_path: Path, index: Server, osv: Server) -> None:
    """With stderr on a terminal (a pseudo-terminal here), rich draws the progress line."""
    import os
    import pty

    write_files(tmp_path, {"pyproject.toml": "", "requirements.txt": "jinja2==3.1.6\n"})
    environment = dict(os.environ, PYTHONPATH=str(REPOSITORY), TERM="xterm")
    leader, follower = pty.openpty()
    drawn: list[bytes] = []

    def read_terminal() -> None:  # drain it while the run goes on, so the child never blocks
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the other end is closed: all read
                return
            if not chunk:
                return
            drawn.append(chunk)

    reader = threading.Thread(target=read_terminal, daemon=True)
    reader.start()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "auditor", "check", ".", "--select", "PY030,PY031", "--online"],
            cwd=tmp_path, stdout=subprocess.PIPE, stderr=follower, env=environment, timeout=300,
        )  # fmt: skip
    finally:
        os.close(follower)
        reader.join(timeout=30)
        os.close(leader)
    assert done.returncode == 0, done.stdout
    text = b"".join(drawn).decode(errors="replace")
    assert "resolving requirements.txt for Python 3.11 (uv)" in text
    assert "checking vulnerabilities (pip-audit, OSV)" in text


def test_readiness_without_online_is_what_the_offline_rules_found(tmp_path: Path) -> None:
    """R8.5 is enforced by PY007 (offline) and PY030 (online): without --online the run checks
    it with PY007 alone, instead of calling it not checked because PY030 did not run."""
    import rules
    from auditor.config import Config
    from auditor.engine import audit, select_rules
    from auditor.project import Project
    from auditor.readiness import Status, assess
    from auditor.result import RunResult

    rules.load_all()

    def r85(text: str, online: bool) -> tuple[Status, str]:
        folder = tmp_path / f"p{len(list(tmp_path.iterdir()))}"
        write_files(folder, {"requirements.txt": text})
        config = Config().with_overrides(select=["PY007", "PY030"], online=online)
        selected = select_rules(config)
        project = Project(folder, config)
        result = audit(project, config, selected)
        run = RunResult(root=folder, findings=result.findings, rules=selected, files=1)
        found = assess(run, list(registry))
        item = next(c for r in found.requirements for c in r.criteria if c.criterion.id == "R8.5")
        return item.status, item.reason

    assert r85("redis>=4.0\nredis<6\n", online=False) == (
        Status.PASS,
        "checked by PY007: nothing found",
    )
    assert r85("redis>=4.0\nredis<4.0\n", online=False)[0] is Status.FAIL


def test_readiness_with_no_requirements_and_no_online_is_not_checked(tmp_path: Path) -> None:
    import rules
    from auditor.config import Config
    from auditor.engine import audit, select_rules
    from auditor.project import Project
    from auditor.readiness import Status, assess
    from auditor.result import RunResult

    rules.load_all()
    write_files(tmp_path, {"README.md": "no Python here\n"})
    config = Config().with_overrides(select=["PY007", "PY030"])
    selected = select_rules(config)
    result = audit(Project(tmp_path, config), config, selected)
    run = RunResult(
        root=tmp_path,
        findings=result.findings,
        rules=selected,
        files=1,
        rules_without_input=frozenset(result.without_input),
    )
    item = next(
        c
        for r in assess(run, list(registry)).requirements
        for c in r.criteria
        if c.criterion.id == "R8.5"
    )
    assert (item.status, item.reason) == (Status.NOT_CHECKED, "no file for PY007 to read")
