"""package.json itself: engines, the dev and build scripts, malformed fields, duplicate keys."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.documents.json_positions import JsonArray, JsonObject, Node, Opaque
from auditor.documents.package_json import DEPENDENCY_SECTIONS, PackageJson
from auditor.lazy_pattern import LazyPattern
from auditor.rule import Context, Finding, Fix, Severity, Span, register
from rules.node._base import (
    NodeRule,
    insert_member,
    is_frontend_app,
    lockfile_of,
    replace_value,
)
from rules.node._releases import lowest_admitted, oldest_supported_lts

_COMMAND_SPLIT_RE = LazyPattern(r"&&|\|\||;|\|")
_TYPECHECKERS = ("tsc", "vue-tsc", "svelte-check")
_RUN_SCRIPT_RE = LazyPattern(
    r"^(?:npm\s+run(?:-script)?|pnpm(?:\s+run)?|yarn(?:\s+run)?)\s+([\w:.-]+)"
)


def _depends_on(package: PackageJson, name: str) -> bool:
    return any(dependency.name == name for dependency in package.dependencies)


def _has_tsconfig(context: Context, package: PackageJson) -> bool:
    prefix = "" if package.folder == "." else f"{package.folder}/"
    return context.project.exists(f"{prefix}tsconfig.json")


def _strictest_engines(lock, package: PackageJson) -> str | None:
    """Of the engines.node ranges of the app's direct dependencies in the lock, the one
    whose lowest admitted Node is the highest (Vite's or its React plugin's, usually)."""
    if lock.version not in (2, 3):
        return None
    best: tuple[tuple[int, int], str] | None = None
    for name in dict.fromkeys(d.name for d in package.dependencies):
        entry = lock.resolve("", name)
        if entry is None or not entry.engines_node:
            continue
        lowest = lowest_admitted(entry.engines_node)
        if lowest is not None and (best is None or lowest > best[0]):
            best = (lowest, entry.engines_node)
    return best[1] if best else None


@register
class MissingEnginesNode(NodeRule):
    """A frontend app's package.json does not say which Node it needs.

    ## What it does
    Reports the package.json of a Vite or React app (one that depends on `vite` or `react`)
    that has a lockfile but no `engines.node`. The fix adds it: of the `engines.node`
    ranges the app's direct dependencies declare in the lockfile, the one that needs the
    newest Node (Vite's, usually), else `>=N` for the oldest Node LTS line still supported
    today.

    ## Why is this bad?
    `engines.node` is what tells people, CI and the Node-image check (NP007) which Node
    the app needs; without it, a `node:18` image or a developer on an old Node finds out
    from a crash inside the build.

    ## Example
    ```json
    {"name": "web", "devDependencies": {"vite": "7.2.4"}}
    ```

    ## How to fix
    ```json
    {"name": "web", "engines": {"node": "^20.19.0 || >=22.12.0"}, "devDependencies": {"vite": "7.2.4"}}
    ```
    """

    code = "NP009"
    name = "missing-engines-node"
    summary = "A frontend app's package.json has no engines.node"
    fixable = True
    _LOCK = (
        '{"name": "web", "lockfileVersion": 3, "packages": {\n'
        '  "": {"name": "web", "devDependencies": {"vite": "7.2.4"}},\n'
        '  "node_modules/vite": {"version": "7.2.4", "engines": {"node": "^20.19.0 || >=22.12.0"}}\n}}\n'
    )
    bad_examples = (
        NodeRule.bad(
            {
                "package.json": '{\n  "name": "web",\n  "scripts": {\n    "dev": "vite"\n  },\n'
                '  "devDependencies": {\n    "vite": "7.2.4"\n  }\n}\n',
                "package-lock.json": _LOCK,
            },
            {
                "package.json": '{\n  "name": "web",\n  "engines": {\n'
                '    "node": "^20.19.0 || >=22.12.0"\n  },\n  "scripts": {\n    "dev": "vite"\n  },\n'
                '  "devDependencies": {\n    "vite": "7.2.4"\n  }\n}\n',
            },
        ),
        NodeRule.bad(
            {
                "package.json": '{\n\t"name": "web",\n\t"engines": {\n\t\t"npm": ">=10"\n\t},\n'
                '\t"dependencies": {\n\t\t"react": "19.2.0"\n\t}\n}\n',
                "package-lock.json": '{"lockfileVersion": 3, "packages": {}}\n',
            },
            {
                "package.json": '{\n\t"name": "web",\n\t"engines": {\n\t\t"npm": ">=10",\n'
                f'\t\t"node": ">={oldest_supported_lts()}"\n\t}},\n'
                '\t"dependencies": {\n\t\t"react": "19.2.0"\n\t}\n}\n',
            },
        ),
    )
    good_examples = (
        NodeRule.good(
            {
                "package.json": '{"engines": {"node": ">=22"}, "devDependencies": {"vite": "7.2.4"}}\n',
                "package-lock.json": _LOCK,
            }
        ),
        NodeRule.good('{"devDependencies": {"vite": "7.2.4"}}\n'),
    )

    def check_package(self, context: Context, package: PackageJson) -> Iterator[Finding]:
        if not is_frontend_app(package) or package.engines_node is not None:
            return
        lock = lockfile_of(context, package)
        if lock is None or lock.parse_error is not None or package.root is None:
            return
        wanted = _strictest_engines(lock, package) or f">={oldest_supported_lts()}"
        root = package.root
        engines = root.member("engines")
        if engines is not None and isinstance(engines.value, JsonObject):
            edit = insert_member(package, engines.value, "node", wanted)
            span = package.key_span(engines)
        elif engines is None:
            before = root.member("scripts") or next(
                (root.member(s) for s in DEPENDENCY_SECTIONS if root.member(s)), None
            )
            edit = insert_member(package, root, "engines", {"node": wanted}, before)
            span = Span.point(1)
        else:
            return  # engines of the wrong type: NP017's to report
        fix = Fix.safe(f'Add "engines": {{"node": "{wanted}"}}', edit)
        yield self.finding(
            package, span, "no engines.node: which Node the app needs is unknown", fix
        )


@register
class MissingScript(NodeRule):
    """A Vite app's package.json lacks the `dev` or the `build` script.

    ## What it does
    In a package.json that depends on `vite`, checks that `scripts` has `dev` (R9.5: `npm
    run dev` starts the dev server, and R7.2's container runs it) and `build` (R9.4: `npm
    run build` produces the bundle).

    ## Why is this bad?
    The compose service, the Dockerfile and CI call these names: `npm run dev` fails with
    "Missing script" and the container exits at start; without `build` there is no
    production bundle.

    ## Example
    ```json
    {"scripts": {"start": "vite"}, "devDependencies": {"vite": "7.2.4"}}
    ```

    ## How to fix
    ```json
    {"scripts": {"dev": "vite", "build": "tsc -b && vite build"}}
    ```
    The fix adds what Vite's own templates have (safe: it adds a script that was not
    there, and changes none): `"dev": "vite"`, and `"build": "vite build"`, or
    `"tsc -b && vite build"` when the package declares `typescript` and has a
    `tsconfig.json` (`tsc -b` needs one).
    """

    code = "NP010"
    name = "missing-script"
    summary = "A Vite app's package.json has no dev or build script"
    severity = Severity.ERROR
    requirements = ("R9.4", "R9.5")
    fixable = True
    bad_examples = (
        NodeRule.bad(
            '{"scripts": {"start": "vite"}, "devDependencies": {"vite": "7.2.4"}}\n',
            '{"scripts": {"dev": "vite", "start": "vite", "build": "vite build"}, '
            '"devDependencies": {"vite": "7.2.4"}}\n',
            count=2,
        ),
        NodeRule.bad(
            '{\n  "name": "web",\n  "devDependencies": {\n    "vite": "7.2.4"\n  }\n}\n',
            '{\n  "name": "web",\n  "scripts": {\n    "dev": "vite",\n'
            '    "build": "vite build"\n  },\n  "devDependencies": {\n    "vite": "7.2.4"\n  }\n}\n',
            count=2,
        ),
        NodeRule.bad(
            '{\n\t"scripts": {},\n\t"devDependencies": {\n\t\t"vite": "7.2.4"\n\t}\n}',
            '{\n\t"scripts": {\n\t\t"dev": "vite",\n\t\t"build": "vite build"\n\t},\n'
            '\t"devDependencies": {\n\t\t"vite": "7.2.4"\n\t}\n}',
            count=2,
        ),
        NodeRule.bad(
            {
                "package.json": '{"scripts": {"dev": "vite"}, '
                '"devDependencies": {"typescript": "5.9.3", "vite": "7.2.4"}}\n',
                "tsconfig.json": '{"files": [], "references": []}\n',
            },
            {
                "package.json": '{"scripts": {"dev": "vite", "build": "tsc -b && vite build"}, '
                '"devDependencies": {"typescript": "5.9.3", "vite": "7.2.4"}}\n',
            },
            count=1,
        ),
    )
    good_examples = (
        NodeRule.good(
            '{"scripts": {"dev": "vite", "build": "tsc -b && vite build"}, '
            '"devDependencies": {"vite": "7.2.4"}}\n'
        ),
        NodeRule.good(
            '{"scripts": {"start": "node index.js"}, "dependencies": {"express": "5.1.0"}}\n'
        ),
    )

    def check_package(self, context: Context, package: PackageJson) -> Iterator[Finding]:
        if not _depends_on(package, "vite") or package.root is None:
            return
        scripts = package.root.member("scripts")
        span = package.key_span(scripts) if scripts is not None else Span.point(1)
        for name, criterion, purpose in (
            ("dev", "R9.5", "`npm run dev` (the dev server) fails"),
            ("build", "R9.4", "`npm run build` (the production bundle) fails"),
        ):
            if name not in package.scripts:
                message = f'no "{name}" script: {purpose} ({criterion})'
                fix = self._add_script(context, package, name)
                yield self.finding(package, span, message, fix)

    @staticmethod
    def _add_script(context: Context, package: PackageJson, name: str) -> Fix | None:
        root = package.root
        assert root is not None
        if name == "dev":
            command = "vite"
        elif _depends_on(package, "typescript") and _has_tsconfig(context, package):
            command = "tsc -b && vite build"
        else:
            command = "vite build"
        scripts = root.member("scripts")
        if scripts is None:
            before = next((root.member(s) for s in DEPENDENCY_SECTIONS if root.member(s)), None)
            edit = insert_member(package, root, "scripts", {name: command}, before)
        elif isinstance(scripts.value, JsonObject):
            # dev first, as Vite's templates have it; build at the end
            first = scripts.value.members[0] if scripts.value.members else None
            edit = insert_member(
                package, scripts.value, name, command, first if name == "dev" else None
            )
        else:
            return None  # scripts of the wrong type: NP017's to report
        return Fix.safe(f'Add the script "{name}": "{command}"', edit)


def _commands(script: str) -> list[str]:
    return [part.strip() for part in _COMMAND_SPLIT_RE.split(script) if part.strip()]


def _runs_typechecker(package: PackageJson, command: str, seen: set[str]) -> bool:
    words = command.split()
    if not words:
        return False
    program = words[0].rsplit("/", 1)[-1]
    if program in ("npx", "pnpx") and len(words) > 1:
        program = words[1]
    if program in _TYPECHECKERS:
        return True
    match = _RUN_SCRIPT_RE.match(command)
    if match and match.group(1) in package.scripts and match.group(1) not in seen:
        seen.add(match.group(1))
        inner = package.scripts[match.group(1)].command
        return any(_runs_typechecker(package, part, seen) for part in _commands(inner))
    return False


def _bundles(command: str) -> bool:
    words = command.split()
    if words and words[0] in ("npx", "pnpx"):
        words = words[1:]
    return len(words) >= 2 and words[0].rsplit("/", 1)[-1] == "vite" and words[1] == "build"


@register
class BuildWithoutTypecheck(NodeRule):
    """The build script bundles with Vite without type-checking first.

    ## What it does
    In a package.json that depends on `typescript` and `vite`, checks that the `build`
    script runs the type-checker (`tsc`, `tsc -b`, `vue-tsc`, directly or through another
    `npm run` script) before `vite build`, as `tsc -b && vite build` does.

    ## Why is this bad?
    Vite strips types without checking them (esbuild), so a type error ships in the
    bundle and surfaces in the browser. R9.4 asks `npm run build` to compile TypeScript,
    and a failing type-check must stop the image build.

    ## Example
    ```json
    {"scripts": {"build": "vite build"}}
    ```

    ## How to fix
    ```json
    {"scripts": {"build": "tsc -b && vite build"}}
    ```
    When the package has a `tsconfig.json`, the fix puts `tsc -b && ` before `vite build`
    in the script. It is unsafe: a build that passed may now stop on type errors (fix them,
    or the code the build ships has them), and `tsc -b` writes `.js` files unless
    tsconfig.json sets `"noEmit": true` (Vite's templates do). Without a tsconfig.json
    there is no fix: `tsc -b` would fail for want of one; add it first (`npm create vite`
    shows the template's).
    """

    code = "NP011"
    name = "build-without-typecheck"
    summary = "The build script runs vite build without tsc before it"
    requirements = ("R9.4",)
    fixable = True
    _DEPS = '"devDependencies": {"typescript": "5.9.3", "vite": "7.2.4"}'
    _TSCONFIG = '{"compilerOptions": {"noEmit": true}, "include": ["src"]}\n'
    bad_examples = (
        NodeRule.bad('{"scripts": {"build": "vite build"}, ' + _DEPS + "}\n", count=1),
        NodeRule.bad(
            {
                "package.json": '{"scripts": {"build": "vite build"}, ' + _DEPS + "}\n",
                "tsconfig.json": _TSCONFIG,
            },
            {"package.json": '{"scripts": {"build": "tsc -b && vite build"}, ' + _DEPS + "}\n"},
            count=1,
            unsafe=True,
        ),
        NodeRule.bad(
            {
                "package.json": '{"scripts": {"build": "rm -rf dist && vite build --mode prod"}, '
                + _DEPS
                + "}\n",
                "tsconfig.json": _TSCONFIG,
            },
            {
                "package.json": '{"scripts": {"build": "rm -rf dist && tsc -b && vite build '
                '--mode prod"}, ' + _DEPS + "}\n"
            },
            count=1,
            unsafe=True,
        ),
        NodeRule.bad(
            '{"scripts": {"build": "vite build && tsc --noEmit"}, ' + _DEPS + "}\n",
            count=1,
        ),
    )
    good_examples = (
        NodeRule.good('{"scripts": {"build": "tsc -b && vite build"}, ' + _DEPS + "}\n"),
        NodeRule.good(
            '{"scripts": {"typecheck": "vue-tsc --noEmit", "build": "npm run typecheck && vite build"}, '
            + _DEPS
            + "}\n"
        ),
        NodeRule.good(
            '{"scripts": {"build": "vite build"}, "devDependencies": {"vite": "7.2.4"}}\n'
        ),
    )

    def check_package(self, context: Context, package: PackageJson) -> Iterator[Finding]:
        build = package.scripts.get("build")
        if build is None or not (
            _depends_on(package, "typescript") and _depends_on(package, "vite")
        ):
            return
        commands = _commands(build.command)
        bundle_at = next((i for i, command in enumerate(commands) if _bundles(command)), None)
        if bundle_at is None:
            return
        if any(_runs_typechecker(package, command, set()) for command in commands[:bundle_at]):
            return
        message = (
            f"`{build.command}` bundles without type-checking first: run `tsc -b && vite build`"
        )
        fix = None
        if _has_tsconfig(context, package):
            start = _command_start(build.command, bundle_at)
            command = f"{build.command[:start]}tsc -b && {build.command[start:]}"
            value = build.member.value
            fix = Fix.unsafe(
                f'Type-check before bundling: "build": "{command}" (the build now stops on '
                'type errors; tsconfig.json must set "noEmit" or tsc writes .js files)',
                replace_value(package, value.start, value.end, command),
            )
        else:
            message += " (no fix offered: there is no tsconfig.json for `tsc -b` to read)"
        yield self.finding(package, package.value_span(build.member), message, fix)


def _command_start(script: str, index: int) -> int:
    """Offset in `script` where its `index`-th command (as `_commands` counts) starts."""
    position = 0
    count = 0
    for separator in (*_COMMAND_SPLIT_RE.compiled.finditer(script), None):
        end = separator.start() if separator else len(script)
        part = script[position:end]
        if part.strip():
            if count == index:
                return position + len(part) - len(part.lstrip())
            count += 1
        position = separator.end() if separator else len(script)
    return 0


def _walk_objects(node: Node) -> Iterator[JsonObject]:
    if isinstance(node, JsonObject):
        yield node
        for member in node.members:
            yield from _walk_objects(member.value)
    elif isinstance(node, JsonArray):
        for item in node.items:
            yield from _walk_objects(item)


@register
class DuplicateKey(NodeRule):
    """A key appears twice in the same object of package.json or package-lock.json.

    ## What it does
    Reports each key that is repeated within one JSON object of a package.json (anywhere),
    or at the top levels of a package-lock.json.

    ## Why is this bad?
    JSON allows it, and `JSON.parse` silently keeps the last one: the first `"react"` entry
    or the first `"scripts"` block is ignored by npm, though it is what a reader sees first.
    It is usually a merge gone wrong.

    ## Example
    ```json
    {"dependencies": {"react": "19.2.0", "react": "18.3.1"}}
    ```

    ## How to fix
    Keep one of the entries (the one you mean; npm used the last).
    """

    code = "NP016"
    name = "duplicate-json-key"
    summary = "A JSON key is repeated in package.json or package-lock.json (the last one wins)"
    severity = Severity.ERROR
    bad_examples = (
        NodeRule.bad(
            '{\n  "dependencies": {\n    "react": "19.2.0",\n    "react": "18.3.1"\n  }\n}\n',
            count=1,
        ),
        NodeRule.bad(
            {"package-lock.json": '{"lockfileVersion": 3, "lockfileVersion": 2, "packages": {}}\n'}
        ),
    )
    good_examples = (
        NodeRule.good('{"dependencies": {"react": "19.2.0", "react-dom": "19.2.0"}}\n'),
    )

    def check(self, context: Context) -> Iterator[Finding]:
        for kind in ("package-json", "package-lock"):
            for document in context.project.documents(kind):
                root = getattr(document, "root", None)
                if document.parse_error is not None or root is None:
                    continue
                for obj in _walk_objects(root):
                    for member in obj.duplicates():
                        last = obj.member(member.key)
                        line = document.position(last.key_start)[0] if last else 0
                        message = (
                            f'"{member.key}" appears again on line {line}; npm uses only the last'
                        )
                        yield self.finding(
                            document,
                            document.span(member.key_start, member.key_end),
                            message,
                        )


@register
class MalformedField(NodeRule):
    """A package.json field npm reads has the wrong type.

    ## What it does
    Reports a dependency section (`dependencies`, `devDependencies`, ...) or `scripts` that
    is not an object, a dependency or script whose value is not a string, and `engines` or
    `engines.node` of the wrong type.

    ## Why is this bad?
    npm rejects or ignores such a field (`npm install` fails with "Invalid dependency
    type" or drops the entry), and every rule reading it has to skip it.

    ## Example
    ```json
    {"dependencies": ["react"], "scripts": {"build": ["vite", "build"]}}
    ```

    ## How to fix
    Dependencies and scripts are objects of strings: `{"dependencies": {"react": "19.2.0"}}`.
    """

    code = "NP017"
    name = "malformed-package-field"
    summary = "A package.json field has the wrong type (npm rejects or ignores it)"
    severity = Severity.ERROR
    bad_examples = (
        NodeRule.bad(
            '{"dependencies": ["react"], "scripts": {"build": ["vite"]}, "engines": {"node": 22}}\n',
            count=3,
        ),
    )
    good_examples = (
        NodeRule.good(
            '{"dependencies": {"react": "19.2.0"}, "scripts": {"build": "vite build"}}\n'
        ),
    )

    def check_package(self, context: Context, package: PackageJson) -> Iterator[Finding]:
        for what, member in package.malformed:
            if what == "scripts" or "." not in what and what in DEPENDENCY_SECTIONS:
                message = f'"{what}" must be an object'
            else:
                message = f'"{what}" must be a string'
            yield self.finding(package, package.value_span(member), message)
        engines = package.root.member("engines") if package.root else None
        if engines is None:
            return
        if not isinstance(engines.value, (JsonObject, Opaque)):
            yield self.finding(package, package.value_span(engines), '"engines" must be an object')
            return
        node = engines.value.member("node") if isinstance(engines.value, JsonObject) else None
        if node is not None and not isinstance(node.value.value, str):
            yield self.finding(
                package,
                package.value_span(node),
                '"engines.node" must be a string range',
            )
