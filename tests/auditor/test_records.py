"""auditor/records.py: `@record` behaves as `@dataclass` does for what mami-audit uses."""

from __future__ import annotations

import dataclasses
from typing import ClassVar

import pytest

from auditor.records import field, record, replace


@record
class Base:
    source: str
    error: str | None = field(default=None)
    shared: ClassVar[int] = 7


@record
class Child(Base):
    items: list[str] = field(default_factory=list)
    cache: dict[str, int] = field(default_factory=dict, repr=False, compare=False)
    limit: int = 3


@dataclasses.dataclass
class DataBase:
    source: str
    error: str | None = dataclasses.field(default=None)
    shared: ClassVar[int] = 7


@dataclasses.dataclass
class DataChild(DataBase):
    items: list[str] = dataclasses.field(default_factory=list)
    cache: dict[str, int] = dataclasses.field(default_factory=dict, repr=False, compare=False)
    limit: int = 3


def test_init_takes_the_fields_in_dataclass_order_with_defaults_and_factories() -> None:
    made = Child("a", None, ["x"], {"k": 1}, 5)
    assert (made.source, made.error, made.items, made.cache, made.limit) == (
        "a",
        None,
        ["x"],
        {"k": 1},
        5,
    )
    first, second = Child("a"), Child("a")
    assert first.items == [] and first.items is not second.items  # a fresh list each
    assert Child.shared == 7 and "shared" not in vars(first)  # a ClassVar is no field
    assert Child.error is None and Child.limit == 3  # defaults stay class attributes
    assert not hasattr(Child, "items")  # a factory's marker does not


def test_repr_and_eq_match_dataclasses() -> None:
    ours, theirs = (
        Child("a", items=["x"], cache={"k": 1}),
        DataChild("a", items=["x"], cache={"k": 1}),
    )
    assert repr(ours).replace("Child", "DataChild") == repr(theirs)
    assert ours == Child("a", items=["x"], cache={"other": 2})  # compare=False: not compared
    assert ours != Child("a", items=["y"])
    assert ours != Base("a") and Base("a") == Base("a")  # another class is never equal
    with pytest.raises(TypeError):
        hash(ours)  # mutable and compared by value: unhashable, as a dataclass


def test_identity_equality_and_frozen_records() -> None:
    @record(eq=False)
    class Line:
        text: str

    one, two = Line("RUN x"), Line("RUN x")
    assert one != two and len({one, two}) == 2

    @record(frozen=True)
    class Point:
        x: int
        y: int = 0

    point = Point(1)
    assert point == Point(1, 0) and hash(point) == hash(Point(1, 0))
    with pytest.raises(AttributeError):
        point.x = 2  # type: ignore[misc]


def test_replace_and_post_init() -> None:
    @record
    class Document:
        text: str
        error: str | None = None

        def __post_init__(self) -> None:
            if self.error is None and not self.text:
                self.error = "empty"

    assert Document("").error == "empty" and Document("x").error is None
    changed = replace(Child("a", items=["x"]), limit=9)
    assert (changed.source, changed.items, changed.limit) == ("a", ["x"], 9)
    with pytest.raises(TypeError, match="no field 'nope'"):
        replace(changed, nope=1)


def test_a_field_without_default_after_one_with_is_refused() -> None:
    with pytest.raises(TypeError, match="without a default"):

        @record
        class Broken:
            first: int = 0
            second: str  # type: ignore[misc]
