"""The rule catalog: one module per family, one small class per rule."""
