"""Node.js release lines: end-of-life dates and what an image tag says about its version.

The one place to update when a line's end of life is announced (nodejs.org's release
schedule). ISO dates as text compare in date order without importing `datetime`.
"""

from __future__ import annotations

import time

from auditor.documents.dockerfile import parse_image
from auditor.lazy_pattern import LazyPattern

NODE_END_OF_LIFE = {
    10: "2021-04-30",
    12: "2022-04-30",
    13: "2020-06-01",
    14: "2023-04-30",
    15: "2021-06-01",
    16: "2023-09-11",
    17: "2022-06-01",
    18: "2025-04-30",
    19: "2023-06-01",
    20: "2026-04-30",
    21: "2024-06-01",
    22: "2027-04-30",
    23: "2025-06-01",
    24: "2028-04-30",
    25: "2026-06-01",
    26: "2029-04-30",
}
# The official images also tag each LTS line by its codename (node:iron-alpine).
_CODENAMES = {
    "argon": 4, "boron": 6, "carbon": 8, "dubnium": 10, "erbium": 12, "fermium": 14,
    "gallium": 16, "hydrogen": 18, "iron": 20, "jod": 22, "krypton": 24,
}  # fmt: skip
_TAG_RE = LazyPattern(r"^(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-|$)")
_NEWEST = 999999  # a tag without minor or patch pulls the newest release of its line


class NodeImage:
    """The Node version an image reference pulls, as far as its tag tells."""

    __slots__ = ("major", "minor", "patch", "reference", "tag")

    def __init__(
        self, reference: str, tag: str, major: int, minor: int | None, patch: int | None
    ) -> None:
        self.reference = reference
        self.tag = tag
        self.major = major
        self.minor = minor
        self.patch = patch

    @property
    def newest_version(self) -> str:
        """The newest version the tag can pull: `node:20` -> 20.999999.999999."""
        minor = _NEWEST if self.minor is None else self.minor
        patch = _NEWEST if self.patch is None else self.patch
        return f"{self.major}.{minor}.{patch}"

    @property
    def shown(self) -> str:
        parts = [self.major, self.minor, self.patch]
        return ".".join(str(part) for part in parts if part is not None)


def node_image(reference: str) -> NodeImage | None:
    """`node:18-alpine` -> Node 18; None for other images and tags without a version
    (`node`, `node:lts`, `node:current`, `node:alpine`)."""
    image = parse_image(reference)
    if image.short_name != "node" or image.tag is None:
        return None
    match = _TAG_RE.match(image.tag)
    if match:
        minor = int(match.group(2)) if match.group(2) else None
        patch = int(match.group(3)) if match.group(3) else None
        return NodeImage(reference, image.tag, int(match.group(1)), minor, patch)
    codename = image.tag.split("-", 1)[0].lower()
    if codename in _CODENAMES:
        return NodeImage(reference, image.tag, _CODENAMES[codename], None, None)
    return None


def today() -> str:
    return time.strftime("%Y-%m-%d")


def end_of_life(major: int) -> str | None:
    """The date the line reached or reaches end of life; None for an unknown line."""
    return NODE_END_OF_LIFE.get(major)


def oldest_supported_lts(on: str | None = None) -> int:
    """The oldest even (LTS) line still supported on the date `on` (today by default)."""
    day = on or today()
    supported = [major for major, date in NODE_END_OF_LIFE.items() if major % 2 == 0 and date > day]
    return min(supported) if supported else max(NODE_END_OF_LIFE)


def lowest_admitted(node_range: str) -> tuple[int, int] | None:
    """The lowest Node major.minor a range admits (`^20.19.0 || >=22.12.0` -> (20, 19)),
    found by probing majors, then minors; None when no 0..60 major satisfies it."""
    from auditor.npm_semver import satisfies

    for major in range(61):
        if satisfies(f"{major}.{_NEWEST}.{_NEWEST}", node_range):
            for minor in range(200):
                if satisfies(f"{major}.{minor}.{_NEWEST}", node_range):
                    return major, minor
            return major, _NEWEST
    return None
