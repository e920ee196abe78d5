"""Hostile inputs, generated at run time: the shapes that once took time growing faster than
their size (issue 8, case 13). The stress tests and `bench_parsing.py` both use them, so the
repository carries the recipes, not megabytes of files.

Each recipe takes a size in bytes (roughly: the text is at least that long) and returns
(relative path, text). The path names the document kind that reads it.
"""

from __future__ import annotations

from collections.abc import Callable

Recipe = Callable[[int], tuple[str, str]]

HEAD = "FROM python:3.11-slim\n"


def long_word(size: int) -> tuple[str, str]:
    """One word of `size` letters in a RUN (quadratic in a tokenizer that re-scans)."""
    return "Dockerfile", f"{HEAD}RUN echo {'a' * size}\n"


def continuation_lines(size: int) -> tuple[str, str]:
    """One RUN continued over many short lines."""
    lines = max(1, size // 20)
    body = "".join("    && echo x \\\n" for _ in range(lines))
    return "Dockerfile", f"{HEAD}RUN true \\\n{body}    && true\n"


def many_heredocs(size: int) -> tuple[str, str]:
    """Many heredocs opened on one RUN, each with its own body."""
    count = max(1, size // 30)
    opening = " ".join(f"<<E{n}" for n in range(count))
    bodies = "".join(f"echo {n}\nE{n}\n" for n in range(count))
    return "Dockerfile", f"{HEAD}RUN {opening}\n{bodies}"


def long_env_value(size: int) -> tuple[str, str]:
    return "Dockerfile", f"{HEAD}ENV X={'a' * size}\n"


def repeated_commands(size: int) -> tuple[str, str]:
    """`useradd` many times over on one RUN line."""
    count = max(1, size // 12)
    return "Dockerfile", f"{HEAD}RUN {'useradd ' * count}\n"


def repeated_run_lines(size: int) -> tuple[str, str]:
    """`RUN useradd` many times over, one RUN per line: a rule's per-stage look-up done once
    per RUN walks the whole stage again each time."""
    count = max(1, size // 12)
    return "Dockerfile", HEAD + "RUN useradd \n" * count


def apt_dash_flags(size: int) -> tuple[str, str]:
    """`apt-get install -yyyy...`: one flag word of `size` letters."""
    return "Dockerfile", f"{HEAD}RUN apt-get install -{'y' * size}\n"


def spaced_directive(size: int) -> tuple[str, str]:
    """A directive-like first line with a long run of spaces (regex backtracking)."""
    return "Dockerfile", f"# syntax=a{' ' * size}b\n{HEAD}"


def many_instructions(size: int) -> tuple[str, str]:
    """A plain but large Dockerfile: many ordinary instructions and stages."""
    block = (
        "FROM python:3.11-slim AS s{n}\n"
        "ENV PYTHONUNBUFFERED=1 A{n}=b\n"
        "RUN apt-get update && apt-get install -y --no-install-recommends curl \\\n"
        "    && rm -rf /var/lib/apt/lists/*\n"
        "COPY requirements.txt /app/\n"
        "RUN pip install --no-cache-dir -r /app/requirements.txt\n"
        "# a comment\n"
        "USER mami\n"
        'CMD ["python", "app.py"]\n'
    )
    count = max(1, size // len(block.format(n=0)))
    return "Dockerfile", "".join(block.format(n=n) for n in range(count))


def ignore_stars(size: int) -> tuple[str, str]:
    """A .dockerignore line of many `*` then a letter (backtracking in a regex matcher)."""
    return ".dockerignore", "*" * size + "b\n"


def ignore_many_patterns(size: int) -> tuple[str, str]:
    lines = max(1, size // 16)
    return ".dockerignore", "".join(f"dir{n}/**/*.py\n" for n in range(lines))


RECIPES: dict[str, Recipe] = {
    "long-word": long_word,
    "continuation-lines": continuation_lines,
    "many-heredocs": many_heredocs,
    "long-env-value": long_env_value,
    "repeated-commands": repeated_commands,
    "repeated-run-lines": repeated_run_lines,
    "apt-dash-flags": apt_dash_flags,
    "spaced-directive": spaced_directive,
    "many-instructions": many_instructions,
    "ignore-stars": ignore_stars,
    "ignore-many-patterns": ignore_many_patterns,
}


def repeated_installs(size: int) -> tuple[str, str]:
    """`pip install` and `apt-get install` many times over in one RUN: every match of a
    command in the text must not rescan the text before it."""
    count = max(1, size // 50)
    body = " && ".join("pip install x && apt-get install -y y" for _ in range(count))
    return "Dockerfile", f"{HEAD}RUN {body}\n"


RECIPES["repeated-installs"] = repeated_installs
