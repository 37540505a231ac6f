"""One line under the run view: the run's state, elapsed time, trials done/running/total,
the best trial so far, and the time limit left. Drawn in `render`, like the editor's."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from rich.text import Text
from textual.widget import Widget

from ..run_format import format_duration, format_metric


@dataclass(frozen=True)
class RunStatusInfo:
    state: str = "starting"
    """running, starting, not running, or the run's final status."""
    name: str = ""
    elapsed: Optional[float] = None
    done: int = 0
    running: int = 0
    total: int = 0
    metric: str = ""
    best_trial: Optional[str] = None
    best_value: Optional[float] = None
    time_left: Optional[float] = None
    marked: Optional[str] = None
    """The trial marked for a diff."""


STATE_STYLES = {"running": "running", "starting": "running", "completed": "good", "failed": "bad", "not running": "bad"}


class RunStatus(Widget):
    COMPONENT_CLASSES = {"run-status--running", "run-status--good", "run-status--bad", "run-status--muted", "run-status--best"}

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.info = RunStatusInfo()

    def show(self, info: RunStatusInfo) -> None:
        if info != self.info:
            self.info = info
            self.refresh()

    def render(self) -> Text:
        info = self.info
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(f"● {info.state}", self._style(STATE_STYLES.get(info.state, "muted")))
        text.append(f"  {info.name}  ")
        text.append("elapsed ", self._style("muted"))
        text.append(format_duration(info.elapsed))
        text.append("  trials ", self._style("muted"))
        text.append(f"{info.done} done · {info.running} running · {info.total} total")
        if info.best_trial is not None:
            text.append("  best ", self._style("muted"))
            text.append(f"{info.best_trial} {info.metric} {format_metric(info.best_value)}", self._style("best"))
        if info.time_left is not None:
            text.append("  time left ", self._style("muted"))
            text.append(format_duration(info.time_left))
        if info.marked is not None:
            text.append(f"  marked {info.marked}", self._style("muted"))
        return text

    def _style(self, name: str):
        return self.get_component_rich_style(f"run-status--{name}", partial=True)
