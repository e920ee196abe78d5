"""npm's versions and version ranges, read and evaluated as npm's `semver` package does.

A range is a list of comparator sets joined by `||`; a version satisfies it when it
satisfies every comparator of one set. Reading a set rewrites the short forms into plain
comparators, in npm's order: a hyphen range (`1.2 - 2.3`), then `^`, `~` and x-ranges
(`1.x`, `<=1.2`, `*`) token by token. Where npm's rules are subtle, so are these:

- `^0.2.3` stops before 0.3.0 and `^0.0.3` before 0.0.4; `<=1.2` means `<1.3.0-0`.
- A prerelease version satisfies a set only when a comparator of that set names a
  prerelease of the same major.minor.patch (`>1.2.3-alpha.3` takes 1.2.3-alpha.7, not
  3.4.5-alpha.9).
- In loose mode (how npm reads dependency specs) comparators that do not read as one are
  dropped instead of making the range invalid, and `=`/`v` prefixes and `1.2.3beta` pass.

Written here rather than imported: the Python port of node-semver compiled some thirty
patterns and set up logging at import, about 13 ms of every Node-family run; the grammar
below is compiled on first use. tests/documents/test_npm_semver.py compares this module with
the `semver` package inside npm on thousands of generated ranges and versions.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import NamedTuple

from auditor.lazy_pattern import LazyPattern

MAX_VERSION_LENGTH = 256
MAX_SAFE_INTEGER = 2**53 - 1


class Version(NamedTuple):
    major: int
    minor: int
    patch: int
    prerelease: tuple[int | str, ...]

    @property
    def key(self) -> tuple[object, ...]:
        """Sorts as npm orders versions: a release above its prereleases; numeric
        identifiers below alphanumeric ones and compared as numbers; build ignored."""
        identifiers = tuple(
            (0, i, "") if isinstance(i, int) else (1, 0, i) for i in self.prerelease
        )
        return (self.major, self.minor, self.patch, not self.prerelease, identifiers)

    def text(self) -> str:
        main = f"{self.major}.{self.minor}.{self.patch}"
        return f"{main}-{'.'.join(map(str, self.prerelease))}" if self.prerelease else main


class Comparator(NamedTuple):
    operator: str  # "", "<", "<=", ">", ">="; "" with version None matches anything
    version: Version | None

    @property
    def value(self) -> str:
        return "" if self.version is None else self.operator + self.version.text()

    def test(self, version: Version) -> bool:
        if self.version is None:
            return True
        here, there = version.key, self.version.key
        if self.operator == "":
            return here == there
        if self.operator == "<":
            return here < there
        if self.operator == "<=":
            return here <= there
        if self.operator == ">":
            return here > there
        return here >= there


ANY = Comparator("", None)
NOTHING = "<0.0.0-0"  # the value of a comparator no version satisfies


class Range(NamedTuple):
    sets: tuple[tuple[Comparator, ...], ...]

    def test(self, version: Version) -> bool:
        return any(_set_allows(comparators, version) for comparators in self.sets)


def _set_allows(comparators: tuple[Comparator, ...], version: Version) -> bool:
    if not all(comparator.test(version) for comparator in comparators):
        return False
    if not version.prerelease:
        return True
    return any(
        comparator.version is not None
        and comparator.version.prerelease
        and comparator.version[:3] == version[:3]
        for comparator in comparators
    )


# -- the grammar ------------------------------------------------------------------------------


_OPERATOR = r"((?:<|>)?=?)"
# npm bounds the runs in its patterns against slow matching: 256 digits, 250 letters, digits
# and dashes in an identifier. So do these: a longer version part is not read as a number.
_BUILD = r"(?:\+[0-9A-Za-z-]{1,250}(?:\.[0-9A-Za-z-]{1,250})*)"
# npm drops build metadata from a range first, with its one unbounded pattern.
_BUILD_ANYWHERE = LazyPattern(r"\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*")
_STAR = LazyPattern(r"(<|>)?=?\s*\*")
_AT_LEAST_ZERO = LazyPattern(r"^\s*>=\s*0\.0\.0\s*$")
_TILDE_SPACE = LazyPattern(r"(\s*)~>?\s+")
_CARET_SPACE = LazyPattern(r"(\s*)\^\s+")


def _sources(loose: bool) -> tuple[str, str]:
    """The pattern sources of a whole version and of a partial one (`1`, `1.x`, `1.2.3-rc.1`),
    strict or loose. Groups: major, minor, patch, prerelease."""
    number = r"\d{1,256}" if loose else r"0|[1-9]\d{0,256}"
    identifier = rf"(?:\d{{0,256}}[a-zA-Z-][a-zA-Z0-9-]{{0,250}}|{number})"
    dash = "-?" if loose else "-"
    prerelease = rf"(?:{dash}({identifier}(?:\.{identifier})*))"
    main = rf"({number})\.({number})\.({number})"
    prefix = r"[v=\s]*" if loose else "v?"
    version = rf"{prefix}{main}{prerelease}?{_BUILD}?"
    part = rf"{number}|x|X|\*"
    partial = rf"[v=\s]*({part})(?:\.({part})(?:\.({part})(?:{prerelease})?{_BUILD}?)?)?"
    return version, partial


class _Grammar(NamedTuple):
    loose: bool
    version: re.Pattern[str]  # a whole version
    comparator: re.Pattern[str]  # operator and version, or nothing
    hyphen: re.Pattern[str]  # `A - B`
    caret: re.Pattern[str]
    tilde: re.Pattern[str]
    xrange: re.Pattern[str]  # operator and a partial version


@cache
def _grammar(loose: bool) -> _Grammar:
    version, partial = _sources(loose)
    return _Grammar(
        loose=loose,
        version=re.compile(rf"^{version}$"),
        comparator=re.compile(rf"^{_OPERATOR}\s*({version})$|^$"),
        hyphen=re.compile(rf"^\s*({partial})\s+-\s+({partial})\s*$"),
        caret=re.compile(rf"^\^{partial}$"),
        tilde=re.compile(rf"^~>?{partial}$"),
        xrange=re.compile(rf"^{_OPERATOR}\s*{partial}$"),
    )


@cache
def _operator_space() -> re.Pattern[str]:
    """`> 1.2` -> `>1.2` (groups 1-3 kept), with a loose version or a strict partial one,
    whichever mode the range is read in, as npm does."""
    loose_version, _ = _sources(True)
    _, strict_partial = _sources(False)
    return re.compile(rf"(\s*){_OPERATOR}\s*({loose_version}|{strict_partial})")


# -- reading ----------------------------------------------------------------------------------


def parse_version(text: str, loose: bool = False) -> Version | None:
    """The version `text` names, or None when npm would refuse it."""
    if len(text) > MAX_VERSION_LENGTH:
        return None
    match = _grammar(loose).version.match(text.strip())
    if match is None:
        return None
    major, minor, patch = (int(match.group(n)) for n in (1, 2, 3))
    if max(major, minor, patch) > MAX_SAFE_INTEGER:
        return None
    return Version(major, minor, patch, _identifiers(match.group(4)))


def _identifiers(prerelease: str | None) -> tuple[int | str, ...]:
    if not prerelease:
        return ()
    # Numeric identifiers compare as numbers (npm: numbers, or numeric strings past 2**53).
    return tuple(
        int(part) if part.isdigit() and part.isascii() else part for part in prerelease.split(".")
    )


def parse_range(text: str, loose: bool = False) -> Range | None:
    """The range `text` describes, or None when npm would refuse it."""
    normalized = " ".join(text.split())
    sets = [_comparator_set(part.strip(), loose) for part in normalized.split("||")]
    if any(s is None for s in sets):
        return None
    kept = [s for s in sets if s]
    if not kept:
        return None
    if len(kept) > 1:  # npm drops sets nothing satisfies, and one "anything" set wins
        satisfiable = [s for s in kept if s[0].value != NOTHING]
        kept = satisfiable or kept[:1]
        for comparators in kept:
            if len(comparators) == 1 and comparators[0] is ANY:
                kept = [comparators]
                break
    return Range(tuple(tuple(s) for s in kept))  # type: ignore[misc]


def _comparator_set(text: str, loose: bool) -> list[Comparator] | None:
    grammar = _grammar(loose)
    text = _BUILD_ANYWHERE.sub("", text)
    text = grammar.hyphen.sub(_hyphen, text)
    text = _operator_space().sub(r"\1\2\3", text)
    text = _TILDE_SPACE.sub(r"\1~", text)
    text = _CARET_SPACE.sub(r"\1^", text)
    rewritten = " ".join(_rewritten(token, grammar) for token in text.split(" "))
    tokens = [_AT_LEAST_ZERO.sub("", token.strip()) for token in re.split(r"\s+", rewritten)]
    if loose:  # npm drops what does not read as a comparator, where strict mode refuses
        tokens = [token for token in tokens if grammar.comparator.match(token)]
    read = [_comparator(token, grammar) for token in tokens]
    valid = [comparator for comparator in read if comparator is not None]
    if len(valid) < len(read):  # every token is read before the null-set rule applies
        return None
    comparators: dict[str, Comparator] = {}
    for comparator in valid:
        if comparator.value == NOTHING:
            return [comparator]
        comparators.setdefault(comparator.value, comparator)
    if len(comparators) > 1:
        comparators.pop("", None)
    return list(comparators.values())


def _comparator(token: str, grammar: _Grammar) -> Comparator | None:
    match = grammar.comparator.match(token)
    if match is None:
        return None
    if match.group(2) is None:
        return ANY
    version = parse_version(match.group(2), grammar.loose)
    if version is None:
        return None
    operator = match.group(1) or ""
    return Comparator("" if operator == "=" else operator, version)


def _rewritten(token: str, grammar: _Grammar) -> str:
    """One token of a set with `^`, `~`, x-ranges and `*` spelled out as comparators."""
    token = " ".join(_caret(t, grammar) for t in re.split(r"\s+", token.strip()))
    token = " ".join(_tilde(t, grammar) for t in re.split(r"\s+", token.strip()))
    token = " ".join(_xrange(t, grammar) for t in re.split(r"\s+", token))
    return _STAR.sub("", token.strip(), count=1)


def _plus_one(number: str) -> str:
    """A version part (at most 257 digits) plus one, as npm's `+part + 1` writes it: the
    digits below 1e21, and past that JavaScript's exponent form, which no version pattern
    reads (here "Infinity"). The digits of a number past 2**53 are read, and then refused as
    a version part, as npm does."""
    following = int(number) + 1
    return str(following) if following < 10**21 else "Infinity"


def _is_x(part: str | None) -> bool:
    return not part or part.lower() == "x" or part == "*"


def _caret(token: str, grammar: _Grammar) -> str:
    return _spelled_out(grammar.caret, token, _caret_range)


def _tilde(token: str, grammar: _Grammar) -> str:
    return _spelled_out(grammar.tilde, token, _tilde_range)


def _spelled_out(
    pattern: re.Pattern[str], token: str, spell: Callable[[str, str, str, str | None], str]
) -> str:
    """A `^` or `~` token as comparators (`^*` and `~x` mean anything); others unchanged."""
    match = pattern.match(token)
    if match is None:
        return token
    major, minor, patch, prerelease = match.group(1, 2, 3, 4)
    return "" if _is_x(major) else spell(major, minor, patch, prerelease)


def _caret_range(major: str, minor: str, patch: str, prerelease: str | None) -> str:
    next_major = f"<{_plus_one(major)}.0.0-0"
    if _is_x(minor):
        return f">={major}.0.0 {next_major}"
    if _is_x(patch):
        upper = f"<{major}.{_plus_one(minor)}.0-0" if major == "0" else next_major
        return f">={major}.{minor}.0 {upper}"
    lower = f">={major}.{minor}.{patch}" + (f"-{prerelease}" if prerelease else "")
    if major != "0":
        return f"{lower} {next_major}"
    if minor == "0":
        return f"{lower} <{major}.{minor}.{_plus_one(patch)}-0"
    return f"{lower} <{major}.{_plus_one(minor)}.0-0"


def _tilde_range(major: str, minor: str, patch: str, prerelease: str | None) -> str:
    if _is_x(minor):
        return f">={major}.0.0 <{_plus_one(major)}.0.0-0"
    upper = f"<{major}.{_plus_one(minor)}.0-0"
    if _is_x(patch):
        return f">={major}.{minor}.0 {upper}"
    suffix = f"-{prerelease}" if prerelease else ""
    return f">={major}.{minor}.{patch}{suffix} {upper}"


def _xrange(token: str, grammar: _Grammar) -> str:
    token = token.strip()
    match = grammar.xrange.match(token)
    if match is None:
        return token
    operator, major, minor, patch = match.group(1, 2, 3, 4)
    if (_is_x(major) and not _is_x(minor)) or (_is_x(minor) and patch and not _is_x(patch)):
        return token  # `x.1`, `1.x.2`: npm leaves these as they are (and then refuses them)
    x_major = _is_x(major)
    x_minor = x_major or _is_x(minor)
    x_patch = x_minor or _is_x(patch)
    if operator == "=" and x_patch:
        operator = ""
    if x_major:
        return "<0.0.0-0" if operator in (">", "<") else "*"
    if operator and x_patch:
        minor = "0" if x_minor else minor
        if operator == ">":  # >1 is >=2.0.0, >1.2 is >=1.3.0
            operator = ">="
            major, minor = (_plus_one(major), "0") if x_minor else (major, _plus_one(minor))
        elif operator == "<=":  # <=1 is <2.0.0-0, <=1.2 is <1.3.0-0
            operator = "<"
            major, minor = (_plus_one(major), minor) if x_minor else (major, _plus_one(minor))
        suffix = "-0" if operator == "<" else ""
        return f"{operator}{major}.{minor}.0{suffix}"
    if x_minor:
        return f">={major}.0.0 <{_plus_one(major)}.0.0-0"
    if x_patch:
        return f">={major}.{minor}.0 <{major}.{_plus_one(minor)}.0-0"
    return token


def _hyphen(match: re.Match[str]) -> str:
    start, s_major, s_minor, s_patch, s_pre = match.group(1, 2, 3, 4, 5)
    end, e_major, e_minor, e_patch, e_pre = match.group(6, 7, 8, 9, 10)
    if _is_x(s_major):
        lower = ""
    elif _is_x(s_minor):
        lower = f">={s_major}.0.0"
    elif _is_x(s_patch):
        lower = f">={s_major}.{s_minor}.0"
    else:
        lower = f">={start}"
    if _is_x(e_major):
        upper = ""
    elif _is_x(e_minor):
        upper = f"<{_plus_one(e_major)}.0.0-0"
    elif _is_x(e_patch):
        upper = f"<{e_major}.{_plus_one(e_minor)}.0-0"
    elif e_pre:
        upper = f"<={e_major}.{e_minor}.{e_patch}-{e_pre}"
    else:
        upper = f"<={end}"
    return f"{lower} {upper}".strip()
