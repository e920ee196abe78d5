"""YAML configuration of the monitoring stack: Prometheus, its rule files, Grafana provisioning.

Three document kinds share this model (a YAML tree with positions, read by the same bounded
loader as compose files, see `yaml_tree`):

- "prometheus-config": `prometheus.yml` / `prometheus.yaml`, anywhere;
- "prometheus-rules": alert and recording rule files (`alert_rules.yml`, `*.rules.yml`,
  `*_rules.yml`, `rules.yml`), and any file a Prometheus config names under `rule_files`
  (read on demand through `Project.document(path, "prometheus-rules")`);
- "grafana-provisioning": `provisioning/<datasources|dashboards|...>/*.yml` under a folder.
"""

from __future__ import annotations

from typing import Any

from auditor.documents import yaml_tree
from auditor.documents.base import Document, ParseError, SourceFile
from auditor.records import record

_YAML = (".yml", ".yaml")


@record
class YamlDocument(Document):
    tree: Any = None  # the top-level YamlMap (see yaml_tree); {} for an empty file


def parse_yaml(source: SourceFile, what: str) -> YamlDocument:
    if source.error is not None:
        return YamlDocument(source)
    tree, error = yaml_tree.load(source.text)
    if error is not None:
        return YamlDocument(source, error)
    if tree is not None and not isinstance(tree, dict):
        return YamlDocument(source, ParseError(f"a {what} must be a mapping at its top"))
    return YamlDocument(source, tree=tree if tree is not None else {})
