"""What the observability rules share: the Prometheus and Grafana services of a stack, the
files mounted into them, and the ports a service listens on inside the stack."""

from __future__ import annotations

import posixpath
from typing import Any

from auditor.documents.observability import YamlDocument
from auditor.facts.compose import Mount, Node, Service, Stack
from auditor.rule import Context
from rules.compose._base import ComposeRule


class ObservabilityRule(ComposeRule):
    example_path = "docker-compose.yml"


def mounted_source(
    stack: Stack, service: Service, container_path: str
) -> tuple[str, Mount, Node] | None:
    """The project path bind-mounted at `container_path` (or at a folder above it), with the
    mount; None when nothing from the project is mounted there."""
    target = container_path.rstrip("/")
    for mount, node in service.mounts():
        if mount.type != "bind" or not mount.source.startswith("."):
            continue
        inside = mount.target.rstrip("/")
        if target == inside or target.startswith(inside + "/"):
            rest = target[len(inside) :].lstrip("/")
            folder = service.folder_of(node)
            source = posixpath.normpath(posixpath.join(folder, mount.source, rest))
            return source, mount, node
    return None


def command_option(service: Service, name: str) -> tuple[str | None, Node | None]:
    """The value of `--name=value` / `--name value` in the service's command."""
    words = service.command_words() or []
    node = service.get("command")
    for index, word in enumerate(words):
        if word.startswith(name + "="):
            return word.split("=", 1)[1], node
        if word == name and index + 1 < len(words):
            return words[index + 1], node
    return None, node


def config_document(context: Context, path: str, kind: str) -> YamlDocument | None:
    document = context.project.document(path, kind)
    if not isinstance(document, YamlDocument) or document.parse_error is not None:
        return None
    return document


def listening_ports(context: Context, service: Service) -> set[str]:
    """The container ports a service is known to listen on: its published targets, its
    `expose`, and the ports the spec gives the stack's known services. Empty = unknown."""
    ports = {port.target for port in service.ports() if port.target}
    for item in service.value("expose") or []:
        ports.add(str(item).split("/")[0])
    expect = context.expect
    known = {
        expect.api_service: expect.app_port,
        expect.ui_service: expect.ui_port,
        expect.grafana_service: expect.grafana_port,
        expect.prometheus_service: 9090,
        expect.elasticsearch_service: 9200,
    }
    if service.name in known:
        ports.add(str(known[service.name]))
    from rules.compose._base import is_image

    for image, port in (
        ("prometheus", 9090),
        ("grafana", 3000),
        ("elasticsearch", 9200),
        ("redis", 6379),
        ("postgres", 5432),
        ("node-exporter", 9100),
        ("cadvisor", 8080),
    ):
        if is_image(service, image):
            ports.add(str(port))
    return ports


def line_of(document: YamlDocument, container: Any, key: Any) -> int:
    from auditor.documents import yaml_tree

    if isinstance(container, list):
        position = yaml_tree.item_position(container, key)
    else:
        position = yaml_tree.key_position(container, key)
    return position[0] if position else 1
