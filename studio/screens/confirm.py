"""A question with a few answers, each on a key: unsaved changes on quit, reload from disk."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label


@dataclass(frozen=True)
class Choice:
    id: str
    label: str
    key: str
    variant: str = "default"


class ConfirmScreen(ModalScreen[str]):
    """Dismissed with the chosen `Choice.id`; Escape gives `cancel`."""

    BINDINGS = [Binding("escape", "choose('cancel')", "Cancel", id="confirm.cancel")]

    def __init__(self, question: str, choices: list[Choice], **kwargs) -> None:
        super().__init__(**kwargs)
        self.question = question
        self.choices = choices

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-dialog"):
            yield Label(self.question, id="confirm-question")
            with Horizontal(id="confirm-buttons"):
                for choice in self.choices:
                    yield Button(f"{choice.label} ({choice.key})", id=f"choice-{choice.id}", variant=choice.variant)

    def on_mount(self) -> None:
        self.query(Button).first().focus()

    def on_key(self, event) -> None:
        for choice in self.choices:
            if event.key == choice.key:
                event.stop()
                self.dismiss(choice.id)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss((event.button.id or "").removeprefix("choice-"))

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice)


UNSAVED_CHOICES = [
    Choice("save", "Save", "s", "primary"),
    Choice("discard", "Discard", "d", "error"),
    Choice("cancel", "Cancel", "c"),
]
RELOAD_CHOICES = [
    Choice("reload", "Reload, losing my edits", "r", "warning"),
    Choice("keep", "Keep my edits", "k", "primary"),
]
