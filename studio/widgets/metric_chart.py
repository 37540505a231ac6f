"""The primary metric per epoch: every trial in a muted colour, the selected one bright.

Drawn with plotext (textual-plotext); colours come from the app's theme variables so
the chart follows the theme. Building a plot costs milliseconds, so new data is drawn
on the chart's own timer, at most every `DRAW_SECONDS`; a new selection or theme is
drawn at once.
"""

from __future__ import annotations

from typing import Optional

from textual.color import Color
from textual_plotext import PlotextPlot

from ..run_model import RunModel

DRAW_SECONDS = 0.5


class MetricChart(PlotextPlot):
    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._model: Optional[RunModel] = None
        self._selected: Optional[str] = None
        self._drawn: Optional[tuple] = None

    def on_mount(self) -> None:
        super().on_mount()
        self.set_interval(DRAW_SECONDS, self._draw_if_changed, name="chart draw")

    @property
    def up_to_date(self) -> bool:
        return self._model is not None and self._drawn == self._key()

    def show(self, model: RunModel, selected: Optional[str]) -> None:
        immediate = self._drawn is None or (selected, self.app.theme) != self._drawn[1:]
        self._model, self._selected = model, selected
        if immediate:
            self._draw_if_changed()

    def _key(self) -> tuple:
        return (self._model.version if self._model else None, self._selected, self.app.theme)

    def _draw_if_changed(self) -> None:
        if self._model is None or self._drawn == self._key():
            return
        self._drawn = self._key()
        model, selected, metric = self._model, self._selected, self._model.primary_metric
        plt = self.plt
        plt.clear_data()
        muted, bright = self._colour("studio-muted"), self._colour("primary")
        for trial_id, series in model.series.items():
            if trial_id != selected and metric in series:
                xs, ys = zip(*series[metric].points())
                plt.plot(list(xs), list(ys), color=muted, marker="braille")
        chosen = model.series.get(selected or "", {}).get(metric)
        if chosen is not None and len(chosen):
            xs, ys = zip(*chosen.points())
            plt.plot(list(xs), list(ys), color=bright, marker="braille")
        last_epoch = max((series[metric].last_x or 0 for series in model.series.values() if metric in series), default=0)
        if 1 < last_epoch <= 12:
            plt.xticks(list(range(1, int(last_epoch) + 1)))
        chosen_title = f" · {selected} bright" if selected else ""
        plt.title(f"{metric or 'primary metric'} per epoch{chosen_title}")
        plt.xlabel("epoch")
        self.refresh()

    def _colour(self, variable: str) -> tuple[int, int, int]:
        return Color.parse(self.app.theme_variables[variable]).rgb
