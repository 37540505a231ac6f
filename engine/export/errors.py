"""The one error an export raises for everything a user or a run can cause."""

from __future__ import annotations


class ExportError(Exception):
    """The export could not be made, or failed its parity check; str() says why."""
