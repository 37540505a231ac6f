"""The trials of a run, one row each: id, model, the best primary metric so far, epoch
of epochs, status, then the parameters that vary; the run's best trial is starred. The
parameters come last: there can be many, and the narrow columns matter most.

`show(model)` updates cells in place and rebuilds only when the varying parameters
(the columns) change, keeping the cursor on the trial it was on.
"""

from __future__ import annotations

from typing import Optional

from rich.text import Text
from textual.widgets import DataTable

from ..run_format import format_metric, format_value
from ..run_model import RunModel, TrialRow

BEST_MARK = "★"
STATUS_STYLES = {
    "running": "running",
    "cancelling": "running",
    "completed": "completed",
    "failed": "failed",
    "early_terminated": "stopped",
    "cancelled": "stopped",
    "interrupted": "stopped",
    "timed_out": "failed",
}


class TrialsTable(DataTable):
    COMPONENT_CLASSES = DataTable.COMPONENT_CLASSES | {
        "trials-table--best",
        "trials-table--running",
        "trials-table--completed",
        "trials-table--failed",
        "trials-table--stopped",
    }

    def __init__(self, **kwargs) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        self._columns: tuple[str, ...] = ()
        self._cells: dict[str, tuple] = {}

    @property
    def selected_trial(self) -> Optional[str]:
        if not self.row_count:
            return None
        return self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value

    def select(self, trial_id: str) -> None:
        if trial_id in self._cells:
            self.move_cursor(row=self.get_row_index(trial_id))

    def show(self, model: RunModel) -> None:
        parameters = model.varying_parameters()
        columns = ("", "trial", "model", model.primary_metric or "metric", "epoch", "status", *parameters)
        if columns != self._columns:
            self._rebuild(columns)
        for row in model.trials.values():
            cells = self._cells_of(row, parameters, model.best_trial)
            if row.id not in self._cells:
                self.add_row(*cells, key=row.id)
            elif cells != self._cells[row.id]:
                for index, (old, new) in enumerate(zip(self._cells[row.id], cells)):
                    if old != new:
                        self.update_cell(row.id, str(index), new, update_width=True)
            self._cells[row.id] = cells

    def _rebuild(self, columns: tuple[str, ...]) -> None:
        selected = self.selected_trial
        self.clear(columns=True)
        self._cells = {}
        self._columns = columns
        for index, label in enumerate(columns):
            self.add_column(label, key=str(index))
        if selected is not None:
            self.call_after_refresh(self.select, selected)

    def _cells_of(self, row: TrialRow, parameters: list[str], best_trial: Optional[str]) -> tuple:
        status = row.shown_status
        epochs = f"{row.epoch}/{row.epochs}" if row.epochs else str(row.epoch)
        is_best = row.id == best_trial
        return (
            Text(BEST_MARK if is_best else " ", self._style("best")),
            Text(row.id, self._style("best") if is_best else ""),
            row.model,
            format_metric(row.best_value),
            epochs,
            Text(status, self._style(STATUS_STYLES.get(status, ""))),
            *(format_value(row.params.get(key)) for key in parameters),
        )

    def _style(self, name: str):
        if not name:
            return ""
        return self.get_component_rich_style(f"trials-table--{name}", partial=True)
