"""The fixer's temp files: how they are named, found and cleaned up.

A fix is written to `.<name>.mami-audit-<pid>.tmp` beside the file, then renamed over it. A
run killed between the two (SIGKILL, power loss) leaves the temp file behind; its name says
whose it is, so discovery never audits it and the next `--fix` removes it once the process
that wrote it is gone. Kept apart from the fixer so that discovery can ask without importing it.
"""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Iterable
from pathlib import Path

_SUFFIX = ".tmp"
_NAME_RE = re.compile(r"^\.(?P<name>.+)\.mami-audit-(?P<pid>[0-9]+)(?:-[0-9]+)?\.tmp$")


def is_temp_file(name: str) -> bool:
    """Is `name` (a file name, without its folder) one of the fixer's temp files?"""
    return name.endswith(_SUFFIX) and ".mami-audit-" in name and _NAME_RE.match(name) is not None


def create(folder: Path, name: str) -> tuple[int, str]:
    """Open a new temp file for `folder/name` (mode 0600); return its descriptor and path."""
    for attempt in range(100):
        suffix = f"-{attempt}" if attempt else ""
        temporary = str(folder / f".{name}.mami-audit-{os.getpid()}{suffix}{_SUFFIX}")
        try:
            return os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), temporary
        except FileExistsError:
            continue
    raise OSError(errno.EEXIST, f"no free temp file name in {folder}")


def remove_stale(root: Path, paths: Iterable[str]) -> None:
    """Remove the temp files (paths relative to `root`) whose writing process is gone."""
    for path in paths:
        match = _NAME_RE.match(path.rsplit("/", 1)[-1])
        if match is None or _process_alive(int(match.group("pid"))):
            continue
        try:
            os.unlink(root / path)
        except OSError:
            pass  # gone already, or not ours to remove: a later run tries again


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # a leftover of an earlier run that had our pid: not being written now
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists, as another user's process (EPERM)
    return True
