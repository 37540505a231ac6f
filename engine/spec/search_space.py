"""Checking and reading `search_space`: subspaces of fixed values and parameter expressions.

Every value is checked against the training parameter it sets: a choice of model names
must name models, an integer parameter takes only integer-valued expressions, a uniform
range must sit inside the parameter's documented range.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional, Union

from pydantic import TypeAdapter, ValidationError
from pydantic.fields import FieldInfo

from .diagnostics import Diagnostic, with_suggestion
from .document import ParsedDocument
from .errors import diagnostic_for_error
from .expressions import (
    EXPRESSION_TYPES,
    Choice,
    LogNormal,
    Normal,
    ParameterExpression,
    QLogNormal,
    QNormal,
    parse_legacy_expression,
)
from .normalise import canonical_case, enum_case_warning
from .schema_walk import describe_range, is_flag_field, is_integer_field, literal_values, range_bounds
from .training import SEARCHABLE_PARAMETERS, TrainingParameters

_EXPRESSION = TypeAdapter(ParameterExpression)
_UNBOUNDED = (Normal, LogNormal, QNormal, QLogNormal)


@dataclass(frozen=True)
class Fixed:
    """A search-space key set to one value in a subspace."""

    value: Any


SearchValue = Union[Fixed, Choice, Any]  # Any: the other expression classes
SearchSubspace = dict[str, SearchValue]


def parse_search_space(search_space: Optional[list[dict]]) -> list[SearchSubspace]:
    """Typed subspaces of a search space that `check_search_space` has already accepted."""
    subspaces = []
    for raw in search_space or []:
        subspaces.append(
            {key: _EXPRESSION.validate_python(value) if isinstance(value, dict) else Fixed(value) for key, value in raw.items()}
        )
    return subspaces


def check_search_space(data: dict, document: ParsedDocument, diagnostics: list[Diagnostic]) -> None:
    """Check `data["search_space"]` in place: legacy strings become dicts, a single mapping a list."""
    raw = data.get("search_space")
    if raw is None:
        return
    if isinstance(raw, dict):  # the seed documents an object; Azure's examples use a list
        _check_subspace(raw, ("search_space",), document, diagnostics)
        data["search_space"] = [raw]
    elif isinstance(raw, list):
        if not raw:
            diagnostics.append(
                Diagnostic("error", "empty-choice", "search_space must list at least one subspace", document.span(("search_space",)), ("search_space",))
            )
        for index, subspace in enumerate(raw):
            path = ("search_space", index)
            if isinstance(subspace, dict):
                _check_subspace(subspace, path, document, diagnostics)
            else:
                diagnostics.append(
                    Diagnostic("error", "wrong-type", "each search_space entry must be a mapping of parameters", document.span(path), path)
                )


class _Checker:
    def __init__(self, document: ParsedDocument, diagnostics: list[Diagnostic]) -> None:
        self.document = document
        self.diagnostics = diagnostics

    def error(self, code: str, message: str, path: tuple, *, prefer_key: bool = False) -> None:
        self.diagnostics.append(Diagnostic("error", code, message, self.document.span(path, prefer_key=prefer_key), path))

    def warning(self, code: str, message: str, path: tuple) -> None:
        self.diagnostics.append(Diagnostic("warning", code, message, self.document.span(path), path))

    def subspace(self, subspace: dict, path: tuple) -> None:
        for key in list(subspace):
            key_path = (*path, key)
            if key not in SEARCHABLE_PARAMETERS:
                if key in TrainingParameters.model_fields:
                    self.error("not-searchable", f"{key} cannot be searched: set it in training_parameters", key_path, prefer_key=True)
                else:
                    message = with_suggestion(f"unknown key '{key}' in search_space", key, SEARCHABLE_PARAMETERS)
                    self.diagnostics.append(
                        Diagnostic("error", "unknown-key", message, self.document.span(key_path, prefer_key=True), key_path)
                    )
                continue
            subspace[key] = self.value(key, subspace[key], key_path)

    def value(self, key: str, value: Any, path: tuple) -> Any:
        info = TrainingParameters.model_fields[key]
        if isinstance(value, str):
            legacy = parse_legacy_expression(value)
            if legacy is not None:
                self.warning("legacy-expression", f"legacy expression form: write {_dict_form(legacy)}", path)
                value = legacy
        if isinstance(value, dict):
            self.expression(key, value, info, path)
            return value
        return self.fixed(key, value, info, path)

    def fixed(self, key: str, value: Any, info: FieldInfo, path: tuple, name: Optional[str] = None) -> Any:
        canonical = canonical_case(value, literal_values(info.annotation) or ())
        if canonical is not None:
            self.diagnostics.append(enum_case_warning(self.document, path, value, canonical))
            value = canonical
        try:
            TrainingParameters.model_validate({key: value})
        except ValidationError as error:
            for item in error.errors(include_url=False):
                self.diagnostics.append(
                    diagnostic_for_error(item, path, self.document, None, name=name or key, info=info)
                )
        return value

    def expression(self, key: str, value: dict, info: FieldInfo, path: tuple) -> None:
        canonical = canonical_case(value.get("type"), EXPRESSION_TYPES)
        if canonical is not None:
            self.diagnostics.append(enum_case_warning(self.document, (*path, "type"), value["type"], canonical))
            value["type"] = canonical
        if "type" not in value:
            self.error("missing-key", f"missing required key 'type' in the expression for {key} (choice, uniform, ...)", path)
            return
        if not isinstance(value["type"], str) or value["type"] not in EXPRESSION_TYPES:
            message = with_suggestion(
                f"'{value['type']}' is not a parameter expression: expected one of {', '.join(EXPRESSION_TYPES)}",
                value["type"],
                EXPRESSION_TYPES,
            )
            self.error("bad-enum", message, (*path, "type"))
            return
        try:
            expression = _EXPRESSION.validate_python(value)
        except ValidationError as error:
            for item in error.errors(include_url=False):
                loc = tuple(part for part in item["loc"] if part != value["type"])
                self.diagnostics.append(
                    diagnostic_for_error(item, (*path, *loc), self.document, None, name=".".join(map(str, (key, *loc))))
                )
            return
        self.semantics(key, expression, value, info, path)

    def semantics(self, key: str, expression: Any, value: dict, info: FieldInfo, path: tuple) -> None:
        categorical = literal_values(info.annotation) is not None or is_flag_field(info)
        if isinstance(expression, Choice):
            for index, item in enumerate(expression.values):
                value["values"][index] = self.fixed(key, item, info, (*path, "values", index), name=f"{key} choice")
            return
        if categorical:
            self.error("choice-only", f"{key} takes only a 'choice' expression: it is not numeric", (*path, "type"))
            return
        if is_integer_field(info) and not expression.is_integer_valued():
            self.error(
                "integer-expression",
                f"{key} is an integer: use choice of integers, randint, or a q-expression with a whole-number q",
                (*path, "type"),
            )
        low_value, high_value = getattr(expression, "min_value", None), getattr(expression, "max_value", None)
        if low_value is not None and high_value is not None and not low_value < high_value:
            self.error("min-max-order", f"min_value ({low_value}) must be less than max_value ({high_value}) for {key}", (*path, "min_value"))
            return
        self.range(key, expression, info, path)

    def range(self, key: str, expression: Any, info: FieldInfo, path: tuple) -> None:
        low, high = range_bounds(info)
        if low is None and high is None:
            return
        bounds = expression.bounds()
        if bounds is None:
            self.warning(
                "unbounded-expression",
                f"{expression.type} can produce values outside {key}'s range {describe_range(info)}; they are clipped",
                (*path, "type"),
            )
            return
        if low is not None and bounds[0] < low:
            self.error("out-of-range", f"{key} must be {_range_text(info)}: this expression reaches {bounds[0]:g}", _bound_path(path, expression, "min"))
        if high is not None and bounds[1] > high:
            self.error("out-of-range", f"{key} must be {_range_text(info)}: this expression reaches {bounds[1]:g}", _bound_path(path, expression, "max"))


def _check_subspace(subspace: dict, path: tuple, document: ParsedDocument, diagnostics: list[Diagnostic]) -> None:
    _Checker(document, diagnostics).subspace(subspace, path)


def _bound_path(path: tuple, expression: Any, side: str) -> tuple:
    if hasattr(expression, f"{side}_value"):
        return (*path, f"{side}_value")
    return (*path, "upper") if hasattr(expression, "upper") else path


def _range_text(info: FieldInfo) -> str:
    text = describe_range(info) or ""
    return f"in {text}" if "," in text else text


def _dict_form(expression: dict) -> str:
    inner = ", ".join(f"{k}: {v!r}" if isinstance(v, str) else f"{k}: {v}" for k, v in expression.items())
    return "{" + inner + "}"
