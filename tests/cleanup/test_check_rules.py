"""JK and IG in `mami-audit check`, on real git repositories, with git as the judge of what
a .gitignore ignores (`git check-ignore`)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

from auditor.testing import write_files

BASE = {
    "app/__init__.py": "",
    "app/main.py": "print(1)\n",
    ".gitignore": "node_modules/\n.venv/\n.env\ndata/\nlogs/\n",
}


def findings(t: SimpleNamespace, root: Path, select: str = "JK,IG") -> list[dict]:
    done = t.mami_audit("check", ".", "--select", select, "--output-format", "json", cwd=root)
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout)["findings"]


def test_tracked_junk_is_reported_untracked_junk_is_not(
    t: SimpleNamespace, repo: Callable[..., Path]
) -> None:
    root = repo(BASE)
    write_files(root, {"frontend/node_modules/a/index.js": "x\n", "frontend/node_modules/b.js": ""})
    t.git(root, "add", "--force", "frontend/node_modules")
    t.git(root, "commit", "-q", "-m", "oops")
    write_files(root, {".venv/lib/x.py": "", "node_modules/local/x.js": "", "debug_x.py": ""})
    found = [(f["code"], f["path"]) for f in findings(t, root)]
    # One finding for the folder, on its first file; the untracked debug_x.py and .venv are
    # the user's own business until committed.
    assert found == [("JK004", "frontend/node_modules/a/index.js")]


def test_junk_used_by_compose_ci_or_package_scripts_is_kept(
    t: SimpleNamespace, repo: Callable[..., Path]
) -> None:
    root = repo(
        {
            **BASE,
            "backups/seed.sql": "SELECT 1;\n",
            "docker-compose.yml": "services:\n  db:\n    volumes:\n      - ./backups:/seed:ro\n",
            "check_env.py": "print(1)\n",
            ".github/workflows/ci.yml": "jobs:\n  t:\n    steps:\n      - run: python check_env.py\n",
            "frontend/debug_ui.py": "",
            "frontend/package.json": '{"scripts": {"debug": "python debug_ui.py"}}\n',
            "debug_redis.py": "print(2)\n",
        }
    )
    found = [(f["code"], f["path"]) for f in findings(t, root, "JK")]
    assert found == [("JK003", "debug_redis.py")]
    plan = t.mami_audit("cleanup", cwd=root).stdout
    assert "backups/" in plan and "docker-compose.yml:4 mounts it" in plan
    assert ".github/workflows/ci.yml:4 runs it" in plan


def test_a_mount_of_the_folder_holding_junk_keeps_nothing(
    t: SimpleNamespace, repo: Callable[..., Path]
) -> None:
    """`./frontend:/app` uses whatever the folder holds, as `COPY . .` does: the committed
    frontend/node_modules inside it is still junk."""
    root = repo(
        {
            **BASE,
            "frontend/package.json": "{}\n",
            "docker-compose.yml": "services:\n  ui:\n    volumes:\n      - ./frontend:/app\n",
        }
    )
    write_files(root, {"frontend/node_modules/left-pad/index.js": "x\n"})
    t.git(root, "add", "--force", "frontend/node_modules")
    t.git(root, "commit", "-q", "-m", "oops")
    found = [(f["code"], f["path"]) for f in findings(t, root, "JK")]
    assert found == [("JK004", "frontend/node_modules/left-pad/index.js")]
    assert "Kept:" not in t.mami_audit("cleanup", cwd=root).stdout


def test_custom_patterns_replace_the_defaults(
    t: SimpleNamespace, repo: Callable[..., Path]
) -> None:
    root = repo(
        {
            **BASE,
            "FAZE_1.md": "kept by config\n",
            "NOTES_2023.md": "junk by config\n",
            "mami-audit.toml": '[cleanup]\nold-docs = ["NOTES_*.md"]\n',
        }
    )
    found = [(f["code"], f["path"]) for f in findings(t, root, "JK001")]
    assert found == [("JK001", "NOTES_2023.md")]
    (root / "mami-audit.toml").write_text('[cleanup]\nold-doc = ["x"]\n')
    done = t.mami_audit("check", ".", cwd=root)
    assert done.returncode == 2 and "cleanup.old-doc: unknown key" in done.stderr


def test_gitignore_fix_is_what_git_ignores_and_keeps_crlf(
    t: SimpleNamespace, repo: Callable[..., Path]
) -> None:
    root = repo({"app/main.py": "", ".gitignore": "# ours\r\n__pycache__/\r\n"})
    assert [f["code"] for f in findings(t, root, "IG")] == ["IG001"]
    for _ in range(2):
        done = t.mami_audit("check", ".", "--select", "IG", "--fix", cwd=root)
    assert done.returncode == 0, done.stdout + done.stderr  # the second --fix finds nothing
    data = (root / ".gitignore").read_bytes()
    assert data.startswith(b"# ours\r\n__pycache__/\r\n") and b"\n" not in data.replace(
        b"\r\n", b""
    )
    for path in (
        "node_modules/x.js",
        "frontend/node_modules/y",
        ".venv/bin/python",
        ".env",
        "data/app.db",
        "logs/app.log",
    ):
        assert t.git(root, "check-ignore", "--no-index", path).strip() == path


def test_missing_gitignore_in_git_is_created(t: SimpleNamespace, repo: Callable[..., Path]) -> None:
    root = repo({"app/main.py": ""})
    done = t.mami_audit("check", ".", "--select", "IG001", "--fix", cwd=root)
    assert done.returncode == 0, done.stdout
    assert "node_modules/" in (root / ".gitignore").read_text()


def test_dockerignore_fix_appends_only_what_is_let_in(
    t: SimpleNamespace, repo: Callable[..., Path]
) -> None:
    root = repo(
        {
            **BASE,
            "Dockerfile": "FROM python:3.11-slim\nCOPY . /app\n",
            ".dockerignore": "# mine\r\n.git\r\n",
            "tests/test_x.py": "",
        }
    )
    write_files(root, {".venv/pyvenv.cfg": "", "frontend/node_modules/x/i.js": ""})
    for _ in range(2):
        done = t.mami_audit("check", ".", "--select", "IG", "--fix", cwd=root)
    assert done.returncode == 0, done.stdout + done.stderr
    data = (root / ".dockerignore").read_bytes().decode()
    assert data.startswith("# mine\r\n.git\r\n")
    added = data.split("keep these out\r\n", 1)[1].split("\r\n")
    assert added == ["**/node_modules", ".venv", "tests", ""]


def test_compose_build_context_decides_where_the_dockerignore_goes(
    t: SimpleNamespace, repo: Callable[..., Path]
) -> None:
    """docker/api.Dockerfile has no COPY to tell its context; compose builds it from the root."""
    root = repo(
        {
            **BASE,
            "docker/api.Dockerfile": "FROM python:3.11-slim\nRUN echo build\n",
            "docker-compose.yml": "services:\n  api:\n    build:\n      context: .\n"
            "      dockerfile: docker/api.Dockerfile\n",
        }
    )
    done = t.mami_audit("check", ".", "--select", "IG002", "--fix", cwd=root)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (root / ".dockerignore").exists() and not (root / "docker/.dockerignore").exists()
    plan = json.loads(t.mami_audit("cleanup", "--output-format", "json", cwd=root).stdout)
    assert [c["folder"] for c in plan["build_contexts"]] == ["."]
