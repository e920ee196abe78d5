"""Applying fixes under the fix contract (README, "Fixes").

The fixer never decides what is wrong; it applies the edits findings carry:

1. Audit the project, take the fixes whose applicability is allowed (safe; unsafe too with
   --unsafe-fixes) in finding order, and accept each one whose edits overlap no edit accepted
   before it in this pass. Overlapping fixes wait for the next pass.
2. Apply the accepted edits in memory. A file whose new text no longer parses as its document
   kind keeps its old text: every fix touching it is dropped for good and the reason recorded.
   Lines an edit inserts must stand as statements of their own: text that the re-parse
   finds glued to the statement before (after a `\\` continuing into the end of the file)
   drops the fix too.
3. Re-audit the edited project (an in-memory overlay) and repeat until no fix applies, at most
   MAX_PASSES times. A fix that re-appears after it was applied (the same rule, message and
   edit text, more often than the pass before left unapplied) never settles: it is a bug in
   its rule, so it is stopped and reported (`FixOutcome.unsettled`) instead of growing the
   file pass after pass.
4. Only then `write_changes` writes each changed file atomically (temp file + rename in the same
   folder, mode kept) in its original encoding and BOM, every untouched byte as it was (each
   line keeps its own line end), and never outside the audited root, symlinks resolved. Just
   before replacing a file it checks that the file still holds what was read (stat and
   checksum, `Fingerprint`); a file edited meanwhile, by the user or another run, is left as
   it is and reported. Temp files are named `.<name>.mami-audit-<pid>.tmp`: discovery never
   audits them and a later run removes those whose process is gone (a run killed mid-write).
   `--diff` prints `unified_diff` instead and writes nothing.
"""

from __future__ import annotations

import os
import stat
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import NamedTuple

from auditor import tempfiles
from auditor.config import Config
from auditor.documents import kind_module
from auditor.documents.base import (
    DEFAULT_MAX_FILE_SIZE,
    Document,
    Fingerprint,
    NotReadable,
    SourceFile,
    read_regular_file,
)
from auditor.engine import Audit, Scope, audit
from auditor.project import Project, normalise
from auditor.records import field, record
from auditor.rule import Applicability, Edit, EditKind, Finding, Fix, Rule, Span

MAX_PASSES = 10


@record
class FixOutcome:
    """What a fix run would do: the new contents of each changed file, and the findings left."""

    root: Path
    original: dict[str, bytes | None]  # path -> bytes before (None: did not exist)
    changed: dict[str, bytes | None]  # path -> bytes after (None: deleted)
    fixed: list[Finding]  # findings whose fixes were applied, in the order applied
    remaining: Audit  # the audit of the fixed project
    project: Project  # the fixed project (in memory) that `remaining` audited
    rejected: list[str] = field(default_factory=list)  # one line per fix refused, and why
    converged: bool = True  # False when MAX_PASSES ran out with fixes still applying
    passes: int = 0
    # path -> what was read from disk before the first edit (None: the file did not exist)
    fingerprints: dict[str, Fingerprint | None] = field(default_factory=dict)
    unsettled: list[str] = field(default_factory=list)  # fixes that re-appeared once applied

    @property
    def changed_paths(self) -> list[str]:
        return sorted(path for path in self.changed if self.changed[path] != self.original[path])


def allowed_applicabilities(unsafe: bool) -> set[Applicability]:
    return {Applicability.SAFE, Applicability.UNSAFE} if unsafe else {Applicability.SAFE}


def plan_fixes(
    root: Path,
    config: Config,
    rules: Iterable[type[Rule]],
    *,
    unsafe: bool = False,
    scope: Scope | None = None,
    named: tuple[str, ...] = (),
    max_passes: int = MAX_PASSES,
    discovered: Project | None = None,
) -> FixOutcome:
    """Compute every fix in memory, pass after pass, without writing anything.

    `discovered`: the same project (root, config, named PATHs), no overlay, already looked
    at: its file list and parsed documents are reused rather than found again."""
    rules = list(rules)
    allowed = allowed_applicabilities(unsafe)
    overlay: dict[str, bytes | None] = {}
    original: dict[str, bytes | None] = {}
    fixed: list[Finding] = []
    rejected: list[str] = []
    refused: set[tuple[str, str, Span, str]] = set()  # fixes never to try again
    fingerprints: dict[str, Fingerprint | None] = {}
    never_again: set[_Signature] = set()  # fixes that re-appeared once applied
    unsettled: list[str] = []
    left_over: Counter[_Signature] = Counter()  # per signature: candidates the last pass left
    applied_last: Counter[_Signature] = Counter()
    passes = 0
    converged = False
    project: Project | None = discovered
    last_audit: Audit | None = None
    while passes < max_passes:
        # Each pass re-audits; files the last pass did not change are not read or parsed again.
        project = Project(root, config, overlay=overlay, named=named, previous=project)
        last_audit = audit(project, config, rules, scope=scope)
        findings = last_audit.findings
        candidates = [
            finding
            for finding in findings
            if finding.fix is not None
            and finding.fix.applicability in allowed
            and _key(finding) not in refused
            and _signature(finding) not in never_again
        ]
        offered = Counter(_signature(finding) for finding in candidates)
        for signature, count in offered.items():
            if applied_last[signature] and count > left_over[signature]:
                # More than the last pass left unapplied: one it applied came back.
                never_again.add(signature)
                code, path, message = signature[:3]
                unsettled.append(
                    f"{path}: {code}: its fix ({message}) re-appeared after it was applied; "
                    "stopped (a bug in the rule: please report it)"
                )
        candidates = [f for f in candidates if _signature(f) not in never_again]
        if not candidates:
            converged = True
            break
        passes += 1
        batch = _Batch(project)
        for finding in candidates:
            problem = batch.try_add(finding)
            if problem is not None:
                refused.add(_key(finding))
                rejected.append(f"{finding.path}:{finding.span.line}: {finding.code}: {problem}")
        new_contents, dropped = batch.apply()
        for finding, problem in dropped:
            refused.add(_key(finding))
            rejected.append(f"{finding.path}:{finding.span.line}: {finding.code}: {problem}")
        if not new_contents:
            continue  # everything in this pass was refused; the refused set shrinks the next
        for path, data in new_contents.items():
            if path not in original:
                source = project.source(path)
                original[path] = _current_bytes(root, path) if source is not None else None
                fingerprints[path] = _fingerprint(root, path, source)
            overlay[path] = data
        fixed.extend(batch.applied)
        applied_last = Counter(_signature(finding) for finding in batch.applied)
        left_over = offered - applied_last
    if converged:  # the last pass audited the files as they end up: that is the result
        assert project is not None and last_audit is not None
        final_project, final = project, last_audit
    else:
        final_project = Project(root, config, overlay=overlay, named=named, previous=project)
        final = audit(final_project, config, rules, scope=scope)
    changed = {path: overlay[path] for path in original}
    return FixOutcome(
        root.resolve(),
        original,
        changed,
        fixed,
        final,
        final_project,
        rejected,
        converged,
        passes,
        fingerprints,
        unsettled,
    )


def _key(finding: Finding) -> tuple[str, str, Span, str]:
    return (finding.code, finding.path, finding.span, finding.message)


# (code, path, fix message, finding message, the edits without their positions): positions
# move as edits land, the rest of a fix that comes back after it was applied does not.
_Signature = tuple[str, str, str, str, tuple[tuple[str, str, str], ...]]


def _signature(finding: Finding) -> _Signature:
    fix = finding.fix
    assert fix is not None
    edits = tuple((edit.path, edit.kind.value, edit.content) for edit in fix.edits)
    return (finding.code, finding.path, fix.message, finding.message, edits)


def _fingerprint(root: Path, path: str, source: SourceFile | None) -> Fingerprint | None:
    """What the project read of `path` (None: no such file). A file that was not read (too
    large, not UTF-8 text) can still be deleted: its stat alone identifies it then."""
    if source is None:
        return None
    if source.fingerprint is not None:
        return source.fingerprint
    try:
        return Fingerprint.of_stat((root / path).stat())
    except OSError:
        return None


def _current_bytes(root: Path, path: str) -> bytes | None:
    try:
        return (root / path).read_bytes()
    except OSError:
        return None


@record(frozen=True)
class _TextEdit:
    start: int  # character offsets into the document's text
    end: int
    content: str


class _Batch:
    """The non-overlapping fixes of one pass, and the file contents they produce."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.applied: list[Finding] = []
        self._text_edits: dict[str, list[tuple[_TextEdit, Finding]]] = {}
        self._file_edits: dict[str, tuple[EditKind, str, Finding]] = {}  # create/delete

    def try_add(self, finding: Finding) -> str | None:
        """Accept the finding's fix if it fits; return why it can never apply, else None.

        A fix that overlaps one already accepted is simply left for the next pass.
        """
        fix = finding.fix
        assert fix is not None
        planned: list[tuple[str, _TextEdit | EditKind, str]] = []
        for edit in fix.edits:
            path = normalise(edit.path)
            if path is None or not _inside_root(self.project.root, path):
                return f"edit of {edit.path!r} would write outside the project root"
            if edit.kind is EditKind.REPLACE:
                resolved = self._resolve(path, edit)
                if isinstance(resolved, str):
                    return resolved
                planned.append((path, resolved, ""))
            elif edit.kind is EditKind.CREATE:
                if self.project.exists(path):
                    return f"cannot create {path}: it already exists"
                planned.append((path, EditKind.CREATE, edit.content))
            else:
                if self.project.source(path) is None:
                    return f"cannot delete {path}: no such file"
                planned.append((path, EditKind.DELETE, ""))
        if any(self._overlaps(path, change) for path, change, _ in planned):
            return None
        if _overlaps_itself(planned):
            return "its own edits overlap"
        for path, change, content in planned:
            if isinstance(change, _TextEdit):
                self._text_edits.setdefault(path, []).append((change, finding))
            else:
                self._file_edits[path] = (change, content, finding)
        self.applied.append(finding)
        return None

    def _resolve(self, path: str, edit: Edit) -> _TextEdit | str:
        document = self.project.text_document(path)
        if document is None:
            return f"cannot edit {path}: no such file"
        if document.source.error is not None:
            return f"cannot edit {path}: {document.source.error.message}"
        span = edit.span
        assert span is not None
        start = _offset(document, span.line, span.column)
        end = _offset(document, span.end_line, span.end_column)
        if start is None or end is None or end < start:
            return f"edit span {span} is outside {path}"
        return _TextEdit(start, end, edit.content)

    def _overlaps(self, path: str, change: _TextEdit | EditKind) -> bool:
        if path in self._file_edits:
            return True
        if not isinstance(change, _TextEdit):
            return path in self._text_edits
        return any(_ranges_clash(change, other) for other, _ in self._text_edits.get(path, []))

    def apply(self) -> tuple[dict[str, bytes | None], list[tuple[Finding, str]]]:
        """New bytes per changed path; fixes whose file would not re-parse are dropped."""
        dropped: list[tuple[Finding, str]] = []
        while True:
            contents: dict[str, bytes | None] = {}
            broken: dict[str, str] = {}
            for path, edits in self._text_edits.items():
                document = self.project.text_document(path)
                assert document is not None
                changes = [(change.start, change.end, change.content) for change, _ in edits]
                contents[path] = document.source.apply_edits(changes)
            for path, (kind, content, _) in self._file_edits.items():
                contents[path] = None if kind is EditKind.DELETE else content.encode("utf-8")
            for path, data in contents.items():
                if data is not None:
                    problem = self._parse_problem(path, data)
                    if problem:
                        broken[path] = problem
            if not broken:
                return contents, dropped
            for path, problem in broken.items():
                touching = self._findings_touching(path)
                if len(touching) == 1:  # the culprit: refuse it for good
                    message = f"fixed {path} would not parse ({problem}); not applied"
                    dropped.append((touching[0], message))
                    self._remove(touching[0])
                else:  # keep the first, leave the rest for the next pass to find the culprit
                    for finding in touching[1:]:
                        self._remove(finding)

    def _parse_problem(self, path: str, data: bytes) -> str | None:
        source = SourceFile.from_bytes(path, self.project.root / path, data)
        if source.error is not None:
            return source.error.message
        for kind in self.project.kinds_of(path):
            document = kind_module(kind).parse(source)
            error = document.parse_error
            if error is not None:
                return f"line {error.line}: {error.message}"
            line = self._glued_insertion(path, document.statement_range)
            if line is not None:
                return f"the lines inserted at line {line} would join the statement before"
        return None

    def _glued_insertion(
        self, path: str, statement_range: Callable[[int], tuple[int, int]]
    ) -> int | None:
        """The first new line of an insertion of whole lines that, once parsed, does not start
        a statement of its own (it continues the one before), or None."""
        if path not in self._text_edits:
            return None
        document = self.project.text_document(path)
        assert document is not None
        text = document.text
        line_shift = 0  # lines the earlier edits of this file added
        for change, _ in sorted(self._text_edits.get(path, []), key=lambda e: e[0].start):
            content = change.content
            whole_lines = (
                change.start == change.end
                and content.endswith("\n")
                and (change.start == 0 or text[change.start - 1] == "\n")
            )
            after_line_end = content.startswith("\n") and (
                change.start == len(text) or text[change.start] == "\n"
            )
            if (whole_lines or after_line_end) and content.strip():
                new_line = text.count("\n", 0, change.start) + 1 + line_shift
                new_line += 1 if after_line_end else 0
                if statement_range(new_line)[0] != new_line:
                    return new_line
            line_shift += content.count("\n") - text.count("\n", change.start, change.end)
        return None

    def _findings_touching(self, path: str) -> list[Finding]:
        touching = [finding for _, finding in self._text_edits.get(path, [])]
        if path in self._file_edits:
            touching.append(self._file_edits[path][2])
        unique = {id(finding): finding for finding in touching}  # a fix may edit a file twice
        return list(unique.values())

    def _remove(self, finding: Finding) -> None:
        """Take out every edit of this finding's fix, in every file it touches."""
        for path in list(self._text_edits):
            kept = [(edit, owner) for edit, owner in self._text_edits[path] if owner is not finding]
            if kept:
                self._text_edits[path] = kept
            else:
                del self._text_edits[path]
        for path in [p for p, entry in self._file_edits.items() if entry[2] is finding]:
            del self._file_edits[path]
        if finding in self.applied:
            self.applied = [other for other in self.applied if other is not finding]


def _offset(document: Document, line: int, column: int) -> int | None:
    """Character offset of a 1-based position; one past the last line means the end of text."""
    lines = document.lines
    if line == len(lines) + 1 and column == 1:
        return len(document.text)
    if not 1 <= line <= len(lines) or not 1 <= column <= len(lines[line - 1]) + 1:
        return None
    return document.offset(line, column)


def _ranges_clash(a: _TextEdit, b: _TextEdit) -> bool:
    """Overlapping ranges clash; so do two insertions at one point (their order is unclear)."""
    if a.start == a.end and b.start == b.end:
        return a.start == b.start
    return a.start < b.end and b.start < a.end or a.start == b.start


def _overlaps_itself(planned: list[tuple[str, _TextEdit | EditKind, str]]) -> bool:
    for index, (path, change, _) in enumerate(planned):
        for other_path, other, _ in planned[index + 1 :]:
            if path != other_path:
                continue
            if not isinstance(change, _TextEdit) or not isinstance(other, _TextEdit):
                return True
            if _ranges_clash(change, other):
                return True
    return False


def _inside_root(root: Path, path: str) -> bool:
    """Does `path` stay inside `root` once every symlink on the way is resolved?"""
    target = (root / path).resolve()
    return target == root or root in target.parents


# -- writing ---------------------------------------------------------------------------------


class WriteProblem(NamedTuple):
    """A changed file the fixer did not write, and why."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: not written: {self.reason}"


def write_changes(outcome: FixOutcome) -> list[WriteProblem]:
    """Write every changed file; return one problem per file that was not written."""
    problems = []
    written: dict[Path, str] = {}  # real file -> the path it was written through
    tempfiles.remove_stale(outcome.root, outcome.project.stale_temp_files)
    for path in outcome.changed_paths:
        real = (outcome.root / path).resolve()
        if real in written:  # two paths (a symlink and its target) reach one file
            if outcome.changed[path] != outcome.changed[written[real]]:
                problems.append(WriteProblem(path, f"it is the same file as {written[real]}"))
            continue
        expected = outcome.fingerprints.get(path)
        try:
            _write_one(outcome.root, path, outcome.changed[path], expected)
            written[real] = path
        except (OSError, _NotWritten) as exc:
            problems.append(WriteProblem(path, _reason(exc)))
    return problems


def _reason(error: Exception) -> str:
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error)


class _NotWritten(Exception):
    """A file the fixer must leave alone: outside the root, or changed since it was read."""


def _check_unchanged(target: Path, expected: Fingerprint | None) -> None:
    """Raise _NotWritten unless the file still holds what was read (or, for a file the fix
    creates, still does not exist)."""
    if expected is None:
        if os.path.lexists(target):
            raise _NotWritten("it was created since mami-audit looked; left as it is")
        return
    if expected.checksum is None:
        try:
            now = Fingerprint.of_stat(target.stat())
        except OSError as exc:
            raise _NotWritten(f"it changed since it was read ({_reason(exc)})") from None
        if now != expected:
            raise _NotWritten("it changed on disk since it was read; left as it is (run again)")
        return
    try:
        data, info = read_regular_file(target, max(expected.size, DEFAULT_MAX_FILE_SIZE))
    except NotReadable as exc:
        raise _NotWritten(f"it changed since it was read ({exc}); left as it is") from None
    if Fingerprint.of(info, data) != expected:
        raise _NotWritten("it changed on disk since it was read; left as it is (run again)")


def _write_one(root: Path, path: str, data: bytes | None, expected: Fingerprint | None) -> None:
    link = root / path
    target = link.resolve()  # write through symlinks, but only to a file inside the root
    if not (target == root or root in target.parents):
        raise _NotWritten(f"it resolves to {target}, outside {root}")
    if data is None:
        _check_unchanged(target, expected)
        os.unlink(link)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfiles.create(target.parent, target.name)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        existing = _stat_or_none(target)
        if existing is not None:
            os.chmod(temporary, stat.S_IMODE(existing.st_mode))
            if (existing.st_uid, existing.st_gid) != _owner(temporary):
                try:
                    os.chown(temporary, existing.st_uid, existing.st_gid)
                except PermissionError:
                    pass  # only root may give a file away; the mode is still kept
        else:
            os.chmod(temporary, 0o666 & ~_umask())
        _check_unchanged(target, expected)  # as late as possible: the window stays tiny
        os.replace(temporary, target)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def _stat_or_none(path: Path) -> os.stat_result | None:
    try:
        return path.stat()
    except FileNotFoundError:
        return None


def _owner(path: str) -> tuple[int, int]:
    info = os.stat(path)
    return info.st_uid, info.st_gid


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


# -- showing ---------------------------------------------------------------------------------


def unified_diff(outcome: FixOutcome, shown: Callable[[str], str] = str) -> str:
    """The changes as a unified diff, file by file (text after decoding; "\\n" line ends).
    `shown` turns a root-relative path into the name the headers show."""
    import difflib  # only --diff needs it

    chunks: list[str] = []
    for path in outcome.changed_paths:
        before = _as_text(path, outcome.root, outcome.original[path])
        after = _as_text(path, outcome.root, outcome.changed[path])
        name = shown(path)
        old_name = f"a/{name}" if outcome.original[path] is not None else "/dev/null"
        new_name = f"b/{name}" if outcome.changed[path] is not None else "/dev/null"
        diff_lines = difflib.unified_diff(
            before.splitlines(keepends=True),
            after.splitlines(keepends=True),
            old_name,
            new_name,
        )
        # A last line without "\n" (on either side) gets git's marker, so that the next diff
        # line does not run into it and `git apply` accepts the patch.
        chunks.extend(
            line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
            for line in diff_lines
        )
    return "".join(chunks)


def _as_text(path: str, root: Path, data: bytes | None) -> str:
    if data is None:
        return ""
    return SourceFile.from_bytes(path, root / path, data).text


def applicable_fix(finding: Finding, unsafe: bool) -> Fix | None:
    fix = finding.fix
    return fix if fix is not None and fix.applicability in allowed_applicabilities(unsafe) else None
