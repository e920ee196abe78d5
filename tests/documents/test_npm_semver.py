"""npm's range semantics: node-semver's documented cases, and agreement with the real
`semver` package that ships inside npm on a generated sample of ranges and versions."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path

import pytest

from auditor.npm_semver import alias_target, exact_version, satisfies, spec_kind

# From node-semver's README: what each range form means.
DOCUMENTED = [
    ("^1.2.3", "1.9.9", True),
    ("^1.2.3", "2.0.0", False),
    ("^0.2.3", "0.2.9", True),
    ("^0.2.3", "0.3.0", False),
    ("^0.0.3", "0.0.4", False),
    ("^1.2.3-beta.2", "1.2.3-beta.4", True),
    ("^1.2.3-beta.2", "1.2.4-beta.2", False),  # a prerelease of another tuple
    ("~1.2.3", "1.2.9", True),
    ("~1.2.3", "1.3.0", False),
    ("~1", "1.9.0", True),
    ("1.x", "1.9.9", True),
    ("1.x", "2.0.0", False),
    ("*", "1.0.0-beta", False),
    ("", "3.0.0", True),
    ("1.2.3 - 2.3.4", "2.3.4", True),
    ("1.2 - 2.3", "2.3.9", True),
    ("1.2 - 2.3", "2.4.0", False),
    (">1.2.3-alpha.3", "3.4.5-alpha.9", False),
    (">1.2.3-alpha.3", "1.2.3-alpha.7", True),
    ("^20.19.0 || >=22.12.0", "20.18.1", False),
    ("^20.19.0 || >=22.12.0", "21.7.3", False),
    ("^20.19.0 || >=22.12.0", "22.12.0", True),
]


@pytest.mark.parametrize(("spec", "version", "expected"), DOCUMENTED)
def test_documented_cases(spec: str, version: str, expected: bool) -> None:
    assert satisfies(version, spec) is expected


@pytest.mark.parametrize(
    ("spec", "kind"),
    [
        ("19.2.0", "version"),
        ("=19.2.0", "version"),
        ("^19.2.0", "range"),
        (">=1 <2 || 3.x", "range"),
        ("*", "range"),
        ("", "range"),
        ("latest", "tag"),
        ("next", "tag"),
        ("workspace:*", "workspace"),
        ("file:../x", "file"),
        ("../x", "file"),
        ("link:../x", "file"),
        ("npm:react@19", "alias"),
        ("git+https://github.com/a/b.git#v1", "git"),
        ("github:facebook/react", "git"),
        ("facebook/react#main", "git"),
        ("https://example.com/x.tgz", "remote"),
        ("https://github.com/a/b.git", "git"),
    ],
)
def test_spec_kinds(spec: str, kind: str) -> None:
    assert spec_kind(spec) == kind


def test_exact_versions_and_aliases() -> None:
    assert exact_version("=1.2.3") == "1.2.3"
    assert exact_version("^1.2.3") is None
    assert alias_target("npm:@scope/pkg@^2") == ("@scope/pkg", "^2")
    assert alias_target("npm:react") == ("react", "*")
    assert satisfies("1.0.0", "latest") is None


def _generated_sample(count: int) -> list[tuple[str, str]]:
    rng = random.Random(12)

    def version() -> str:
        text = f"{rng.randrange(3)}.{rng.randrange(4)}.{rng.randrange(4)}"
        if rng.random() < 0.25:
            text += "-" + rng.choice(["alpha", "beta.1", "rc.2", "0"])
        return text

    def partial() -> str:
        parts = [str(rng.randrange(3)), str(rng.randrange(4)), str(rng.randrange(4))]
        cut = rng.choice([1, 2, 3, 3])
        parts = parts[:cut] + (["x"] if cut < 3 and rng.random() < 0.3 else [])
        text = ".".join(parts)
        if cut == 3 and rng.random() < 0.2:
            text += "-" + rng.choice(["alpha", "beta.1", "0"])
        return text

    def comparator_set() -> str:
        form = rng.randrange(6)
        if form == 0:
            return rng.choice(["^", "~", ""]) + partial()
        if form == 1:
            return rng.choice([">", ">=", "<", "<=", "="]) + partial()
        if form == 2:
            return f"{partial()} - {partial()}"
        if form == 3:
            return f">={partial()} <{partial()}"
        if form == 4:
            return rng.choice(["*", "x", "1.x.x", "~> 1.2", ">= 1.2.3", "v1.2.3"])
        return rng.choice(["^", "~"]) + version()

    sample = []
    for _ in range(count):
        spec = " || ".join(comparator_set() for _ in range(rng.choice([1, 1, 2, 3])))
        sample.append((spec, version()))
    return sample


def _npm_semver() -> Path | None:
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        return None
    root = subprocess.run([npm, "root", "-g"], capture_output=True, text=True, check=False)
    found = Path(root.stdout.strip()) / "npm" / "node_modules" / "semver"
    return found if found.is_dir() else None


def _ask_npm_semver(body: str, cases: Path, *arguments: str) -> list:  # type: ignore[type-arg]
    """What a node script that has `semver` (npm's own) and `cases` (the JSON file) prints."""
    script = "const semver = require(process.argv[1]); const cases = require(process.argv[2]);"
    done = subprocess.run(
        ["node", "-e", script + body, str(_npm_semver()), str(cases), *arguments],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)  # type: ignore[no-any-return]


@pytest.mark.skipif(_npm_semver() is None, reason="npm (with its bundled semver) is not installed")
@pytest.mark.parametrize("loose", [True, False])
def test_agrees_with_npm_semver_on_a_generated_sample(tmp_path: Path, loose: bool) -> None:
    sample = _generated_sample(1500)
    cases = tmp_path / "cases.json"
    cases.write_text(json.dumps(sample))
    npm_says = _ask_npm_semver(
        "const loose = process.argv[3] === 'true';"
        "console.log(JSON.stringify(cases.map(([range, version]) => {"
        "  try { return semver.satisfies(version, range, loose) } catch (e) { return null }"
        "})));",
        cases,
        str(loose).lower(),
    )
    differences = [
        (spec, version, expected, satisfies(version, spec, loose))
        for (spec, version), expected in zip(sample, npm_says)
        if bool(satisfies(version, spec, loose)) != bool(expected)
    ]
    assert sum(npm_says) > 100, "the sample should hold many satisfied pairs"
    assert not differences, differences[:20]


def _odd_sample(count: int) -> list[tuple[str, str]]:
    """Ranges in the spellings real package.json files and typos have: spaces after
    operators, `v` and `=` prefixes, build metadata, loose prereleases (`1.2.3beta`), leading
    zeros, `~>`, misplaced x (`x.1`), four-part versions and words."""
    rng = random.Random(7)
    parts = ["0", "1", "2", "10", "x", "X", "*", "01"]

    def partial() -> str:
        count = rng.choice([1, 2, 3, 3, 3])
        text = ".".join(rng.choice(parts) for _ in range(count))
        if count == 3 and rng.random() < 0.3:
            text += rng.choice(["-alpha", "-beta.1", "beta", "-0", "-rc.1.x", "-00"])
        if rng.random() < 0.1:
            text += rng.choice(["+build.5", "+001", ".4"])
        return rng.choice(["", "", "", "v", "=", "v=", " "]) + text

    def comparator() -> str:
        operator = rng.choice(["", "", "^", "~", "~>", ">", ">=", "<", "<=", "=", "> ", "^ ", "~ "])
        return operator + partial()

    def comparator_set() -> str:
        form = rng.randrange(5)
        if form == 0:
            return f"{partial()} - {partial()}"
        if form == 1:
            return rng.choice(["*", "", "x", "latest", "1.2.3 || ", ">=0.0.0", "<0.0.0-0", "foo"])
        return " ".join(comparator() for _ in range(rng.choice([1, 1, 2, 3])))

    def version() -> str:
        text = ".".join(rng.choice(["0", "1", "2", "10", "01"]) for _ in range(3))
        if rng.random() < 0.3:
            text += rng.choice(["-alpha", "-beta.1", "-0", "beta", "-rc.1.x", "-00"])
        if rng.random() < 0.1:
            text += rng.choice(["+build", "+x.1"])
        return rng.choice(["", "", "v", "=", " "]) + text

    return [
        (" || ".join(comparator_set() for _ in range(rng.choice([1, 1, 2]))), version())
        for _ in range(count)
    ]


@pytest.mark.skipif(_npm_semver() is None, reason="npm (with its bundled semver) is not installed")
def test_agrees_with_npm_semver_on_odd_spellings_and_on_what_is_valid(tmp_path: Path) -> None:
    """satisfies, and whether the range and the version are valid at all, strict and loose."""
    from auditor.npm_ranges import parse_version
    from auditor.npm_semver import range_of

    sample = _odd_sample(3000)
    cases = tmp_path / "cases.json"
    cases.write_text(json.dumps(sample))
    npm_says = iter(
        _ask_npm_semver(
            "const out = [];"
            "for (const loose of [false, true]) for (const [range, version] of cases) {"
            "  let ok; try { ok = semver.satisfies(version, range, loose) } catch (e) { ok = null }"
            "  out.push([ok, semver.validRange(range, loose) !== null,"
            "            semver.valid(version, loose) !== null]);"
            "}"
            "console.log(JSON.stringify(out));",
            cases,
        )
    )
    differences = []
    for loose in (False, True):
        for spec, version in sample:
            satisfied, range_valid, version_valid = next(npm_says)
            ours = (
                bool(satisfies(version, spec, loose)),
                range_of(spec, loose) is not None,
                parse_version(version, loose) is not None,
            )
            if ours != (bool(satisfied), range_valid, version_valid):
                differences.append((loose, spec, version, ours))
    assert not differences, differences[:20]


HUGE = "9" * 10_000  # a version part Python will not turn into an int by default
AT_THE_LIMIT = ["9007199254740990", "9007199254740991", "9007199254740992", "0" * 20 + "7"]
AT_THE_LIMIT += ["999999999999999999999", "1" + "0" * 30, HUGE]


def test_version_parts_past_any_limit_are_read_without_an_error() -> None:
    """What they mean is npm's (the next test); here: no ValueError from int()."""
    for spec in (f"^{HUGE}", f"~1.{HUGE}", f">{HUGE}.x", f"<=1.{HUGE}", f"1 - {HUGE}.x", HUGE):
        for loose in (True, False):
            assert satisfies("1.2.3", spec, loose) in (True, False, None), spec


@pytest.mark.skipif(_npm_semver() is None, reason="npm (with its bundled semver) is not installed")
def test_agrees_with_npm_semver_around_the_largest_safe_integer(tmp_path: Path) -> None:
    """npm adds one to a version part as a JavaScript number: past 2**53 the comparator it
    makes is refused, from 1e21 it is not even read as one. Ranges whose parts sit at
    those limits, or far past them, mean the same here."""
    forms = ["^{n}", "^0.{n}", "^0.0.{n}", "~{n}", "~1.{n}", ">{n}", ">1.{n}", "<={n}", "<=1.{n}"]
    forms += ["{n}.x", "1.{n}.x", "1.2 - {n}", "1.2 - 3.{n}"]
    sample = [
        (form.format(n=number), version)
        for form in forms
        for number in AT_THE_LIMIT
        for version in ("1.2.3", "9007199254740991.0.0", "0.9007199254740990.1")
    ]
    cases = tmp_path / "cases.json"
    cases.write_text(json.dumps(sample))
    npm_says = _ask_npm_semver(
        "const out = [];"
        "for (const loose of [false, true]) for (const [range, version] of cases) {"
        "  let ok; try { ok = semver.satisfies(version, range, loose) } catch (e) { ok = null }"
        "  out.push([ok, semver.validRange(range, loose) !== null]);"
        "}"
        "console.log(JSON.stringify(out));",
        cases,
    )
    from auditor.npm_semver import range_of

    ours = [
        [bool(satisfies(version, spec, loose)), range_of(spec, loose) is not None]
        for loose in (False, True)
        for spec, version in sample
    ]
    differences = [
        (case, mine, theirs)
        for case, mine, theirs in zip(sample * 2, ours, npm_says, strict=True)
        if mine != [bool(theirs[0]), theirs[1]]
    ]
    assert not differences, differences[:10]
