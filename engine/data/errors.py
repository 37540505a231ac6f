"""Errors and warnings the data layer reports to the user.

Every failure a user can cause with their data is a `DataError`: its message says what is
wrong, where (file and line), and what would be right, so callers print `str(error)` and
never a traceback. Rows that are merely bad are not errors: they are skipped and reported
as `SkippedRow` records, which the training loop turns into `log` events.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REMOTE_SCHEMES = ("azureml://", "https://", "http://", "wasbs://", "wasb://", "abfss://", "adl://")


class DataError(Exception):
    """A problem with the user's data; the message is meant to be shown as is."""


class MLTableError(DataError):
    """The MLTable file itself is missing, unreadable or uses something we do not support."""


class InvalidLineError(DataError):
    """A JSON-lines file has a bad line and the MLTable says `invalid_lines: error`."""


class RemoteDataError(DataError):
    """Data lives in the cloud (`azureml://`, `https://`, ...) and cannot be read offline."""


class EmptySplitError(DataError):
    """A training or validation split has no usable rows left."""


def is_remote(location: str) -> bool:
    return location.strip().lower().startswith(REMOTE_SCHEMES)


def remote_image_error(url: str, *, source: Path, line: int) -> RemoteDataError:
    return RemoteDataError(
        f"{source}:{line}: image '{url}' is a cloud URL, which cannot be read offline. "
        "Download the images (for example with `az storage copy` or the Azure ML studio), "
        "then point the MLTable at local files: write local paths in the JSON-lines file, "
        "relative to the MLTable folder or absolute."
    )


@dataclass(frozen=True)
class SkippedRow:
    """One row left out of a split, and why. `line` is 1-based."""

    file: Path
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: skipped: {self.reason}"


SkipCallback = Callable[[SkippedRow], None]


@dataclass
class SkipReport:
    """Collects skipped rows and forwards each one to an optional callback as it happens.

    The callback lets a live run emit a `log` event per row while the data is still being
    read; the list lets a caller summarise them afterwards.
    """

    callback: SkipCallback | None = None
    rows: list[SkippedRow] = field(default_factory=list)

    def skip(self, file: Path, line: int, reason: str) -> None:
        row = SkippedRow(file=file, line=line, reason=reason)
        self.rows.append(row)
        if self.callback is not None:
            self.callback(row)
