"""The primary metric per epoch: every trial in a muted colour, the selected one bright.

Drawn with plotext (textual-plotext); colours come from the app's theme variables so
the chart follows the theme. Redrawn only when the data or the selection changed.
"""

from __future__ import annotations

from typing import Optional

from textual.color import Color
from textual_plotext import PlotextPlot

from ..run_model import RunModel


class MetricChart(PlotextPlot):
    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._drawn: Optional[tuple] = None

    def show(self, model: RunModel, selected: Optional[str]) -> None:
        key = (model.version, selected, self.app.theme)
        if key == self._drawn:
            return
        self._drawn = key
        metric = model.primary_metric
        plt = self.plt
        plt.clear_data()
        muted, bright = self._colour("studio-muted"), self._colour("primary")
        for trial_id, series in model.series.items():
            if trial_id == selected or metric not in series:
                continue
            xs, ys = zip(*series[metric].points())
            plt.plot(list(xs), list(ys), color=muted, marker="braille")
        chosen = model.series.get(selected or "", {}).get(metric)
        if chosen is not None and len(chosen):
            xs, ys = zip(*chosen.points())
            plt.plot(list(xs), list(ys), color=bright, marker="braille")
        last_epoch = max((series[metric].last_x or 0 for series in model.series.values() if metric in series), default=0)
        if 1 < last_epoch <= 12:
            plt.xticks(list(range(1, int(last_epoch) + 1)))
        chosen_title = f" · trial {selected} bright, others muted" if selected else ""
        plt.title(f"{metric or 'primary metric'} per epoch{chosen_title}")
        plt.xlabel("epoch")
        self.refresh()

    def _colour(self, variable: str) -> tuple[int, int, int]:
        return Color.parse(self.app.theme_variables[variable]).rgb
