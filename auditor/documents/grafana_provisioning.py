"""The "grafana-provisioning" document kind: a Grafana provisioning file (see `auditor.documents.observability`)."""

from __future__ import annotations

from auditor.documents.base import SourceFile
from auditor.documents.kinds import is_grafana_provisioning as matches  # noqa: F401  (the kind's test)
from auditor.documents.observability import YamlDocument, parse_yaml

KIND = "grafana-provisioning"


def parse(source: SourceFile) -> YamlDocument:
    return parse_yaml(source, "Grafana provisioning file")
