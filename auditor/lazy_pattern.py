"""Regular expressions compiled the first time they are used.

Parser and rule modules keep their patterns at module level, next to the code that reads
them. Compiled there, every run would pay for all of them at start-up (0.1-1 ms each), also
for the patterns of rules that never get as far as using them: a pre-commit hook feels that.
A `LazyPattern` holds the source and compiles it on its first match; the compiled pattern is
then kept, so later matches cost what a compiled pattern costs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator


class LazyPattern:
    """`re.compile(pattern, flags)`, deferred: offers the Pattern methods the rules use."""

    __slots__ = ("_compiled", "flags", "pattern")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = pattern
        self.flags = flags
        self._compiled: re.Pattern[str] | None = None

    @property
    def compiled(self) -> re.Pattern[str]:
        if self._compiled is None:
            self._compiled = re.compile(self.pattern, self.flags)
        return self._compiled

    def match(self, string: str, *positions: int) -> re.Match[str] | None:
        return self.compiled.match(string, *positions)

    def fullmatch(self, string: str, *positions: int) -> re.Match[str] | None:
        return self.compiled.fullmatch(string, *positions)

    def search(self, string: str, *positions: int) -> re.Match[str] | None:
        return self.compiled.search(string, *positions)

    def finditer(self, string: str, *positions: int) -> Iterator[re.Match[str]]:
        return self.compiled.finditer(string, *positions)

    def split(self, string: str, maxsplit: int = 0) -> list[str]:
        return self.compiled.split(string, maxsplit)

    def sub(
        self, replacement: str | Callable[[re.Match[str]], str], string: str, count: int = 0
    ) -> str:
        return self.compiled.sub(replacement, string, count)

    def __repr__(self) -> str:
        return f"LazyPattern({self.pattern!r}, {self.flags!r})"
