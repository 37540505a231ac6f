"""Validation of a job file: YAML, then the schema, then the cross-field rules.

`validate_text` never raises for any input: every problem is a diagnostic.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from pydantic import ValidationError

from .diagnostics import Diagnostic, Span, sort_diagnostics
from .document import ParsedDocument, parse_document
from .errors import diagnostics_from_validation_error
from .job import JobSpec
from .normalise import normalise_enum_case
from .roundtrip import read_text
from .rules import check_rules
from .search_space import check_search_space


@dataclass
class ValidationResult:
    document: ParsedDocument
    job: Optional[JobSpec] = None
    """The validated job; None when there are errors."""
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if not d.is_error]

    @property
    def ok(self) -> bool:
        return not self.errors


def validate_text(text: str, *, base_dir: Optional[Path] = None) -> ValidationResult:
    """Validate job YAML. `base_dir` is where relative data paths start (the job's folder)."""
    try:
        return _validate(text, base_dir)
    except RecursionError:
        document = ParsedDocument(text=text)
        diagnostic = Diagnostic("error", "yaml-syntax", "the document is nested too deeply to check")
        return ValidationResult(document, None, [diagnostic])


def validate_file(path: Path | str) -> ValidationResult:
    """Validate a job file; an unreadable file is a diagnostic too."""
    path = Path(path)
    try:
        text = read_text(path)
    except FileNotFoundError:
        return _unreadable(f"{path} does not exist")
    except IsADirectoryError:
        return _unreadable(f"{path} is a folder, not a job file")
    except UnicodeDecodeError as error:
        return _unreadable(f"{path} is not UTF-8 text (byte {error.start})")
    except OSError as error:
        return _unreadable(f"{path} cannot be read: {error.strerror}")
    return validate_text(text, base_dir=path.parent)


def _unreadable(message: str) -> ValidationResult:
    return ValidationResult(ParsedDocument(text=""), None, [Diagnostic("error", "unreadable-file", message)])


def _validate(text: str, base_dir: Optional[Path]) -> ValidationResult:
    document = parse_document(text)
    diagnostics = list(document.diagnostics)
    data = document.data
    if any(d.code.startswith("yaml") for d in diagnostics):
        return ValidationResult(document, None, sort_diagnostics(diagnostics))
    if data is None:
        diagnostics.append(Diagnostic("error", "empty-file", "the job file is empty: start from `automl-studio job.yml`'s template"))
        return ValidationResult(document, None, diagnostics)
    if not isinstance(data, dict):
        diagnostics.append(Diagnostic("error", "wrong-type", "a job file must be a mapping of keys to values", document.span(())))
        return ValidationResult(document, None, sort_diagnostics(diagnostics))
    normalise_enum_case(data, document, diagnostics)
    check_search_space(data, document, diagnostics)
    job = None
    try:
        job = JobSpec.model_validate(data)
    except ValidationError as error:
        diagnostics.extend(diagnostics_from_validation_error(error, document))
    # The rules read the search space as typed expressions: only a clean one can be read.
    if job is not None and not any(d.is_error for d in diagnostics):
        diagnostics.extend(check_rules(job, document, base_dir))
    if any(d.is_error for d in diagnostics):
        job = None
    return ValidationResult(document, job, sort_diagnostics(_unique(diagnostics)))


def _unique(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    seen, result = set(), []
    for diagnostic in diagnostics:
        key = (diagnostic.code, diagnostic.message, diagnostic.span)
        if key not in seen:
            seen.add(key)
            result.append(diagnostic)
    return result


__all__ = ["ValidationResult", "validate_text", "validate_file", "Span"]
