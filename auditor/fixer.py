"""Applying fixes under the fix contract (README, "Fixes").

The fixer never decides what is wrong; it applies the edits findings carry:

1. Audit the project, take the fixes whose applicability is allowed (safe; unsafe too with
   --unsafe-fixes) in finding order, and accept each one whose edits overlap no edit accepted
   before it in this pass. Overlapping fixes wait for the next pass.
2. Apply the accepted edits in memory. A file whose new text no longer parses as its document
   kind keeps its old text: every fix touching it is dropped for good and the reason recorded.
3. Re-audit the edited project (an in-memory overlay) and repeat until no fix applies, at most
   MAX_PASSES times: a fix that keeps coming back cannot loop forever.
4. Only then `write_changes` writes each changed file atomically (temp file + rename in the same
   folder, mode kept) in its original encoding, BOM and line endings, and never outside the
   audited root, symlinks resolved. `--diff` prints `unified_diff` instead and writes nothing.
"""

from __future__ import annotations

import difflib
import os
import stat
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from auditor.config import Config
from auditor.documents import kind_module
from auditor.documents.base import SourceFile
from auditor.engine import Audit, Scope, audit
from auditor.project import Project, normalise
from auditor.rule import Applicability, Edit, EditKind, Finding, Fix, Rule, Span

MAX_PASSES = 10


@dataclass
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
) -> FixOutcome:
    """Compute every fix in memory, pass after pass, without writing anything."""
    rules = list(rules)
    allowed = allowed_applicabilities(unsafe)
    overlay: dict[str, bytes | None] = {}
    original: dict[str, bytes | None] = {}
    fixed: list[Finding] = []
    rejected: list[str] = []
    refused: set[tuple[str, str, Span, str]] = set()  # fixes never to try again
    passes = 0
    converged = False
    project: Project | None = None
    while passes < max_passes:
        # Each pass re-audits; files the last pass did not change are not read or parsed again.
        project = Project(root, config, overlay=overlay, named=named, previous=project)
        findings = audit(project, config, rules, scope=scope).findings
        candidates = [
            finding
            for finding in findings
            if finding.fix is not None
            and finding.fix.applicability in allowed
            and _key(finding) not in refused
        ]
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
            overlay[path] = data
        fixed.extend(batch.applied)
    final_project = Project(root, config, overlay=overlay, named=named, previous=project)
    final = audit(final_project, config, rules, scope=scope)
    changed = {path: overlay[path] for path in original}
    return FixOutcome(
        root.resolve(), original, changed, fixed, final, final_project, rejected, converged, passes
    )


def _key(finding: Finding) -> tuple[str, str, Span, str]:
    return (finding.code, finding.path, finding.span, finding.message)


def _current_bytes(root: Path, path: str) -> bytes | None:
    try:
        return (root / path).read_bytes()
    except OSError:
        return None


@dataclass(frozen=True)
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
        start = _offset(document.lines, span.line, span.column)
        end = _offset(document.lines, span.end_line, span.end_column)
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
                text = document.text
                for change, _ in sorted(
                    edits, key=lambda pair: (pair[0].start, pair[0].end), reverse=True
                ):
                    text = text[: change.start] + change.content + text[change.end :]
                contents[path] = document.source.encode(text)
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
            error = kind_module(kind).parse(source).parse_error
            if error is not None:
                return f"line {error.line}: {error.message}"
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


def _offset(lines: list[str], line: int, column: int) -> int | None:
    """Character offset of a 1-based position; one past the last line means the end of text."""
    if line == len(lines) + 1 and column == 1:
        return sum(len(text) + 1 for text in lines) - 1
    if not 1 <= line <= len(lines) or not 1 <= column <= len(lines[line - 1]) + 1:
        return None
    return sum(len(text) + 1 for text in lines[: line - 1]) + column - 1


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


def write_changes(outcome: FixOutcome) -> list[str]:
    """Write every changed file; return one message per file that could not be written."""
    problems = []
    written: dict[Path, str] = {}  # real file -> the path it was written through
    for path in outcome.changed_paths:
        real = (outcome.root / path).resolve()
        if real in written:  # two paths (a symlink and its target) reach one file
            if outcome.changed[path] != outcome.changed[written[real]]:
                problems.append(f"{path}: not written: it is the same file as {written[real]}")
            continue
        try:
            _write_one(outcome.root, path, outcome.changed[path])
            written[real] = path
        except (OSError, _OutsideRoot) as exc:
            problems.append(f"{path}: not written: {exc}")
    return problems


class _OutsideRoot(Exception):
    pass


def _write_one(root: Path, path: str, data: bytes | None) -> None:
    link = root / path
    target = link.resolve()  # write through symlinks, but only to a file inside the root
    if not (target == root or root in target.parents):
        raise _OutsideRoot(f"it resolves to {target}, outside {root}")
    if data is None:
        os.unlink(link)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    existing = _stat_or_none(target)
    handle, temporary = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        if existing is not None:
            os.chmod(temporary, stat.S_IMODE(existing.st_mode))
            if (existing.st_uid, existing.st_gid) != _owner(temporary):
                try:
                    os.chown(temporary, existing.st_uid, existing.st_gid)
                except PermissionError:
                    pass  # only root may give a file away; the mode is still kept
        else:
            os.chmod(temporary, 0o666 & ~_umask())
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


def unified_diff(outcome: FixOutcome) -> str:
    """The changes as a unified diff, file by file (text after decoding; "\\n" line ends)."""
    chunks: list[str] = []
    for path in outcome.changed_paths:
        before = _as_text(path, outcome.root, outcome.original[path])
        after = _as_text(path, outcome.root, outcome.changed[path])
        old_name = f"a/{path}" if outcome.original[path] is not None else "/dev/null"
        new_name = f"b/{path}" if outcome.changed[path] is not None else "/dev/null"
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
