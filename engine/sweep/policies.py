"""Early-termination policies, with Azure ML's documented semantics.

Every primary metric of this task is maximised. A trial reports its primary metric at
each evaluation; reports are counted from 1 per trial (`interval`). A policy is applied
at intervals that are multiples of `evaluation_interval` and at least
`delay_evaluation` ("applied at every interval starting at 5" for a delay of 5, in
Azure's words). Policies are pure functions of the metric history, which is what makes
a resumed sweep continue with the same decisions.

- bandit: stop when the trial's metric at this interval is below
  `best / (1 + slack_factor)` or `best - slack_amount`, `best` being the best metric any
  trial reported at this same interval.
- median_stopping: stop when the trial's best metric so far is below the median of the
  running averages (over intervals 1..n) of the other trials that reached interval n.
- truncation_selection: at interval n, rank the trials that reached it (finished ones left
  out with `exclude_finished_jobs`); stop the trial if it is among the lowest
  `floor(count * truncation_percentage / 100)`.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from typing import Mapping, Optional, Protocol, Sequence


@dataclass(frozen=True)
class Decision:
    stop: bool
    reason: str = ""


CONTINUE = Decision(False)


History = Mapping[str, Sequence[float]]
"""Primary metric reports so far: trial id -> values, one per evaluation."""


class Policy(Protocol):
    def decide(self, trial: str, history: History, finished: frozenset[str]) -> Decision: ...


@dataclass(frozen=True)
class _Schedule:
    evaluation_interval: int = 1
    delay_evaluation: int = 0

    def applies(self, interval: int) -> bool:
        return interval >= max(1, self.delay_evaluation) and interval % self.evaluation_interval == 0


@dataclass(frozen=True)
class BanditPolicy(_Schedule):
    slack_factor: Optional[float] = None
    slack_amount: Optional[float] = None

    def decide(self, trial: str, history: History, finished: frozenset[str] = frozenset()) -> Decision:
        values = history.get(trial, ())
        interval = len(values)
        if not values or not self.applies(interval):
            return CONTINUE
        peers = [v[interval - 1] for v in history.values() if len(v) >= interval and math.isfinite(v[interval - 1])]
        best = max(peers)
        if self.slack_factor is not None:
            threshold = best / (1 + self.slack_factor)
            slack = f"slack factor {self.slack_factor:g}"
        else:
            threshold = best - (self.slack_amount or 0.0)
            slack = f"slack amount {self.slack_amount:g}"
        current = values[-1]
        if current < threshold:
            return Decision(True, f"bandit: {current:.4f} at interval {interval} is below {threshold:.4f} (best {best:.4f}, {slack})")
        return CONTINUE


@dataclass(frozen=True)
class MedianStoppingPolicy(_Schedule):
    def decide(self, trial: str, history: History, finished: frozenset[str] = frozenset()) -> Decision:
        values = history.get(trial, ())
        interval = len(values)
        if not values or not self.applies(interval):
            return CONTINUE
        averages = [statistics.fmean(v[:interval]) for other, v in history.items() if other != trial and len(v) >= interval]
        if not averages:
            return CONTINUE
        median = statistics.median(averages)
        best = max(values)
        if best < median:
            return Decision(True, f"median stopping: best {best:.4f} is below the median running average {median:.4f} at interval {interval}")
        return CONTINUE


@dataclass(frozen=True)
class TruncationSelectionPolicy(_Schedule):
    truncation_percentage: int = 10
    exclude_finished_jobs: bool = False

    def decide(self, trial: str, history: History, finished: frozenset[str] = frozenset()) -> Decision:
        values = history.get(trial, ())
        interval = len(values)
        if not values or not self.applies(interval):
            return CONTINUE
        ranked = sorted(
            (v[interval - 1], other)
            for other, v in history.items()
            if len(v) >= interval and not (self.exclude_finished_jobs and other in finished and other != trial)
        )
        cut = math.floor(len(ranked) * self.truncation_percentage / 100)
        # Ties: a trial is cut only if its value is strictly below the first survivor's.
        if cut and values[-1] < ranked[cut][0]:
            return Decision(
                True,
                f"truncation selection: {values[-1]:.4f} is in the lowest {self.truncation_percentage}% at interval {interval}",
            )
        return CONTINUE


class NoPolicy:
    def decide(self, trial: str, history: History, finished: frozenset[str] = frozenset()) -> Decision:
        return CONTINUE


def create_policy(spec) -> Policy:
    """A policy from the job's `sweep.early_termination` (None: every trial runs to the end)."""
    if spec is None:
        return NoPolicy()
    schedule = {"evaluation_interval": spec.evaluation_interval, "delay_evaluation": spec.delay_evaluation}
    if spec.type == "bandit":
        return BanditPolicy(**schedule, slack_factor=spec.slack_factor, slack_amount=spec.slack_amount)
    if spec.type == "median_stopping":
        return MedianStoppingPolicy(**schedule)
    return TruncationSelectionPolicy(
        **schedule, truncation_percentage=spec.truncation_percentage, exclude_finished_jobs=spec.exclude_finished_jobs
    )
