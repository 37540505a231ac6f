"""Field types shared by the job model.

The job file is strict: a float where an integer belongs, or a quoted number, is an
error (DESIGN.md section 4). Azure's flags are written either as booleans or as 0/1.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field, Strict, WithJsonSchema
from pydantic_core import PydanticCustomError


def _flag(value: Any) -> Any:
    # bool is a subclass of int: test it first so True stays True.
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    raise PydanticCustomError("flag_type", "must be 0, 1, true or false")


Flag = Annotated[
    bool,
    BeforeValidator(_flag),
    WithJsonSchema({"anyOf": [{"type": "boolean"}, {"enum": [0, 1]}]}),
]
"""Azure's 0/1 switches; `True`/`False` are accepted too, as the official example uses them."""

Int = Annotated[int, Strict()]
PositiveInt = Annotated[int, Strict(), Field(ge=1)]
NonNegativeInt = Annotated[int, Strict(), Field(ge=0)]
Float = Annotated[float, Strict()]
UnitFloat = Annotated[float, Strict(), Field(ge=0.0, le=1.0)]
OpenUnitFloat = Annotated[float, Strict(), Field(gt=0.0, lt=1.0)]
Str = Annotated[str, Strict()]
