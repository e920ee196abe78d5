"""pip requirements files (`requirements.txt`, `requirements-dev.txt`, `constraints.txt`, ...).

A requirements file is read the way pip reads it: a line ending in `\\` continues on the next
(a comment line ends the continuation), `#` after whitespace starts a comment, and what is
left of each logical line is either options (`-r other.txt`, `--index-url URL`, `-e URL`) or
a requirement followed by its own options (`--hash=...`). Requirements are parsed with
`packaging` (PEP 508: names normalised per PEP 503, specifiers, extras, markers); URL, path
and VCS lines keep their URL and the name of `#egg=`, if any.

A line pip would refuse does not make the whole file unreadable: it becomes a `LineProblem`
at its line, and every other line is still parsed (rule PY001 reports the problems).
Includes (`-r`, `-c`) are recorded as options; following them is the rules' job, because a
file may be included from several places.

`packaging` is imported on the first requirement parsed, not when this module loads.
"""

from __future__ import annotations

import posixpath
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

from auditor.documents.base import Document, SourceFile
from auditor.documents.kinds import is_requirements as matches  # noqa: F401  (the kind's test)
from auditor.lazy_pattern import LazyPattern
from auditor.records import field, record

if TYPE_CHECKING:
    from packaging.markers import Marker
    from packaging.specifiers import SpecifierSet

KIND = "requirements"

_COMMENT_RE = LazyPattern(r"(^|\s+)#.*$")
_NAME_RE = LazyPattern(r"[-_.]+")
_URL_RE = LazyPattern(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_EGG_RE = LazyPattern(r"[#&]egg=([A-Za-z0-9][A-Za-z0-9._-]*)")
_ENV_VARIABLE_RE = LazyPattern(r"\$\{[A-Z0-9_]+\}")  # what pip expands: ${NAME}, upper case
_NAME_HEAD_RE = LazyPattern(r"[A-Za-z0-9][A-Za-z0-9._-]*(?=\s*(?:\[|[<>=!~;@ ]|$))")
_CREDENTIALS_RE = LazyPattern(r"(://[^/@:\s]*):([^/@\s]+)@")
_ARCHIVE_SUFFIXES = (".whl", ".zip", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".tar")

# Options pip accepts on a line of their own, by every spelling, mapped to the long name;
# True when the option takes a value.
_FILE_OPTIONS: dict[str, tuple[str, bool]] = {
    "-r": ("--requirement", True),
    "--requirement": ("--requirement", True),
    "-c": ("--constraint", True),
    "--constraint": ("--constraint", True),
    "-e": ("--editable", True),
    "--editable": ("--editable", True),
    "-i": ("--index-url", True),
    "--index-url": ("--index-url", True),
    "--extra-index-url": ("--extra-index-url", True),
    "--no-index": ("--no-index", False),
    "-f": ("--find-links", True),
    "--find-links": ("--find-links", True),
    "--pre": ("--pre", False),
    "--prefer-binary": ("--prefer-binary", False),
    "--require-hashes": ("--require-hashes", False),
    "--only-binary": ("--only-binary", True),
    "--no-binary": ("--no-binary", True),
    "--trusted-host": ("--trusted-host", True),
    "--use-feature": ("--use-feature", True),
}
# Options pip accepts after a requirement, on the same line.
_REQUIREMENT_OPTIONS: dict[str, bool] = {
    "--hash": True,
    "--config-settings": True,
    "--global-option": True,
}
INCLUDE_OPTIONS = ("--requirement", "--constraint")
URL_OPTIONS = ("--index-url", "--extra-index-url", "--find-links")


def normalise_name(name: str) -> str:
    """PEP 503: `Google_GenerativeAI` -> `google-generativeai`."""
    return _NAME_RE.sub("-", name).lower()


def mask_credentials(text: str) -> str:
    """`https://user:secret@host/` -> `https://user:****@host/`: never print a password."""
    return _CREDENTIALS_RE.sub(r"\1:****@", text)


class Requirement(NamedTuple):
    """One requirement line (continuations joined)."""

    line: int  # first physical line
    end_line: int  # last physical line
    column: int  # where the requirement starts on its first line
    text: str  # the requirement as written, without its options and comment
    name: str | None  # PEP 503 normalised; None for a URL or path that names nothing
    written_name: str  # as written ("" when unnamed)
    specifier: SpecifierSet | None  # None for URL, path and VCS requirements
    extras: frozenset[str]
    marker: Marker | None
    url: str | None  # for `name @ URL`, URLs, paths and `-e` lines
    editable: bool
    hashes: tuple[str, ...]  # values of --hash, e.g. "sha256:..."

    @property
    def pinned(self) -> bool:
        """Exactly one version: `==1.2.3` or `===1.2.3` (not `==1.*`)."""
        if self.specifier is None:
            return False
        specs = list(self.specifier)
        return any(s.operator in ("==", "===") and not s.version.endswith(".*") for s in specs)

    def display(self) -> str:
        return mask_credentials(self.text)


class Option(NamedTuple):
    """An option on a line of its own: `-r base.txt`, `--index-url URL`, `--no-index`."""

    line: int
    end_line: int
    column: int
    name: str  # the long spelling: --requirement, --constraint, --index-url, ...
    value: str | None


class LineProblem(NamedTuple):
    """A line pip would refuse, and why."""

    line: int
    column: int
    end_line: int
    message: str


@record
class RequirementsFile(Document):
    requirements: list[Requirement] = field(default_factory=list)
    options: list[Option] = field(default_factory=list)
    problems: list[LineProblem] = field(default_factory=list)

    def includes(self) -> list[Option]:
        """The `-r` and `-c` options, in order."""
        return [option for option in self.options if option.name in INCLUDE_OPTIONS]

    def include_path(self, option: Option) -> str | None:
        """The included file's path relative to the project root, or None when it leaves
        the project (an absolute path or one climbing above the root) or is a URL."""
        value = option.value or ""
        if not value or _URL_RE.match(value) or posixpath.isabs(value):
            return None
        joined = posixpath.normpath(posixpath.join(posixpath.dirname(self.path), value))
        if joined == ".." or joined.startswith("../"):
            return None
        return joined


class LogicalLine(NamedTuple):
    line: int
    end_line: int
    column: int
    text: str  # comment removed, stripped


def logical_lines(text: str) -> list[LogicalLine]:
    """pip's preprocessing: join `\\` continuations, drop comments and blank lines."""
    result: list[LogicalLine] = []
    pending: list[str] = []
    first = 0
    for number, physical in enumerate(text.split("\n"), start=1):
        is_comment = physical.lstrip().startswith("#")
        if physical.endswith("\\") and not is_comment:
            if not pending:
                first = number
            pending.append(physical[:-1])
            continue
        if pending:
            # pip appends a comment line that ends a continuation as a comment, dropped below.
            pending.append(" " + physical if is_comment else physical)
            result.append(_logical(first, number, "".join(pending)))
            pending = []
        else:
            result.append(_logical(number, number, physical))
    if pending:
        result.append(_logical(first, first + len(pending) - 1, "".join(pending)))
    return [line for line in result if line.text]


def _logical(first: int, last: int, joined: str) -> LogicalLine:
    if "#" in joined:
        joined = _COMMENT_RE.sub("", joined)
    stripped = joined.strip()
    column = len(joined) - len(joined.lstrip()) + 1 if stripped else 1
    return LogicalLine(first, last, column, stripped)


def parse(source: SourceFile) -> RequirementsFile:
    document = RequirementsFile(source)
    if document.parse_error is not None:
        return document
    for logical in logical_lines(source.text):
        _parse_line(document, logical)
    return document


def _split_arguments_and_options(text: str) -> tuple[str, list[str]]:
    """pip's rule: the requirement is the words before the first word starting with `-`."""
    words = text.split(" ")
    for index, word in enumerate(words):
        if word.startswith("-"):
            return " ".join(words[:index]).strip(), [w for w in words[index:] if w]
    return text, []


def _parse_line(document: RequirementsFile, logical: LogicalLine) -> None:
    requirement_text, option_words = _split_arguments_and_options(logical.text)
    try:
        options = _read_options(option_words, per_requirement=bool(requirement_text))
    except _BadLine as problem:
        document.problems.append(_problem(logical, str(problem)))
        return
    if not requirement_text:
        editable = [value for name, value in options if name == "--editable"]
        for name, value in options:
            if name != "--editable":
                document.options.append(
                    Option(logical.line, logical.end_line, logical.column, name, value)
                )
        for value in editable:
            _add_requirement(document, logical, value or "", [], editable=True)
        return
    _add_requirement(document, logical, requirement_text, options, editable=False)


class _BadLine(ValueError):
    pass


def _read_options(words: list[str], *, per_requirement: bool) -> list[tuple[str, str | None]]:
    """Options as (long name, value); raises _BadLine for one pip does not know here."""
    found: list[tuple[str, str | None]] = []
    index = 0
    while index < len(words):
        word = words[index]
        index += 1
        name, has_value, value = _option_of(word, per_requirement)
        if name is None:
            if not word.startswith("-"):
                raise _BadLine(f"unexpected {mask_credentials(word)!r} after the options")
            where = "after a requirement" if per_requirement else "in a requirements file"
            raise _BadLine(f"unknown option {word.split('=', 1)[0]!r} {where}")
        if has_value and value is None:
            if index >= len(words):
                raise _BadLine(f"option {name} needs a value")
            value = words[index]
            index += 1
        found.append((name, value))
    return found


def _option_of(word: str, per_requirement: bool) -> tuple[str | None, bool, str | None]:
    table = (
        {name: (name, takes) for name, takes in _REQUIREMENT_OPTIONS.items()}
        if per_requirement
        else _FILE_OPTIONS
    )
    if word in table:
        long_name, takes = table[word]
        return long_name, takes, None
    if word.startswith("--") and "=" in word:
        head, value = word.split("=", 1)
        if head in table and table[head][1]:
            return table[head][0], True, value
    if not per_requirement and len(word) > 2 and word[:2] in table and table[word[:2]][1]:
        return table[word[:2]][0], True, word[2:]  # -rbase.txt
    return None, False, None


def _problem(logical: LogicalLine, message: str) -> LineProblem:
    return LineProblem(logical.line, logical.column, logical.end_line, message)


def _add_requirement(
    document: RequirementsFile,
    logical: LogicalLine,
    text: str,
    options: list[tuple[str, str | None]],
    *,
    editable: bool,
) -> None:
    hashes = tuple(value for name, value in options if name == "--hash" and value)
    parsed = _parse_requirement(text, editable)
    if isinstance(parsed, str) and _ENV_VARIABLE_RE.search(text):
        # pip expands ${NAME} from the environment when it installs; here its value is
        # unknown, so the line is kept with its name and no specifier rather than refused.
        head = _NAME_HEAD_RE.match(text)
        written = head.group(0) if head else ""
        parsed = (
            normalise_name(written) if written else None,
            written,
            None,
            frozenset(),
            None,
            None,
        )
    if isinstance(parsed, str):
        document.problems.append(_problem(logical, parsed))
        return
    name, written, specifier, extras, marker, url = parsed
    document.requirements.append(
        Requirement(
            logical.line,
            logical.end_line,
            logical.column,
            text,
            name,
            written,
            specifier,
            extras,
            marker,
            url,
            editable,
            hashes,
        )
    )


_Parsed = tuple[str | None, str, "SpecifierSet | None", frozenset[str], "Marker | None", str | None]


@lru_cache(maxsize=4096)  # long files repeat lines; packaging's parser is the cost here
def _parse_requirement(text: str, editable: bool) -> _Parsed | str:
    """(name, written name, specifier, extras, marker, url), or why the text is invalid."""
    from packaging.requirements import InvalidRequirement
    from packaging.requirements import Requirement as Pep508

    if editable or _looks_like_url_or_path(text):
        return _url_requirement(text)
    try:
        parsed = Pep508(text)
    except InvalidRequirement as error:
        reason = str(error).split("\n", 1)[0]
        return f"invalid requirement {mask_credentials(text)!r}: {reason}"
    specifier = None if parsed.url else parsed.specifier
    return (
        normalise_name(parsed.name),
        parsed.name,
        specifier,
        frozenset(normalise_name(extra) for extra in parsed.extras),
        parsed.marker,
        parsed.url,
    )


def _looks_like_url_or_path(text: str) -> bool:
    head = text.split(";", 1)[0].strip()
    if " @ " in head or "@" in head.split("/", 1)[0]:
        return False  # `name @ URL` is PEP 508
    if _URL_RE.match(head) or head.startswith((".", "/", "~")):
        return True
    return head.lower().endswith(_ARCHIVE_SUFFIXES) or "/" in head


def _url_requirement(text: str) -> _Parsed | str:
    from packaging.markers import InvalidMarker, Marker

    url, _, marker_text = text.partition("; ")
    url = url.strip()
    marker = None
    if marker_text.strip():
        try:
            marker = Marker(marker_text.strip())
        except InvalidMarker as error:
            return f"invalid marker in {mask_credentials(text)!r}: {str(error).splitlines()[0]}"
    if not url:
        return "a requirement URL or path is missing"
    egg = _EGG_RE.search(url)
    written = egg.group(1) if egg else ""
    if not written:
        wheel = url.rsplit("/", 1)[-1]
        if wheel.endswith(".whl") and "-" in wheel:
            written = wheel.split("-", 1)[0]
    name = normalise_name(written) if written else None
    return name, written, None, frozenset(), marker, url
