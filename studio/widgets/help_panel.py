"""Help for the key under the cursor: the seed document's description, type, values, default."""

from __future__ import annotations

from typing import Optional

from rich.text import Text
from textual.widgets import Static

from ..field_help import FieldHelp


class FieldHelpPanel(Static):
    """Named so that Textual's own `HelpPanel` (the system "Keys" command) is not confused with it."""

    COMPONENT_CLASSES = {"field-help--key", "field-help--label", "field-help--muted"}

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.field_help: Optional[FieldHelp] = None
        self.key_path: Optional[tuple] = None

    def on_mount(self) -> None:
        self.border_title = "Key help"
        self.show_help(self.field_help, self.key_path)

    def show_help(self, field_help: Optional[FieldHelp], key_path: Optional[tuple] = None) -> None:
        """Show `field_help`; without one, say why (`key_path` is the key the cursor is on, if any)."""
        self.field_help, self.key_path = field_help, key_path
        if self.is_mounted:
            self.update(self._render_help(field_help, key_path))

    def _render_help(self, field_help: Optional[FieldHelp], key_path: Optional[tuple]) -> Text:
        muted = self.get_component_rich_style("field-help--muted", partial=True)
        if field_help is None and key_path:
            return Text(f"'{key_path[-1]}' is not a key the job schema describes here.", style=muted)
        if field_help is None:
            return Text("Move the cursor onto a key to see what it means.", style=muted)
        key_style = self.get_component_rich_style("field-help--key", partial=True)
        label = self.get_component_rich_style("field-help--label", partial=True)
        text = Text()
        text.append(field_help.dotted_path or "job file", key_style)
        text.append("\n")
        text.append(field_help.type_name, muted)
        if field_help.required:
            text.append(" · required", muted)
        text.append("\n\n")
        text.append(field_help.description)
        for name, value in (
            ("Allowed", ", ".join(field_help.allowed)),
            ("Range", field_help.range),
            ("Default", field_help.default),
        ):
            if value:
                text.append(f"\n\n{name}: ", label)
                text.append(value)
        if field_help.note:
            text.append(f"\n\n{field_help.note}", muted)
        return text
