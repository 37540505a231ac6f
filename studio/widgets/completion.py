"""The completion menu: a list under the cursor of the keys or values that fit there.

The menu takes focus while open. Up/Down move, Enter or Tab choose, Escape closes;
typing goes on as usual (the screen forwards it to the editor and narrows the list).
"""

from __future__ import annotations

from typing import Optional

from rich.text import Text
from textual import events, on
from textual.binding import Binding
from textual.geometry import Offset
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from ..completions import Completion


class CompletionMenu(OptionList):
    BINDINGS = [
        Binding("tab", "select", "Insert", show=False),
        Binding("escape", "close", "Close", show=False),
    ]
    COMPONENT_CLASSES = OptionList.COMPONENT_CLASSES | {"completion-menu--description"}
    WIDTH = 64

    class Chosen(Message):
        def __init__(self, completion: Completion) -> None:
            super().__init__()
            self.completion = completion

    class Closed(Message):
        """Closed without a choice."""

    class Typed(Message):
        """A character (or Backspace: `None`) typed while the menu is open, for the editor."""

        def __init__(self, character: Optional[str]) -> None:
            super().__init__()
            self.character = character

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.completions: list[Completion] = []

    @property
    def is_open(self) -> bool:
        return self.display

    def open(self, completions: list[Completion], at: Offset, screen_size: tuple[int, int]) -> None:
        """Show `completions` just under `at` (or above it near the bottom of the screen)."""
        self.completions = list(completions)
        label_width = max(len(c.label) for c in self.completions) if self.completions else 0
        self.set_options(Option(self._describe(c, label_width)) for c in self.completions)
        self.highlighted = 0
        width, height = screen_size
        rows = min(len(self.completions), 10) + 2  # the border
        y = at.y + 1 if at.y + 1 + rows <= height else max(0, at.y - rows)
        self.styles.offset = (max(0, min(at.x, width - self.WIDTH)), y)
        self.display = True
        self.focus()

    def close(self) -> None:
        self.display = False
        self.completions = []

    def _describe(self, completion: Completion, label_width: int) -> Text:
        style = self.get_component_rich_style("completion-menu--description", partial=True)
        text = Text(completion.label.ljust(label_width), no_wrap=True, overflow="ellipsis")
        if completion.description:
            text.append("  " + completion.description, style)
        return text

    def action_close(self) -> None:
        self.close()
        self.post_message(self.Closed())

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        completion = self.completions[event.option_index]
        self.close()
        self.post_message(self.Chosen(completion))

    def on_key(self, event: events.Key) -> None:
        if event.is_printable and event.character:
            event.stop()
            self.post_message(self.Typed(event.character))
        elif event.key == "backspace":
            event.stop()
            self.post_message(self.Typed(None))

    def on_blur(self) -> None:
        # Blur arrives queued: the menu may have been reopened (and refocused) since.
        if self.display and self.app.focused is not self:
            self.action_close()
