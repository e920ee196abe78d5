"""The "grafana-provisioning" document kind: a Grafana provisioning file (see `auditor.documents.observability`)."""

from __future__ import annotations

from auditor.documents.base import SourceFile
from auditor.documents.observability import YamlDocument, is_grafana_provisioning, parse_yaml

KIND = "grafana-provisioning"


def matches(relative_path: str) -> bool:
    return is_grafana_provisioning(relative_path)


def parse(source: SourceFile) -> YamlDocument:
    return parse_yaml(source, "Grafana provisioning file")
