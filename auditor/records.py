"""`@record`: the part of `dataclasses` mami-audit uses, without importing `dataclasses`.

`import dataclasses` imports `inspect` (with `ast`, `dis`, `tokenize` and more): about 8 ms,
a tenth of a whole audit of a frontend, paid by every run whose documents are records. This
module gives what the document and result classes need, and nothing else:

- `__init__` from the annotated fields, a base record's fields first (as dataclasses order
  them), with defaults and `field(default_factory=...)`, then `__post_init__()` if any;
- `__repr__` over the fields not marked `repr=False`;
- `__eq__` over the fields not marked `compare=False` (unless `eq=False`: identity, and
  hashable by identity), else unhashable like a mutable dataclass; `frozen=True` forbids
  assignment and hashes the compared fields;
- `replace(obj, **changes)`, as `dataclasses.replace`.

Annotations may be strings (`from __future__ import annotations`): a `ClassVar[...]` one is
not a field. `__init__` is compiled once per class, as dataclasses does, so making a record
costs what making a dataclass costs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, dataclass_transform, overload

T = TypeVar("T")

_MISSING: Any = object()


class Field:
    """What `field(...)` marks on a class attribute; the attribute is then removed."""

    __slots__ = ("compare", "default", "default_factory", "name", "repr")

    def __init__(
        self,
        default: Any = _MISSING,
        default_factory: Callable[[], Any] | None = None,
        repr: bool = True,
        compare: bool = True,
    ) -> None:
        self.name = ""
        self.default = default
        self.default_factory = default_factory
        self.repr = repr
        self.compare = compare

    @property
    def required(self) -> bool:
        return self.default is _MISSING and self.default_factory is None


def field(
    *,
    default: Any = _MISSING,
    default_factory: Callable[[], Any] | None = None,
    repr: bool = True,
    compare: bool = True,
) -> Any:
    """A field's default, factory and whether repr and == look at it."""
    return Field(default, default_factory, repr, compare)


@overload
def record(cls: type[T], /) -> type[T]: ...
@overload
def record(*, eq: bool = True, frozen: bool = False) -> Callable[[type[T]], type[T]]: ...


# Type checkers treat @record as @dataclass (PEP 681): they see the generated __init__.
@dataclass_transform(field_specifiers=(field,))
def record(
    cls: type[T] | None = None, *, eq: bool = True, frozen: bool = False
) -> type[T] | Callable[[type[T]], type[T]]:
    """Class decorator: see the module's docstring."""

    def wrap(cls: type[T]) -> type[T]:
        return _make_record(cls, eq=eq, frozen=frozen)

    return wrap if cls is None else wrap(cls)


def replace(obj: T, **changes: Any) -> T:
    """A copy of the record `obj` with `changes`; factories are not called again."""
    values = {name: getattr(obj, name) for name in type(obj).__record_fields__}  # type: ignore[attr-defined]
    unknown = set(changes) - set(values)
    if unknown:
        raise TypeError(f"{type(obj).__name__} has no field {sorted(unknown)[0]!r}")
    values.update(changes)
    return type(obj)(**values)


def _is_class_var(annotation: object) -> bool:
    text = annotation if isinstance(annotation, str) else repr(annotation)
    return text.startswith(("ClassVar", "typing.ClassVar"))


def _make_record(cls: type[T], *, eq: bool, frozen: bool) -> type[T]:
    found: dict[str, Field] = {}
    for base in reversed(cls.__mro__[1:]):
        found.update(getattr(base, "__record_fields__", {}))
    for name, annotation in cls.__dict__.get("__annotations__", {}).items():
        if _is_class_var(annotation):
            continue
        value = cls.__dict__.get(name, _MISSING)
        spec = value if isinstance(value, Field) else Field(default=value)
        spec.name = name
        found[name] = spec
        if isinstance(value, Field):
            # A default stays a class attribute, as with dataclasses; a marker does not.
            if spec.default is _MISSING:
                delattr(cls, name)
            else:
                setattr(cls, name, spec.default)
    seen_default = False
    for spec in found.values():
        if spec.required and seen_default:
            raise TypeError(
                f"{cls.__name__}: field {spec.name!r} without a default follows one with"
            )
        seen_default = seen_default or not spec.required
    cls.__record_fields__ = found  # type: ignore[attr-defined]
    cls.__init__ = _init(cls, list(found.values()), frozen)  # type: ignore[method-assign]
    cls.__repr__ = _repr([spec.name for spec in found.values() if spec.repr])  # type: ignore[assignment,method-assign]
    compared = tuple(spec.name for spec in found.values() if spec.compare)
    if eq:
        cls.__eq__ = _eq(compared)  # type: ignore[assignment,method-assign]
        cls.__hash__ = _hash(compared) if frozen else None  # type: ignore[assignment,method-assign]
    if frozen:
        cls.__setattr__ = _refuse_assignment  # type: ignore[assignment,method-assign]
        cls.__delattr__ = _refuse_assignment  # type: ignore[assignment,method-assign]
    return cls


def _init(cls: type, specs: list[Field], frozen: bool) -> Callable[..., None]:
    """`def __init__(self, a, b=_d_b, c=_MISSING): self.a = a ...`, compiled once."""
    namespace: dict[str, Any] = {"_MISSING": _MISSING, "_set": object.__setattr__}
    parameters, body = [], []
    for spec in specs:
        name = spec.name
        if spec.default_factory is not None:
            namespace[f"_factory_{name}"] = spec.default_factory
            parameters.append(f"{name}=_MISSING")
            value = f"_factory_{name}() if {name} is _MISSING else {name}"
        elif spec.default is not _MISSING:
            namespace[f"_default_{name}"] = spec.default
            parameters.append(f"{name}=_default_{name}")
            value = name
        else:
            parameters.append(name)
            value = name
        body.append(f"_set(self, {name!r}, {value})" if frozen else f"self.{name} = {value}")
    if hasattr(cls, "__post_init__"):
        body.append("self.__post_init__()")
    source = f"def __init__(self, {', '.join(parameters)}):\n"
    source += "".join(f"    {line}\n" for line in body or ["pass"])
    exec(source, namespace)  # noqa: S102  (our own generated source, as dataclasses does)
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    return init  # type: ignore[no-any-return]


def _repr(names: list[str]) -> Callable[[Any], str]:
    def __repr__(self: Any) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in names)
        return f"{type(self).__qualname__}({shown})"

    return __repr__


def _eq(names: tuple[str, ...]) -> Callable[[Any, object], bool]:
    def __eq__(self: Any, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in names)

    return __eq__


def _hash(names: tuple[str, ...]) -> Callable[[Any], int]:
    def __hash__(self: Any) -> int:
        return hash(tuple(getattr(self, name) for name in names))

    return __hash__


def _refuse_assignment(self: Any, name: str, *value: Any) -> None:
    raise AttributeError(f"cannot assign to field {name!r} of a frozen {type(self).__name__}")
