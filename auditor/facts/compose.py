"""The compose stack as Docker Compose assembles it, every value still knowing where it is written.

For each folder holding compose files (see `auditor.documents.compose`), the stacks are:

- "default": the base file plus its `.override` file when there is one (`docker compose up`);
- one per other `docker-compose.<x>.yml`: the base plus that file (`-f base -f <x>`), e.g. "prod".

Building a stack does what Compose's loader does, statically:

1. interpolation of `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?error}`,
   `${VAR?error}`, `${VAR:+alt}`, `$VAR` and `$$` in values (not keys), with the variables of
   the folder's `.env.example` overlaid by its `.env` (Compose reads `.env`; the repository
   carries the example). A required variable that is unset leaves its value unknown (None)
   rather than failing: production files require secrets on purpose;
2. `include` (other compose files whose services join this one) and `extends` (a service
   built on another, in this file or another), with cycles and paths outside the root refused;
3. the merge of each later file over the earlier, per the compose-spec merge rules:
   mappings merge key by key, `ports`/`expose`/`dns`... append, `volumes` and the like are
   unique by their target, `environment`/`labels`/`depends_on`/`networks` merge as mappings
   whichever syntax each file uses, `command`/`entrypoint`/`healthcheck.test` replace, and
   `!reset` / `!override` remove or replace what the earlier files set.

The result is a tree of `Node`s: the plain value plus the file, line and column it came from.
Problems (bad interpolation, a missing include, an extends cycle) are recorded with their
positions for the CP rules to report; they never raise.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, NamedTuple

from auditor.documents import compose as compose_document
from auditor.documents import yaml_tree
from auditor.records import field, record

if TYPE_CHECKING:
    from auditor.documents.compose import ComposeFile
    from auditor.project import Project


class Origin(NamedTuple):
    path: str  # the compose file, relative to the project root
    line: int
    column: int = 1


class Problem(NamedTuple):
    origin: Origin
    message: str


@record
class Node:
    """A value with its origin. `value` is a dict[str, Node], a list[Node] or a scalar."""

    value: Any
    origin: Origin
    tag: str | None = None  # "!reset" / "!override" as written
    interpolated: bool = False  # the text held a `$` substitution (the schema is lenient there)

    def get(self, key: str) -> Node | None:
        return self.value.get(key) if isinstance(self.value, dict) else None

    def plain(self) -> Any:
        if isinstance(self.value, dict):
            return {key: node.plain() for key, node in self.value.items()}
        if isinstance(self.value, list):
            return [node.plain() for node in self.value]
        return self.value

    @property
    def is_map(self) -> bool:
        return isinstance(self.value, dict)

    @property
    def is_list(self) -> bool:
        return isinstance(self.value, list)


# --- interpolation ------------------------------------------------------------------------


class InterpolationError(ValueError):
    pass


class Unresolved(ValueError):
    """A `${VAR:?message}` whose variable is unset: Compose would refuse to start."""


def interpolate(text: str, variables: dict[str, str]) -> str:
    """`text` with Compose's substitutions applied. Raises InterpolationError on a malformed
    expression and Unresolved on a required variable that is unset."""
    out: list[str] = []
    index = 0
    length = len(text)
    while index < length:
        char = text[index]
        if char != "$":
            out.append(char)
            index += 1
            continue
        following = text[index + 1] if index + 1 < length else ""
        if following == "$":
            out.append("$")
            index += 2
        elif following == "{":
            end = _closing_brace(text, index + 2)
            if end < 0:
                raise InterpolationError(f"`{text[index:]}` has no closing `}}`")
            out.append(_expression(text[index + 2 : end], variables))
            index = end + 1
        elif following.isalpha() or following == "_":
            end = index + 1
            while end < length and (text[end].isalnum() or text[end] == "_"):
                end += 1
            out.append(variables.get(text[index + 1 : end], ""))
            index = end
        else:  # a lone `$` stays as it is, as in Compose
            out.append("$")
            index += 1
    return "".join(out)


def _closing_brace(text: str, start: int) -> int:
    depth = 1
    for position in range(start, len(text)):
        if text[position] == "{" and text[position - 1] == "$":
            depth += 1
        elif text[position] == "}":
            depth -= 1
            if depth == 0:
                return position
    return -1


def _expression(body: str, variables: dict[str, str]) -> str:
    name_end = 0
    while name_end < len(body) and (body[name_end].isalnum() or body[name_end] == "_"):
        name_end += 1
    name, rest = body[:name_end], body[name_end:]
    if not name or name[0].isdigit():
        raise InterpolationError(f"`${{{body}}}` does not start with a variable name")
    value = variables.get(name)
    if not rest:
        return value or ""
    for operator in (":-", ":?", ":+", "-", "?", "+"):
        if rest.startswith(operator):
            argument = interpolate(rest[len(operator) :], variables)
            empty_counts = operator.startswith(":")
            missing = value is None or (empty_counts and value == "")
            if operator.endswith("-"):
                return argument if missing else value or ""
            if operator.endswith("?"):
                if missing:
                    raise Unresolved(argument or f"{name} is required")
                return value or ""
            return "" if missing else argument
    raise InterpolationError(f"`${{{body}}}` is not a substitution Compose understands")


def read_env_file(text: str) -> dict[str, str]:
    """KEY=VALUE lines as Compose's dotenv reads them (comments, `export`, quotes)."""
    values: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        key = key.strip().removeprefix("export ").strip()
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        elif " #" in value:
            value = value.split(" #", 1)[0].rstrip()
        values[key] = value
    return values


# --- from YAML to Nodes ---------------------------------------------------------------------


class _Reader:
    """Turns one file's round-trip tree into Nodes, interpolating scalar values."""

    def __init__(self, path: str, variables: dict[str, str], problems: list[Problem]) -> None:
        self.path = path
        self.variables = variables
        self.problems = problems

    def node(self, raw: Any, where: tuple[int, int] | None, fallback: Origin) -> Node:
        origin = Origin(self.path, *where) if where else fallback
        tag = yaml_tree.tag_of(raw)
        if isinstance(raw, dict):
            mapping: dict[str, Node] = {}
            for key, child in raw.items():
                mapping[str(key)] = self.node(child, yaml_tree.key_position(raw, key), origin)
            return Node(mapping, origin, tag)
        if isinstance(raw, list):
            items = [
                self.node(child, yaml_tree.item_position(raw, index), origin)
                for index, child in enumerate(raw)
            ]
            return Node(items, origin, tag)
        if isinstance(raw, yaml_tree.Tagged):  # `!reset null` and the like
            raw = raw.value
        if isinstance(raw, str):
            return Node(self.scalar(raw, origin), origin, tag, interpolated="$" in raw)
        return Node(raw, origin, tag)

    def scalar(self, text: str, origin: Origin) -> str | None:
        if "$" not in text:
            return str(text)
        try:
            return interpolate(str(text), self.variables)
        except Unresolved:
            return None  # unknown: Compose needs the variable set to start
        except InterpolationError as exc:
            self.problems.append(Problem(origin, f"invalid interpolation: {exc}"))
            return str(text)


# --- merging ------------------------------------------------------------------------------

# Sequences that append (and drop exact duplicates) when a later file sets them.
_APPENDED = frozenset(
    {
        "expose",
        "external_links",
        "dns",
        "dns_search",
        "dns_opt",
        "tmpfs",
        "cap_add",
        "cap_drop",
        "security_opt",
        "group_add",
        "profiles",
        "env_file",
        "label_file",
    }
)
# Sequences whose items are unique by a key (their target): a later item replaces an earlier.
_UNIQUE_BY_TARGET = frozenset({"volumes", "secrets", "configs", "devices"})
# Values that may be written as a list (`KEY=VALUE`, `- name`) or as a mapping.
_MAPPINGS = frozenset(
    {
        "environment",
        "labels",
        "annotations",
        "extra_hosts",
        "sysctls",
        "depends_on",
        "networks",
        "links",
    }
)
# Replaced whole, never merged.
_REPLACED = frozenset({"command", "entrypoint", "test"})


def as_mapping(key: str, node: Node) -> Node:
    """The list syntax of a mergeable mapping as a mapping (`- A=1` -> {A: 1})."""
    if not node.is_list:
        return node
    mapping: dict[str, Node] = {}
    for item in node.value:
        text = item.value
        if text is None:
            continue
        text = str(text)
        if key in ("environment", "labels", "annotations", "sysctls"):
            name, has_value, value = text.partition("=")
            mapping[name] = Node(value if has_value else None, item.origin)
        elif key == "extra_hosts":
            name, _, value = text.replace("=", ":", 1).partition(":")
            mapping[name] = Node(value, item.origin)
        elif key == "depends_on":
            mapping[text] = Node({"condition": Node("service_started", item.origin)}, item.origin)
        else:  # networks, links
            mapping[text] = Node(None, item.origin)
    return Node(mapping, node.origin, node.tag)


def _item_identity(key: str, item: Node) -> Any:
    if key in _UNIQUE_BY_TARGET:
        if item.is_map:
            target = item.get("target")
            return target.value if target else repr(item.plain())
        text = str(item.value)
        if key == "volumes":
            return parse_volume(text).target
        parts = text.split(":")
        return parts[1] if key == "devices" and len(parts) > 1 else text
    if key == "ports":
        return tuple(port[:4] for port in parse_ports(item))
    return repr(item.plain())


def merge(key: str, base: Node | None, over: Node) -> Node | None:
    """`over` (a later file's value of `key`) applied on `base`; None when `!reset` removes it."""
    if over.tag == "!reset":
        return None
    if base is None or over.tag == "!override" or key in _REPLACED:
        return over
    if key in _MAPPINGS:
        base, over = as_mapping(key, base), as_mapping(key, over)
    if key == "build":
        base, over = _build_mapping(base), _build_mapping(over)
    if base.is_map and over.is_map:
        merged = dict(base.value)
        for child_key, child in over.value.items():
            result = merge(child_key, merged.get(child_key), child)
            if result is None:
                merged.pop(child_key, None)
            else:
                merged[child_key] = result
        return Node(merged, base.origin, base.tag)
    if base.is_list and over.is_list:
        if key in _APPENDED or key == "ports" or key in _UNIQUE_BY_TARGET:
            items = list(base.value)
            seen = {_item_identity(key, item): index for index, item in enumerate(items)}
            for item in over.value:
                identity = _item_identity(key, item)
                if identity in seen and key in _UNIQUE_BY_TARGET:
                    items[seen[identity]] = item
                elif identity not in seen:
                    seen[identity] = len(items)
                    items.append(item)
            return Node(items, base.origin, base.tag)
    return over


def _build_mapping(node: Node) -> Node:
    if isinstance(node.value, str):
        return Node({"context": node}, node.origin, node.tag)
    return node


# --- what the rules ask about a service ----------------------------------------------------


class Port(NamedTuple):
    host_ip: str  # "" when published on every interface
    published: str  # "" when not published on the host (only a container port)
    target: str
    protocol: str
    node: Node


def parse_ports(node: Node) -> list[Port]:
    """The ports an item of `ports:` publishes (`"8000:8000"`, `"127.0.0.1:80:8080/tcp"`,
    `"3000-3001:3000-3001"` or the long syntax), one Port per container port."""
    if node.is_map:
        target = node.get("target")
        published = node.get("published")
        host_ip = node.get("host_ip")
        protocol = node.get("protocol")
        return [
            Port(
                str(host_ip.value) if host_ip else "",
                str(published.value) if published and published.value is not None else "",
                str(target.value) if target else "",
                str(protocol.value) if protocol else "tcp",
                node,
            )
        ]
    text = "" if node.value is None else str(node.value)
    text, _, protocol = text.partition("/")
    host_ip = ""
    if text.startswith("["):  # an IPv6 host address
        closing = text.find("]")
        host_ip, text = text[1:closing], text[closing + 2 :]
    parts = text.rsplit(":", 2) if text.count(":") >= 2 else text.split(":")
    if len(parts) == 3:
        host_ip, published, target = parts
    elif len(parts) == 2:
        published, target = parts
    else:
        published, target = "", parts[0]
    if "-" in target and "-" in published:
        low, _, high = target.partition("-")
        plow, _, _ = published.partition("-")
        if low.isdigit() and high.isdigit() and plow.isdigit():
            return [
                Port(
                    host_ip,
                    str(int(plow) + offset),
                    str(int(low) + offset),
                    protocol or "tcp",
                    node,
                )
                for offset in range(int(high) - int(low) + 1)
            ]
    return [Port(host_ip, published, target, protocol or "tcp", node)]


class Mount(NamedTuple):
    type: str  # "bind", "volume" (named), "anonymous", "tmpfs" or another long-syntax type
    source: str  # host path as written, or the volume's name; "" when anonymous
    target: str
    read_only: bool


def parse_volume(text: str) -> Mount:
    parts = text.split(":")
    if len(parts) >= 2 and len(parts[0]) == 1 and parts[0].isalpha():  # C:\ on Windows
        parts = [parts[0] + ":" + parts[1], *parts[2:]]
    if len(parts) == 1:
        return Mount("anonymous", "", parts[0], False)
    source, target = parts[0], parts[1]
    options = parts[2] if len(parts) > 2 else ""
    read_only = "ro" in options.split(",")
    kind = "bind" if source.startswith((".", "/", "~")) or ":" in source else "volume"
    return Mount(kind, source, target, read_only)


def mount_of(node: Node) -> Mount:
    if node.is_map:
        plain = node.plain()
        kind = str(plain.get("type", "volume"))
        source = "" if plain.get("source") is None else str(plain["source"])
        if kind == "volume" and not source:
            kind = "anonymous"
        return Mount(kind, source, str(plain.get("target", "")), bool(plain.get("read_only")))
    return parse_volume("" if node.value is None else str(node.value))


@record
class Service:
    name: str
    node: Node  # the merged mapping
    key_origin: Origin  # where the service's name is written (in the file that defines it)
    folder: str  # the folder of the file that defines it

    @staticmethod
    def folder_of(node: Node) -> str:
        """The folder a relative path in `node` is relative to: that of the file it is written
        in. Compose resolves an included or extended file's paths against its own folder, and
        an override's against the base's, which is the same folder here."""
        return posixpath.dirname(node.origin.path)

    def get(self, key: str) -> Node | None:
        return self.node.get(key)

    def value(self, key: str) -> Any:
        found = self.node.get(key)
        return None if found is None else found.plain()

    @property
    def profiles(self) -> list[str]:
        return [str(p) for p in self.value("profiles") or []]

    def ports(self) -> list[Port]:
        node = self.get("ports")
        if node is None or not node.is_list:
            return []
        return [port for item in node.value for port in parse_ports(item)]

    def mounts(self) -> list[tuple[Mount, Node]]:
        node = self.get("volumes")
        if node is None or not node.is_list:
            return []
        return [(mount_of(item), item) for item in node.value]

    def mapping(self, key: str) -> dict[str, Node]:
        """`environment`, `labels`, `depends_on` or `networks` as a mapping, whichever syntax."""
        node = self.get(key)
        if node is None:
            return {}
        node = as_mapping(key, node)
        return node.value if node.is_map else {}

    def environment(self) -> dict[str, Any]:
        return {key: node.value for key, node in self.mapping("environment").items()}

    def env_files(self) -> list[tuple[str, bool]]:
        """(path relative to the project root, required) of each `env_file` entry."""
        node = self.get("env_file")
        if node is None or node.value is None:
            return []
        entries = node.value if node.is_list else [node]
        found = []
        for entry in entries:
            path, required = (
                (entry.get("path"), entry.get("required"))
                if entry.is_map
                else (
                    entry,
                    None,
                )
            )
            if path is None or path.value is None:
                continue
            where = posixpath.normpath(posixpath.join(self.folder_of(path), str(path.value)))
            found.append((where, required is None or required.value is not False))
        return found

    def effective_environment(self, project: Project) -> dict[str, Any]:
        """What the container gets: the `env_file` files' variables (those that exist in the
        project), then `environment` over them, as Compose does."""
        result: dict[str, Any] = {}
        for path, _ in self.env_files():
            source = project.source(path)
            if source is not None and source.error is None:
                result.update(read_env_file(source.text))
        result.update(self.environment())
        return result

    def depends_on(self) -> dict[str, str]:
        """Service name -> its condition (service_started when not written)."""
        result = {}
        for name, node in self.mapping("depends_on").items():
            condition = node.get("condition") if node.is_map else None
            result[name] = str(condition.value) if condition else "service_started"
        return result

    def networks(self) -> list[str]:
        if self.get("network_mode") is not None:
            return []
        return list(self.mapping("networks")) or ["default"]

    def healthcheck_test(self) -> list[str] | None:
        """The healthcheck's command as words (["CMD", "curl", ...] / ["CMD-SHELL", "..."]);
        None when there is none or it is disabled (then the image's HEALTHCHECK applies
        unless disabled: see `healthcheck_disabled`)."""
        check = self.get("healthcheck")
        if check is None or not check.is_map or self.healthcheck_disabled:
            return None
        test = check.get("test")
        if test is None:
            return None
        if isinstance(test.value, str):
            return ["CMD-SHELL", test.value]
        if test.is_list:
            return [str(item.value) for item in test.value]
        return None

    @property
    def healthcheck_disabled(self) -> bool:
        check = self.get("healthcheck")
        if check is None or not check.is_map:
            return False
        disable = check.get("disable")
        test = check.get("test")
        return bool(disable and disable.value is True) or bool(
            test and test.is_list and test.value and test.value[0].value == "NONE"
        )

    def command_words(self, key: str = "command") -> list[str] | None:
        node = self.get(key)
        if node is None or node.value is None:
            return None
        if node.is_list:
            return [str(item.value) for item in node.value]
        # The Dockerfile's word splitter: linear in the text, where shlex builds each word a
        # character at a time (quadratic on a long command). An unbalanced quote gives plain
        # whitespace-split words, as the shlex fallback did.
        from auditor.documents.dockerfile import split_words

        return split_words(str(node.value))

    def build(self) -> tuple[str, str] | None:
        """(context, dockerfile) relative to the project root, or None without `build`."""
        node = self.get("build")
        if node is None or node.value is None:
            return None
        node = _build_mapping(node)
        context_node = node.get("context") if node.is_map else None
        dockerfile_node = node.get("dockerfile") if node.is_map else None
        context = "." if context_node is None else str(context_node.value or ".")
        folder = self.folder if context_node is None else self.folder_of(context_node)
        dockerfile = "Dockerfile"
        if dockerfile_node is not None and dockerfile_node.value:
            dockerfile = str(dockerfile_node.value)
        return posixpath.normpath(posixpath.join(folder, context)), dockerfile


@record
class Stack:
    folder: str  # "" for the project root
    name: str  # "default" or the variant ("prod")
    files: list[str]  # compose files in the order they apply
    services: dict[str, Service] = field(default_factory=dict)
    top: dict[str, Node] = field(default_factory=dict)  # networks, volumes, name, ...
    problems: list[Problem] = field(default_factory=list)
    variables: dict[str, str] = field(default_factory=dict)

    @property
    def is_default(self) -> bool:
        return self.name == "default"

    def section(self, key: str) -> dict[str, Node]:
        node = self.top.get(key)
        return node.value if node is not None and node.is_map else {}

    def service(self, name: str) -> Service | None:
        return self.services.get(name)

    def path_of(self, relative: str) -> str:
        """A path relative to the stack's folder, relative to the project root."""
        return posixpath.normpath(posixpath.join(self.folder, relative))


# --- building the stacks -------------------------------------------------------------------


class _Builder:
    def __init__(self, project: Project, folder: str) -> None:
        self.project = project
        self.folder = folder
        self.variables = self._variables()
        self.problems: list[Problem] = []
        self._read: dict[str, tuple[Node, str] | None] = {}

    def _variables(self) -> dict[str, str]:
        values: dict[str, str] = {}
        for name in (".env.example", ".env"):
            source = self.project.source(posixpath.join(self.folder, name) if self.folder else name)
            if source is not None and source.error is None:
                values.update(read_env_file(source.text))
        return values

    def file_node(self, path: str) -> Node | None:
        """A compose file as Nodes (its includes and extends resolved), or None when it does
        not parse (AU001 reports that)."""
        if path not in self._read:
            self._read[path] = None
            document = self.project.document(path, compose_document.KIND)
            if document is None or document.parse_error is not None:
                return None
            reader = _Reader(path, self.variables, self.problems)
            root = reader.node(document.tree, (1, 1), Origin(path, 1))
            self._read[path] = (root, posixpath.dirname(path))
        found = self._read[path]
        return None if found is None else found[0]

    def resolve_file(self, path: str, including: tuple[str, ...] = ()) -> Node | None:
        root = self.file_node(path)
        if root is None:
            return None
        root = Node(dict(root.value), root.origin, root.tag)
        self._include(path, root, including)
        services = root.get("services")
        if services is not None and services.is_map:
            resolved = {
                name: self._extended(path, name, service, ())
                for name, service in services.value.items()
            }
            root.value["services"] = Node(resolved, services.origin, services.tag)
        return root

    def _include(self, path: str, root: Node, including: tuple[str, ...]) -> None:
        include = root.value.pop("include", None)
        if include is None or not include.is_list:
            return
        folder = posixpath.dirname(path)
        for item in include.value:
            for entry in _include_paths(item):
                entry_text = "" if entry.value is None else entry.value
                target = self._inside(folder, str(entry_text), item.origin, "include")
                if target is None:
                    continue
                if target in including or target == path:
                    self.problems.append(Problem(item.origin, f"`include` of {target} loops"))
                    continue
                if not self.project.exists(target):
                    self.problems.append(
                        Problem(item.origin, f"`include` names {target}, which does not exist")
                    )
                    continue
                included = self.resolve_file(target, (*including, path))
                if included is None:
                    continue
                for section, node in included.value.items():
                    if not node.is_map:
                        continue
                    current = root.get(section)
                    merged = dict(node.value)
                    if current is not None and current.is_map:
                        merged.update(current.value)  # the including file's own entries win
                    root.value[section] = Node(merged, node.origin)

    def _inside(self, folder: str, relative: str, origin: Origin, what: str) -> str | None:
        from auditor.project import normalise

        if not relative.strip():
            self.problems.append(Problem(origin, f"`{what}` names an empty path"))
            return None
        target = normalise(posixpath.join(folder, relative))
        if target is None:
            self.problems.append(
                Problem(origin, f"`{what}` names {relative!r}, outside the project root")
            )
        return target

    def _extended(self, path: str, name: str, service: Node, chain: tuple[str, ...]) -> Node:
        extends = service.get("extends") if service.is_map else None
        if extends is None:
            return service
        own = Node({k: v for k, v in service.value.items() if k != "extends"}, service.origin)
        if isinstance(extends.value, str):
            base_name, base_path = extends.value, path
        elif extends.is_map and extends.get("service") is not None:
            base_name = str(extends.get("service").value)
            file_node = extends.get("file")
            base_path = path
            if file_node is not None:
                target = self._inside(
                    posixpath.dirname(path), str(file_node.value), extends.origin, "extends"
                )
                if target is None:
                    return own
                base_path = target
        else:
            self.problems.append(Problem(extends.origin, "`extends` needs a `service`"))
            return own
        link = f"{base_path}:{base_name}"
        if link in chain or (base_path == path and base_name == name and not chain):
            self.problems.append(
                Problem(extends.origin, f"`extends` loops: {' -> '.join((*chain, link))}")
            )
            return own
        if not self.project.exists(base_path):
            self.problems.append(
                Problem(extends.origin, f"`extends` names {base_path}, which does not exist")
            )
            return own
        base_root = self.file_node(base_path)
        base_services = base_root.get("services") if base_root else None
        base = base_services.get(base_name) if base_services else None
        if base is None:
            if base_root is not None:
                self.problems.append(
                    Problem(
                        extends.origin,
                        f"`extends` names service {base_name!r}, which {base_path} does not define",
                    )
                )
            return own
        base = self._extended(base_path, base_name, base, (*chain, f"{path}:{name}"))
        merged = merge("service", base, own) or own
        return Node(merged.value, service.origin, service.tag)  # defined here, not in the base

    def stack(self, name: str, files: list[str]) -> Stack:
        stack = Stack(self.folder, name, files, variables=self.variables)
        merged: dict[str, Node] = {}
        for path in files:
            root = self.resolve_file(path)
            if root is None:
                continue
            for key, node in root.value.items():
                result = merge(key, merged.get(key), node)
                if result is None:
                    merged.pop(key, None)
                else:
                    merged[key] = result
        services = merged.pop("services", None)
        if services is not None and services.is_map:
            for service_name, node in services.value.items():
                if not node.is_map:
                    continue
                stack.services[service_name] = Service(
                    service_name, node, node.origin, posixpath.dirname(node.origin.path)
                )
        stack.top = merged
        stack.problems = list(dict.fromkeys(self.problems))
        return stack


def _include_paths(item: Node) -> list[Node]:
    """The files an `include` entry names: `- a.yml`, or `- path: a.yml` / `[a.yml, b.yml]`."""
    source = item.get("path") if item.is_map else item
    if source is None:
        return []
    return source.value if source.is_list else [source]


def _folders(project: Project) -> dict[str, list[str]]:
    folders: dict[str, list[str]] = {}
    for path in project.files():
        if compose_document.matches(path):
            folders.setdefault(posixpath.dirname(path), []).append(path)
    return folders


def stacks_of(project: Project) -> list[Stack]:
    """Every stack of the project (computed once per Project)."""
    from auditor.facts.cache import project_fact

    return project_fact(project, "compose-stacks", _build_stacks)


def _build_stacks(project: Project) -> list[Stack]:
    stacks: list[Stack] = []
    for folder, paths in sorted(_folders(project).items()):
        builder = _Builder(project, folder)
        names = {posixpath.basename(path): path for path in paths}
        base = next((names[name] for name in compose_document.BASE_NAMES if name in names), None)
        if base is None:
            continue  # overrides without a base: each is still checked as a file
        base_stem = posixpath.basename(base).rsplit(".", 1)[0]
        override = next(
            (
                names[f"{base_stem}.override{suffix}"]
                for suffix in (".yaml", ".yml")
                if f"{base_stem}.override{suffix}" in names
            ),
            None,
        )
        stacks.append(builder.stack("default", [base] + ([override] if override else [])))
        for path in sorted(paths):
            if compose_document.role(path) == "variant":
                variant = compose_document.variant_name(path)
                stacks.append(_Builder(project, folder).stack(variant, [base, path]))
    return stacks


def compose_build_context(project: Project, dockerfile: str) -> str | None:
    """The build context compose builds `dockerfile` with, when the project's compose files
    build it with exactly one (the DF family's context rules then judge COPY against it);
    None when no compose file builds it, or several build it from different folders."""
    if not project.has_kind("compose"):
        return None  # no compose file: stay cheap for Dockerfile-only runs
    contexts = set()
    for stack in stacks_of(project):
        for service in stack.services.values():
            build = service.build()
            if build is None:
                continue
            context, name = build
            if posixpath.normpath(posixpath.join(context, name)) == dockerfile:
                contexts.add(context)
    return contexts.pop() if len(contexts) == 1 else None


def file_tree(project: Project, path: str) -> Node | None:
    """One compose file as Nodes, interpolated, without include/extends/merge; None when it
    does not parse. For rules about what a file itself says (secrets written in it)."""
    return _Builder(project, posixpath.dirname(path)).file_node(path)


def compose_files(project: Project) -> Iterator[ComposeFile]:
    """Every discovered compose file that parsed."""
    for document in project.documents(compose_document.KIND):
        if document.parse_error is None:
            yield document  # type: ignore[misc]


# --- the compose-spec schema ---------------------------------------------------------------

_VALIDATOR: Any = None


def _validator() -> Any:
    """The compose-spec validator, built on first use: only a project with a compose file
    pays for importing jsonschema and reading the schema."""
    global _VALIDATOR
    if _VALIDATOR is None:
        import json
        from importlib import resources

        from jsonschema import Draft202012Validator

        text = resources.files("auditor").joinpath("schemas/compose-spec.json").read_text("utf-8")
        _VALIDATOR = Draft202012Validator(json.loads(text))
    return _VALIDATOR


def schema_problems(project: Project, path: str) -> list[Problem]:
    """The compose-spec schema's complaints about one file, at the line of the value each
    names. A value built by interpolation is not judged: Compose converts its type after
    substituting, which the schema cannot see."""
    root = file_tree(project, path)
    if root is None:
        return []
    errors = sorted(_validator().iter_errors(root.plain()), key=lambda e: list(e.absolute_path))
    error_paths = [tuple(error.absolute_path) for error in errors]
    problems = []
    for error in errors:
        path = list(error.absolute_path)
        if error.validator in ("additionalProperties", "unevaluatedProperties"):
            for key in _unknown_keys(error):
                deeper = (*path, key)
                if key in _schema_keys() or any(
                    other[: len(deeper)] == deeper for other in error_paths
                ):
                    continue  # a key Compose knows: its value is what is wrong
                node, _ = _node_at(root, [*path, key])
                where = "/".join(str(part) for part in path)
                problems.append(
                    Problem(node.origin, f"unknown key {key!r}" + (f" in {where}" if where else ""))
                )
            continue
        node, exact = _node_at(root, path)
        if exact and node.interpolated:
            continue
        where = "/".join(str(part) for part in path) or "the top level"
        problems.append(Problem(node.origin, f"{where}: {_schema_message(error)}"))
    return problems


_KEYS: set[str] = set()


def _schema_keys() -> set[str]:
    """Every property name the schema defines anywhere. jsonschema reports a key whose value
    fails (a healthcheck with a bad field) as "unevaluated" too; only a name the schema never
    defines is an unknown key."""
    if not _KEYS:

        def collect(schema: Any) -> None:
            if isinstance(schema, dict):
                _KEYS.update(schema.get("properties", {}))
                for child in schema.values():
                    collect(child)
            elif isinstance(schema, list):
                for child in schema:
                    collect(child)

        collect(_validator().schema)
    return _KEYS


def _unknown_keys(error: Any) -> list[str]:
    """The keys an additional/unevaluatedProperties error names (jsonschema lists them, quoted,
    in its message: "('a', 'b' were unexpected)" or "'a' does not match any of the regexes")."""
    import re

    message = error.message
    for marker in (" does not match", " do not match"):
        if marker in message:
            return re.findall(r"'([^']*)'", message.split(marker, 1)[0])
    if "(" in message:
        return re.findall(r"'([^']*)'", message.rsplit("(", 1)[1])
    return []


def _node_at(root: Node, path: list[Any]) -> tuple[Node, bool]:
    node = root
    for part in path:
        if node.is_map and str(part) in node.value:
            node = node.value[str(part)]
        elif node.is_list and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            return node, False
    return node, True


def _schema_message(error: Any) -> str:
    if error.validator == "additionalProperties":
        return error.message.replace("Additional properties are not allowed", "unknown key")
    if error.validator in ("oneOf", "anyOf"):
        return f"{error.instance!r} is not a valid value here"
    return error.message
