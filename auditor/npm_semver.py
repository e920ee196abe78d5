"""npm's version ranges, evaluated the way npm evaluates them.

The ranges (`^ ~ x * || - >= <`, prereleases) follow node-semver, whose semantics differ
from PEP 440 (`packaging`) in the details that matter here: `^0.2.3` stops before 0.3.0, and
a prerelease satisfies a range only when a comparator of the same major.minor.patch names a
prerelease. auditor/npm_ranges.py reads and evaluates them; tests/documents/test_npm_semver.py
checks it against the `semver` package that ships inside npm on a generated sample.

Not every dependency spec is a range: `latest` (a dist-tag), `workspace:*`, `file:../x`,
git and tarball URLs and npm aliases (`npm:react@19`) are classified by `spec_kind`, so
rules can skip what a range check does not apply to, and say so.
"""

from __future__ import annotations

from functools import lru_cache

from auditor.lazy_pattern import LazyPattern
from auditor.npm_ranges import Range, Version, parse_range, parse_version

_EXACT_RE = LazyPattern(
    r"^\s*(?:=|v)?\s*(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)\s*$"
)
_TAG_RE = LazyPattern(r"^[A-Za-z][A-Za-z0-9._-]*$")
_GITHUB_SHORTHAND_RE = LazyPattern(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+(?:#.*)?$")
_URL_PREFIXES = ("http://", "https://")
_GIT_PREFIXES = ("git+", "git://", "github:", "gitlab:", "bitbucket:", "gist:")


def spec_kind(spec: str) -> str:
    """What a dependency spec is, in npm-package-arg's words: "version" (exact), "range",
    "tag", "alias", "git", "remote" (a tarball URL), "file" (file:/link:/a path),
    "workspace"; "invalid" for a spec npm would refuse."""
    spec = spec.strip()
    if spec.startswith("npm:"):
        return "alias"
    if spec.startswith("workspace:"):
        return "workspace"
    if spec.startswith(("file:", "link:", ".", "/", "~/")):
        return "file"
    if spec.startswith(_GIT_PREFIXES):
        return "git"
    if spec.startswith(_URL_PREFIXES):
        return "git" if spec.split("#", 1)[0].endswith(".git") else "remote"
    if _EXACT_RE.match(spec):
        return "version"
    if spec == "" or range_of(spec) is not None:
        return "range"
    if _GITHUB_SHORTHAND_RE.match(spec):
        return "git"
    if _TAG_RE.match(spec):
        return "tag"
    return "invalid"


def exact_version(spec: str) -> str | None:
    """The version an exact spec names (`1.2.3`, `=1.2.3`, `v1.2.3`), else None."""
    match = _EXACT_RE.match(spec)
    return match.group(1) if match else None


def alias_target(spec: str) -> tuple[str, str] | None:
    """`npm:react@^19` -> ("react", "^19"); `npm:react` -> ("react", "*")."""
    if not spec.startswith("npm:"):
        return None
    body = spec[4:]
    at = body.find("@", 1)  # a scoped name starts with @
    return (body, "*") if at < 0 else (body[:at], body[at + 1 :] or "*")


@lru_cache(maxsize=4096)
def range_of(spec: str, loose: bool = True) -> Range | None:
    """The parsed range, or None when `spec` is not one. Loose, as npm's arborist reads
    dependency specs (`semver.satisfies(version, spec, true)`)."""
    return parse_range(spec, loose)


@lru_cache(maxsize=16384)
def _version_of(version: str, loose: bool) -> Version | None:
    return parse_version(version, loose)


@lru_cache(maxsize=65536)  # a lockfile's engines ranges are few, and checked per package
def satisfies(version: str, spec: str, loose: bool = True) -> bool | None:
    """Does `version` satisfy the range `spec`? None when either is not valid semver."""
    parsed_range = range_of(spec.strip() or "*", loose)
    parsed_version = _version_of(version, loose)
    if parsed_range is None or parsed_version is None:
        return None
    return parsed_range.test(parsed_version)


def is_valid_version(version: str) -> bool:
    return _version_of(version, False) is not None
