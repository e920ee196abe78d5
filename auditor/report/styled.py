"""Styled lines for the full format, and the console that prints them.

rich costs 30-50 ms to import, more than a whole audit of one Dockerfile, and colour is all
it adds here: the full format never wraps or lays out. So lines are built as (text, style)
pieces, and rich is imported only when they are printed in colour, on a terminal (or with
FORCE_COLOR or TTY_COMPATIBLE set, which rich honours). Into a pipe or a file (CI logs, a
pre-commit hook) they are written as plain text, which is what rich would write there.
"""

from __future__ import annotations

import os
from typing import Protocol, TextIO


class Text:
    """One line as (text, style) pieces; a style is a rich style string ("bold red")."""

    def __init__(self, text: str = "", style: str = "") -> None:
        self.pieces: list[tuple[str, str]] = [(text, style)] if text else []

    @classmethod
    def assemble(cls, *parts: str | tuple[str, str]) -> Text:
        line = cls()
        for part in parts:
            line.pieces.append(part if isinstance(part, tuple) else (part, ""))
        return line

    def append(self, text: str, style: str = "") -> None:
        self.pieces.append((text, style))

    @property
    def plain(self) -> str:
        return "".join(text for text, _ in self.pieces)


class Console(Protocol):
    def print(self, line: Text | None = None) -> None: ...


class PlainConsole:
    def __init__(self, out: TextIO) -> None:
        self.out = out

    def print(self, line: Text | None = None) -> None:
        self.out.write(("" if line is None else line.plain) + "\n")


class RichConsole:
    def __init__(self, out: TextIO) -> None:
        from rich.console import Console as Rich

        # soft_wrap: never insert line breaks of our own (rich wraps at 80 columns in a pipe).
        # markup/emoji off: messages are data, `[*]` or `:smile:` in them must print as is.
        self.console = Rich(file=out, highlight=False, markup=False, emoji=False, soft_wrap=True)

    def print(self, line: Text | None = None) -> None:
        from rich.text import Text as RichText

        if line is None:
            self.console.print()
        else:
            self.console.print(RichText.assemble(*line.pieces))


def wants_colour(out: TextIO) -> bool:
    """Would rich style this output? On a terminal, or when the environment forces it."""
    if os.environ.get("FORCE_COLOR") or os.environ.get("TTY_COMPATIBLE"):
        return True
    try:
        return out.isatty()
    except (AttributeError, ValueError):  # a closed or unusual stream
        return False


def make_console(out: TextIO) -> Console:
    return RichConsole(out) if wants_colour(out) else PlainConsole(out)


def cell_len(text: str) -> int:
    """Terminal cells `text` takes: East Asian wide and full-width characters take two,
    combining marks none (how terminals, and rich, count them)."""
    if text.isascii():
        return len(text)
    import unicodedata  # only for text beyond ASCII (~1 ms to import)

    cells = 0
    for character in text:
        if character < "\u0300":
            cells += 1
        elif unicodedata.combining(character):
            continue
        else:
            cells += 2 if unicodedata.east_asian_width(character) in ("W", "F") else 1
    return cells
