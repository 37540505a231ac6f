"""Two trials' parameters side by side: only the keys whose values differ."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label

from ..run_format import format_value
from ..trial_diff import ParameterDifference


class DiffScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,d", "dismiss", "Close", id="diff.close")]

    def __init__(self, first: str, second: str, differences: list[ParameterDifference], **kwargs) -> None:
        super().__init__(**kwargs)
        self.first, self.second = first, second
        self.differences = differences

    def compose(self) -> ComposeResult:
        with Vertical(id="diff-dialog"):
            count = len(self.differences)
            title = f"Trial {self.first} vs {self.second}: {count} parameter{'' if count == 1 else 's'} differ  (Escape closes)"
            yield Label(title, id="diff-title")
            yield DataTable(id="diff-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("parameter", f"trial {self.first}", f"trial {self.second}")
        for difference in self.differences:
            table.add_row(difference.key, format_value(difference.first), format_value(difference.second), key=difference.key)
        table.focus()
