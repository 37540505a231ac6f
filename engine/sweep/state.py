"""The sweep's state in the run folder (`sweep.json`): what --resume continues from.

Written atomically after every change, so a runner killed with SIGKILL leaves a state
that names every finished trial with its result and every running one to restart.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Optional

from engine.runfolder import read_json, write_json_atomic

FINISHED = ("completed", "failed", "early_terminated", "cancelled")
SUCCEEDED = ("completed", "early_terminated")


@dataclass
class TrialRecord:
    id: str
    index: int
    params: dict[str, Any]
    subspace: int = 0
    sampler_state: dict[str, Any] = field(default_factory=dict)
    status: str = "pending"
    """pending, running, completed, failed, early_terminated, cancelled or interrupted."""
    reason: Optional[str] = None
    metrics: dict[str, float] = field(default_factory=dict)
    epochs: int = 0
    best_epoch: Optional[int] = None
    primary_history: list[float] = field(default_factory=list)
    attempts: int = 0
    overrides: dict[str, Any] = field(default_factory=dict)
    """Changes the scheduler made (a smaller batch after running out of memory)."""
    pretrained: Optional[bool] = None

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    @property
    def effective_params(self) -> dict[str, Any]:
        return {**self.params, **self.overrides}


@dataclass
class SweepState:
    seed: int
    trials: list[TrialRecord] = field(default_factory=list)
    elapsed_seconds: float = 0.0
    """Time spent by earlier runs of this folder (so timeout_minutes spans a resume)."""

    def save(self, path: Path) -> None:
        write_json_atomic(path, asdict(self))

    @classmethod
    def load(cls, path: Path) -> Optional["SweepState"]:
        raw = read_json(path)
        if not raw:
            return None
        return cls(
            seed=raw["seed"],
            trials=[TrialRecord(**trial) for trial in raw.get("trials", [])],
            elapsed_seconds=raw.get("elapsed_seconds", 0.0),
        )

    def record(self, trial_id: str) -> TrialRecord:
        return next(t for t in self.trials if t.id == trial_id)

    def best(self, primary_metric: str) -> Optional[TrialRecord]:
        candidates = [t for t in self.trials if t.status in SUCCEEDED and primary_metric in t.metrics]
        return max(candidates, key=lambda t: (t.metrics[primary_metric], -t.index), default=None)


def trial_id_for(index: int) -> str:
    return f"t{index + 1:03d}"
