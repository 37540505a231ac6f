"""The JSON Schema of the job file, for `automl-studio --schema` and editors.

Generated from the pydantic models, so descriptions, enums, ranges and defaults match
what the validator enforces. A committed copy (`job.schema.json`) is kept equal to it by a
test, so a YAML language server can point `$schema` at the file.
"""

from __future__ import annotations

import copy
import json
from functools import lru_cache
from typing import Any

from pydantic import TypeAdapter

from .expressions import ParameterExpression
from .job import JobSpec
from .training import SEARCHABLE_PARAMETERS

_DIALECT = "https://json-schema.org/draft/2020-12/schema"


@lru_cache(maxsize=1)
def _build() -> dict[str, Any]:
    schema = JobSpec.model_json_schema(by_alias=True, ref_template="#/$defs/{model}")
    definitions = schema.setdefault("$defs", {})
    expressions = TypeAdapter(ParameterExpression).json_schema(ref_template="#/$defs/{model}")
    definitions.update(expressions.pop("$defs", {}))
    definitions["ParameterExpression"] = expressions
    training = definitions["TrainingParameters"]["properties"]
    definitions["SearchSubspace"] = {
        "type": "object",
        "description": "One subspace: training parameters set to a fixed value or a parameter expression.",
        "additionalProperties": False,
        "properties": {
            key: {
                "description": training[key].get("description", ""),
                "anyOf": [_value_schema(training[key]), {"$ref": "#/$defs/ParameterExpression"}],
            }
            for key in SEARCHABLE_PARAMETERS
        },
    }
    search_space = schema["properties"]["search_space"]
    search_space.pop("anyOf", None)
    search_space.update(type="array", minItems=1, items={"$ref": "#/$defs/SearchSubspace"})
    return {"$schema": _DIALECT, **schema, "title": "AutoML image multi-label classification job"}


def _value_schema(property_schema: dict) -> dict:
    value = {k: v for k, v in property_schema.items() if k not in ("description", "default", "title")}
    return copy.deepcopy(value)


def json_schema() -> dict[str, Any]:
    """A fresh copy of the job file's JSON Schema."""
    return copy.deepcopy(_build())


def json_schema_text() -> str:
    return json.dumps(json_schema(), indent=2, sort_keys=False) + "\n"
