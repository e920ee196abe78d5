"""The "prometheus-config" document kind: a Prometheus configuration (see `auditor.documents.observability`)."""

from __future__ import annotations

from auditor.documents.base import SourceFile
from auditor.documents.observability import YamlDocument, is_prometheus_config, parse_yaml

KIND = "prometheus-config"


def matches(relative_path: str) -> bool:
    return is_prometheus_config(relative_path)


def parse(source: SourceFile) -> YamlDocument:
    return parse_yaml(source, "Prometheus configuration")
