"""`python -m app.selfcheck`: import every module under app/ (R1.3).

Run at image build time, so a missing library fails the build instead of a started container.
Exits 1 naming each module that does not import.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import traceback


def module_names(package: str = "app") -> list[str]:
    root = importlib.import_module(package)
    names = [package]
    # walk_packages imports subpackages to look inside; one that fails is still listed
    # (and reported by check()), its contents are not.
    for info in pkgutil.walk_packages(root.__path__, prefix=package + ".", onerror=lambda _: None):
        names.append(info.name)
    return sorted(names)


def check(package: str = "app") -> list[tuple[str, str]]:
    """(module, error) for every module under `package` that fails to import."""
    failures: list[tuple[str, str]] = []
    try:
        names = module_names(package)
    except (Exception, SystemExit) as error:
        return [(package, _last_line(error))]
    for name in names:
        if name == __name__ or name == "app.selfcheck":
            continue  # already running
        try:
            importlib.import_module(name)
        except (Exception, SystemExit) as error:  # a module must not exit on import either
            failures.append((name, _last_line(error)))
    return failures


def _last_line(error: BaseException) -> str:
    return traceback.format_exception_only(type(error), error)[-1].strip()


def main(argv: list[str] | None = None) -> int:
    """`python -m app.selfcheck [package]`; the package defaults to app."""
    args = sys.argv[1:] if argv is None else argv
    package = args[0] if args else "app"
    failures = check(package)
    if failures:
        for name, error in failures:
            print(f"selfcheck: cannot import {name}: {error}", file=sys.stderr)
        print(f"selfcheck: {len(failures)} module(s) failed to import", file=sys.stderr)
        return 1
    print(f"selfcheck: every module under {package} imports")
    return 0


if __name__ == "__main__":
    sys.exit(main())
