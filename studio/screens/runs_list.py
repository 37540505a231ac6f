"""Recent runs under `runs/`, newest first, with their status; Enter opens one."""

from __future__ import annotations

from typing import Optional

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label

from engine.runfolder import RunFolder

from ..recent_runs import recent_runs


class RunsListScreen(ModalScreen[Optional[RunFolder]]):
    """Dismissed with the chosen run folder, or None."""

    BINDINGS = [Binding("escape,q", "dismiss(None)", "Close", id="runs.close")]

    def compose(self) -> ComposeResult:
        with Vertical(id="runs-dialog"):
            yield Label("Recent runs  (Enter opens, Escape closes)", id="runs-title")
            yield DataTable(id="runs-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("run", "status", "last event", "folder")
        self.runs = {str(run.folder.path): run for run in recent_runs()}
        for key, run in self.runs.items():
            table.add_row(run.folder.name, run.status, run.modified.strftime("%Y-%m-%d %H:%M"), key, key=key)
        if not self.runs:
            self.query_one("#runs-title", Label).update("No runs under runs/ yet  (Escape closes)")
        table.focus()

    @on(DataTable.RowSelected)
    def _chosen(self, event: DataTable.RowSelected) -> None:
        self.dismiss(self.runs[event.row_key.value].folder)
