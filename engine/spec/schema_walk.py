"""Finding the pydantic model and field behind a key path of the job.

Diagnostics need it for did-you-mean suggestions and ranges; the editor needs it for
completion and help.
"""

from __future__ import annotations

import typing
from typing import Any, Literal, Optional, Union

from annotated_types import Ge, Gt, Le, Lt
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from .job import JobSpec


def unwrap(annotation: Any) -> list[Any]:
    """The concrete types an annotation may hold: Optional, Annotated and unions removed."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return unwrap(typing.get_args(annotation)[0])
    if origin is Union or (origin is not None and str(origin) == "<class 'types.UnionType'>"):
        return [t for arg in typing.get_args(annotation) for t in unwrap(arg) if t is not type(None)]
    return [annotation]


def literal_values(annotation: Any) -> Optional[tuple]:
    """The allowed values when the annotation is a Literal (an enum), else None."""
    for candidate in unwrap(annotation):
        if typing.get_origin(candidate) is Literal:
            return typing.get_args(candidate)
    return None


def submodels(annotation: Any) -> list[type[BaseModel]]:
    return [t for t in unwrap(annotation) if isinstance(t, type) and issubclass(t, BaseModel)]


def field_keys(model: type[BaseModel]) -> list[str]:
    """The keys a model accepts, as written in YAML (aliases included)."""
    return [info.alias or name for name, info in model.model_fields.items()]


def field_named(model: type[BaseModel], key: str) -> Optional[tuple[str, FieldInfo]]:
    for name, info in model.model_fields.items():
        if key in (name, info.alias):
            return name, info
    return None


def model_at(path: tuple, data: Any = None, root: type[BaseModel] = JobSpec) -> Optional[type[BaseModel]]:
    """The model describing the mapping at `path`, following `type` tags in unions.

    `data` (the whole document) lets a discriminated union pick its member by `type`.
    Returns None when the path leaves the modelled part (a search space, free-form tags).
    """
    model: Optional[type[BaseModel]] = root
    node = data
    for element in path:
        if model is None:
            return None
        found = field_named(model, element) if isinstance(element, str) else None
        if found is None:
            return None
        node = node.get(element) if isinstance(node, dict) else None
        candidates = submodels(found[1].annotation)
        model = _choose(candidates, node)
    return model


def field_at(path: tuple, data: Any = None) -> Optional[FieldInfo]:
    """The FieldInfo of the key at `path`, if the path is modelled."""
    if not path:
        return None
    parent = model_at(path[:-1], data)
    if parent is None or not isinstance(path[-1], str):
        return None
    found = field_named(parent, path[-1])
    return found[1] if found else None


def _choose(candidates: list[type[BaseModel]], node: Any) -> Optional[type[BaseModel]]:
    if not candidates:
        return None
    if len(candidates) == 1:
        return candidates[0]
    tag = node.get("type") if isinstance(node, dict) else None
    for candidate in candidates:
        values = literal_values(candidate.model_fields["type"].annotation) if "type" in candidate.model_fields else None
        if values and tag in values:
            return candidate
    return candidates[0]


def union_tags(path: tuple, data: Any = None) -> dict[str, type[BaseModel]]:
    """For a discriminated union at `path`: its `type` values and their models."""
    parent = model_at(path[:-1], data)
    found = field_named(parent, path[-1]) if parent and path and isinstance(path[-1], str) else None
    if not found:
        return {}
    tags = {}
    for candidate in submodels(found[1].annotation):
        values = literal_values(candidate.model_fields["type"].annotation) if "type" in candidate.model_fields else None
        for value in values or ():
            tags[value] = candidate
    return tags


def describe_range(info: FieldInfo) -> Optional[str]:
    """`[0, 1]`, `(0, 1)`, `>= 1`: the documented range of a numeric field."""
    low = high = None
    low_open = high_open = False
    for item in _constraints(info):
        if isinstance(item, Ge):
            low = item.ge
        elif isinstance(item, Gt):
            low, low_open = item.gt, True
        elif isinstance(item, Le):
            high = item.le
        elif isinstance(item, Lt):
            high, high_open = item.lt, True
    if low is not None and high is not None:
        return f"{'(' if low_open else '['}{_number(low)}, {_number(high)}{')' if high_open else ']'}"
    if low is not None:
        return f"{'>' if low_open else '>='} {_number(low)}"
    if high is not None:
        return f"{'<' if high_open else '<='} {_number(high)}"
    return None


def range_bounds(info: FieldInfo) -> tuple[Optional[float], Optional[float]]:
    low = high = None
    for item in _constraints(info):
        if isinstance(item, (Ge, Gt)):
            low = getattr(item, "ge", None) if isinstance(item, Ge) else item.gt
        elif isinstance(item, (Le, Lt)):
            high = getattr(item, "le", None) if isinstance(item, Le) else item.lt
    return low, high


def is_integer_field(info: FieldInfo) -> bool:
    return any(t is int for t in unwrap(info.annotation)) and literal_values(info.annotation) is None


def is_flag_field(info: FieldInfo) -> bool:
    return any(t is bool for t in unwrap(info.annotation))


def _constraints(info: FieldInfo) -> list[Any]:
    items = list(info.metadata)
    annotation = info.annotation
    # Constraints inside Annotated[...] aliases (UnitFloat, PositiveInt) live on the type.
    stack = [annotation]
    while stack:
        current = stack.pop()
        if typing.get_origin(current) is typing.Annotated:
            args = typing.get_args(current)
            for extra in args[1:]:
                items.extend(getattr(extra, "metadata", [extra]))
            stack.append(args[0])
        elif typing.get_origin(current) is Union:
            stack.extend(typing.get_args(current))
    return items


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
