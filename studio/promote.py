"""Promote a trial to a job: the run's job with that trial's parameters and no sweep.

The edit goes through the round-trip functions of `engine.spec`, so the new file keeps
the original's comments and layout. `limits.max_trials` goes too: without a search space
it would turn the job into an automode sweep.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Optional

from engine.spec import Diagnostic, remove_value, save_text_atomic, set_value, validate_text

SWEEP_KEYS = (("sweep",), ("search_space",), ("limits", "max_trials"))


class PromoteError(ValueError):
    pass


def promoted_job_text(job_text: str, params: dict[str, Any], *, base_dir: Optional[Path] = None) -> str:
    """The job text with `params` as its training parameters and no sweep; validated."""
    text = job_text
    for path in SWEEP_KEYS:
        text = remove_value(text, path)
    for key, value in params.items():
        text = set_value(text, ("training_parameters", key), value)
    text = re.sub(r"\n{3,}", "\n\n", text)  # the sweep's blocks leave blank lines behind
    errors = [d for d in validate_text(text, base_dir=base_dir).diagnostics if d.is_error]
    if errors:
        raise PromoteError(f"the promoted job would not be valid: {_first(errors)}")
    return text


def promote_trial(job_text: str, params: dict[str, Any], destination: Path, *, base_dir: Optional[Path] = None) -> Path:
    """Write the promoted job to `destination` (never over an existing file)."""
    if destination.exists():
        raise PromoteError(f"{destination} exists already: choose another name")
    save_text_atomic(destination, promoted_job_text(job_text, params, base_dir=base_dir))
    return destination


def default_promoted_path(job_path: Path, trial_id: str) -> Path:
    """`<job>-<trial>.yml` beside the original job."""
    return job_path.with_name(f"{job_path.stem}-{trial_id}.yml")


def _first(errors: list[Diagnostic]) -> str:
    error = errors[0]
    return f"line {error.span.line + 1}: {error.message}"
