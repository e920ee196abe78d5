"""The cleanup's patterns: `[tool.mami-audit.cleanup]`, with the spec's (R21) as defaults.

Patterns are gitignore-like and matched against paths relative to the project root:
`name/` is a folder of that name at any depth (globs allowed: `*_backup/`), `glob` a file
name at any depth (`*.bak`), `/glob` a file at the top level only (`/check_*.py`).
"""

from __future__ import annotations

from typing import NamedTuple

# One entry per junk rule: (reason code, config key).
CATEGORIES: tuple[tuple[str, str], ...] = (
    ("JK001", "old-docs"),
    ("JK002", "backups"),
    ("JK003", "scripts"),
    ("JK004", "build-folders"),
    ("JK005", "os-files"),
    ("JK006", "databases"),
    ("JK007", "secret-files"),
)


class CleanupSettings(NamedTuple):
    old_docs: tuple[str, ...] = ("FAZE_*.md", "DOCKER_*.md", "*_OLD.md", "*.old.md")  # R21.1
    backups: tuple[str, ...] = (  # R21.2
        "backups/",
        "backup/",
        "_ui_backup/",
        "*_backup/",
        "*.bak",
        "*.orig",
        "*~",
    )
    scripts: tuple[str, ...] = (  # R21.3: throw-away scripts at the top level only
        "/check_*.py",
        "/debug_*.py",
        "/test_*.py",
        "/tmp_*.py",
        "/scratch*.py",
    )
    build_folders: tuple[str, ...] = (  # R21.4
        "node_modules/",
        ".venv/",
        "venv/",
        "__pycache__/",
        "*.pyc",
        "dist/",
        ".pytest_cache/",
        ".mypy_cache/",
        ".ruff_cache/",
        "*.egg-info/",
        "htmlcov/",
    )
    os_files: tuple[str, ...] = (".DS_Store", "Thumbs.db", "desktop.ini", "*.swp", "*.swo")
    databases: tuple[str, ...] = ("*.db", "*.sqlite", "*.sqlite3", "dump.rdb", "*.dump")
    secret_files: tuple[str, ...] = (".env", ".env.*")  # R16.5: only when values look secret
    secret_file_examples: tuple[str, ...] = (
        ".env.example",
        ".env.sample",
        ".env.template",
        ".env.dist",
    )
    # What .gitignore must ignore (R21.6): line to append -> a path that line ignores.
    gitignore: tuple[str, ...] = ("node_modules/", ".venv/", ".env", "data/", "logs/")
    # What each .dockerignore must leave out of its build context (R21.6).
    dockerignore: tuple[str, ...] = (
        ".git",
        "**/node_modules",
        ".venv",
        ".env",
        "tests",
        "**/__pycache__",
        "**/*.pyc",
        "backups",
    )
    commit_message: str = "chore: cleanup project for Docker production readiness"  # R21.7

    def patterns(self, key: str) -> tuple[str, ...]:
        value: tuple[str, ...] = getattr(self, key.replace("-", "_"))
        return value


KEYS = (
    *(key for _, key in CATEGORIES),
    "secret-file-examples",
    "gitignore",
    "dockerignore",
    "commit-message",
)
