"""The JK rules: one per kind of junk (the family's docstring, in __init__, says what and why)."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.cleanup.junk import JunkItem, human_size
from auditor.cleanup.project_junk import project_junk
from auditor.rule import Context, Finding, Rule, Severity, Span, register


class JunkRule(Rule):
    """Reports the project's junk items of this rule's code."""

    what = "junk"  # how a message names the kind of junk

    def check(self, context: Context) -> Iterator[Finding]:
        found = project_junk(context.project)
        for item in found.junk:
            if item.code == self.code:
                # A report points at a file: a folder's finding at the first file inside it.
                where = item.first_file or item.path
                message = self.message(item)
                if not found.in_git:
                    message = _outside_git(message)
                yield self.finding(where, self.span(context, item), message)

    def span(self, context: Context, item: JunkItem) -> Span:
        return Span.point(1)

    def message(self, item: JunkItem) -> str:
        if item.link:
            shape = "a symlink"
        elif item.folder:
            count = f"{item.files} file" + ("" if item.files == 1 else "s")
            shape = f"{count}, {human_size(item.size)}"
        else:
            shape = human_size(item.size)
        return (
            f"{item.path}{'/' if item.folder and not item.link else ''} is {self.what} "
            f"({shape}); `mami-audit cleanup --apply` removes it through git"
        )


def _outside_git(message: str) -> str:
    """The message for a project outside git, where nothing is committed or removed through
    git yet: the file is reported because it would be committed."""
    return (
        message.replace("is committed with", "would be committed with")
        .replace(
            "`mami-audit cleanup --apply` removes it through git",
            "not in git: `mami-audit cleanup --apply --include-untracked` deletes it for good",
        )
        .replace(
            "`mami-audit cleanup --apply` untracks it (it stays on disk), then rotate the "
            "keys: they remain in git history",
            "keep it out of any commit (.gitignore)",
        )
    )


@register
class OldDocumentation(JunkRule):
    """Reports old documentation files (`FAZE_*.md`, `DOCKER_*.md`, `*_OLD.md`).

    ## What it does
    Reports committed Markdown files whose names mark them as notes of a past phase or an
    old setup: `FAZE_1_NOTES.md`, `DOCKER_SETUP_OLD.md`. The patterns are
    `[tool.mami-audit.cleanup] old-docs`.

    ## Why is this bad?
    Outdated instructions beside the current ones mislead whoever reads them next, and they
    travel into every build context and image (R21.1).

    ## Example
    A file `FAZE_1_NOTES.md` at the project root.

    ## How to fix
    Run `mami-audit cleanup` to see the plan and `mami-audit cleanup --apply` to remove it in
    one commit (`git revert` brings it back). Move what is still true into the README or docs/.
    """

    code = "JK001"
    name = "old-documentation"
    summary = "Old documentation file (FAZE_*.md, DOCKER_*.md)"
    severity = Severity.WARNING
    requirements = ("R21.1",)
    what = "old documentation"
    example_path = "FAZE_1_NOTES.md"
    bad_examples = (
        Rule.bad({"FAZE_1_NOTES.md": "# Phase 1 notes\n"}),
        Rule.bad({"docs/DOCKER_SETUP_OLD.md": "old setup\n"}),
    )
    good_examples = (
        Rule.good({"README.md": "# Mami AI\n", "docs/docker.md": "current setup\n"}),
        Rule.good(
            {
                "FAZE_1_NOTES.md": "notes\n",
                "Dockerfile": "FROM python:3.11\nCOPY FAZE_1_NOTES.md /\n",
            }
        ),
    )


@register
class BackupFiles(JunkRule):
    """Reports backup folders and files (`backups/`, `_ui_backup/`, `*.bak`, `*.orig`, `*~`).

    ## What it does
    Reports committed backup folders (`backups/`, `backup/`, `_ui_backup/`, `*_backup/`) and
    backup files (`*.bak`, `*.orig`, editor `*~` files). The patterns are
    `[tool.mami-audit.cleanup] backups`.

    ## Why is this bad?
    Git already keeps every earlier version. Backup copies double the repository and the
    build context, and often hold old data or configuration with credentials (R21.2).

    ## Example
    A folder `backups/` holding `db-2024-01-01.sql`.

    ## How to fix
    `mami-audit cleanup --apply` removes it through git; `git show HEAD~1:backups/...` or
    `git revert` get it back. A folder the app really reads (a compose bind mount) is kept.
    """

    code = "JK002"
    name = "backup-files"
    summary = "Backup folder or file (backups/, _ui_backup/, *.bak)"
    severity = Severity.WARNING
    requirements = ("R21.2",)
    what = "a backup"
    example_path = "backups/db.sql"
    bad_examples = (
        Rule.bad({"backups/db.sql": "INSERT INTO users VALUES (1);\n"}),
        Rule.bad({"frontend/_ui_backup/App.tsx": "export {}\n"}),
        Rule.bad({"app/main.py.bak": "print(1)\n"}),
    )
    good_examples = (
        Rule.good({"app/backup_service.py": "def backup(): ...\n"}),
        Rule.good(
            {
                "backups/seed.sql": "SELECT 1;\n",
                "docker-compose.yml": "services:\n  db:\n    volumes:\n      - ./backups:/seed\n",
            }
        ),
    )


@register
class ThrowawayScript(JunkRule):
    """Reports throw-away scripts at the top level (`check_*.py`, `debug_*.py`, `test_*.py`).

    ## What it does
    Reports Python scripts at the project root named like one-off checks or debugging aids.
    Scripts under tests/ or inside the app are not reported, nor one the app imports or a
    Dockerfile, compose file, package.json script or CI workflow runs. The patterns are
    `[tool.mami-audit.cleanup] scripts` (a leading `/` means "at the top level").

    ## Why is this bad?
    Such scripts rot: they import modules that moved, read settings that no longer exist,
    and end up copied into the production image by `COPY . .` (R21.3).

    ## Example
    `check_env.py` and `debug_redis.py` at the project root.

    ## How to fix
    Delete them with `mami-audit cleanup --apply`, or turn what they check into a test under
    tests/.
    """

    code = "JK003"
    name = "throwaway-script"
    summary = "Throw-away script at the top level (check_*.py, debug_*.py)"
    severity = Severity.WARNING
    requirements = ("R21.3",)
    what = "a throw-away script"
    example_path = "debug_redis.py"
    bad_examples = (
        Rule.bad({"debug_redis.py": "import redis\nprint(redis.Redis().ping())\n"}),
        Rule.bad({"check_env.py": "import os\nprint(os.environ)\n"}),
    )
    good_examples = (
        Rule.good({"tests/test_health.py": "def test_ok():\n    assert True\n"}),
        Rule.good({"scripts/check_env.py": "print(1)\n"}),
        Rule.good(
            {
                "check_env.py": "def check():\n    return True\n",
                "app/__init__.py": "",
                "app/main.py": "import check_env\n\ncheck_env.check()\n",
            }
        ),
    )


@register
class DependencyFolder(JunkRule):
    """Reports committed dependency, cache and build folders (`node_modules/`, `.venv/`, ...).

    ## What it does
    Reports `node_modules/`, `.venv/`, `venv/`, `__pycache__/`, `*.pyc`, `dist/`,
    `.pytest_cache/` and the like when git tracks them (outside git: when they are not
    .gitignored). The patterns are `[tool.mami-audit.cleanup] build-folders`.

    ## Why is this bad?
    They are rebuilt from the lock files in the image (R21.4). Committed, they bloat the
    repository and the build context, and a host's compiled packages (a macOS `.venv`) break
    inside a Linux container.

    ## Example
    A `frontend/dist/` folder committed after a local build.

    ## How to fix
    `mami-audit cleanup --apply` removes them through git and adds them to .gitignore.
    """

    code = "JK004"
    name = "dependency-folder"
    summary = "Committed dependency, cache or build folder (node_modules/, .venv/, dist/)"
    severity = Severity.WARNING
    requirements = ("R21.4",)
    what = "a dependency or build folder"
    example_path = "frontend/dist/index.js"
    bad_examples = (
        Rule.bad({"frontend/dist/index.js": "console.log(1)\n"}),
        Rule.bad({"app/legacy.pyc": "compiled"}),
    )
    good_examples = (
        Rule.good({"frontend/src/main.tsx": "export {}\n"}),
        Rule.good({".gitignore": "dist/\n", "frontend/dist/index.js": "console.log(1)\n"}),
    )


@register
class OsEditorFile(JunkRule):
    """Reports operating-system and editor files (`.DS_Store`, `Thumbs.db`, `*.swp`).

    ## What it does
    Reports files that an operating system or an editor leaves behind. The patterns are
    `[tool.mami-audit.cleanup] os-files`.

    ## Why is this bad?
    They carry nothing the project needs, show up in every diff and end up in the build
    context and the image (R21.5: a small image).

    ## Example
    `frontend/.DS_Store`.

    ## How to fix
    `mami-audit cleanup --apply`; add the names to your global gitignore
    (`git config core.excludesFile`).
    """

    code = "JK005"
    name = "os-editor-file"
    summary = "Operating-system or editor file (.DS_Store, Thumbs.db, *.swp)"
    severity = Severity.INFO
    requirements = ("R21.5",)
    what = "an OS or editor file"
    example_path = "frontend/.DS_Store"
    bad_examples = (
        Rule.bad({"frontend/.DS_Store": "Bud1"}),
        Rule.bad({"app/.main.py.swp": "b0VIM"}),
    )
    good_examples = (Rule.good({"frontend/.editorconfig": "root = true\n"}),)


@register
class LocalDatabase(JunkRule):
    """Reports committed local databases and dumps (`*.db`, `*.sqlite3`, `dump.rdb`).

    ## What it does
    Reports SQLite databases, Redis dumps and database dump files in the repository. The
    patterns are `[tool.mami-audit.cleanup] databases`.

    ## Why is this bad?
    A developer's database holds their data (sometimes users' data), grows without bound and
    lands in the build context and the image; in production the database lives on a volume
    (R21.5, R5).

    ## Example
    `data/app.db` committed by mistake.

    ## How to fix
    `mami-audit cleanup --apply`, and keep `data/` in .gitignore. Seed data belongs in a
    migration or a fixture script.
    """

    code = "JK006"
    name = "local-database"
    summary = "Committed local database or dump (*.db, *.sqlite3, dump.rdb)"
    severity = Severity.WARNING
    requirements = ("R21.5",)
    what = "a local database"
    example_path = "data/app.db"
    bad_examples = (
        Rule.bad({"data/app.db": "SQLite format 3"}),
        Rule.bad({"dump.rdb": "REDIS0009"}),
    )
    good_examples = (Rule.good({".gitignore": "data/\n", "data/app.db": "SQLite format 3"}),)


@register
class CommittedSecrets(JunkRule):
    """Reports a committed `.env` file holding values that look like secrets (R16.5).

    ## What it does
    Reports a `.env` or `.env.*` file (not `.env.example`, `.env.sample`, `.env.template`)
    that git tracks and that assigns a non-placeholder value to a key named like a secret
    (`*_API_KEY`, `*_SECRET`, `*_TOKEN`, `*_PASSWORD`), or a value shaped like a provider key
    (`sk-...`, `AKIA...`). Values never appear in the message, only key names.

    ## Why is this bad?
    Everyone with access to the repository, its forks and its CI logs has the keys, and they
    stay in git history after the file is deleted. The keys belong in the untracked `.env`
    that the container reads at start (R16.5).

    ## Example
    ```
    OPENAI_API_KEY=sk-live-...
    ```

    ## How to fix
    `mami-audit cleanup --apply` stops tracking the file (it stays on disk) and adds it to
    .gitignore. Then rotate every key it held: the old values remain in history. Commit a
    `.env.example` with placeholders instead.
    """

    code = "JK007"
    name = "committed-secrets"
    summary = "Committed .env file with values that look like secrets"
    severity = Severity.ERROR
    requirements = ("R16.5",)
    example_path = ".env"
    bad_examples = (
        Rule.bad({".env": "DEBUG=false\nOPENAI_API_KEY=sk-proj-4f9a8b7c6d5e4f3a2b1c\n"}, count=1),
        Rule.bad({".env.production": "DB_PASSWORD=s3cr3t-Pa55\n"}),
    )
    good_examples = (
        Rule.good({".env.example": "OPENAI_API_KEY=your-key-here\n"}),
        Rule.good({".env": "DEBUG=true\nLOG_LEVEL=info\nOPENAI_API_KEY=\n"}),
        Rule.good(
            {".gitignore": ".env\n", ".env": "OPENAI_API_KEY=sk-proj-4f9a8b7c6d5e4f3a2b1c\n"}
        ),
    )

    def span(self, context: Context, item: JunkItem) -> Span:
        from auditor.cleanup.secrets import secret_lines_of

        lines = secret_lines_of(context.project.root / item.path)
        return Span.point(lines[0][0]) if lines else Span.point(1)

    def message(self, item: JunkItem) -> str:
        return (
            f"{item.path} is committed with values that look like secrets; "
            "`mami-audit cleanup --apply` untracks it (it stays on disk), then rotate the keys: "
            "they remain in git history"
        )
