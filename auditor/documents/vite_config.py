"""The Vite config, read statically: the dev server's settings where they are plain values.

vite.config.{js,mjs,cjs,ts,mts,cts} is code, and mami-audit never runs the code it audits.
So this reads only what is written as a literal: the `server: { ... }` object (anywhere in
the file: inside `defineConfig({...})` or in the object a config function returns) and,
in it, `port`, `host`, `strictPort` and `hmr`. A value that is a number, string or
boolean literal, or the name of a top-level `const NAME = <literal>`, is known; anything
else (a call, `process.env.PORT`, a spread) is unknown, and rules stay silent about it. A
file with two `server:` objects is ambiguous, and nothing of it is known.

A small tokenizer skips comments, strings and template literals (whose `${}` holes are
code, and skipped as code), so a `server:` inside a string is not taken for one.
"""

from __future__ import annotations

import posixpath
from typing import Any, NamedTuple

from auditor.documents.base import Document, SourceFile
from auditor.documents.kinds import is_vite_config as matches  # noqa: F401  (the kind's test)
from auditor.lazy_pattern import LazyPattern
from auditor.records import field, record

KIND = "vite-config"
_TOKEN_RE = LazyPattern(
    r"""(?P<space>\s+)|(?P<comment>//[^\n]*|/\*.*?(?:\*/|\Z))"""
    r"""|(?P<string>'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")"""
    r"""|(?P<template>`)|(?P<number>\d[\d_]*(?:\.\d+)?)"""
    r"""|(?P<name>[A-Za-z_$][\w$]*)|(?P<punct>\.\.\.|[{}()\[\]:,;=`]|.)""",
    0x10,  # re.DOTALL, without importing re for one flag
)
_KEYS = ("port", "host", "strictPort", "hmr")


class Token(NamedTuple):
    kind: str
    text: str
    offset: int


class Setting(NamedTuple):
    value: Any  # int, str, bool, None (null), or UNKNOWN
    offset: int  # where the value is written (the key's offset when the value is unknown)


UNKNOWN = object()


@record
class ViteConfig(Document):
    server: dict[str, Setting] = field(default_factory=dict)  # only the keys written
    server_offset: int | None = None  # where `server` is written; None: no server object
    ambiguous: bool = False  # two server objects: nothing is known

    @property
    def folder(self) -> str:
        return posixpath.dirname(self.path) or "."

    def known(self, key: str) -> Setting | None:
        setting = self.server.get(key)
        if self.ambiguous or setting is None or setting.value is UNKNOWN:
            return None
        return setting


def tokens(text: str) -> list[Token]:
    """The code tokens of `text` (comments and spaces dropped, template literals as one
    "string" token with their `${}` code tokenized in place)."""
    found: list[Token] = []
    index = 0
    length = len(text)
    while index < length:
        match = _TOKEN_RE.match(text, index)
        if match is None:  # unreachable: the last alternative takes any character
            break
        kind = match.lastgroup or "punct"
        if kind == "template":
            index = _skip_template(text, match.end(), found)
            found.append(Token("string", "", match.start()))
            continue
        if kind not in ("space", "comment"):
            found.append(Token(kind, match.group(), match.start()))
        index = match.end()
    return found


def _skip_template(text: str, index: int, found: list[Token]) -> int:
    """Past the closing backtick; the code of `${...}` holes is tokenized into `found`."""
    length = len(text)
    while index < length:
        char = text[index]
        if char == "\\":
            index += 2
        elif char == "`":
            return index + 1
        elif text.startswith("${", index):
            depth, index = 1, index + 2
            while index < length and depth:
                match = _TOKEN_RE.match(text, index)
                if match is None:
                    break
                if match.lastgroup == "template":
                    index = _skip_template(text, match.end(), found)
                    continue
                if match.group() == "{":
                    depth += 1
                elif match.group() == "}":
                    depth -= 1
                index = match.end()
        else:
            index += 1
    return length


def _literal(token: Token, constants: dict[str, Any]) -> Any:
    if token.kind == "number":
        try:
            return int(token.text.replace("_", ""))
        except ValueError:
            return UNKNOWN
    if token.kind == "string" and token.text[:1] in ("'", '"'):
        return token.text[1:-1]
    if token.kind == "name":
        if token.text in ("true", "false"):
            return token.text == "true"
        if token.text == "null":
            return None
        return constants.get(token.text, UNKNOWN)
    return UNKNOWN


def _constants(found: list[Token]) -> dict[str, Any]:
    """`const NAME = <literal>` at the top level (brace depth 0)."""
    constants: dict[str, Any] = {}
    depth = 0
    for index, token in enumerate(found):
        if token.text in ("{", "(", "["):
            depth += 1
        elif token.text in ("}", ")", "]"):
            depth -= 1
        elif depth == 0 and token.text == "const" and index + 4 < len(found):
            name, equals, value, after = found[index + 1 : index + 5]
            if (
                name.kind == "name"
                and equals.text == "="
                and after.text not in (".", "(", "?", "+", "-", "*", "|", "&")
            ):
                literal = _literal(value, {})
                if literal is not UNKNOWN:
                    constants[name.text] = literal
    return constants


def parse(source: SourceFile) -> ViteConfig:
    document = ViteConfig(source)
    if document.parse_error is not None:
        return document
    found = tokens(source.text)
    constants = _constants(found)
    starts = [
        index for index in range(len(found) - 2)
        if found[index].text == "server" and found[index].kind == "name"
        and found[index + 1].text == ":" and found[index + 2].text == "{"
        and (index == 0 or found[index - 1].text in ("{", ","))
    ]  # fmt: skip
    if not starts:
        return document
    if len(starts) > 1:
        document.ambiguous = True
        return document
    start = starts[0]
    document.server_offset = found[start].offset
    depth = 0
    index = start + 2
    while index < len(found):
        token = found[index]
        if token.text in ("{", "(", "["):
            depth += 1
        elif token.text in ("}", ")", "]"):
            depth -= 1
            if depth == 0:
                break
        elif depth == 1 and token.kind == "name" and token.text in _KEYS:
            before = found[index - 1].text
            after = found[index + 1].text if index + 1 < len(found) else ""
            if before in ("{", ",") and after == ":" and index + 2 < len(found):
                value = found[index + 2]
                following = found[index + 3].text if index + 3 < len(found) else "}"
                literal = _literal(value, constants) if following in (",", "}") else UNKNOWN
                offset = value.offset if literal is not UNKNOWN else token.offset
                document.server[token.text] = Setting(literal, offset)
            elif before in ("{", ",") and after in (",", "}"):  # shorthand `{ port }`
                document.server[token.text] = Setting(
                    constants.get(token.text, UNKNOWN), token.offset
                )
        elif depth == 1 and token.text == "...":
            document.server["..."] = Setting(UNKNOWN, token.offset)  # a spread: more unknown keys
        index += 1
    return document
