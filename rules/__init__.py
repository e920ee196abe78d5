"""The rule catalog: one module per family, one small class per rule.

`load_all()` imports every family module in this package (a module whose name starts with `_`
is a helper, not a family); importing a module registers its rules through `@register`. So a
new family is a new module here, with nothing else to edit. Rule modules import their document
parsers lazily, which keeps loading the catalog cheap.
"""

from __future__ import annotations

import importlib
import pkgutil


def family_modules() -> list[str]:
    """The dotted names of the family modules, e.g. ["rules.dockerfile", "rules.general"]."""
    found = pkgutil.iter_modules(__path__, prefix=f"{__name__}.")
    return sorted(info.name for info in found if not info.name.rsplit(".", 1)[1].startswith("_"))


def load_all() -> None:
    """Import every rule family (idempotent: Python imports a module once)."""
    for module in family_modules():
        importlib.import_module(module)
