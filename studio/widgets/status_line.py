"""One line under the editor: the cursor line's problem on the left; file, state and position on the right."""

from __future__ import annotations

from typing import Optional

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

from engine.spec import Diagnostic


class StatusLine(Horizontal):
    COMPONENT_CLASSES = {"status-line--error", "status-line--warning", "status-line--modified"}

    def compose(self) -> ComposeResult:
        yield Static(id="status-message")
        yield Static(id="status-file")

    def show(
        self,
        *,
        file_name: str,
        modified: bool,
        new_file: bool,
        cursor: tuple[int, int],
        problem: Optional[Diagnostic],
        counts: tuple[int, int],
    ) -> None:
        message = Text(no_wrap=True, overflow="ellipsis")
        if problem is not None:
            style = self.get_component_rich_style(f"status-line--{problem.severity}", partial=True)
            message.append(f"{problem.severity}: ", style)
            message.append(problem.message)
        self.query_one("#status-message", Static).update(message)
        errors, warnings = counts
        state = Text(no_wrap=True)
        state.append(file_name)
        if modified or new_file:
            marker = " (new)" if new_file and not modified else " ●"
            state.append(marker, self.get_component_rich_style("status-line--modified", partial=True))
        state.append(f"  {cursor[0] + 1}:{cursor[1] + 1}  ")
        state.append(f"✖ {errors}", self.get_component_rich_style("status-line--error", partial=True) if errors else "")
        state.append(f" ▲ {warnings}", self.get_component_rich_style("status-line--warning", partial=True) if warnings else "")
        self.query_one("#status-file", Static).update(state)
