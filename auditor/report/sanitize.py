"""Making text from audited files safe to print.

Messages and source lines can carry whatever the audited files hold: line breaks that would
split a one-line format, terminal escape sequences that would recolour or rewrite the user's
screen, bidirectional overrides that make text read differently from what it is. Text shown
inline is escaped the way Python escapes it in a string literal, so nothing is lost.
"""

from __future__ import annotations

from auditor.lazy_pattern import LazyPattern

_NAMED_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}

# C0 controls, DEL, C1 controls, and the Unicode bidirectional embedding/override/isolate
# characters (the "Trojan Source" set).
UNSAFE_CHARACTERS = LazyPattern("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def is_unsafe(character: str) -> bool:
    """Does UNSAFE_CHARACTERS match this one character? Without the regex, whose character
    class with non-ASCII ranges takes ~4 ms to compile: more than a whole audit's rules."""
    code = ord(character)
    return (
        code <= 0x1F or 0x7F <= code <= 0x9F or 0x202A <= code <= 0x202E or 0x2066 <= code <= 0x2069
    )


def escape_character(character: str) -> str:
    named = _NAMED_ESCAPES.get(character)
    if named is not None:
        return named
    code = ord(character)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def inline(text: str) -> str:
    """`text` on one line with control and bidi characters escaped (`\\n`, `\\x1b`, ...)."""
    # Every unsafe character is a control or format character, which str.isprintable()
    # rejects: printable text (nearly every message) needs no regex, nor compiling one.
    if text.isprintable():
        return text
    return UNSAFE_CHARACTERS.sub(lambda match: escape_character(match.group()), text)
