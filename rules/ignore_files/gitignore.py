"""IG001: what the project's .gitignore must ignore."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from auditor.rule import Context, Edit, Finding, Fix, Rule, Severity, Span, register
from rules.ignore_files._append import append_lines, new_file


def probe(entry: str) -> str:
    """A path the entry must ignore: `node_modules/` -> `node_modules/x`, `.env` -> `.env`."""
    clean = entry.lstrip("/")
    return clean.rstrip("/") + "/x" if clean.endswith("/") else clean


def missing_entries(text: str, required: tuple[str, ...]) -> list[str]:
    """The required entries the gitignore `text` does not ignore (by matching, not by text)."""
    from auditor.gitignore_match import GitignoreMatcher

    spec = GitignoreMatcher.from_text(text)
    return [entry for entry in required if not spec.match_file(probe(entry))]


def _in_git(root: Path) -> bool:
    return any(os.path.lexists(folder / ".git") for folder in (root, *root.parents))


@register
class GitignoreMissingEntries(Rule):
    """Reports a .gitignore that does not ignore node_modules/, .venv/, .env, data/ or logs/.

    ## What it does
    Checks the .gitignore at the project root: each entry of `[tool.mami-audit.cleanup]
    gitignore` (default `node_modules/`, `.venv/`, `.env`, `data/`, `logs/`) must be ignored,
    however the file spells it (`**/node_modules` counts). In a git work tree, a missing
    .gitignore is reported too (the fix creates it).

    ## Why is this bad?
    Without these lines the next `git add -A` commits a dependency folder, the local database,
    log files or the `.env` with live keys, and the cleanup has to be done again (R21.6).

    ## Example
    ```
    __pycache__/
    ```

    ## How to fix
    The safe fix appends the missing lines under a comment, keeping the file's line endings.
    """

    code = "IG001"
    name = "gitignore-missing-entries"
    summary = ".gitignore does not ignore node_modules/, .venv/, .env, data/, logs/"
    severity = Severity.WARNING
    requirements = ("R21.6",)
    fixable = True
    example_path = ".gitignore"
    bad_examples = (
        Rule.bad(
            {".gitignore": "__pycache__/\n"},
            {
                ".gitignore": "__pycache__/\n\n# Added by mami-audit (R21.6): keep these out\n"
                "node_modules/\n.venv/\n.env\ndata/\nlogs/\n"
            },
        ),
        Rule.bad(
            {".gitignore": "node_modules/\r\n.venv/\r\n.env\r\n"},
            {
                ".gitignore": "node_modules/\n.venv/\n.env\n\n"
                "# Added by mami-audit (R21.6): keep these out\ndata/\nlogs/\n"
            },
        ),
    )
    good_examples = (
        Rule.good({".gitignore": "**/node_modules\n.venv\n.env\n/data/\nlogs/\n"}),
        Rule.good(
            {".gitignore": "node_modules/\n"},
            config={"cleanup": {"gitignore": ["node_modules/"]}},
        ),
    )

    def check(self, context: Context) -> Iterator[Finding]:
        required = context.config.cleanup.gitignore
        if not required:
            return
        document = context.project.text_document(".gitignore")
        if document is None:
            if not _in_git(context.project.root):
                return  # outside git nothing gets committed by mistake; no .gitignore is fine
            fix = Fix.safe(
                "Create .gitignore", Edit.create_file(".gitignore", new_file(list(required)))
            )
            message = f"no .gitignore: {', '.join(required)} can be committed by mistake"
            yield self.finding(".gitignore", Span.point(1), message, fix)
            return
        if document.source.error is not None:
            return
        missing = missing_entries(document.text, required)
        if missing:
            fix = Fix.safe(
                f"Append {', '.join(missing)} to .gitignore", append_lines(document, missing)
            )
            message = f".gitignore does not ignore {', '.join(missing)}"
            yield self.finding(document, Span.point(1), message, fix)
