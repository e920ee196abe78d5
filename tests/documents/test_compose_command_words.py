"""A compose `command:` string is split into words by the linear word splitter, not by shlex,
which builds each word a character at a time (quadratic: a 0.5 MB command took seconds, 1 MB
about 12; issue 8). The words are those shlex gives for ordinary commands."""

from __future__ import annotations

import shlex

import pytest

from auditor.facts.compose import Node, Origin, Service

ORIGIN = Origin("compose.yaml", 1, 1)


def service_with_command(command: str) -> Service:
    return Service("api", Node({"command": Node(command, ORIGIN)}, ORIGIN), ORIGIN, "")


@pytest.mark.parametrize(
    "command",
    [
        "uvicorn app.main:app --host 0.0.0.0 --port 8000",
        "sh -c 'alembic upgrade head && uvicorn app.main:app'",
        'python -c "print(1)"  --flag=a\\ b',
        "nginx -g 'daemon off;'",
        "echo \"it's\"",
    ],
)
def test_command_words_are_those_shlex_gives(command: str) -> None:
    assert service_with_command(command).command_words() == shlex.split(command)


def test_an_unbalanced_quote_gives_plain_words() -> None:
    assert service_with_command("echo 'a b").command_words() == ["echo", "'a", "b"]


def test_a_long_command_is_not_read_a_character_at_a_time(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    reads = []
    original = shlex.shlex.read_token

    def counting(self):  # type: ignore[no-untyped-def]
        reads.append(1)
        return original(self)

    monkeypatch.setattr(shlex.shlex, "read_token", counting)
    words = service_with_command("sh -c \"" + "echo a && " * 1000 + "true\"").command_words()
    assert words is not None and len(words) == 3
    assert reads == []
