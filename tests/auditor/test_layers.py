"""The engine's layers import one way: value types <- config/documents <- project <- engine.

Read from the modules' source with `ast` (module-level imports only; imports under
`if TYPE_CHECKING:` are for annotations and do not run), so a new import that closes a circle
fails here rather than as an ImportError at start-up in some order of imports.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

AUDITOR = Path(__file__).resolve().parents[2] / "auditor"

# module -> the auditor modules it must not import at run time
MUST_NOT_IMPORT = {
    "values": {"auditor"},  # depends on nothing of mami-audit
    "config": {"auditor.rule", "auditor.project", "auditor.engine"},
    "expectations": {"auditor.rule", "auditor.project", "auditor.config"},
    "documents/base": {"auditor.rule", "auditor.project", "auditor.config"},
    "documents/dockerfile": {"auditor.rule", "auditor.project", "auditor.config"},
    "rule": {"auditor.project", "auditor.config", "auditor.engine"},
}


def runtime_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in tree.body:  # module level; functions import lazily on purpose
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


@pytest.mark.parametrize("module", sorted(MUST_NOT_IMPORT))
def test_module_imports_only_lower_layers(module: str) -> None:
    imports = runtime_imports(AUDITOR / f"{module}.py")
    for forbidden in MUST_NOT_IMPORT[module]:
        clashes = {
            name for name in imports if name == forbidden or name.startswith(forbidden + ".")
        }
        assert not clashes, f"auditor/{module}.py imports {sorted(clashes)}"


def test_rule_still_re_exports_the_value_types() -> None:
    """Rule modules written before auditor.values existed import these from auditor.rule."""
    import auditor.rule
    import auditor.values

    for name in ("Severity", "Applicability", "Span", "Edit", "EditKind", "Fix", "Finding"):
        assert getattr(auditor.rule, name) is getattr(auditor.values, name)
