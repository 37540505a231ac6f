"""The selected trial up close: its status, epoch, loss and learning rate, every
validation metric (latest and best of the primary), its parameters, and a loss sparkline."""

from __future__ import annotations

from typing import Optional

from rich.text import Text
from textual.widget import Widget

from ..run_format import format_metric, format_value, sparkline
from ..run_model import LOSS, RunModel, TrialRow


class TrialDetails(Widget):
    COMPONENT_CLASSES = {"trial-details--label", "trial-details--muted", "trial-details--spark"}

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._row: Optional[TrialRow] = None
        self._model: Optional[RunModel] = None
        self._shown: Optional[tuple] = None
        self._label_width = 9

    def show(self, model: RunModel, selected: Optional[str]) -> None:
        key = (model.version, selected)
        if key != self._shown:
            self._shown = key
            self._model, self._row = model, model.trials.get(selected or "")
            self.border_title = f"trial {selected}" if selected else "trial"
            self.refresh()

    def render(self) -> Text:
        row, model = self._row, self._model
        if row is None or model is None:
            return Text("No trial yet", self._style("muted"))
        text = Text(no_wrap=True, overflow="ellipsis")
        self._label_width = min(16, max(len(label) for label in ("status", *row.metrics, *row.params)))
        self._line(text, "status", row.shown_status + (f" ({row.reason})" if row.reason else ""))
        self._line(text, "epoch", f"{row.epoch}/{row.epochs}" if row.epochs else str(row.epoch))
        self._line(text, "loss", format_metric(row.loss))
        losses = model.series.get(row.id, {}).get(LOSS)
        if losses is not None and len(losses) > 1:
            width = max(4, self.content_size.width - self._label_width - 1)
            text.append(" " * (self._label_width + 1))
            text.append(sparkline([y for _, y in losses.points()], width) + "\n", self._style("spark"))
        self._line(text, "lr", format_value(row.lr))
        if row.images_per_second is not None:
            self._line(text, "img/s", f"{row.images_per_second:.1f}")
        for name, value in sorted(row.metrics.items()):
            best = f"  best {format_metric(row.best_value)}" if name == model.primary_metric else ""
            self._line(text, name, format_metric(value) + best)
        if row.pretrained is False:
            self._line(text, "weights", "random init (no pretrained weights)")
        for key, value in sorted(row.params.items()):
            self._line(text, key, format_value(value), muted=True)
        text.rstrip()
        return text

    def _line(self, text: Text, label: str, value: str, muted: bool = False) -> None:
        text.append(f"{label:<{self._label_width}} ", self._style("muted" if muted else "label"))
        text.append(value + "\n", self._style("muted") if muted else "")

    def _style(self, name: str):
        return self.get_component_rich_style(f"trial-details--{name}", partial=True)
