"""frontend/nginx.conf, the UI image's server block, run by a real nginx (Debian nginx-light).

The image includes the file from /etc/nginx/conf.d inside the stock http block; here a small
main configuration does the same, with the document root pointed at a stand-in for the built
bundle, the port moved to a free one on loopback, and Docker's embedded DNS (127.0.0.11, not
reachable here) replaced by a stand-in on loopback that answers "no such host" — the only
edits made to the file.
"""

from __future__ import annotations

import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import find_tool, free_port, run_tool

INDEX = '<!doctype html><html><body><div id="root"></div></body></html>'


def main_config(prefix: Path, server_block: Path) -> str:
    return f"""
daemon off;
master_process off;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 64; }}
http {{
    types {{ text/html html; application/javascript js; image/svg+xml svg; }}
    default_type application/octet-stream;
    access_log off;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    include {server_block};
}}
"""


@pytest.fixture
def dns_without_hosts() -> Iterator[int]:
    """A UDP DNS server on loopback answering every query with NXDOMAIN (RFC 1035 4.1.1)."""
    server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    server.bind(("127.0.0.1", 0))
    server.settimeout(0.2)
    stop = threading.Event()

    def answer() -> None:
        while not stop.is_set():
            try:
                query, client = server.recvfrom(512)
            except OSError:
                continue
            if len(query) < 12:
                continue
            # Same id; QR=1, opcode 0, RD copied, RA=1, RCODE=3; the question echoed back.
            flags = bytes([0x80 | (query[2] & 0x01), 0x83])
            server.sendto(query[:2] + flags + query[4:6] + bytes(6) + query[12:], client)

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1]
    finally:
        stop.set()
        thread.join(timeout=2)
        server.close()


@pytest.fixture
def ui_server(tmp_path: Path, repo_root: Path, dns_without_hosts: int) -> Iterator[str]:
    port = free_port()
    bundle = tmp_path / "html"
    (bundle / "assets").mkdir(parents=True)
    (bundle / "index.html").write_text(INDEX)
    (bundle / "assets" / "index-3f2a1b.js").write_text("console.log('app')")
    (bundle / "favicon.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")

    server_block = (repo_root / "frontend" / "nginx.conf").read_text()
    assert "listen 8080;" in server_block and "root /usr/share/nginx/html;" in server_block
    server_block = server_block.replace("listen 8080;", f"listen 127.0.0.1:{port};")
    server_block = server_block.replace("root /usr/share/nginx/html;", f"root {bundle};")
    assert "resolver 127.0.0.11 " in server_block
    server_block = server_block.replace("resolver 127.0.0.11 ", f"resolver 127.0.0.1:{dns_without_hosts} ")
    (tmp_path / "default.conf").write_text(server_block)
    (tmp_path / "nginx.conf").write_text(main_config(tmp_path, tmp_path / "default.conf"))

    checked = run_tool("nginx", "-t", "-p", tmp_path, "-c", tmp_path / "nginx.conf")
    assert checked.returncode == 0, checked.output

    process = subprocess.Popen(
        [find_tool("nginx"), "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/", timeout=1).close()
                break
            except OSError:
                if process.poll() is not None:
                    pytest.fail(f"nginx exited: {process.stderr.read().decode() if process.stderr else ''}")
                time.sleep(0.05)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def get(url: str) -> tuple[int, str, dict[str, str]]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace"), dict(error.headers)


def test_serves_the_app_shell(ui_server: str) -> None:
    status, body, headers = get(ui_server + "/")
    assert status == 200 and body == INDEX
    assert headers["Cache-Control"] == "no-cache"
    assert "nginx/" not in headers.get("Server", "")  # server_tokens off


def test_client_routes_fall_back_to_index_html(ui_server: str) -> None:
    for route in ("/chat", "/images/42", "/system?tab=health"):
        status, body, _ = get(ui_server + route)
        assert (status, body) == (200, INDEX), route


def test_static_files_are_served_and_hashed_assets_cached_for_good(ui_server: str) -> None:
    status, body, headers = get(ui_server + "/assets/index-3f2a1b.js")
    assert status == 200 and body == "console.log('app')"
    assert "immutable" in headers["Cache-Control"]
    assert get(ui_server + "/favicon.svg")[0] == 200


def test_a_missing_asset_is_a_404_not_the_app_shell(ui_server: str) -> None:
    # Answering index.html for a missing script would hide a broken deploy.
    status, body, _ = get(ui_server + "/assets/missing-0000.js")
    assert status == 404 and body != INDEX


def test_api_and_health_go_to_the_api_not_to_the_app_shell(ui_server: str) -> None:
    # mami-ai does not resolve here: a gateway error proves nginx tried to forward the request
    # instead of answering with index.html.
    for path in ("/api/images", "/health"):
        status, body, _ = get(ui_server + path)
        assert status in (502, 503, 504), (path, status)
        assert body != INDEX
