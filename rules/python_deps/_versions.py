"""Can one version satisfy several specifier sets? Decided with packaging, not by strings.

The versions a conjunction of PEP 440 specifiers allows form intervals whose ends are the
versions the specifiers name (`>=4.0` starts at 4.0; `~=1.4.2` ends before 1.5; `==2.*` ends
before 3). So trying every named boundary, a version just below it and one just above it is
enough to find a version all the sets allow, if there is one: no witness among those
candidates means no version at all (for releases; a pre-release boundary is tried as named).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from packaging.specifiers import SpecifierSet
    from packaging.version import Version

_FAR = 9999  # a release component larger than any real one


def _release(text: str) -> tuple[int, ...] | None:
    from packaging.version import InvalidVersion, Version

    try:
        return Version(text).release
    except InvalidVersion:
        return None


def _bump(release: tuple[int, ...]) -> tuple[int, ...]:
    """(1, 4) -> (1, 5): the first release past a `1.4.*` or `~=1.4.x` range."""
    return (*release[:-1], release[-1] + 1) if release else (1,)


def _below(release: tuple[int, ...]) -> tuple[int, ...] | None:
    """A release just below: (4, 0) -> (3, 9999); (4, 0, 1) -> (4, 0, 0, 9999)."""
    trimmed = list(release)
    while trimmed and trimmed[-1] == 0:
        trimmed.pop()
    if not trimmed:
        return None
    trimmed[-1] -= 1
    return (*trimmed, _FAR)


def _boundaries(specifiers: Iterable[SpecifierSet]) -> set[tuple[int, ...]]:
    found: set[tuple[int, ...]] = {(0,), (_FAR,)}
    for specifier_set in specifiers:
        for specifier in specifier_set:
            text = specifier.version
            if text.endswith(".*"):
                release = _release(text[:-2])
                if release:
                    found.update({release, _bump(release)})
                continue
            release = _release(text)
            if release is None:
                continue
            found.add(release)
            if specifier.operator == "~=" and len(release) > 1:
                found.add(_bump(release[:-1]))
    return found


def candidates(specifiers: Sequence[SpecifierSet]) -> list[Version]:
    from packaging.version import InvalidVersion, Version

    versions: set[Version] = set()
    for release in _boundaries(specifiers):
        versions.add(Version(".".join(map(str, release))))
        versions.add(Version(".".join(map(str, (*release, 0, 0, 0, 1)))))
        below = _below(release)
        if below is not None:
            versions.add(Version(".".join(map(str, below))))
    for specifier_set in specifiers:  # named pre-releases and the like, exactly as written
        for specifier in specifier_set:
            if not specifier.version.endswith(".*"):
                try:
                    versions.add(Version(specifier.version))
                except InvalidVersion:
                    pass
    return sorted(versions)


def witness(specifiers: Sequence[SpecifierSet]) -> str | None:
    """A version every set allows, or None when no version can satisfy them all."""
    arbitrary = [s.version for spec in specifiers for s in spec if s.operator == "==="]
    if arbitrary:  # `===` matches one exact string
        text = arbitrary[0]
        ok = all(spec.contains(text, prereleases=True) for spec in specifiers)
        return text if ok else None
    for version in candidates(specifiers):
        if all(spec.contains(version, prereleases=True) for spec in specifiers):
            return str(version)
    return None


def allows_below(specifier: SpecifierSet, floor: str) -> str | None:
    """A version under `floor` that `specifier` allows (None: it allows none)."""
    from packaging.version import Version

    limit = Version(floor)
    for version in candidates([specifier, type(specifier)(f"<={floor}")]):
        if version < limit and specifier.contains(version, prereleases=False):
            return str(version)
    return None


def allows_at_or_above(specifier: SpecifierSet, floor: str) -> bool:
    from packaging.specifiers import SpecifierSet as Set

    return witness([specifier, Set(f">={floor}")]) is not None
