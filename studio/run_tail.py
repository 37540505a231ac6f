"""Following a run's `events.jsonl` from a plain thread, with back-pressure.

`follow_events` reads what the runner appended, decodes it off the UI thread and hands
each batch to `deliver`, then waits until the UI says it took it (`taken`) before reading
again: a fast runner cannot pile up messages, it only makes the next batch bigger. A
long finished run is delivered in slices of `MAX_BATCH` events, so attaching to it never
freezes the screen on one enormous batch.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Callable

from engine.events import EventTail, decode

POLL_SECONDS = 0.02
MAX_BATCH = 5000


def follow_events(
    path: Path,
    deliver: Callable[[list[Any]], None],
    *,
    stop: threading.Event,
    taken: threading.Event,
    poll_seconds: float = POLL_SECONDS,
) -> None:
    """Until `stop` is set: read new lines, decode them, `deliver` each slice, wait on `taken`."""
    tail = EventTail(path)
    while not stop.is_set():
        lines = tail.read_lines()
        if not lines:
            stop.wait(poll_seconds)
            continue
        for start in range(0, len(lines), MAX_BATCH):
            events = _decoded(lines[start : start + MAX_BATCH])
            if not events:
                continue
            taken.clear()
            deliver(events)
            while not taken.wait(poll_seconds):
                if stop.is_set():
                    return


def _decoded(lines: list[str]) -> list[Any]:
    events = []
    for line in lines:
        try:
            event = decode(line)
        except ValueError:
            continue  # a damaged line: skip it, as EventTail.read does
        if event is not None:
            events.append(event)
    return events
