"""The "prometheus-config" document kind: a Prometheus configuration (see `auditor.documents.observability`)."""

from __future__ import annotations

from auditor.documents.base import SourceFile
from auditor.documents.kinds import is_prometheus_config as matches  # noqa: F401  (the kind's test)
from auditor.documents.observability import YamlDocument, parse_yaml

KIND = "prometheus-config"


def parse(source: SourceFile) -> YamlDocument:
    return parse_yaml(source, "Prometheus configuration")
