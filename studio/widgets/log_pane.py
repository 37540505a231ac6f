"""The run's log lines, filtered by level and trial; times are offsets from the run's start.

`show(window, log_filter, started_at)` appends the lines past the last one shown, or
redraws the whole (bounded) window when the filter changed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from rich.text import Text
from textual.widgets import RichLog

from ..run_format import format_duration
from ..run_model import LOG_WINDOW, LogFilter, LogLine, LogWindow


LEVEL_STYLES = {"debug": "debug", "warning": "warning", "error": "error", "critical": "error"}


class LogPane(RichLog):
    COMPONENT_CLASSES = RichLog.COMPONENT_CLASSES | {
        "log-pane--debug",
        "log-pane--warning",
        "log-pane--error",
        "log-pane--muted",
    }

    def __init__(self, **kwargs) -> None:
        super().__init__(max_lines=LOG_WINDOW, wrap=False, markup=False, highlight=False, **kwargs)
        self._filter: Optional[LogFilter] = None
        self._next = 0
        self._started_at: Optional[datetime] = None

    def show(self, window: LogWindow, log_filter: LogFilter, started_at: Optional[datetime]) -> None:
        if log_filter != self._filter or started_at != self._started_at:
            self.clear()
            self._filter, self._started_at, self._next = log_filter, started_at, 0
            self.border_title = _title(log_filter)
        if self._next >= window.count:
            return
        lines = window.since(self._next, log_filter)[-LOG_WINDOW:]
        self._next = window.count
        if lines:
            # One write for the whole batch: per-line writes cost more than the text itself.
            styles = {name: self._style(name) for name in ("debug", "warning", "error", "muted")}
            self.write(Text("\n").join(self._format(line, styles) for line in lines), scroll_end=True)

    def _format(self, line: LogLine, styles: dict) -> Text:
        offset = (line.time - self._started_at).total_seconds() if self._started_at else None
        level_style = styles.get(LEVEL_STYLES.get(line.level, ""), "")
        return Text.assemble(
            (f"{format_duration(offset):>8} ", styles["muted"]),
            (f"{line.level:<8}", level_style),
            (f"{line.trial or '':<6}", styles["muted"]),
            (line.message, level_style),
            no_wrap=True,
        )

    def _style(self, name: str):
        return self.get_component_rich_style(f"log-pane--{name}", partial=True)


def _title(log_filter: LogFilter) -> str:
    trial = f"trial {log_filter.trial}" if log_filter.trial else "all trials"
    return f"Log · {log_filter.min_level} and up · {trial}"
