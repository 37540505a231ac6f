"""The help screen (F1 / ?): every action of the registry with its key, by scope."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label

from ..actions import ACTIONS

SCOPE_TITLES = {"app": "Everywhere", "editor": "Editor", "run": "Run view"}
EDITING_KEYS = (
    ("Enter", "new line, indented under the current key"),
    ("Tab", "indent"),
    ("Ctrl+Z / Ctrl+Y", "undo / redo"),
    ("Up/Down, Enter", "in the completion menu: choose; Escape closes"),
    ("Escape", "leave the editor (focus the next panel)"),
)


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,f1,q", "dismiss", "Close", id="keys.close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="keys-dialog"):
            yield Label("Keys  (Escape closes)", id="keys-title")
            yield DataTable(id="keys-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Key", "Action", "Where")
        for action in ACTIONS:
            table.add_row(action.keys.split(",")[0], action.description, SCOPE_TITLES.get(action.scope, action.scope))
        for key, description in EDITING_KEYS:
            table.add_row(key, description, "Editor")
        table.focus()
