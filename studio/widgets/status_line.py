"""One line under the editor: the cursor line's problem on the left; file, state and position on the right.

Drawn in `render` (not with child `Static`s): it changes on every keystroke, and a plain
repaint is far cheaper than the layout pass an auto-sized `Static.update` asks for.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from rich.text import Text
from textual.widget import Widget

from engine.spec import Diagnostic


@dataclass(frozen=True)
class EditorStatus:
    file_name: str
    modified: bool = False
    new_file: bool = False
    cursor: tuple[int, int] = (0, 0)
    problem: Optional[Diagnostic] = None
    errors: int = 0
    warnings: int = 0


class StatusLine(Widget):
    COMPONENT_CLASSES = {"status-line--error", "status-line--warning", "status-line--modified"}

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.status = EditorStatus("")

    def show(self, status: EditorStatus) -> None:
        if status != self.status:
            self.status = status
            self.refresh()

    def render(self) -> Text:
        right = self.right_part()
        left = self.message_part()
        left.truncate(max(0, self.content_size.width - right.cell_len - 2), overflow="ellipsis")
        gap = max(1, self.content_size.width - left.cell_len - right.cell_len)
        return Text.assemble(left, " " * gap, right, no_wrap=True)

    def message_part(self) -> Text:
        problem = self.status.problem
        message = Text(no_wrap=True)
        if problem is not None:
            message.append(f"{problem.severity}: ", self._style(problem.severity))
            message.append(problem.message)
        return message

    def right_part(self) -> Text:
        status = self.status
        text = Text(status.file_name, no_wrap=True)
        if status.modified:
            text.append(" ●", self._style("modified"))
        elif status.new_file:
            text.append(" (new)", self._style("modified"))
        text.append(f"  {status.cursor[0] + 1}:{status.cursor[1] + 1}  ")
        text.append(f"✖ {status.errors}", self._style("error") if status.errors else "")
        text.append(f" ▲ {status.warnings}", self._style("warning") if status.warnings else "")
        return text

    def _style(self, name: str):
        return self.get_component_rich_style(f"status-line--{name}", partial=True)
