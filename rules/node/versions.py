"""Declared versions: the spec's exact versions, ranges where pins are wanted, the same
package at different versions across package.json files, a package declared twice."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.documents.json_positions import JsonObject
from auditor.documents.package_json import Dependency, PackageJson
from auditor.documents.package_lock import PackageLock
from auditor.lazy_pattern import LazyPattern
from auditor.npm_semver import exact_version, satisfies, spec_kind
from auditor.rule import Context, Finding, Fix, Severity, register
from rules.node._base import (
    NodeRule,
    insert_member,
    is_frontend_app,
    lock_importer_path,
    remove_member,
    replace_value,
    spec_packages,
    usable_lockfile,
)
from rules.node.lockfile import unsatisfied_edges

_PINNED_SECTIONS = {
    "all": ("dependencies", "devDependencies", "optionalDependencies"),
    "dependencies": ("dependencies",),
    "none": (),
}
# Spec packages the reference project declares in devDependencies: they build the bundle.
_BUILD_TOOLS = frozenset({"typescript", "vite", "tailwindcss"})
_FIRST_VERSION_RE = LazyPattern(r"(\d+)(?:\.(\d+))?(?:\.(\d+))?")


@register
class SpecVersionMismatch(NodeRule):
    """A package the spec names is missing or not at the spec's exact version.

    ## What it does
    In a frontend package.json (one that depends on `vite` or `react`), checks that React
    and React DOM, TypeScript and Vite (R9.1), TailwindCSS, Zustand and React Router DOM
    (R9.2) are declared at exactly the expected versions; in the app itself (the package
    that depends on `vite`), also that none of them is missing. The versions come from
    `[tool.mami-audit.expect]` (`react-version`, `typescript-version`, `vite-version`,
    `tailwindcss-version`, `zustand-version`, `react-router-version`), whose defaults are the
    spec's: 19.2.0, 5.9.3, 7.2.4, 4.1.18, 5.0.9 and 6.30.2.

    ## Why is this bad?
    The spec fixes these versions because they were tested together: React 19 with a
    matching React DOM, Vite 7 with its Node requirement, React Router 6's API. A range or an
    older major installs something else than what was tested.

    ## Example
    ```json
    {"dependencies": {"react": "^18.2.0", "react-dom": "^18.2.0"}}
    ```

    ## How to fix
    Declare the exact versions, then refresh the lockfile with `npm install` and commit it.
    The fix (unsafe) writes the version into package.json only: until the lockfile is
    refreshed, `npm ci` refuses to install (NP004/NP005 say so). A missing package is added
    in the section the spec's reference project has it in (React, React DOM, React Router
    DOM and Zustand in `dependencies`; TypeScript, Vite and TailwindCSS, build tools, in
    `devDependencies`), at its key's alphabetical place.
    """

    code = "NP001"
    name = "node-spec-version-mismatch"
    summary = "A package of R9.1/R9.2 is missing or not at the spec's exact version"
    severity = Severity.ERROR
    requirements = ("R9.1", "R9.2")
    fixable = True
    _ALL = (
        '  "react-router-dom": "6.30.2",\n    "zustand": "5.0.9"\n  },\n'
        '  "devDependencies": {\n    "tailwindcss": "4.1.18",\n'
        '    "typescript": "5.9.3",\n    "vite": "7.2.4"\n  }\n}\n'
    )
    bad_examples = (
        NodeRule.bad(
            '{\n  "dependencies": {\n    "react": "^18.2.0",\n    "react-dom": "19.2.0",\n' + _ALL,
            '{\n  "dependencies": {\n    "react": "19.2.0",\n    "react-dom": "19.2.0",\n' + _ALL,
            unsafe=True,
            count=1,
        ),
        NodeRule.bad(
            '{"dependencies": {"react": "19.2.0"}, "devDependencies": {"vite": "7.2.4"}}\n',
            '{"dependencies": {"react": "19.2.0", "react-dom": "19.2.0", '
            '"react-router-dom": "6.30.2", "zustand": "5.0.9"}, "devDependencies": '
            '{"tailwindcss": "4.1.18", "typescript": "5.9.3", "vite": "7.2.4"}}\n',
            count=5,
            unsafe=True,
        ),
        NodeRule.bad(
            '{\n  "name": "web",\n  "devDependencies": {\n    "react": "19.2.0",\n'
            '    "react-dom": "19.2.0",\n    "react-router-dom": "6.30.2",\n'
            '    "tailwindcss": "4.1.18",\n    "typescript": "5.9.3",\n    "vite": "7.2.4"\n  }\n}\n',
            '{\n  "name": "web",\n  "dependencies": {\n    "zustand": "5.0.9"\n  },\n'
            '  "devDependencies": {\n    "react": "19.2.0",\n'
            '    "react-dom": "19.2.0",\n    "react-router-dom": "6.30.2",\n'
            '    "tailwindcss": "4.1.18",\n    "typescript": "5.9.3",\n    "vite": "7.2.4"\n  }\n}\n',
            count=1,
            unsafe=True,
        ),
    )
    good_examples = (
        NodeRule.good(
            '{\n  "dependencies": {\n    "react": "19.2.0",\n    "react-dom": "=19.2.0",\n' + _ALL
        ),
        NodeRule.good('{"name": "a-cli-tool", "dependencies": {"commander": "^12.0.0"}}\n'),
        NodeRule.good('{"name": "ui-kit", "dependencies": {"react": "19.2.0"}}\n'),
        NodeRule.good(
            '{\n  "dependencies": {\n    "react": "18.3.1",\n    "react-dom": "18.3.1",\n' + _ALL,
            config={"expect": {"react-version": "18.3.1"}},
        ),
    )

    def check_package(self, context: Context, package: PackageJson) -> Iterator[Finding]:
        if not is_frontend_app(package):
            return
        builds_with_vite = any(d.name == "vite" for d in package.dependencies)
        for name, (expected, criterion) in spec_packages(context.expect).items():
            declared = [
                d
                for d in package.dependencies
                if d.name == name and d.section != "peerDependencies"
            ]
            if not declared:
                if builds_with_vite:  # the app itself; a React library need not declare Vite
                    yield self._missing(package, name, expected, criterion)
                continue
            for dependency in declared:
                if exact_version(dependency.spec) == expected:
                    continue
                value = dependency.member.value
                fix = Fix.unsafe(
                    f"Set {name} to {expected} (then run `npm install` to refresh the lockfile)",
                    replace_value(package, value.start, value.end, expected),
                )
                message = f"{name} is `{dependency.spec}`; {criterion} expects exactly {expected}"
                yield self.finding(package, package.value_span(dependency.member), message, fix)

    def _missing(self, package: PackageJson, name: str, expected: str, criterion: str) -> Finding:
        assert package.root is not None
        anchor = package.root.member("dependencies") or package.root.member("devDependencies")
        span = (
            package.key_span(anchor)
            if anchor
            else package.span(package.root.start, package.root.start + 1)
        )
        message = f"{name} is not declared; {criterion} expects {name} {expected}"
        return self.finding(package, span, message, self._declare(package, name, expected))

    @staticmethod
    def _declare(package: PackageJson, name: str, expected: str) -> Fix | None:
        root = package.root
        assert root is not None
        section = "devDependencies" if name in _BUILD_TOOLS else "dependencies"
        member = root.member(section)
        if member is None:
            before = root.member("devDependencies") if section == "dependencies" else None
            edit = insert_member(package, root, section, {name: expected}, before)
        elif isinstance(member.value, JsonObject):
            after = [m for m in member.value.members if m.key > name]
            edit = insert_member(package, member.value, name, expected, after[0] if after else None)
        else:
            return None  # a section of the wrong type: NP017's to report
        return Fix.unsafe(
            f'Add "{name}": "{expected}" to {section} (then run `npm install` to refresh the '
            "lockfile)",
            edit,
        )


@register
class UnpinnedRange(NodeRule):
    """A dependency declared with a range (or a tag like `latest`) where exact pins are wanted.

    ## What it does
    Reports each dependency of the sections `[tool.mami-audit.expect] node-pins` names
    (`all`: dependencies, devDependencies and optionalDependencies, the default;
    `dependencies`: that section only; `none`: off) whose spec is a range (`^1.2.3`,
    `~1.2`, `>=1`, `*`) or a dist-tag (`latest`). Peer dependencies are ranges by design and
    are not checked. Specs that are not versions from the registry are skipped: git URLs,
    `file:` and `link:` paths, `workspace:` and npm aliases (`npm:react@19`). The packages
    NP001 checks against the spec are left to it in a frontend app.

    ## Why is this bad?
    The lockfile pins what `npm ci` installs, but a range in package.json lets the next
    `npm install` (a new dependency, a Dependabot bump, the R7.1 dev container's start) move
    every package to whatever the range allows that day. Exact versions in package.json make
    every upgrade a reviewed change.

    ## Example
    ```json
    {"dependencies": {"axios": "^1.7.0"}}
    ```

    ## How to fix
    Write the version the lockfile resolved: `"axios": "1.7.9"`. The fix does that when the
    lockfile resolves the package to a version inside the range and `npm ci` would accept
    the lockfile (safe: the installed version does not change; the lockfile's record of the
    spec is updated too). For a dist-tag the fix is unsafe: the tag may point elsewhere now.
    """

    code = "NP002"
    name = "unpinned-range"
    summary = "A dependency uses a version range or a dist-tag instead of an exact version"
    fixable = True
    _LOCK = (
        '{\n  "name": "api-client",\n  "lockfileVersion": 3,\n  "requires": true,\n'
        '  "packages": {\n    "": {\n      "name": "api-client",\n'
        '      "dependencies": {\n        "axios": "%s"\n      }\n    },\n'
        '    "node_modules/axios": {\n      "version": "1.7.9",\n'
        '      "resolved": "https://registry.npmjs.org/axios/-/axios-1.7.9.tgz"\n    }\n  }\n}\n'
    )
    bad_examples = (
        NodeRule.bad(
            {
                "package.json": '{\n  "name": "api-client",\n  "dependencies": {\n'
                '    "axios": "^1.7.0"\n  }\n}\n',
                "package-lock.json": _LOCK % "^1.7.0",
            },
            {
                "package.json": '{\n  "name": "api-client",\n  "dependencies": {\n'
                '    "axios": "1.7.9"\n  }\n}\n',
                "package-lock.json": _LOCK % "1.7.9",
            },
        ),
        NodeRule.bad('{"devDependencies": {"eslint": "latest", "prettier": "~3.3"}}\n', count=2),
    )
    good_examples = (
        NodeRule.good(
            '{"dependencies": {"axios": "1.7.9"}, "peerDependencies": {"react": ">=18"}}\n'
        ),
        NodeRule.good(
            '{"dependencies": {"a": "file:../a", "b": "github:org/b#v1", "c": "npm:axios@^1"}}\n'
        ),
        NodeRule.good(
            '{"dependencies": {"axios": "1.7.9"}, "devDependencies": {"eslint": "^9"}}\n',
            config={"expect": {"node-pins": "dependencies"}},
        ),
    )

    def check_package(self, context: Context, package: PackageJson) -> Iterator[Finding]:
        sections = _PINNED_SECTIONS.get(context.expect.node_pins, ())
        left_to_np001 = set(spec_packages(context.expect)) if is_frontend_app(package) else set()
        lock = usable_lockfile(context, package)
        in_sync = lock is not None and not any(unsatisfied_edges(context, lock))
        for dependency in package.dependencies:
            if dependency.section not in sections or dependency.name in left_to_np001:
                continue
            kind = spec_kind(dependency.spec)
            if kind not in ("range", "tag"):
                continue
            shown = dependency.spec or '""'
            what = "a dist-tag" if kind == "tag" else "a range"
            message = f"{dependency.name} is {what} (`{shown}`) in {dependency.section}: pin an exact version"
            fix = self._pin(package, lock, dependency, kind) if in_sync else None
            if lock is not None and not in_sync:
                message += (
                    " (no fix yet: the lockfile is out of sync, so which version it installs is "
                    "unknown; after `npm install`, --fix pins the locked one)"
                )
            yield self.finding(package, package.value_span(dependency.member), message, fix)

    def _pin(
        self, package: PackageJson, lock: PackageLock, dependency: Dependency, kind: str
    ) -> Fix | None:
        """Pin to the locked version; the lock's own record of the spec (its root or workspace
        entry) follows, so that package.json and the lockfile still agree."""
        importer = lock_importer_path(lock, package)
        entry = lock.resolve(importer, dependency.name)
        version = entry.version if entry is not None else None
        if version is None or (kind == "range" and not satisfies(version, dependency.spec)):
            return None
        value = dependency.member.value
        edits = [replace_value(package, value.start, value.end, version)]
        importer_entry = lock.packages.get(importer)
        node = importer_entry.node() if importer_entry is not None else None
        section = node.get(dependency.section) if node is not None else None
        recorded = section.member(dependency.name) if isinstance(section, JsonObject) else None
        if recorded is not None and recorded.value.value == dependency.spec:
            edits.append(replace_value(lock, recorded.value.start, recorded.value.end, version))
        message = f"Pin {dependency.name} to {version}, the version the lockfile installs"
        if kind == "tag":
            return Fix.unsafe(
                message + f" (the tag `{dependency.spec}` may point elsewhere now)",
                *edits,
            )
        return Fix.safe(message, *edits)


def _version_key(spec: str) -> tuple[int, int, int]:
    match = _FIRST_VERSION_RE.search(spec)
    if match is None:
        return (-1, -1, -1)
    return tuple(int(part or 0) for part in match.groups())  # type: ignore[return-value]


@register
class VersionMismatchAcrossPackages(NodeRule):
    """The same package is declared with different versions in the project's package.json files.

    ## What it does
    Compares, across every package.json of the project, the specs of each package declared
    in dependencies, devDependencies or optionalDependencies. Where they differ, each
    declaration that is not the highest is reported, naming where the highest one is.
    Local specs (`file:`, `link:`, `workspace:`) are not compared. A package.json that the
    configuration excludes (an example or a fixture, audited because its path was named)
    is compared only with other such files, not with the project's own. Mirrors syncpack's
    version-mismatch check (`syncpack lint`).

    ## Why is this bad?
    Two parts of one project built against different majors of React or TypeScript behave
    differently, and in a workspaces project npm installs both copies: a second React
    breaks hooks at run time.

    ## Example
    ```json
    // frontend/package.json
    {"dependencies": {"react": "19.2.0"}}
    // admin/package.json
    {"dependencies": {"react": "18.3.1"}}
    ```

    ## How to fix
    Declare the same version everywhere (the highest, usually), then `npm install`.
    """

    code = "NP014"
    name = "version-mismatch-across-packages"
    summary = "The same package has different versions in different package.json files"
    peers = ("syncpack:DiffersToHighestOrLowestSemver",)
    bad_examples = (
        NodeRule.bad(
            {
                "frontend/package.json": '{"dependencies": {"react": "19.2.0"}}\n',
                "admin/package.json": '{"dependencies": {"react": "^18.3.1"}}\n',
            },
            count=1,
        ),
    )
    good_examples = (
        NodeRule.good(
            {
                "frontend/package.json": '{"dependencies": {"react": "19.2.0"}}\n',
                "admin/package.json": '{"devDependencies": {"react": "19.2.0"}, '
                '"peerDependencies": {"react": ">=18"}}\n',
                "lib/package.json": '{"dependencies": {"react": "file:../vendor/react"}}\n',
            }
        ),
    )

    def check(self, context: Context) -> Iterator[Finding]:
        from auditor.project import exclusion_matcher

        excluded = exclusion_matcher(context.config.excluded_patterns)
        groups: dict[bool, list[PackageJson]] = {}
        for package in context.project.documents("package-json"):
            if package.parse_error is None and isinstance(package, PackageJson):
                groups.setdefault(bool(excluded.match_file(package.path)), []).append(package)
        for packages in groups.values():
            yield from self._compare(packages)

    def _compare(self, packages: list[PackageJson]) -> Iterator[Finding]:
        declared: dict[str, list[tuple[PackageJson, Dependency]]] = {}
        for package in packages:
            for dependency in package.dependencies:
                if dependency.section == "peerDependencies":
                    continue
                if spec_kind(dependency.spec) in ("file", "workspace"):
                    continue
                declared.setdefault(dependency.name, []).append((package, dependency))
        for name, places in sorted(declared.items()):
            specs = {dependency.spec for _, dependency in places}
            if len(specs) < 2:
                continue
            highest = max(places, key=lambda place: _version_key(place[1].spec))
            where = f"{highest[0].path}:{highest[0].value_span(highest[1].member).line}"
            for package, dependency in places:
                if dependency.spec == highest[1].spec:
                    continue
                message = f"{name} is `{dependency.spec}` here but `{highest[1].spec}` in {where}"
                yield self.finding(package, package.value_span(dependency.member), message)


@register
class DependencyInBothSections(NodeRule):
    """A package is declared in both dependencies and devDependencies.

    ## What it does
    Reports a package that package.json lists under `dependencies` and again under
    `devDependencies` (peerDependencies next to devDependencies is the normal way to
    develop a library, and is not reported).

    ## Why is this bad?
    npm installs one of the two, and which spec wins is not what a reader of the file
    expects; upgrading one entry leaves the other behind, and a production install
    (`npm ci --omit=dev`) may or may not get the package.

    ## Example
    ```json
    {"dependencies": {"zustand": "5.0.9"}, "devDependencies": {"zustand": "5.0.8"}}
    ```

    ## How to fix
    Keep one entry: in `dependencies` when the built app or the server needs it at run
    time, else in `devDependencies`. When both entries say exactly the same thing, the fix
    removes the `devDependencies` copy (safe: npm installs the same version, and a
    production install still gets it from `dependencies`). Entries that differ are left to
    you: which version is meant is not known.
    """

    code = "NP015"
    name = "dependency-in-both-sections"
    summary = "A package is in both dependencies and devDependencies"
    fixable = True
    bad_examples = (
        NodeRule.bad(
            '{"dependencies": {"zustand": "5.0.9"}, "devDependencies": {"zustand": "5.0.9"}}\n',
            '{"dependencies": {"zustand": "5.0.9"}, "devDependencies": {}}\n',
            count=1,
        ),
        NodeRule.bad(
            '{\n  "dependencies": {\n    "react": "19.2.0"\n  },\n  "devDependencies": {\n'
            '    "vite": "7.2.4",\n    "react": "19.2.0"\n  }\n}\n',
            '{\n  "dependencies": {\n    "react": "19.2.0"\n  },\n  "devDependencies": {\n'
            '    "vite": "7.2.4"\n  }\n}\n',
            count=1,
        ),
        NodeRule.bad(
            '{"dependencies": {"react": "19.2.0"}, "devDependencies": {"react": "^18.2.0"}}\n',
            count=1,
        ),
    )
    good_examples = (
        NodeRule.good(
            '{"devDependencies": {"react": "19.2.0"}, "peerDependencies": {"react": ">=18"}}\n'
        ),
    )

    def check_package(self, context: Context, package: PackageJson) -> Iterator[Finding]:
        runtime = {d.name: d for d in package.dependencies if d.section == "dependencies"}
        for dependency in package.dependencies:
            if dependency.section == "devDependencies" and dependency.name in runtime:
                line = package.value_span(runtime[dependency.name].member).line
                message = (
                    f"{dependency.name} is in devDependencies and in dependencies (line {line})"
                )
                fix = None
                if dependency.spec == runtime[dependency.name].spec:
                    fix = self._drop_dev_copy(package, dependency)
                else:
                    message += (
                        f" at another version (`{dependency.spec}` against "
                        f"`{runtime[dependency.name].spec}`): keep the one you mean"
                    )
                yield self.finding(package, package.key_span(dependency.member), message, fix)

    @staticmethod
    def _drop_dev_copy(package: PackageJson, dependency: Dependency) -> Fix | None:
        section = package.root.member("devDependencies") if package.root else None
        if section is None or not isinstance(section.value, JsonObject):
            return None
        if section.value.member(dependency.name) is not dependency.member:
            return None  # a duplicated key: NP016's to sort out first
        edit = remove_member(package, section.value, dependency.member)
        return Fix.safe(f"Remove the devDependencies copy of {dependency.name}", edit)
