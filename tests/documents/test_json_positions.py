"""The positioned JSON scanner against the standard `json` module on generated documents."""

from __future__ import annotations

import json
import random

import pytest

from auditor.documents.json_positions import (
    JsonArray,
    JsonError,
    JsonObject,
    Opaque,
    Scalar,
    as_object,
    parse,
)

_WORDS = [
    "a",
    "b",
    "é",
    'q"uote',
    "back\\slash",
    "tab\t",
    "\u2028",
    "😀",
    "",
    "node_modules/x",
]


def _random_value(rng: random.Random, depth: int) -> object:
    choice = rng.randrange(9 if depth < 4 else 6)
    if choice == 0:
        return rng.choice(_WORDS) + str(rng.randrange(100))
    if choice == 1:
        return rng.randrange(-(10**12), 10**12)
    if choice == 2:
        return rng.uniform(-1e6, 1e6)
    if choice == 3:
        return rng.choice([True, False, None])
    if choice == 4:
        return rng.choice([0, -0.5, 1e-7, 12345678901234567890])
    if choice == 5:
        return rng.choice(_WORDS)
    if choice in (6, 7):
        return {
            rng.choice(_WORDS) + str(i): _random_value(rng, depth + 1)
            for i in range(rng.randrange(5))
        }
    return [_random_value(rng, depth + 1) for _ in range(rng.randrange(5))]


def _check_positions(node: object, text: str) -> None:
    """Every node's offsets cut out exactly the text json decodes to its value."""
    assert isinstance(node, (JsonObject, JsonArray, Scalar, Opaque))
    assert json.loads(text[node.start : node.end]) == node.value
    if isinstance(node, JsonObject):
        for member in node.members:
            assert json.loads(text[member.key_start : member.key_end]) == member.key
            _check_positions(member.value, text)
    elif isinstance(node, JsonArray):
        for item in node.items:
            _check_positions(item, text)


@pytest.mark.parametrize("seed", range(60))
def test_agrees_with_json_on_generated_documents(seed: int) -> None:
    rng = random.Random(seed)
    value = _random_value(rng, 0)
    indent = rng.choice([None, 2, 4, "\t"])
    text = json.dumps(value, indent=indent, ensure_ascii=rng.random() < 0.5)
    node = parse(text)
    assert node.value == json.loads(text)
    _check_positions(node, text)


def test_opaque_values_expand_to_the_same_positions() -> None:
    text = json.dumps(
        {"packages": {"": {"a": 1}, "node_modules/x": {"version": "1.0.0"}}}, indent=2
    )
    whole = parse(text)
    lazy = parse(text, lambda path: len(path) == 2)
    entry = lazy.get("packages").get("node_modules/x")
    assert isinstance(entry, Opaque) and entry.value == {"version": "1.0.0"}
    expanded = as_object(entry)
    expected = whole.get("packages").get("node_modules/x")
    assert expanded.member("version").value == expected.member("version").value


@pytest.mark.parametrize(
    ("text", "message", "offset"),
    [
        ('{"a": 1,}', "trailing comma", 8),
        ("[1, 2,]", "trailing comma", 6),
        ('{"a": 1} // note', "comments are not allowed", 9),
        ('{\n  /* c */ "a": 1}', "comments are not allowed", 4),
        ("{'a': 1}", "double quotes", 1),
        ('{"a" 1}', "':' after the key", 5),
        ('{"a": tru}', "expected a value", 6),
        ('{"a": "x\n"}', "invalid string", 8),
        ('{"a": 1', "unexpected end of file", 7),
        ('{"a": 1} x', "unexpected text after", 9),
        ("", "empty", 0),
        ('{"a": Infinity}', "expected a value", 6),
        ('{"a": -Infinity}', "a number", 6),
    ],
)
def test_invalid_json_is_reported_where_it_breaks(text: str, message: str, offset: int) -> None:
    with pytest.raises(JsonError) as caught:
        parse(text)
    assert message in caught.value.message
    assert caught.value.offset == offset
    with pytest.raises(ValueError):
        json.loads(text.replace("Infinity", "Infinityx"))


def test_duplicate_keys_are_kept_and_the_last_wins() -> None:
    node = parse('{"a": 1, "b": 2, "a": 3}')
    assert node.value == json.loads('{"a": 1, "b": 2, "a": 3}') == {"a": 3, "b": 2}
    assert [member.key for member in node.duplicates()] == ["a"]
    assert node.member("a").value.value == 3
