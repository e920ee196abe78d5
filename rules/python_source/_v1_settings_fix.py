"""The libcst codemod behind PS002: pydantic v1 settings -> pydantic-settings 2.

Imported only when a fix is applied (see _edits.LazyEdits). `transform(text, class_names)`:
- `from pydantic import BaseSettings` (or `pydantic.v1`, `pydantic.env_settings`) becomes
  `from pydantic_settings import BaseSettings`; other names stay in the pydantic import;
  `pydantic.BaseSettings` after `import pydantic` becomes `pydantic_settings.BaseSettings`;
- in each class named in `class_names`, an inner `class Config:` becomes
  `model_config = SettingsConfigDict(...)` at the same place, one keyword per option, with
  v1 option names renamed (the mapping in settings.EXACT_CONFIG_KEYS, plus `allow_mutation`
  -> `frozen` with the value negated), each option's comments kept, and `extra="ignore"`
  added when the class did not choose (v1 ignored unknown .env keys; pydantic-settings 2
  refuses them by default); a v1 class without `class Config` gets
  `model_config = SettingsConfigDict(extra="ignore")` at the end of its body;
- `Field(..., env="X")` becomes `Field(..., validation_alias="X")`.
Returns the new text, or None when a Config holds something other than options (a method,
such as customise_sources), which no mapping keeps.
"""

from __future__ import annotations

import libcst as cst

from rules.python_source.settings import EXACT_CONFIG_KEYS

V1_MODULES = frozenset(
    {"pydantic", "pydantic.v1", "pydantic.env_settings", "pydantic.v1.env_settings"}
)
_EXTRA_NAMES = {"ignore", "allow", "forbid"}


class _Refused(Exception):
    """The module holds something the codemod would lose."""


def _dotted(node: cst.BaseExpression | None) -> str | None:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        head = _dotted(node.value)
        return None if head is None else f"{head}.{node.attr.value}"
    return None


def transform(text: str, class_names: frozenset[str] | set[str] | tuple[str, ...]) -> str | None:
    module = cst.parse_module(text)
    codemod = _Codemod(module, frozenset(class_names))
    try:
        changed = module.visit(codemod)
    except _Refused:
        return None
    changed = _ensure_imports(changed, codemod)
    return changed.code


class _Codemod(cst.CSTTransformer):
    def __init__(self, module: cst.Module, class_names: frozenset[str]) -> None:
        super().__init__()
        self.module = module
        self.class_names = class_names
        self.base_settings_alias: str | None = None  # asname of the moved BaseSettings import
        self.moved_base_settings = False
        self.needs_config_dict = False
        self.needs_pydantic_settings_module = False
        self.v1_classes: set[str] = set()
        self._class_depth = 0

    # -- imports --------------------------------------------------------------------------

    def leave_ImportFrom(self, original: cst.ImportFrom, updated: cst.ImportFrom) -> cst.ImportFrom:
        if original.relative or _dotted(original.module) not in V1_MODULES:
            return updated
        if isinstance(updated.names, cst.ImportStar):
            return updated
        kept = []
        for alias in updated.names:
            if isinstance(alias.name, cst.Name) and alias.name.value == "BaseSettings":
                self.moved_base_settings = True
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    self.base_settings_alias = alias.asname.name.value
                continue
            kept.append(alias)
        if len(kept) == len(updated.names):
            return updated
        if not kept:
            # Only BaseSettings came from there: rewrite the import in place (it keeps its
            # place and the blank lines around it); _ensure_imports extends it.
            moved = [
                alias.with_changes(comma=cst.MaybeSentinel.DEFAULT)
                for alias in updated.names
                if isinstance(alias.name, cst.Name) and alias.name.value == "BaseSettings"
            ]
            return updated.with_changes(
                module=cst.Name("pydantic_settings"), names=moved[-1:], lpar=None, rpar=None
            )
        last = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return updated.with_changes(names=[*kept[:-1], last])

    def leave_Attribute(
        self, original: cst.Attribute, updated: cst.Attribute
    ) -> cst.BaseExpression:
        if _dotted(original) in ("pydantic.BaseSettings", "pydantic.v1.BaseSettings"):
            self.needs_pydantic_settings_module = True
            return cst.Attribute(value=cst.Name("pydantic_settings"), attr=cst.Name("BaseSettings"))
        return updated

    # -- Field(env=...) -------------------------------------------------------------------

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.Call:
        name = _dotted(original.func)
        if self._class_depth == 0 or name not in ("Field", "pydantic.Field"):
            return updated
        arguments = [
            arg.with_changes(keyword=cst.Name("validation_alias"))
            if arg.keyword is not None and arg.keyword.value == "env"
            else arg
            for arg in updated.args
        ]
        return updated.with_changes(args=arguments)

    # -- class Config -> model_config ----------------------------------------------------

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        self._class_depth += 1
        return True

    def leave_ClassDef(self, original: cst.ClassDef, updated: cst.ClassDef) -> cst.ClassDef:
        self._class_depth -= 1
        if original.name.value not in self.class_names or not isinstance(
            updated.body, cst.IndentedBlock
        ):
            return updated
        body = list(updated.body.body)
        has_model_config = any(_assigns(statement, "model_config") for statement in body)
        replaced = False
        for index, statement in enumerate(body):
            if isinstance(statement, cst.ClassDef) and statement.name.value == "Config":
                if has_model_config:
                    raise _Refused  # both: which one wins is the user's call
                body[index] = self._model_config(statement)
                replaced = True
        if not replaced and not has_model_config and self._is_v1(original):
            body.append(cst.parse_statement('model_config = SettingsConfigDict(extra="ignore")\n'))
            self.needs_config_dict = True
            replaced = True
        if not replaced:
            return updated
        return updated.with_changes(body=updated.body.with_changes(body=body))

    def _is_v1(self, node: cst.ClassDef) -> bool:
        for base in node.bases:
            name = _dotted(base.value)
            if name in ("BaseSettings", self.base_settings_alias, "pydantic.BaseSettings"):
                return self.moved_base_settings or name == "pydantic.BaseSettings"
        return False

    def _model_config(self, config: cst.ClassDef) -> cst.BaseStatement:
        if not isinstance(config.body, cst.IndentedBlock):
            raise _Refused
        lines: list[str] = []
        chose_extra = False
        for statement in config.body.body:
            if not isinstance(statement, cst.SimpleStatementLine):
                raise _Refused
            comments = [
                line.comment.value for line in statement.leading_lines if line.comment is not None
            ]
            lines.extend(comments)
            trailing = statement.trailing_whitespace.comment
            suffix = f"  {trailing.value}" if trailing is not None else ""
            for small in statement.body:
                if isinstance(small, (cst.Pass, cst.Expr)):
                    if isinstance(small, cst.Expr) and not isinstance(
                        small.value, (cst.SimpleString, cst.ConcatenatedString)
                    ):
                        raise _Refused
                    continue  # `pass` and the docstring
                # Keyword arguments are written `key=value` (PEP 8), whatever spacing the
                # class attribute had.
                if isinstance(small, cst.AnnAssign) and small.value is not None:
                    target, value = small.target, small.value
                elif isinstance(small, cst.Assign) and len(small.targets) == 1:
                    target, value = small.targets[0].target, small.value
                else:
                    raise _Refused
                if not isinstance(target, cst.Name):
                    raise _Refused
                key, value_code = self._option(target.value, value)
                chose_extra = chose_extra or key == "extra"
                lines.append(f"{key}={value_code},{suffix}")
                suffix = ""
        if not chose_extra:
            lines.append('extra="ignore",')
        self.needs_config_dict = True
        body = "".join(f"    {line}\n" for line in lines)
        statement = cst.parse_statement(f"model_config = SettingsConfigDict(\n{body})\n")
        return statement.with_changes(leading_lines=config.leading_lines)

    def _option(self, key: str, value: cst.BaseExpression) -> tuple[str, str]:
        code = self.module.code_for_node(value)
        if key == "extra":
            word = code.rsplit(".", 1)[-1].strip("'\"")
            return key, f'"{word}"' if word in _EXTRA_NAMES else code
        if key == "allow_mutation":
            if isinstance(value, cst.Name) and value.value in ("True", "False"):
                return "frozen", "False" if value.value == "True" else "True"
            return "frozen", f"not ({code})"
        return EXACT_CONFIG_KEYS.get(key, key), code


def _assigns(statement: cst.BaseStatement, name: str) -> bool:
    if not isinstance(statement, cst.SimpleStatementLine):
        return False
    for small in statement.body:
        targets = []
        if isinstance(small, cst.Assign):
            targets = [target.target for target in small.targets]
        elif isinstance(small, cst.AnnAssign):
            targets = [small.target]
        if any(isinstance(t, cst.Name) and t.value == name for t in targets):
            return True
    return False


def _imported_names(module: cst.Module, source: str) -> set[str]:
    names: set[str] = set()
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if (
                isinstance(small, cst.ImportFrom)
                and not small.relative
                and _dotted(small.module) == source
                and not isinstance(small.names, cst.ImportStar)
            ):
                names.update(
                    alias.name.value for alias in small.names if isinstance(alias.name, cst.Name)
                )
    return names


def _ensure_imports(module: cst.Module, codemod: _Codemod) -> cst.Module:
    """Add what the rewritten code uses to `from pydantic_settings import ...`."""
    wanted: list[str] = []
    if codemod.moved_base_settings:
        alias = codemod.base_settings_alias
        wanted.append(f"BaseSettings as {alias}" if alias else "BaseSettings")
    if codemod.needs_config_dict:
        wanted.append("SettingsConfigDict")
    present = _imported_names(module, "pydantic_settings")
    wanted = [name for name in wanted if name.split(" ", 1)[0] not in present]
    body = list(module.body)
    if wanted:
        for index, statement in enumerate(body):  # extend an existing import
            if isinstance(statement, cst.SimpleStatementLine) and any(
                isinstance(small, cst.ImportFrom)
                and not small.relative
                and _dotted(small.module) == "pydantic_settings"
                and not isinstance(small.names, cst.ImportStar)
                for small in statement.body
            ):
                small = statement.body[0]
                assert isinstance(small, cst.ImportFrom)
                names = sorted(
                    [
                        module.code_for_node(alias.with_changes(comma=cst.MaybeSentinel.DEFAULT))
                        for alias in small.names
                    ]  # type: ignore[union-attr]
                    + wanted
                )
                body[index] = statement.with_changes(
                    body=[
                        cst.parse_statement(
                            f"from pydantic_settings import {', '.join(names)}\n"
                        ).body[0]
                    ]  # type: ignore[attr-defined]
                )
                wanted = []
                break
    if wanted:
        line = f"from pydantic_settings import {', '.join(sorted(wanted))}\n"
        body.insert(_after_imports(body, prefer="pydantic"), cst.parse_statement(line))
    if codemod.needs_pydantic_settings_module and "pydantic_settings" not in _plain_imports(module):
        body.insert(
            _after_imports(body, prefer="pydantic"),
            cst.parse_statement("import pydantic_settings\n"),
        )
    return module.with_changes(body=body)


def _plain_imports(module: cst.Module) -> set[str]:
    found: set[str] = set()
    for statement in module.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Import):
                    found.update(_dotted(alias.name) or "" for alias in small.names)
    return found


def _after_imports(body: list[cst.BaseStatement], prefer: str) -> int:
    """Where a new import goes: after the last pydantic import, else after the last import
    of the module's opening block, else after the docstring."""
    last_import = last_preferred = None
    for index, statement in enumerate(body):
        if not isinstance(statement, cst.SimpleStatementLine):
            if last_import is not None:
                break
            continue
        small = statement.body[0]
        if isinstance(small, (cst.Import, cst.ImportFrom)):
            last_import = index
            module = small.module if isinstance(small, cst.ImportFrom) else small.names[0].name  # type: ignore[union-attr]
            if (_dotted(module) or "").split(".", 1)[0] == prefer:
                last_preferred = index
        elif last_import is not None:
            break
    chosen = last_preferred if last_preferred is not None else last_import
    if chosen is not None:
        return chosen + 1
    first = body[0] if body else None
    if isinstance(first, cst.SimpleStatementLine) and isinstance(first.body[0], cst.Expr):
        return 1
    return 0
