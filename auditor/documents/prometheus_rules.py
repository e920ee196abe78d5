"""The "prometheus-rules" document kind: a Prometheus rule file (see `auditor.documents.observability`)."""

from __future__ import annotations

from auditor.documents.base import SourceFile
from auditor.documents.observability import YamlDocument, is_rule_file, parse_yaml

KIND = "prometheus-rules"


def matches(relative_path: str) -> bool:
    return is_rule_file(relative_path)


def parse(source: SourceFile) -> YamlDocument:
    return parse_yaml(source, "Prometheus rule file")
