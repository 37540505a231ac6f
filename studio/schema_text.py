"""The job schema in words: type names, defaults and allowed values of a field, for people.

Shared by completion and help so that both say the same thing the same way.
"""

from __future__ import annotations

import typing
from typing import Any, Literal, Optional

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from engine.spec.schema_walk import literal_values, unwrap

_TYPE_NAMES = {bool: "boolean", int: "integer", float: "number", str: "string"}


def type_name(annotation: Any) -> str:
    """`integer`, `one of ...`, `mapping`, `list`; unions joined with `or`."""
    names: list[str] = []
    for candidate in unwrap(annotation):
        origin = typing.get_origin(candidate)
        if origin is Literal:
            name = "enum"
        elif candidate in _TYPE_NAMES:
            name = _TYPE_NAMES[candidate]
        elif (isinstance(candidate, type) and issubclass(candidate, BaseModel)) or origin is dict:
            name = "mapping"
        elif origin is list:
            name = "list"
        else:
            name = "any"
        if name not in names:
            names.append(name)
    return " or ".join(names)


def documented_default(info: FieldInfo) -> Optional[str]:
    """The default a user would get, as YAML text; per-model defaults come from the schema extra."""
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    if "default" in extra:
        return yaml_text(extra["default"])
    if info.default is PydanticUndefined or info.default is None:
        return None
    return yaml_text(info.default)


def allowed_values(info: FieldInfo) -> tuple[str, ...]:
    values = literal_values(info.annotation)
    if values:
        return tuple(yaml_text(value) for value in values)
    if any(candidate is bool for candidate in unwrap(info.annotation)):
        return ("true", "false")
    return ()


def is_mapping(info: FieldInfo) -> bool:
    return all(
        (isinstance(t, type) and issubclass(t, BaseModel)) or typing.get_origin(t) is dict for t in unwrap(info.annotation)
    )


def is_list(info: FieldInfo) -> bool:
    return any(typing.get_origin(t) is list for t in unwrap(info.annotation))


def yaml_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def first_sentence(text: Optional[str]) -> str:
    """The first sentence of a description: what fits beside a completion."""
    if not text:
        return ""
    end = text.find(". ")
    return text if end < 0 else text[: end + 1]
