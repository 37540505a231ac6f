"""The job file: model, YAML round-trip, diagnostics. Imports neither torch nor textual.

Public API:
- `validate_text(text, base_dir=None)` / `validate_file(path)` -> `ValidationResult`
  (`.job`, `.diagnostics`, `.errors`, `.ok`, `.document`)
- `JobSpec`, `TrainingParameters` and the other models; `MODEL_NAMES`
- `resolve_training_parameters(params, overrides)`: effective per-trial parameters
- `parse_search_space(job.search_space)`: typed subspaces for the sweep
- `set_value(text, path, value)`, `remove_value(text, path)`, `save_text_atomic(path, text)`,
  `read_text(path)`: edits that keep comments and layout
- `Diagnostic`, `Span`; `json_schema()`
"""

from .defaults import is_vit, resolve_training_parameters
from .diagnostics import Diagnostic, Span
from .document import ParsedDocument, parse_document
from .expressions import EXPRESSION_TYPES, parse_legacy_expression
from .job import (
    BanditPolicy,
    BestModelOutput,
    DataInput,
    JobSpec,
    Limits,
    MedianStoppingPolicy,
    Outputs,
    Sweep,
    TruncationSelectionPolicy,
)
from .roundtrip import EditError, read_text, remove_value, save_text_atomic, set_value
from .schema import json_schema
from .search_space import Fixed, SearchSubspace, parse_search_space
from .training import MODEL_NAMES, SEARCHABLE_PARAMETERS, VIT_MODELS, TrainingParameters
from .validate import ValidationResult, validate_file, validate_text

__all__ = [
    "BanditPolicy",
    "BestModelOutput",
    "DataInput",
    "Diagnostic",
    "EXPRESSION_TYPES",
    "EditError",
    "Fixed",
    "JobSpec",
    "Limits",
    "MODEL_NAMES",
    "MedianStoppingPolicy",
    "Outputs",
    "ParsedDocument",
    "SEARCHABLE_PARAMETERS",
    "SearchSubspace",
    "Span",
    "Sweep",
    "TrainingParameters",
    "TruncationSelectionPolicy",
    "VIT_MODELS",
    "ValidationResult",
    "is_vit",
    "json_schema",
    "parse_document",
    "parse_legacy_expression",
    "parse_search_space",
    "read_text",
    "remove_value",
    "resolve_training_parameters",
    "save_text_atomic",
    "set_value",
    "validate_file",
    "validate_text",
]
