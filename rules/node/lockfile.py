"""The lockfile: there is one, npm ci would accept it, and it is of a current format (R9.3).

`unsatisfied_edges` reaches the verdict `npm ci` reaches: npm builds the tree package.json
asks for from the lockfile and refuses to install when it differs from the lockfile
("Missing: X from lock file", "Invalid: lock file's X@1 does not satisfy X@^2"). An edge
is unsatisfied when Node's module resolution from the requiring package finds no entry, or,
for what package.json itself declares, an entry whose version does not satisfy the spec
(npm's loose semver, as its arborist checks). Between locked packages npm ci cares only
about what is missing. tests/rules/test_node_lock_sync.py runs the real `npm ci --dry-run`
beside it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from auditor.documents.package_json import PackageJson
from auditor.documents.package_lock import LockEntry, PackageLock
from auditor.npm_semver import alias_target, satisfies, spec_kind
from auditor.rule import Context, Finding, Severity, Span, register
from rules.node._base import NodeRule, has_other_lockfile, lockfile_of

_ENTRY_SECTIONS = ("dependencies", "optionalDependencies", "peerDependencies")


class Problem(NamedTuple):
    missing: bool  # True: no entry at all; False: an entry that does not satisfy the spec
    requester: str  # lock path of the package that requires it ("" for the root project)
    name: str
    spec: str
    entry: LockEntry | None  # the entry resolution found (None when missing)
    package: PackageJson | None  # the package.json that declares it (root or workspace)
    section: str


def _entry_version(lock: PackageLock, entry: LockEntry) -> str | None:
    if entry.kept.link:  # a symlink to a workspace folder: the folder's entry has the version
        target = entry.data.get("resolved")
        linked = lock.packages.get(target) if isinstance(target, str) else None
        return linked.version if linked is not None else None
    return entry.version


def edge_satisfied(lock: PackageLock, entry: LockEntry, name: str, spec: str) -> bool:
    """npm's dep-valid for what a lockfile records (no manifests, no network)."""
    kind = spec_kind(spec)
    if kind == "alias":
        target = alias_target(spec)
        if target is None or (entry.kept.name is not None and entry.kept.name != target[0]):
            return False
        kind, spec = spec_kind(target[1]), target[1]
    if kind not in ("range", "version") or spec.strip() in ("", "*"):
        return True  # tags, git, tarballs and paths: npm accepts what the lock recorded
    version = _entry_version(lock, entry)
    if version is None:
        return True  # a link to a folder the lock does not describe: nothing to compare
    return satisfies(version, spec) is not False


def _importers(context: Context, lock: PackageLock) -> Iterator[tuple[str, PackageJson]]:
    """The package.json files the lock installs: its folder's, and its workspaces'."""
    prefix = "" if lock.folder == "." else f"{lock.folder}/"
    for path in ("", *[p for p in lock.packages if p and "node_modules/" not in p]):
        where = f"{prefix}{path}/package.json" if path else f"{prefix}package.json"
        document = context.project.document(where, "package-json")
        if isinstance(document, PackageJson) and document.parse_error is None:
            yield path, document


def unsatisfied_edges(context: Context, lock: PackageLock) -> list[Problem]:
    """What npm ci would find missing or invalid. The part between locked packages depends
    on the lockfile alone and is computed once per parsed lockfile."""
    between = lock.derived.get("missing between packages")
    if between is None:
        between = lock.derived["missing between packages"] = list(_missing_between(lock))
    return [*_declared_problems(context, lock), *between]


def _declared_problems(context: Context, lock: PackageLock) -> Iterator[Problem]:
    for importer, package in _importers(context, lock):
        optional_peers = _optional_peers(
            package.root.value.get("peerDependenciesMeta") if package.root else None
        )
        for dependency in package.dependencies:
            if spec_kind(dependency.spec) in ("workspace", "invalid"):
                continue  # npm refuses these with its own error before it compares anything
            entry = lock.resolve(importer, dependency.name)
            if entry is None:
                if dependency.section == "peerDependencies" and dependency.name in optional_peers:
                    continue
                yield Problem(
                    True,
                    importer,
                    dependency.name,
                    dependency.spec,
                    None,
                    package,
                    dependency.section,
                )
            elif not edge_satisfied(lock, entry, dependency.name, dependency.spec):
                yield Problem(
                    False,
                    importer,
                    dependency.name,
                    dependency.spec,
                    entry,
                    package,
                    dependency.section,
                )


def _missing_between(lock: PackageLock) -> Iterator[Problem]:
    for path, requester in lock.packages.items():
        if "node_modules/" not in path:
            continue  # the root and workspaces: their package.json files were read above
        # Optional peers and bundled dependencies are left out of `requires` already; npm
        # ci adds a missing optional dependency like any other (and so refuses).
        for name in requester.kept.requires:
            if lock.resolve(path, name) is None:
                spec = _declared_spec(requester, name)
                yield Problem(True, path, name, spec, None, None, "dependencies")
        # A locked package whose own dependency resolves to a version outside its range is
        # a broken tree (`npm ls` says "invalid"), but npm ci installs it as locked: it
        # rebuilds only what package.json asks for, and what is missing.


def _declared_spec(entry: LockEntry, name: str) -> str:
    data = entry.data
    for section in _ENTRY_SECTIONS:
        declared = data.get(section)
        if isinstance(declared, dict) and isinstance(declared.get(name), str):
            return declared[name]
    return "*"


def _optional_peers(meta: object) -> set[str]:
    if not isinstance(meta, dict):
        return set()
    return {
        name
        for name, item in meta.items()
        if isinstance(item, dict) and item.get("optional") is True
    }


def _declared_dependencies(package: PackageJson) -> bool:
    return any(d.section != "peerDependencies" for d in package.dependencies)


@register
class MissingLockfile(NodeRule):
    """A package.json with dependencies has no package-lock.json.

    ## What it does
    Reports a package.json that declares dependencies when neither package-lock.json nor
    npm-shrinkwrap.json sits beside it (or at the root of the workspaces project it belongs
    to). A project locked by another package manager (yarn.lock, pnpm-lock.yaml, bun.lock)
    is skipped: npm is not how it installs.

    ## Why is this bad?
    Without a lockfile every install resolves the ranges again: the image built today and
    the one built next week contain different packages, and `npm ci`, the deterministic
    install R9.3 asks for, refuses to run at all.

    ## Example
    A `frontend/` folder with package.json and no package-lock.json.

    ## How to fix
    Run `npm install` in that folder and commit the package-lock.json it writes; install
    with `npm ci` in the Dockerfile and in CI.
    """

    code = "NP003"
    name = "missing-lockfile"
    summary = "package.json has dependencies but no package-lock.json"
    severity = Severity.ERROR
    requirements = ("R9.3",)
    bad_examples = (NodeRule.bad('{\n  "dependencies": {"react": "19.2.0"}\n}\n', count=1),)
    good_examples = (
        NodeRule.good(
            {
                "package.json": '{"dependencies": {"react": "19.2.0"}}\n',
                "package-lock.json": '{"lockfileVersion": 3, "packages": {}}\n',
            }
        ),
        NodeRule.good({"package.json": '{"dependencies": {"a": "1.0.0"}}\n', "yarn.lock": "\n"}),
        NodeRule.good(
            {
                "package.json": '{"workspaces": ["web"]}\n',
                "package-lock.json": '{"lockfileVersion": 3, "packages": {}}\n',
                "web/package.json": '{"dependencies": {"react": "19.2.0"}}\n',
            }
        ),
        NodeRule.good('{"name": "tool", "scripts": {"fmt": "prettier -w ."}}\n'),
    )

    def check_package(self, context: Context, package: PackageJson) -> Iterator[Finding]:
        if not _declared_dependencies(package) or lockfile_of(context, package) is not None:
            return
        if has_other_lockfile(context, package):
            return
        message = (
            f"no package-lock.json beside {package.path}: installs are not reproducible and "
            "`npm ci` refuses to run"
        )
        yield self.finding(package, Span.point(1), message)


class _LockRule(NodeRule):
    """Rules that judge a lockfile against the package.json files it installs."""

    example_path = "package.json"

    def check(self, context: Context) -> Iterator[Finding]:
        seen: set[str] = set()
        for document in context.project.documents("package-lock"):
            usable = document.parse_error is None and isinstance(document, PackageLock)
            if usable and document.path not in seen and document.version in (2, 3):
                seen.add(document.path)
                yield from self.check_lock(context, document)

    def check_lock(self, context: Context, lock: PackageLock) -> Iterator[Finding]:
        raise NotImplementedError


_SYNC_LOCK = (
    '{\n  "name": "web",\n  "lockfileVersion": 3,\n  "requires": true,\n  "packages": {\n'
    '    "": {"name": "web", "dependencies": {"zustand": "5.0.9"}},\n'
    '    "node_modules/zustand": {"version": "5.0.9", "engines": {"node": ">=12.20.0"}}\n'
    "  }\n}\n"
)


@register
class LockfileOutOfSync(_LockRule):
    """package.json declares a dependency the lockfile does not contain.

    ## What it does
    Resolves every dependency of package.json (and of its workspaces), and every dependency
    of each locked package, through the lockfile's `packages` map the way Node resolves
    modules, and reports a dependency that no locked package provides. Optional peers and
    bundled dependencies may be missing; optional dependencies may not (npm ci refuses). Together with
    NP005 this is `npm ci`'s verdict: tests run the real `npm ci --dry-run` on the same
    cases and agree.

    ## Why is this bad?
    `npm ci` stops with "package.json and package-lock.json are not in sync": the image build
    and the CI job fail, and they fail only there, not on the developer's machine where
    `npm install` quietly rewrote the lockfile.

    ## Example
    package.json adds `"axios": "1.7.9"`; package-lock.json was not committed with it.

    ## How to fix
    Run `npm install` and commit package-lock.json together with package.json.
    """

    code = "NP004"
    name = "lockfile-out-of-sync"
    summary = "A dependency of package.json is missing from package-lock.json (npm ci fails)"
    severity = Severity.ERROR
    requirements = ("R9.3",)
    bad_examples = (
        NodeRule.bad(
            {
                "package.json": '{\n  "name": "web",\n  "dependencies": {\n'
                '    "axios": "1.7.9",\n    "zustand": "5.0.9"\n  }\n}\n',
                "package-lock.json": _SYNC_LOCK,
            },
            count=1,
        ),
    )
    good_examples = (
        NodeRule.good(
            {
                "package.json": '{"name": "web", "dependencies": {"zustand": "5.0.9"}}\n',
                "package-lock.json": _SYNC_LOCK,
            }
        ),
    )

    def check_lock(self, context: Context, lock: PackageLock) -> Iterator[Finding]:
        for problem in unsatisfied_edges(context, lock):
            if not problem.missing:
                continue
            wanted = f"{problem.name}@{problem.spec}"
            if problem.package is not None:
                member = next(
                    d.member
                    for d in problem.package.dependencies
                    if d.name == problem.name and d.section == problem.section
                )
                message = f"Missing: {wanted} from lock file {lock.path} (run `npm install`)"
                yield self.finding(problem.package, problem.package.value_span(member), message)
            else:
                requester = lock.packages[problem.requester]
                message = f"Missing: {wanted}, required by {requester.name}, from lock file"
                yield self.finding(lock, lock.entry_key_span(requester), message)


@register
class LockEntryUnsatisfied(_LockRule):
    """A locked version does not satisfy the range package.json (or a locked package) asks for.

    ## What it does
    For each dependency of package.json (and of its workspaces), resolved as NP004 does,
    reports a lockfile entry whose `version` is outside the spec: `"vite": "^7.2.4"` in
    package.json while the lockfile still holds vite 5.4.0. npm's loose semver decides, as
    npm's own check does. A locked package whose own dependency is locked outside its range
    is not reported: npm ci installs such a tree as locked (`npm ls` shows it as invalid).

    ## Why is this bad?
    `npm ci` refuses such a lockfile ("Invalid: lock file's vite@5.4.0 does not satisfy
    vite@^7.2.4"), so the build fails; and whoever runs `npm install` instead gets a tree that
    differs from the one that was reviewed.

    ## Example
    package.json: `"vite": "7.2.4"`; package-lock.json: `"node_modules/vite": {"version": "5.4.0"}`.

    ## How to fix
    Run `npm install` to resolve the lockfile again, and commit it.
    """

    code = "NP005"
    name = "lock-entry-unsatisfied"
    summary = "A lockfile entry's version does not satisfy the declared range (npm ci fails)"
    severity = Severity.ERROR
    requirements = ("R9.3",)
    bad_examples = (
        NodeRule.bad(
            {
                "package.json": '{"name": "web", "dependencies": {"zustand": "^4.5.0"}}\n',
                "package-lock.json": _SYNC_LOCK,
            },
            count=1,
        ),
    )
    good_examples = (
        NodeRule.good(
            {
                "package.json": '{"name": "web", "dependencies": {"zustand": "^5.0.0"}}\n',
                "package-lock.json": _SYNC_LOCK,
            }
        ),
    )

    def check_lock(self, context: Context, lock: PackageLock) -> Iterator[Finding]:
        for problem in unsatisfied_edges(context, lock):
            if problem.missing or problem.entry is None:
                continue
            entry = problem.entry
            by = (
                "package.json"
                if problem.package is not None
                else lock.packages[problem.requester].name
            )
            if problem.package is not None:
                member = next(
                    d.member
                    for d in problem.package.dependencies
                    if d.name == problem.name and d.section == problem.section
                )
                by = f"{problem.package.path}:{problem.package.value_span(member).line}"
            message = (
                f"Invalid: lock file's {problem.name}@{_entry_version(lock, entry)} does not "
                f"satisfy {problem.name}@{problem.spec} ({by})"
            )
            yield self.finding(lock, lock.field_span(entry, "version"), message)


@register
class OldLockfileVersion(NodeRule):
    """package-lock.json is of lockfileVersion 1 (written by npm 6 or older).

    ## What it does
    Reports a package-lock.json or npm-shrinkwrap.json whose `lockfileVersion` is 1 or
    missing. Versions 2 and 3 (npm 7 and later) are current; mami-audit reads only those,
    so the other NP rules skip a version 1 lockfile.

    ## Why is this bad?
    npm 6 reached end of life with Node 14. npm 7+ treats a version 1 lockfile as
    incomplete: `npm ci` fetches the missing metadata from the registry (slower, and not
    the deterministic install R9.3 asks for) and `npm install` rewrites the whole file.

    ## Example
    ```json
    {"name": "web", "lockfileVersion": 1, "requires": true, "dependencies": {}}
    ```

    ## How to fix
    Run `npm install` with npm 9 or later (Node 18+) and commit the rewritten lockfile
    (`lockfileVersion` 3).
    """

    code = "NP006"
    name = "old-lockfile-version"
    summary = "package-lock.json has lockfileVersion 1 (npm 6)"
    requirements = ("R9.3",)
    bad_examples = (
        NodeRule.bad(
            {
                "package-lock.json": '{\n  "name": "web",\n  "lockfileVersion": 1,\n  "dependencies": {}\n}\n'
            },
            count=1,
        ),
        NodeRule.bad({"npm-shrinkwrap.json": '{"name": "web", "dependencies": {}}\n'}, count=1),
    )
    good_examples = (
        NodeRule.good(
            {"package-lock.json": '{"name": "web", "lockfileVersion": 3, "packages": {}}\n'}
        ),
    )

    def check(self, context: Context) -> Iterator[Finding]:
        for lock in context.project.documents("package-lock"):
            if lock.parse_error is not None or not isinstance(lock, PackageLock):
                continue
            member = lock.lockfile_version
            if member is None:
                message = "no lockfileVersion: written by npm 6 or older; npm 7+ rewrites it"
                yield self.finding(lock, Span.point(1), message)
            elif lock.version is not None and lock.version < 2:
                message = (
                    f"lockfileVersion {lock.version} (npm 6): regenerate it with a current npm"
                )
                yield self.finding(lock, lock.span(member.value.start, member.value.end), message)
