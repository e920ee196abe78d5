"""AU: rules about the audit itself, which apply to every kind of file.

These rules look at the files the other selected rules read (`project.loaded_documents()`),
so they run last and parse nothing extra. Selected with no rule that reads files, they read
every discovered file of a known kind.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.documents import KIND_MODULES
from auditor.documents.base import Document
from auditor.project import Project
from auditor.rule import Context, Finding, Rule, Severity, Span, register
from auditor.suppressions import parse_suppressions, unused_codes


def documents_read(project: Project) -> list[Document]:
    """The documents this run parsed; every kind's when no other rule parsed any."""
    if not project.loaded_kinds():
        for kind in KIND_MODULES:
            project.documents(kind)
    return project.loaded_documents()


@register
class ParseErrorRule(Rule):
    """Reports a file that could not be read, decoded or parsed.

    ## What it does
    Reports each file a selected rule needed but could not use: a file that cannot be read,
    a binary file, bytes that are not UTF-8, or text that does not parse as its kind (a
    Dockerfile with an unknown instruction, an unterminated heredoc, ...). The finding points
    at the line where the file breaks.

    ## Why is this bad?
    Rules skip a file they cannot parse, so everything else wrong with it goes unreported.
    Docker, Compose or Python would refuse the same file at build or run time.

    ## Example
    ```dockerfile
    FROM python:3.11-slim
    FORM python:3.11-slim
    ```

    ## How to fix
    Correct the file at the reported line, or save it as UTF-8 text.
    """

    code = "AU001"
    name = "parse-error"
    summary = "A file could not be read, decoded or parsed"
    severity = Severity.ERROR
    runs_last = True
    bad_examples = (
        Rule.bad("FROM python:3.11-slim\nRUN echo \x00\n", count=1),
        Rule.bad("FROM python:3.11-slim\nFORM python:3.11-slim\n", count=1),
    )
    good_examples = (Rule.good('FROM python:3.11-slim\nCMD ["python", "-V"]\n'),)

    def check(self, context: Context) -> Iterator[Finding]:
        reported: set[tuple[str, int, str]] = set()
        for document in documents_read(context.project):
            error = document.parse_error
            if error is None or (document.path, error.line, error.message) in reported:
                continue  # a file parsed as two kinds breaks once for the user
            reported.add((document.path, error.line, error.message))
            # Not clamped to the decoded lines: a file that failed to decode has no text, but
            # the line of the bad byte is still the one to show.
            span = Span.point(max(1, error.line), max(1, error.column))
            yield self.finding(document, span, f"cannot parse: {error.message}")


@register
class InvalidSuppression(Rule):
    """Reports a `# mami-audit:` suppression comment that cannot work.

    ## What it does
    Reports a suppression comment that is malformed, names a rule that does not exist, or is
    not followed by a statement (`ignore[...]` applies to the statement on the next
    non-comment line; a blank line in between ends it).

    ## Why is this bad?
    A suppression with a typo silences nothing, so the finding it was meant for stays, or it
    silently stops covering the rule it meant once a rule is renamed.

    ## Example
    ```dockerfile
    # mami-audit: ignore[DF9999] kept on purpose
    FROM python:3.11-slim
    ```

    ## How to fix
    Name the rule by its code or name, as `mami-audit rules` lists them:
    `# mami-audit: ignore[AU001] reason`, directly above the statement.
    """

    code = "AU002"
    name = "invalid-suppression"
    summary = "A suppression comment is malformed, names an unknown rule or precedes nothing"
    severity = Severity.WARNING
    runs_last = True
    bad_examples = (
        Rule.bad("# mami-audit: ignore[NOPE999] kept on purpose\nFROM python:3.11-slim\n", count=1),
        Rule.bad("# mami-audit: ignore DF001\nFROM python:3.11-slim\n", count=1),
        Rule.bad("FROM python:3.11-slim\n# mami-audit: ignore[parse-error] at the end\n", count=1),
    )
    good_examples = (
        Rule.good("# mami-audit: ignore[parse-error] generated\nFROM python:3.11-slim\n"),
        Rule.good("# mami-audit: ignore-file[AU001] vendored\nFROM python:3.11-slim\n"),
        Rule.good("# hadolint ignore=DL3008\nFROM python:3.11-slim\n"),
    )

    def check(self, context: Context) -> Iterator[Finding]:
        seen: set[str] = set()
        for document in documents_read(context.project):
            if document.path in seen or document.source.error is not None:
                continue
            seen.add(document.path)
            for problem in parse_suppressions(document).problems:
                span = Span.point(problem.line, problem.column)
                yield self.finding(document, span, problem.message)


@register
class UnusedSuppression(Rule):
    """Reports a `# mami-audit:` suppression that silences nothing.

    ## What it does
    Reports each rule named in a `# mami-audit: ignore[...]` or `ignore-file[...]` comment
    when that rule ran and found nothing the comment covers. A rule that was not selected in
    this run is never reported: it cannot tell. hadolint's pragmas are left alone (hadolint
    may still use them).

    ## Why is this bad?
    A suppression outlives the problem it was written for. Left in place, it will silently
    hide the next real finding of that rule on the same statement or file.

    ## Example
    ```dockerfile
    # mami-audit: ignore[parse-error] the heredoc used to confuse the parser
    FROM python:3.11-slim
    ```

    ## How to fix
    Delete the comment, or the codes in it that no longer report anything.
    """

    code = "AU003"
    name = "unused-suppression"
    summary = "A suppression comment names a rule that finds nothing there"
    severity = Severity.WARNING
    runs_last = True
    bad_examples = (
        Rule.bad(
            "# mami-audit: ignore[parse-error] it used to break\nFROM python:3.11-slim\n",
            count=1,
            config={"extend-select": ["AU001"]},
        ),
        Rule.bad(
            "# mami-audit: ignore-file[AU001,AU002] generated\nFROM python:3.11-slim\n",
            count=2,
            config={"extend-select": ["AU001", "AU002"]},
        ),
    )
    good_examples = (
        Rule.good(
            "# mami-audit: ignore[parse-error] BuildKit-only syntax\nFORM python:3.11-slim\n",
            config={"extend-select": ["AU001"]},
        ),
        # AU001 does not run here, so its suppression cannot be judged.
        Rule.good("# mami-audit: ignore[parse-error] generated\nFROM python:3.11-slim\n"),
        Rule.good("# hadolint ignore=DL3008\nFROM python:3.11-slim\n"),
    )

    def check(self, context: Context) -> Iterator[Finding]:
        by_path: dict[str, list[Finding]] = {}
        for finding in context.findings_so_far:
            by_path.setdefault(finding.path, []).append(finding)
        seen: set[str] = set()
        for document in documents_read(context.project):
            if document.path in seen or document.source.error is not None:
                continue
            seen.add(document.path)
            found_here = by_path.get(document.path, [])
            for pragma in parse_suppressions(document).pragmas:
                for code in unused_codes(pragma, found_here, context.rules_run):
                    line = pragma.line
                    column = document.lines[line - 1].find("#") + 1
                    message = f"suppression of {code} is unused: it reports nothing here"
                    yield self.finding(document, Span.point(line, column), message)
