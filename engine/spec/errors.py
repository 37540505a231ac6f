"""Turning pydantic's validation errors into diagnostics at the offending key or value."""

from __future__ import annotations

from typing import Any, Iterable

from pydantic import ValidationError

from .diagnostics import Diagnostic, with_suggestion
from .document import ParsedDocument
from .schema_walk import describe_range, field_at, field_keys, literal_values, model_at, union_tags

_WRONG_TYPE = {
    "int_type": "an integer",
    "int_from_float": "an integer",
    "int_parsing": "an integer",
    "float_type": "a number",
    "float_parsing": "a number",
    "string_type": "a string",
    "bool_type": "true or false",
    "flag_type": "0, 1, true or false",
    "dict_type": "a mapping of keys to values",
    "model_type": "a mapping of keys to values",
    "model_attributes_type": "a mapping of keys to values",
    "list_type": "a list",
}
_RANGE = {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}


def diagnostics_from_validation_error(
    error: ValidationError, document: ParsedDocument, *, prefix: tuple = (), data: Any = None
) -> list[Diagnostic]:
    """One diagnostic per offending location (pydantic reports unions once per member)."""
    data = document.data if data is None else data
    seen: set[tuple] = set()
    diagnostics = []
    for item in error.errors(include_url=False):
        path = _data_path(prefix + tuple(item["loc"]), data)
        key = (path, item["type"] if item["type"] in ("missing", "extra_forbidden") else "value")
        if key in seen:
            continue
        seen.add(key)
        diagnostics.append(diagnostic_for_error(item, path, document, data))
    return diagnostics


def _data_path(loc: tuple, data: Any) -> tuple:
    """Drop the parts of pydantic's `loc` that are not keys of the data (union member names)."""
    path: list = []
    node = data
    for element in loc:
        if isinstance(node, dict):
            if element in node:
                node = node[element]
            elif element == node.get("type"):
                continue  # the member of a discriminated union
            else:
                node = None  # a missing key: kept, positions fall back to its parent
            path.append(element)
        elif isinstance(node, list) and isinstance(element, int) and 0 <= element < len(node):
            path.append(element)
            node = node[element]
    return tuple(path)


def _name(path: tuple) -> str:
    keys = [str(p) for p in path if isinstance(p, str)]
    return keys[-1] if keys else "the job"


def _where(path: tuple) -> str:
    parent = dotted(path[:-1])
    return f" in {parent}" if parent else " at the top level"


def dotted(path: tuple) -> str:
    """`search_space[0].learning_rate`: a key path as a reader writes it."""
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")


def diagnostic_for_error(
    item: dict, path: tuple, document: ParsedDocument, data: Any, *, name: str | None = None, info: Any = None
) -> Diagnostic:
    """One pydantic error as a diagnostic at `path`; `name` and `info` stand in for keys
    the models do not know (a value inside a search-space expression)."""
    kind, value = item["type"], item.get("input")
    name = name or _name(path)
    span = document.span(path)
    if kind == "extra_forbidden":
        model = model_at(path[:-1], data)
        message = with_suggestion(f"unknown key '{path[-1]}'{_where(path)}", path[-1], field_keys(model) if model else [])
        return Diagnostic("error", "unknown-key", message, document.span(path, prefer_key=True), path)
    if kind == "missing":
        parent = dotted(path[:-1]) or "the job"
        return Diagnostic("error", "missing-key", f"missing required key '{path[-1]}' in {parent}", span, path)
    if kind in ("literal_error", "enum"):
        info = info or field_at(path, data)
        if isinstance(value, (dict, list)):
            allowed = ", ".join(str(v) for v in (literal_values(info.annotation) if info else None) or ())
            wanted = f"one of {allowed}" if allowed else "a single value"
            return Diagnostic("error", "wrong-type", f"{name} must be {wanted}, got {_type_name(value)}", span, path)
        allowed = [str(v) for v in (literal_values(info.annotation) if info else None) or ()]
        listed = ", ".join(allowed) if allowed else item.get("ctx", {}).get("expected", "")
        message = with_suggestion(f"'{value}' is not a valid {name}: expected one of {listed}", value, allowed)
        return Diagnostic("error", "bad-enum", message, span, path)
    if kind == "union_tag_invalid":
        tags = list(union_tags(path, data))
        type_path = (*path, "type")
        tag = item.get("ctx", {}).get("tag")
        message = with_suggestion(f"'{tag}' is not a valid {name} type: expected one of {', '.join(tags)}", tag, tags)
        return Diagnostic("error", "bad-enum", message, document.span(type_path), type_path)
    if kind == "union_tag_not_found":
        return Diagnostic("error", "missing-key", f"missing required key 'type' in {name}", span, (*path, "type"))
    if kind in _RANGE:
        info = info or field_at(path, data)
        allowed = describe_range(info) if info else None
        bound = next(iter(item.get("ctx", {}).values()), "")
        wanted = f"in {allowed}" if allowed and "," in allowed else (allowed or f"{_OPERATORS[kind]} {bound}")
        return Diagnostic("error", "out-of-range", f"{name} must be {wanted}, got {_show(value)}", span, path)
    if kind == "too_short":
        return Diagnostic("error", "empty-choice", f"{name} must not be empty", span, path)
    if kind in _WRONG_TYPE:
        return _wrong_type(kind, value, name, span, path)
    return Diagnostic("error", "invalid-value", f"{name}: {item['msg']}", span, path)


_OPERATORS = {"greater_than": ">", "greater_than_equal": ">=", "less_than": "<", "less_than_equal": "<="}


def _wrong_type(kind: str, value: Any, name: str, span, path: tuple) -> Diagnostic:
    wanted = _WRONG_TYPE[kind]
    if isinstance(value, str) and _looks_numeric(value) and wanted in ("an integer", "a number"):
        return Diagnostic(
            "error", "quoted-number", f"{name} must be {wanted}, got the quoted text '{value}': remove the quotes", span, path
        )
    if isinstance(value, float) and wanted == "an integer":
        return Diagnostic("error", "wrong-type", f"{name} must be an integer, got {_show(value)}", span, path)
    return Diagnostic("error", "wrong-type", f"{name} must be {wanted}, got {_type_name(value)}", span, path)


def _looks_numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _show(value: Any) -> str:
    return repr(value) if isinstance(value, str) else str(value)


def _type_name(value: Any) -> str:
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"the text '{value}'"
    return f"{type(value).__name__} {value}"


def first_errors(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    return [d for d in diagnostics if d.is_error]
