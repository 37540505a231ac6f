"""What the run view shows, as plain state fed by run events: no UI, no files.

`RunModel.apply(events)` folds a batch of `engine.events` into trials (the table's
rows), per-trial metric series (the chart) and a bounded window of log lines (the log
pane). Memory stays bounded on long runs: series merge neighbouring points past
`MAX_POINTS`, and the log keeps the last `LOG_WINDOW` lines. Widgets read the model
on a timer; `version` tells them whether anything changed since they last looked.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterable, Optional

from engine.events import (
    LOG_LEVELS,
    BestChanged,
    EpochEnded,
    ExportDone,
    Log,
    RunEnded,
    RunStarted,
    TrialEnded,
    TrialStarted,
    describe,
)

MAX_POINTS = 500
LOG_WINDOW = 2000
FINISHED_STATUSES = frozenset({"completed", "failed", "early_terminated", "cancelled", "timed_out", "interrupted"})
LOSS = "loss"
"""The series name of the training loss, beside the validation metrics."""


class MetricSeries:
    """(epoch, value) points; past `max_points`, neighbours merge into their mean so the
    series keeps its shape in bounded memory (each stored point then stands for `span`)."""

    def __init__(self, max_points: int = MAX_POINTS) -> None:
        self.max_points = max_points
        self.span = 1
        self._points: list[tuple[float, float]] = []
        self._pending: list[tuple[float, float]] = []
        self.last_x: Optional[float] = None

    def add(self, x: float, y: float) -> None:
        if self.last_x is not None and x <= self.last_x:
            return  # a resumed trial repeating an epoch it already reported
        self.last_x = x
        self._pending.append((x, y))
        if len(self._pending) == self.span:
            self._points.append(_mean(self._pending))
            self._pending = []
        if len(self._points) > self.max_points:
            self._points = [_mean(self._points[i : i + 2]) for i in range(0, len(self._points), 2)]
            self.span *= 2

    def points(self) -> list[tuple[float, float]]:
        return self._points + ([_mean(self._pending)] if self._pending else [])

    def __len__(self) -> int:
        return len(self._points) + bool(self._pending)


def _mean(points: list[tuple[float, float]]) -> tuple[float, float]:
    return sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points)


@dataclass
class TrialRow:
    id: str
    status: str = "running"
    params: dict[str, Any] = field(default_factory=dict)
    epoch: int = 0
    metrics: dict[str, float] = field(default_factory=dict)
    """The latest evaluated metrics (the final best ones once the trial ended)."""
    best_value: Optional[float] = None
    """The best primary metric so far."""
    loss: Optional[float] = None
    lr: Optional[float] = None
    images_per_second: Optional[float] = None
    reason: Optional[str] = None
    pretrained: Optional[bool] = None
    cancel_requested: bool = False

    @property
    def model(self) -> str:
        return str(self.params.get("model_name", ""))

    @property
    def epochs(self) -> Optional[int]:
        value = self.params.get("number_of_epochs")
        return value if isinstance(value, int) else None

    @property
    def finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    @property
    def shown_status(self) -> str:
        return "cancelling" if self.cancel_requested and not self.finished else self.status


@dataclass(frozen=True)
class LogLine:
    number: int
    """Position in the whole run's log (the pane appends lines past the last it showed)."""
    time: datetime
    level: str
    trial: Optional[str]
    message: str


@dataclass(frozen=True)
class LogFilter:
    min_level: str = "info"
    trial: Optional[str] = None
    """Only this trial's lines (run-wide lines are kept too); None: every trial."""

    def accepts(self, line: LogLine) -> bool:
        if LOG_LEVELS.index(line.level) < LOG_LEVELS.index(self.min_level):
            return False
        return self.trial is None or line.trial in (None, self.trial)


class LogWindow:
    def __init__(self, size: int = LOG_WINDOW) -> None:
        self.lines: deque[LogLine] = deque(maxlen=size)
        self.count = 0
        """Lines ever added: the number the next line gets."""

    def add(self, time: datetime, level: str, trial: Optional[str], message: str) -> None:
        self.lines.append(LogLine(self.count, time, level, trial, message))
        self.count += 1

    def since(self, number: int, log_filter: LogFilter) -> list[LogLine]:
        """The kept lines numbered `number` or later that the filter accepts."""
        return [line for line in self.lines if line.number >= number and log_filter.accepts(line)]


@dataclass
class RunModel:
    primary_metric: str = ""
    timeout_minutes: Optional[float] = None
    name: str = ""
    max_trials: Optional[int] = None
    started_at: Optional[datetime] = None
    last_event_at: Optional[datetime] = None
    ended_at: Optional[datetime] = None
    end_status: Optional[str] = None
    end_reason: Optional[str] = None
    best_trial: Optional[str] = None
    best_value: Optional[float] = None
    exports: dict[str, str] = field(default_factory=dict)
    trials: dict[str, TrialRow] = field(default_factory=dict)
    series: dict[str, dict[str, MetricSeries]] = field(default_factory=dict)
    log: LogWindow = field(default_factory=LogWindow)
    version: int = 0
    """Bumped by every change: widgets redraw when it moved since they last looked."""
    events_applied: int = 0

    def apply(self, events: Iterable[Any]) -> None:
        for event in events:
            self._apply(event)
            self.events_applied += 1
            self.last_event_at = event.time
        self.version += 1

    def _apply(self, event: Any) -> None:
        if isinstance(event, RunStarted):
            self.started_at = self.started_at or event.time
            self.name = event.name or self.name
            self.primary_metric = event.primary_metric or self.primary_metric
            self.max_trials = event.max_trials or self.max_trials
            self.ended_at = self.end_status = self.end_reason = None  # a resumed run goes on
        elif isinstance(event, TrialStarted):
            row = self.trial(event.trial)
            row.status, row.params, row.pretrained = "running", dict(event.params), event.pretrained
        elif isinstance(event, EpochEnded):
            self._epoch_ended(event)
        elif isinstance(event, TrialEnded):
            row = self.trial(event.trial)
            row.status, row.reason, row.epoch = event.status, event.reason, max(row.epoch, event.epochs)
            if event.metrics:
                row.metrics = dict(event.metrics)
        elif isinstance(event, BestChanged):
            self.best_trial, self.best_value = event.trial, event.value
        elif isinstance(event, ExportDone):
            self.exports = dict(event.paths)
        elif isinstance(event, RunEnded):
            self.ended_at, self.end_status, self.end_reason = event.time, event.status, event.reason
            self.best_trial = event.best_trial or self.best_trial
        self._log(event)

    def _epoch_ended(self, event: EpochEnded) -> None:
        row = self.trial(event.trial)
        row.epoch, row.loss, row.lr, row.images_per_second = event.epoch, event.loss, event.lr, event.images_per_second
        series = self.series.setdefault(event.trial, {})
        series.setdefault(LOSS, MetricSeries()).add(event.epoch, event.loss)
        if event.metrics:
            row.metrics = dict(event.metrics)
        for name, value in event.metrics.items():
            series.setdefault(name, MetricSeries()).add(event.epoch, value)
        value = event.metrics.get(self.primary_metric)
        if value is not None and (row.best_value is None or value > row.best_value):
            row.best_value = value

    def _log(self, event: Any) -> None:
        if isinstance(event, Log):
            self.log.add(event.time, event.level, event.trial, event.message)
            return
        line = describe(event)
        trial = getattr(event, "trial", None)
        if line and trial is not None:
            line = line.removeprefix(f"trial {trial}: ")  # the pane shows the trial in its own column
        if line:
            level = "warning" if isinstance(event, TrialStarted) and event.pretrained is False else "info"
            if isinstance(event, TrialEnded) and event.status == "failed":
                level = "error"
            self.log.add(event.time, level, trial, line)

    def trial(self, trial_id: str) -> TrialRow:
        row = self.trials.get(trial_id)
        if row is None:
            row = self.trials[trial_id] = TrialRow(trial_id)
        return row

    # -- derived views ------------------------------------------------------------------

    def varying_parameters(self) -> list[str]:
        """Parameters whose values differ between trials (all of them for a single trial)."""
        rows = [row.params for row in self.trials.values() if row.params]
        keys = sorted({key for params in rows for key in params} - {"model_name"})
        if len(rows) < 2:
            return keys
        return [key for key in keys if len({repr(params.get(key)) for params in rows}) > 1]

    def counts(self) -> tuple[int, int, int]:
        """(done, running, total); total is max_trials when the run said it."""
        done = sum(row.finished for row in self.trials.values())
        running = sum(row.status == "running" for row in self.trials.values())
        return done, running, max(self.max_trials or 0, len(self.trials))

    def elapsed_seconds(self, now: datetime) -> Optional[float]:
        if self.started_at is None:
            return None
        end = self.ended_at or now
        return max(0.0, (end - self.started_at).total_seconds())

    def time_left_seconds(self, now: datetime) -> Optional[float]:
        elapsed = self.elapsed_seconds(now)
        if elapsed is None or not self.timeout_minutes or self.ended_at is not None:
            return None
        return max(0.0, self.timeout_minutes * 60 - elapsed)

    def mark_cancel_requested(self, trial_id: str) -> None:
        self.trial(trial_id).cancel_requested = True
        self.version += 1

    def add_note(self, time: datetime, level: str, message: str, trial: Optional[str] = None) -> None:
        """A line from the studio itself (a runner that exited early, an export done here)."""
        self.log.add(time, level, trial, message)
        self.version += 1
