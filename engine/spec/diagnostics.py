"""Diagnostics: what is wrong, where, and what would be right.

Positions are 0-based inside the program and 1-based only when printed.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Iterable, Literal, Optional

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Span:
    """A 0-based, end-exclusive range of text."""

    line: int
    column: int
    end_line: int
    end_column: int

    @classmethod
    def point(cls, line: int = 0, column: int = 0) -> "Span":
        return cls(line, column, line, column + 1)


@dataclass(frozen=True)
class Diagnostic:
    severity: Severity
    code: str
    """Stable identifier (`unknown-key`, `out-of-range`, ...): tests and tools match on it."""
    message: str
    span: Span = field(default_factory=Span.point)
    path: tuple = ()
    """Key path in the job (`("training_parameters", "learning_rate")`), when there is one."""

    @property
    def line(self) -> int:
        return self.span.line

    @property
    def column(self) -> int:
        return self.span.column

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def format(self, filename: str) -> str:
        """Compiler style, 1-based: `job.yml:14:5: error: message`."""
        return f"{filename}:{self.span.line + 1}:{self.span.column + 1}: {self.severity}: {self.message}"


def did_you_mean(word: object, candidates: Iterable[str]) -> Optional[str]:
    """The closest candidate to a misspelt key or value, if any is close enough."""
    if not isinstance(word, str):
        return None
    pool = list(candidates)
    lowered = {c.lower(): c for c in pool}
    if word.lower() in lowered:
        return lowered[word.lower()]
    matches = difflib.get_close_matches(word, pool, n=1, cutoff=0.6)
    return matches[0] if matches else None


def with_suggestion(message: str, word: object, candidates: Iterable[str]) -> str:
    suggestion = did_you_mean(word, candidates)
    return f"{message} (did you mean '{suggestion}'?)" if suggestion else message


def sort_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    return sorted(diagnostics, key=lambda d: (d.span.line, d.span.column, d.severity != "error", d.code))
