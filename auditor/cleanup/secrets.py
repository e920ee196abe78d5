"""Values in a `.env`-style file that look like live secrets (R16.5).

A line counts when its key names a secret (KEY, SECRET, TOKEN, PASSWORD, ...) and its value
is not empty, not a placeholder (`changeme`, `your-key-here`, `<...>`, `${VAR}`, `xxx`), or
when its value has the shape of a known provider key (`sk-...`, `AKIA...`, `ghp_...`) whatever
the key is called. Values are never shown in messages: only the key names.
"""

from __future__ import annotations

import re
from pathlib import Path

from auditor.lazy_pattern import LazyPattern

_ASSIGNMENT_RE = LazyPattern(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*?)\s*$")
_SECRET_KEY_RE = LazyPattern(
    r"(?:KEY|SECRET|TOKEN|PASSWORD|PASSWD|PWD|CREDENTIAL|PRIVATE|AUTH|DSN)", re.IGNORECASE
)
_PROVIDER_VALUE_RE = LazyPattern(
    r"^(?:sk-[A-Za-z0-9_-]{16,}|AKIA[0-9A-Z]{16}|ghp_[A-Za-z0-9]{30,}|gsk_[A-Za-z0-9]{20,}"
    r"|xox[abp]-[A-Za-z0-9-]{10,}|AIza[0-9A-Za-z_-]{30,})"
)
_PLACEHOLDER_RE = LazyPattern(
    r"^(?:|x+|\*+|\.+|-+|<.*>|\$\{.*\}|\$[A-Za-z_]\w*|(?:your|my|some|example|dummy|fake|test"
    r"|sample|placeholder|replace|change|todo|xxx|none|null|false|true|0|1)\b.*"
    r"|.*(?:_here|-here|changeme|change-me|change_me))$",
    re.IGNORECASE,
)


def secret_lines(text: str) -> list[tuple[int, str]]:
    """(line number, key) of each assignment whose value looks like a live secret."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith("#"):
            continue
        match = _ASSIGNMENT_RE.match(line)
        if match is None:
            continue
        key, value = match.group(1), _unquoted(match.group(2))
        if _PROVIDER_VALUE_RE.match(value):
            found.append((number, key))
        elif _SECRET_KEY_RE.search(key) and not _PLACEHOLDER_RE.match(value):
            found.append((number, key))
    return found


def _unquoted(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1].strip()
    if " #" in value:  # an inline comment after an unquoted value
        value = value.split(" #", 1)[0].rstrip()
    return value


def secret_lines_of(path: Path) -> list[tuple[int, str]]:
    """secret_lines of a file on disk; [] when it cannot be read (or is not text)."""
    try:
        data = path.read_bytes()
    except OSError:
        return []
    if b"\0" in data[:8192]:
        return []
    return secret_lines(data.decode("utf-8", errors="replace"))
