"""Spellings Azure's SDK accepts that we accept too, with a warning naming the canonical one.

The SDK matches enum values in any case (`IOU`, `Adam`); a job file that Azure runs must
run here (DESIGN.md section 4). This pass rewrites such values in the plain data before
validation and says so.
"""

from __future__ import annotations

from typing import Any, Iterable, Optional

from pydantic import BaseModel

from .diagnostics import Diagnostic
from .document import ParsedDocument
from .job import JobSpec
from .schema_walk import field_named, literal_values, submodels


def canonical_case(value: Any, allowed: Iterable[Any]) -> Optional[str]:
    """The allowed spelling of `value` when it differs only in case."""
    if not isinstance(value, str):
        return None
    for option in allowed:
        if isinstance(option, str) and option != value and option.lower() == value.lower():
            return option
    return None


def enum_case_warning(document: ParsedDocument, path: tuple, written: str, canonical: str) -> Diagnostic:
    return Diagnostic(
        "warning",
        "enum-case",
        f"'{written}' is read as '{canonical}': write '{canonical}', the canonical spelling",
        document.span(path),
        path,
    )


def normalise_enum_case(
    data: dict, document: ParsedDocument, diagnostics: list[Diagnostic], model: type[BaseModel] = JobSpec, path: tuple = ()
) -> None:
    for key, value in list(data.items()):
        found = field_named(model, key)
        if found is None:
            continue
        annotation = found[1].annotation
        allowed = literal_values(annotation)
        canonical = canonical_case(value, allowed or ())
        if canonical is not None:
            data[key] = canonical
            diagnostics.append(enum_case_warning(document, (*path, key), value, canonical))
        elif isinstance(value, dict):
            candidates = submodels(annotation)
            member = _member(candidates, value, document, diagnostics, (*path, key))
            if member is not None:
                normalise_enum_case(value, document, diagnostics, member, (*path, key))


def _member(
    candidates: list[type[BaseModel]], value: dict, document: ParsedDocument, diagnostics: list, path: tuple
) -> Optional[type[BaseModel]]:
    """The model for a nested mapping; for a union, fix the case of its `type` first."""
    if len(candidates) <= 1:
        return candidates[0] if candidates else None
    tags = {t: c for c in candidates for t in (literal_values(c.model_fields["type"].annotation) or ())}
    canonical = canonical_case(value.get("type"), tags)
    if canonical is not None:
        diagnostics.append(enum_case_warning(document, (*path, "type"), value["type"], canonical))
        value["type"] = canonical
    tag = value.get("type")
    return tags.get(tag) if isinstance(tag, str) else None
