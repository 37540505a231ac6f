"""The list of every diagnostic of the job; Enter on one jumps the editor to it."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from engine.spec import Diagnostic


class ProblemsPanel(OptionList):
    COMPONENT_CLASSES = OptionList.COMPONENT_CLASSES | {
        "problems-panel--error",
        "problems-panel--warning",
        "problems-panel--position",
    }

    class ProblemChosen(Message):
        def __init__(self, diagnostic: Diagnostic) -> None:
            super().__init__()
            self.diagnostic = diagnostic

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.problems: list[Diagnostic] = []

    def on_mount(self) -> None:
        self._update_title()

    def show(self, diagnostics: list[Diagnostic]) -> None:
        """Replace the list, keeping the highlight where it was when it still exists."""
        highlighted = self.highlighted
        self.problems = list(diagnostics)
        self.set_options(Option(self._describe(d)) for d in self.problems)
        if self.problems:
            self.highlighted = min(highlighted or 0, len(self.problems) - 1)
        self._update_title()

    def _describe(self, diagnostic: Diagnostic) -> Text:
        span = diagnostic.span
        severity_style = self.get_component_rich_style(f"problems-panel--{diagnostic.severity}", partial=True)
        position_style = self.get_component_rich_style("problems-panel--position", partial=True)
        return Text.assemble(
            (f"{'●' if diagnostic.is_error else '▲'} ", severity_style),
            (f"{span.line + 1}:{span.column + 1} ", position_style),
            diagnostic.message,
        )

    def _update_title(self) -> None:
        errors = sum(d.is_error for d in self.problems)
        warnings = len(self.problems) - errors
        self.border_title = "Problems" if not self.problems else f"Problems · {_count(errors, 'error')} · {_count(warnings, 'warning')}"

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.post_message(self.ProblemChosen(self.problems[event.option_index]))


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
