"""Document kinds: one module per file kind, imported only when a rule asks for that kind.

Each module exposes `KIND`, `matches(relative_path: str) -> bool` (is this discovered file
of my kind?) and `parse(source: SourceFile) -> Document`. The `matches` functions themselves
live together in `kinds.py`, which imports nothing heavy: every run asks them of every file
before it knows which parsers it needs. Add a kind here and there when a rule family needs a
new file type (a test keeps the two tables equal).
"""

from __future__ import annotations

import importlib
from types import ModuleType

KIND_MODULES: dict[str, str] = {
    "dockerfile": "auditor.documents.dockerfile",
    "dockerignore": "auditor.documents.ignorefile",
    "package-json": "auditor.documents.package_json",
    "package-lock": "auditor.documents.package_lock",
    "vite-config": "auditor.documents.vite_config",
    "compose": "auditor.documents.compose",
    "prometheus-config": "auditor.documents.prometheus_config",
    "prometheus-rules": "auditor.documents.prometheus_rules",
    "grafana-provisioning": "auditor.documents.grafana_provisioning",
    "requirements": "auditor.documents.requirements",
    "pyproject": "auditor.documents.pyproject",
    "workflow": "auditor.documents.workflow",
    "action": "auditor.documents.action",
    "python": "auditor.documents.python",
    "dotenv": "auditor.documents.dotenv",
}


def kind_module(kind: str) -> ModuleType:
    try:
        return importlib.import_module(KIND_MODULES[kind])
    except KeyError:
        raise KeyError(f"unknown document kind {kind!r}") from None
