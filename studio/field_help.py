"""Help for a key of the job: what the seed document says about it, in one record.

No UI here; the help panel renders a `FieldHelp`. Search space paths are understood:
a parameter in a subspace is the training parameter of that name, and the keys of a
parameter expression (`type`, `min_value`, ...) are described by the expression's model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from pydantic.fields import FieldInfo

from engine.spec import EXPRESSION_TYPES, JobSpec, TrainingParameters
from engine.spec.schema_walk import describe_range, field_at, field_named

from .schema_text import allowed_values, documented_default, type_name

_SEARCH_SPACE_NOTE = (
    "In a search space: a fixed value, or a parameter expression such as "
    "{type: choice, values: [...]} or {type: uniform, min_value: ..., max_value: ...}."
)


@dataclass(frozen=True)
class FieldHelp:
    path: tuple
    description: str
    type_name: str
    required: bool = False
    allowed: tuple[str, ...] = ()
    default: Optional[str] = None
    range: Optional[str] = None
    note: Optional[str] = None

    @property
    def key(self) -> str:
        return next((str(p) for p in reversed(self.path) if isinstance(p, str)), "")

    @property
    def dotted_path(self) -> str:
        return ".".join(f"[{p}]" if isinstance(p, int) else p for p in self.path).replace(".[", "[")


def help_for(path: Optional[tuple], data: Any = None) -> Optional[FieldHelp]:
    """The help for the key at `path`, or None where the schema says nothing (free-form tags)."""
    if not path:
        return FieldHelp((), JobSpec.__doc__ or "", "mapping")
    if path[0] == "search_space" and len(path) > 1:
        return _search_space_help(path, data)
    info = field_at(path, data)
    return _from_field(path, info) if info is not None else None


def _from_field(path: tuple, info: FieldInfo, note: Optional[str] = None) -> FieldHelp:
    return FieldHelp(
        path=path,
        description=info.description or "",
        type_name=type_name(info.annotation),
        required=info.is_required(),
        allowed=allowed_values(info),
        default=documented_default(info),
        range=describe_range(info),
        note=note,
    )


def _search_space_help(path: tuple, data: Any) -> Optional[FieldHelp]:
    if len(path) == 2:
        return FieldHelp(path, "A subspace: training parameters mapped to fixed values or parameter expressions.", "mapping")
    found = field_named(TrainingParameters, path[2]) if isinstance(path[2], str) else None
    if found is None:
        return None
    if len(path) == 3:
        return _from_field(path, found[1], _SEARCH_SPACE_NOTE)
    if path[3] == "type":
        return FieldHelp(path, "The parameter expression.", "enum", True, tuple(EXPRESSION_TYPES))
    expression = EXPRESSION_TYPES.get(_expression_tag(data, path[:3]) or "")
    argument = expression.model_fields.get(path[3]) if expression else None
    return _from_field(path, argument) if argument is not None else None


def _expression_tag(data: Any, path: tuple) -> Optional[str]:
    node = data
    for element in path:
        try:
            node = node[element]
        except (KeyError, IndexError, TypeError):
            return None
    return node.get("type") if isinstance(node, dict) else None
