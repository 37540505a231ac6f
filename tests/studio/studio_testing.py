"""Helpers for the studio's tests: a demo job, and waiting on conditions (never on sleeps)."""

from __future__ import annotations

import time
from typing import Callable

JOB = """\
# Fridge items: which items are in the picture?
$schema: https://azuremlsdk2.blob.core.windows.net/preview/0.0.1/autoMLJob.schema.json
type: automl
task: image_classification_multilabel
experiment_name: fridge-items
primary_metric: iou   # Azure's default for this task

target_column_name: label
training_data:
  path: data/training-mltable-folder
  type: mltable

limits:
  max_trials: 2

training_parameters:
  model_name: resnet18
  number_of_epochs: 3
  learning_rate: 0.01
"""
LEARNING_RATE_LINE = 18  # 0-based line of `learning_rate: 0.01`


async def wait_for(pilot, condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Let the app run until `condition` holds (validation is debounced on a real timer)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await pilot.pause(0.01)


async def wait_for_validation(pilot) -> None:
    """Until the diagnostics shown are those of the editor's current text."""
    editor = pilot.app.editor_screen.editor
    await wait_for(pilot, lambda: editor.diagnostics_version == editor.text_version)
    await pilot.pause()


class Notifications:
    """A `message_hook` that keeps the text of every notification the app shows."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def __call__(self, message) -> None:
        from textual.notifications import Notify

        if isinstance(message, Notify):
            self.messages.append(message.notification.message)

    def any(self, text: str) -> bool:
        return any(text in message for message in self.messages)


async def wait_for_run_view(pilot, events: int = 1):
    """Until the run view is up and has applied at least `events` events; returns its screen."""
    await wait_for(pilot, lambda: pilot.app.run_screen is not None and pilot.app.run_screen.is_mounted)
    screen = pilot.app.run_screen
    await wait_for(pilot, lambda: screen.model.events_applied >= events)
    await wait_for(pilot, lambda: screen.shows_model)
    return screen
