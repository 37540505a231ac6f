"""Which parameters differ between two trials, from their `trials/<id>/params.json`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.runfolder import RunFolder, read_json

MISSING = "(not set)"


@dataclass(frozen=True)
class ParameterDifference:
    key: str
    first: Any
    second: Any


def trial_params(folder: RunFolder, trial_id: str) -> dict[str, Any]:
    """The trial's full resolved parameters; empty when the trial never got that far."""
    return read_json(folder.trial_folder(trial_id) / "params.json", {}) or {}


def differing_params(first: dict[str, Any], second: dict[str, Any]) -> list[ParameterDifference]:
    keys = sorted(set(first) | set(second))
    return [
        ParameterDifference(key, first.get(key, MISSING), second.get(key, MISSING))
        for key in keys
        if first.get(key, MISSING) != second.get(key, MISSING)
    ]
