"""Typed run events, their JSON-lines codec, and the sinks that carry them.

A run folder's `events.jsonl` is the only thing the studio reads from a run (DESIGN.md
sections 2 and 8), so this module imports neither torch nor textual and stays cheap to
import.

Public API:

- Event models (pydantic, `type` discriminator, `time` and `run` on each): `RunStarted`,
  `TrialStarted`, `Log`, `EpochEnded`, `TrialEnded`, `BestChanged`, `ExportDone`,
  `RunEnded`; `Event` is their union.
- Codec: `encode(event) -> str` (one line, no newline), `decode(line) -> Event | None`
  (`None` for an event type this version does not know; unknown fields are ignored).
- `EventLog(path)`: a sink appending one flushed line per event.
- `EventTail(path)`: `read() -> list[Event]` returns the events completed since the last
  read; a partial last line waits for the next read.
- `EventSink` protocol (`emit(event)`, `close()`), `FanOutSink(*sinks)`,
  `ConsoleSink(stream=None, rich=None)`, `LogLevelFilter(sink, log_verbosity)`,
  `ListSink()` (keeps events in memory; tests and in-process callers).
- `Emitter(sink, run=..., trial=...)`: fills in `time`, `run` and `trial` so the
  training loop only says what happened.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Annotated, Any, Literal, Protocol, Union, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

LogLevel = Literal["debug", "info", "warning", "error", "critical"]
LOG_LEVELS: tuple[str, ...] = ("debug", "info", "warning", "error", "critical")


def _now() -> datetime:
    return datetime.now(timezone.utc)


class _EventBase(BaseModel):
    # Readers must accept files written by newer versions: extra fields are dropped.
    model_config = ConfigDict(extra="ignore", frozen=True)

    time: datetime = Field(default_factory=_now)
    run: str = ""


class RunStarted(_EventBase):
    type: Literal["run_started"] = "run_started"
    name: str | None = None
    primary_metric: str | None = None
    run_dir: str | None = None
    max_trials: int | None = None


class TrialStarted(_EventBase):
    type: Literal["trial_started"] = "trial_started"
    trial: str
    params: dict[str, Any] = Field(default_factory=dict)
    pretrained: bool | None = None
    """False when ImageNet weights could not be had and the trial starts from random init."""
    weights: str | None = None
    """Where the initial weights came from, in words."""


class Log(_EventBase):
    type: Literal["log"] = "log"
    level: LogLevel = "info"
    message: str
    trial: str | None = None


class EpochEnded(_EventBase):
    type: Literal["epoch_ended"] = "epoch_ended"
    trial: str
    epoch: int
    """1-based."""
    metrics: dict[str, float] = Field(default_factory=dict)
    """Validation metrics; empty for an epoch that was not evaluated."""
    loss: float
    """Mean training loss over the epoch."""
    lr: float
    """Learning rate at the end of the epoch."""
    images_per_second: float
    seconds: float


class TrialEnded(_EventBase):
    type: Literal["trial_ended"] = "trial_ended"
    trial: str
    status: Literal["completed", "failed", "early_terminated", "cancelled", "interrupted", "timed_out"]
    reason: str | None = None
    metrics: dict[str, float] = Field(default_factory=dict)
    """Metrics of the best evaluation."""
    best_epoch: int | None = None
    epochs: int = 0


class BestChanged(_EventBase):
    type: Literal["best_changed"] = "best_changed"
    trial: str
    metric: str
    value: float
    epoch: int | None = None


class ExportDone(_EventBase):
    type: Literal["export_done"] = "export_done"
    trial: str | None = None
    paths: dict[str, str] = Field(default_factory=dict)
    max_abs_diff: float | None = None


class RunEnded(_EventBase):
    type: Literal["run_ended"] = "run_ended"
    status: Literal["completed", "failed", "interrupted", "timed_out"]
    best_trial: str | None = None
    reason: str | None = None


Event = Annotated[
    Union[RunStarted, TrialStarted, Log, EpochEnded, TrialEnded, BestChanged, ExportDone, RunEnded],
    Field(discriminator="type"),
]
_EVENT_ADAPTER: TypeAdapter[Event] = TypeAdapter(Event)
_KNOWN_TYPES = frozenset(
    cls.model_fields["type"].default
    for cls in (RunStarted, TrialStarted, Log, EpochEnded, TrialEnded, BestChanged, ExportDone, RunEnded)
)


def encode(event: _EventBase) -> str:
    """One JSON object on one line (JSON escapes newlines inside strings)."""
    return event.model_dump_json()


def decode(line: str) -> Event | None:
    """Parse one line; `None` for an event type from a newer version.

    A line that is not JSON, or a known type with invalid fields, raises ValueError:
    that is a damaged file, not a newer one.
    """
    data = json.loads(line)
    if not isinstance(data, dict):
        raise ValueError(f"event line is not a JSON object: {line[:80]!r}")
    if data.get("type") not in _KNOWN_TYPES:
        return None
    try:
        return _EVENT_ADAPTER.validate_python(data)
    except ValidationError as exc:
        raise ValueError(f"invalid {data.get('type')} event: {exc}") from exc


@runtime_checkable
class EventSink(Protocol):
    def emit(self, event: _EventBase) -> None: ...

    def close(self) -> None: ...


class EventLog:
    """Appends one line per event and flushes it, so a tail reader (or a crash) sees
    every event that was emitted. Thread-safe: trials' threads may share one log."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file: IO[str] | None = open(self.path, "a", encoding="utf-8")
        self._lock = threading.Lock()

    def emit(self, event: _EventBase) -> None:
        line = encode(event) + "\n"
        with self._lock:
            if self._file is None:
                raise ValueError(f"event log {self.path} is closed")
            self._file.write(line)
            self._file.flush()

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None


class EventTail:
    """Incremental reader of an events file that may still be growing.

    Each `read()` returns the events on lines completed since the previous read. A last
    line without its newline is left for the next read (the writer is mid-line). A file
    that shrank or was replaced (new inode) is read again from the start.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._offset = 0
        self._inode: int | None = None
        self.skipped = 0
        """Lines that were damaged or of an unknown event type."""

    def read_lines(self) -> list[str]:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return []
        size = stat.st_size
        if size < self._offset or stat.st_ino != self._inode:
            self._offset = 0
            self._inode = stat.st_ino
        with open(self.path, "rb") as f:
            f.seek(self._offset)
            chunk = f.read(size - self._offset)
        end = chunk.rfind(b"\n")
        if end < 0:
            return []
        self._offset += end + 1
        return [line for line in chunk[:end].decode("utf-8").split("\n") if line.strip()]

    def read(self) -> list[Event]:
        events = []
        for line in self.read_lines():
            try:
                event = decode(line)
            except ValueError:
                event = None
            if event is None:
                self.skipped += 1
            else:
                events.append(event)
        return events


class ListSink:
    """Keeps every event in memory."""

    def __init__(self) -> None:
        self.events: list[_EventBase] = []

    def emit(self, event: _EventBase) -> None:
        self.events.append(event)

    def close(self) -> None:
        pass

    def of_type(self, kind: type[_EventBase]) -> list:
        return [e for e in self.events if isinstance(e, kind)]


class FanOutSink:
    """Sends each event to every sink, in order."""

    def __init__(self, *sinks: EventSink) -> None:
        self.sinks = list(sinks)

    def emit(self, event: _EventBase) -> None:
        for sink in self.sinks:
            sink.emit(event)

    def close(self) -> None:
        for sink in self.sinks:
            sink.close()


class LogLevelFilter:
    """Drops `log` events below the job's `log_verbosity` (`not_set` keeps all)."""

    def __init__(self, sink: EventSink, log_verbosity: str = "info") -> None:
        level = log_verbosity.lower()
        if level != "not_set" and level not in LOG_LEVELS:
            raise ValueError(f"unknown log_verbosity {log_verbosity!r}")
        self.sink = sink
        self._min = 0 if level == "not_set" else LOG_LEVELS.index(level)

    def emit(self, event: _EventBase) -> None:
        if isinstance(event, Log) and LOG_LEVELS.index(event.level) < self._min:
            return
        self.sink.emit(event)

    def close(self) -> None:
        self.sink.close()


def describe(event: _EventBase) -> str | None:
    """One human line for an event (None: not worth a line on the console)."""
    trial = getattr(event, "trial", None)
    prefix = f"trial {trial}: " if trial is not None else ""
    if isinstance(event, Log):
        return f"{prefix}{event.level}: {event.message}"
    if isinstance(event, EpochEnded):
        scores = " ".join(f"{k} {v:.4f}" for k, v in event.metrics.items())
        return (
            f"{prefix}epoch {event.epoch} loss {event.loss:.4f} lr {event.lr:.3g} "
            f"{event.images_per_second:.1f} img/s {event.seconds:.1f}s {scores}".rstrip()
        )
    if isinstance(event, TrialStarted):
        weights = "" if event.pretrained is not False else " (RANDOM INIT: no pretrained weights)"
        return f"{prefix}started{weights}"
    if isinstance(event, TrialEnded):
        scores = " ".join(f"{k} {v:.4f}" for k, v in event.metrics.items())
        reason = f" ({event.reason})" if event.reason else ""
        return f"{prefix}{event.status}{reason} after {event.epochs} epochs {scores}".rstrip()
    if isinstance(event, BestChanged):
        return f"{prefix}new best {event.metric} {event.value:.4f}"
    if isinstance(event, RunStarted):
        return f"run {event.run} started"
    if isinstance(event, RunEnded):
        return f"run {event.run} {event.status}"
    if isinstance(event, ExportDone):
        return f"exported {', '.join(event.paths.values())}"
    return None


_STYLES = {"warning": "yellow", "error": "bold red", "critical": "bold red", "debug": "dim"}


class ConsoleSink:
    """Human lines on stderr: rich styling on a terminal, plain text otherwise (logs,
    CI). The headless studio reporter builds its progress display on top of events; this
    sink is the simple fallback and what the engine prints when run directly."""

    def __init__(self, stream: IO[str] | None = None, rich: bool | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        use_rich = self.stream.isatty() if rich is None else rich
        self._console = None
        if use_rich:
            from rich.console import Console  # only on a terminal: keeps plain runs lean

            self._console = Console(file=self.stream, highlight=False)

    def emit(self, event: _EventBase) -> None:
        line = describe(event)
        if line is None:
            return
        if self._console is None:
            print(line, file=self.stream, flush=True)
            return
        loud = isinstance(event, TrialStarted) and event.pretrained is False
        level = "warning" if loud else getattr(event, "level", None)
        self._console.print(line, style=_STYLES.get(level or "", ""), markup=False)

    def close(self) -> None:
        self.stream.flush()


class Emitter:
    """Binds a sink to a run (and trial) so callers state only what happened."""

    def __init__(self, sink: EventSink | None, *, run: str = "", trial: str | None = None) -> None:
        self.sink = sink
        self.run = run
        self.trial = trial

    def emit(self, kind: type[_EventBase], **fields: Any) -> None:
        if self.sink is None:
            return
        if self.trial is not None and "trial" in kind.model_fields:
            fields.setdefault("trial", self.trial)
        self.sink.emit(kind(run=self.run, **fields))

    def log(self, level: LogLevel, message: str) -> None:
        self.emit(Log, level=level, message=message)
