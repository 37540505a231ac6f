"""Completion from the job schema: which keys or values fit at the cursor, and what each means.

No UI here. `completions_at` reads the cursor context (`yaml_context`) and answers with
`Completion`s whose `insert` text replaces the typed prefix. A key that holds a mapping
inserts `key:` and a new line indented one level deeper, so the user keeps typing at
the right place; a list (the search space) also opens its first `- ` item.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Optional

from pydantic import BaseModel

from engine.spec import EXPRESSION_TYPES, SEARCHABLE_PARAMETERS, TrainingParameters
from engine.spec.schema_walk import field_at, field_named, model_at, union_tags

from .schema_text import allowed_values, documented_default, first_sentence, is_list, is_mapping
from .yaml_context import CursorContext, cursor_context

INDENT = 2


@dataclass(frozen=True)
class Completion:
    label: str
    insert: str
    """Replaces the typed prefix."""
    description: str
    kind: Literal["key", "value"]


def completions_at(text: str, line: int, column: int) -> tuple[CursorContext, list[Completion]]:
    context = cursor_context(text, line, column)
    if context.kind == "key":
        candidates = _key_completions(context)
    else:
        candidates = _value_completions(context)
    return context, _matching(candidates, context.prefix)


def _matching(candidates: list[Completion], prefix: str) -> list[Completion]:
    """Those starting with the prefix first, then those merely containing it."""
    lowered = prefix.lower()
    starting = [c for c in candidates if c.label.lower().startswith(lowered)]
    containing = [c for c in candidates if lowered in c.label.lower() and c not in starting]
    return starting + containing


def _key_completions(context: CursorContext) -> list[Completion]:
    path = context.path
    if path[:1] == ("search_space",):
        return _search_space_keys(context)
    model = model_at(path, context.data)
    if model is None:
        return []
    return _model_keys(model, context)


def _model_keys(model: type[BaseModel], context: CursorContext) -> list[Completion]:
    completions = []
    for name, info in model.model_fields.items():
        key = info.alias or name
        if key in context.siblings:
            continue
        completions.append(Completion(key, _key_insert(key, context.indent, info), first_sentence(info.description), "key"))
    return sorted(completions, key=lambda c: c.label.lstrip("$"))


def _key_insert(key: str, indent: int, info) -> str:
    deeper = "\n" + " " * (indent + INDENT)
    if is_list(info) and not is_mapping(info):
        return f"{key}:{deeper}- "
    if is_mapping(info):
        return f"{key}:{deeper}"
    return f"{key}: "


def _search_space_keys(context: CursorContext) -> list[Completion]:
    """Inside a subspace: the searchable parameters; inside a parameter: its expression's keys."""
    path = context.path
    if len(path) == 2:  # ("search_space", index): parameter names
        fields = TrainingParameters.model_fields
        return [
            Completion(name, f"{name}:\n{' ' * (context.indent + INDENT)}type: ", first_sentence(fields[name].description), "key")
            for name in sorted(SEARCHABLE_PARAMETERS)
            if name not in context.siblings
        ]
    if len(path) == 3:  # ("search_space", index, parameter): the expression's arguments
        expression = _expression_model(context)
        keys = list(expression.model_fields) if expression else ["type"]
        return [
            Completion(key, f"{key}: ", _expression_key_help(expression, key), "key")
            for key in keys
            if key not in context.siblings
        ]
    return []


def _expression_model(context: CursorContext) -> Optional[type[BaseModel]]:
    node = context.data
    for element in context.path:
        node = node[element] if isinstance(node, (dict, list)) and _has(node, element) else None
    tag = node.get("type") if isinstance(node, dict) else None
    return EXPRESSION_TYPES.get(tag) if isinstance(tag, str) else None


def _has(node, element) -> bool:
    return element in node if isinstance(node, dict) else isinstance(element, int) and element < len(node)


def _expression_key_help(expression: Optional[type[BaseModel]], key: str) -> str:
    if expression is None:
        return "The parameter expression: choice, uniform, loguniform, randint, normal, ..."
    return first_sentence(expression.model_fields[key].description)


def _value_completions(context: CursorContext) -> list[Completion]:
    path = context.path
    if path[:1] == ("search_space",):
        return _search_space_values(path)
    tags = union_tags(path[:-1], context.data) if path[-1:] == ("type",) else {}
    if tags:
        return [Completion(tag, tag, first_sentence(model.__doc__), "value") for tag, model in tags.items()]
    info = field_at(path, context.data)
    return _field_values(info) if info is not None else []


def _field_values(info) -> list[Completion]:
    default = documented_default(info)
    return [
        Completion(value, value, "default" if value == default else "", "value") for value in allowed_values(info)
    ]


def _search_space_values(path: tuple) -> list[Completion]:
    if len(path) == 4 and path[3] == "type":
        return [
            Completion(name, name, first_sentence(model.__doc__), "value") for name, model in EXPRESSION_TYPES.items()
        ]
    if len(path) == 3 and path[2] in SEARCHABLE_PARAMETERS:  # a fixed value in a subspace
        found = field_named(TrainingParameters, path[2])
        return _field_values(found[1]) if found else []
    return []
