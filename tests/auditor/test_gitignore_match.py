"""auditor/gitignore_match.py against git itself: for generated .gitignore files, the paths it
calls ignored are exactly those `git check-ignore` prints, files and folders alike."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from auditor.gitignore_match import GitignoreMatcher

# The tree every generated .gitignore is checked on: folders end with "/".
TREE = [
    "a/",
    "a/b/",
    "a/b/c.py",
    "a/b/ab",
    "a/c.pyc",
    "a/x y",
    "a/[ab]",
    "b/",
    "b/a/",
    "b/a/b.txt",
    "b/node_modules/",
    "b/node_modules/pkg/",
    "b/node_modules/pkg/index.js",
    "node_modules/",
    "node_modules/x.js",
    "ab/",
    "ab/a.py",
    "ab/.env",
    ".env",
    ".env.example",
    "a.py",
    "b.pyc",
    "c.txt",
    "x y",
    "é.md",
    "*star",
    "#hash",
    "!bang",
    "trailing ",
]

ATOMS = [
    "a", "b", "ab", "c", ".py", ".env", "node_modules", "é", "x y", "x\\ y", "trailing\\ ",
    "*", "**", "?", "[ab]", "[!a]", "[^b]", "[a-c]", "[c-a]", "[]a]", "[!]a]", "[[:alpha:]]",
    "[[:digit:]]", "[[:bogus:]]", "[a", "\\*", "\\[ab]", "\\#hash", "\\!bang", "#hash",
    "\\/", "**\\/",
]  # fmt: skip


def random_pattern(rng: random.Random) -> str:
    components = []
    for _ in range(rng.choice((1, 1, 2, 3))):
        component = "".join(rng.choice(ATOMS) for _ in range(rng.choice((1, 1, 2))))
        components.append(component)
    pattern = "/".join(components)
    if rng.random() < 0.2:
        pattern = "/" + pattern
    if rng.random() < 0.25:
        pattern += "/"
    if rng.random() < 0.2:
        pattern = "!" + pattern
    if rng.random() < 0.1:
        pattern += rng.choice(("  ", "\t", "\\"))
    return pattern


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("gitignore") / "repo"
    root.mkdir()
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    for path in TREE:
        if path.endswith("/"):
            (root / path).mkdir(parents=True, exist_ok=True)
        else:
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_text("x\n")
    return root


def git_ignored(root: Path, gitignore: str) -> set[str]:
    (root / ".gitignore").write_bytes(gitignore.encode())
    paths = [path.rstrip("/") for path in TREE]
    done = subprocess.run(
        ["git", "-C", str(root), "check-ignore", "--no-index", "-z", "--stdin"],
        input=b"\0".join(os.fsencode(path) for path in paths) + b"\0",
        capture_output=True,
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr
    return {os.fsdecode(raw) for raw in done.stdout.split(b"\0") if raw}


def ours(gitignore: str) -> set[str]:
    matcher = GitignoreMatcher.from_text(gitignore)
    return {
        path.rstrip("/")
        for path in TREE
        if matcher.ignores(path.rstrip("/"), is_dir=path.endswith("/"))
    }


def check_seed(tree: Path, seed: int, files: int) -> None:
    rng = random.Random(seed)
    for _ in range(files):
        lines = [random_pattern(rng) for _ in range(rng.choice((1, 2, 3, 4)))]
        gitignore = "\n".join(lines) + rng.choice(("\n", "\r\n", ""))
        expected = git_ignored(tree, gitignore)
        assert ours(gitignore) == expected, f"seed {seed}: {gitignore!r}"


def test_agrees_with_git_check_ignore_on_generated_files(tree: Path) -> None:
    check_seed(tree, seed=20261202, files=700)


def test_agrees_with_git_check_ignore_for_a_random_seed(tree: Path) -> None:
    seed = random.randrange(2**32)
    print(f"seed {seed}")  # shown when the test fails
    check_seed(tree, seed, files=300)


@pytest.mark.parametrize(
    ("gitignore", "ignored"),
    [
        # The usual .gitignore lines.
        ("node_modules/\n", {"node_modules", "b/node_modules"}),
        ("*.py[cod]\n", {"a/c.pyc", "b.pyc"}),
        (".env\n.env.*\n!.env.example\n", {".env", "ab/.env"}),
        ("/a/\n", {"a"}),
        ("a/**/ab\n", {"a/b/ab"}),
        ("**/a/*.txt\n", {"b/a/b.txt"}),
        # `?`, `*` and classes never match a "/" in a pattern that holds one.
        ("a?b/c.py\na*/c.py\na[/]b/c.py\n", set()),
        # A folder's contents cannot be brought back once the folder is ignored.
        ("b/\n!b/a/b.txt\n", {"b"}),
        # Escapes, trailing spaces, comments.
        ("\\#hash\n#a.py\n", {"#hash"}),
        ("\\!bang\n", {"!bang"}),
        ("trailing\\ \nc.txt   \n", {"trailing ", "c.txt"}),
        ("\\*star\n", {"*star"}),
    ],
)
def test_known_cases(tree: Path, gitignore: str, ignored: set[str]) -> None:
    assert git_ignored(tree, gitignore) >= ignored  # the expectation itself is git's
    assert ours(gitignore) == git_ignored(tree, gitignore)


def test_match_file_reads_a_trailing_slash_as_a_folder() -> None:
    matcher = GitignoreMatcher.from_lines(["build/", "*.log"])
    assert matcher.match_file("build/")
    assert not matcher.match_file("build")  # a file named build
    assert matcher.match_file("build/x.py")
    assert matcher.match_file("logs/a.log")
    assert matcher.verdict("x.log") is True
    assert matcher.verdict("x.py") is None
    assert GitignoreMatcher.from_lines(["*.log", "!a.log"]).verdict("a.log") is False


# Patterns whose regex, written plainly, backtracks in exponential time on a long name. (Not
# "*a" * 40: on "aaa...ab" git's own wildmatch does not end either.)
MANY_WILDCARDS = ["*a" * 40 + "*b", "**/a" * 20 + "/b", "*/" * 30 + "*b", "[a]*" * 30]
LONG_PATHS = ["a" * 300, "a" * 300 + "b", "a/" * 100 + "b", "b/" * 60 + "a" * 80]


def test_many_wildcards_on_long_names_end_and_agree_with_git(tmp_path: Path) -> None:
    """Each `*` is matched at the earliest place its literal run fits (linear glob matching):
    in a separate process with a hang guard, since a backtracking regex would not end."""
    script = (
        "import json, sys\n"
        "from auditor.gitignore_match import GitignoreMatcher\n"
        "patterns, paths = json.load(sys.stdin)\n"
        "print(json.dumps([[GitignoreMatcher.from_lines([p]).ignores(path) for path in paths]"
        " for p in patterns]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        input=json.dumps([MANY_WILDCARDS, LONG_PATHS]),
        capture_output=True,
        text=True,
        timeout=60,  # a hang guard: linear matching takes milliseconds
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    verdicts = json.loads(done.stdout)
    root = tmp_path / "repo"
    root.mkdir()
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    for pattern, found in zip(MANY_WILDCARDS, verdicts, strict=True):
        (root / ".gitignore").write_text(pattern + "\n")
        checked = subprocess.run(
            ["git", "-C", str(root), "check-ignore", "--no-index", "-z", "--stdin"],
            input="\0".join(LONG_PATHS) + "\0",
            capture_output=True,
            text=True,
            check=False,
        )
        ignored = set(filter(None, checked.stdout.split("\0")))
        assert found == [path in ignored for path in LONG_PATHS], pattern
