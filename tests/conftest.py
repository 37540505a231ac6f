"""Shared fixtures: a tiny demo dataset and jobs derived from it (written through the
round-trip editor, so the demo job's comments and layout are kept)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable

import pytest

# No test may reach for the network: pretrained weights come from the local cache or not at all.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("MLFLOW_TRACKING_URI", "sqlite:///" + str(Path(os.environ.get("TMPDIR", "/tmp")) / "automl-studio-tests-mlflow.db"))

TINY_TRAINING = {
    "number_of_epochs": 1,
    "training_batch_size": 8,
    "validation_batch_size": 16,
    "training_crop_size": 32,
    "validation_resize_size": 36,
    "validation_crop_size": 32,
    "number_of_workers": 0,
    "model_name": "resnet18",
    "warmup_cosine_lr_warmup_epochs": 0,
}


@pytest.fixture(scope="session")
def tiny_demo(tmp_path_factory) -> Path:
    """A demo dataset with 24 training and 8 validation pictures; returns its job.yml."""
    from engine.data.demo import write_demo

    return write_demo(tmp_path_factory.mktemp("demo") / "demo", train_images=24, validation_images=8, seed=0)


@pytest.fixture
def make_job(tiny_demo: Path) -> Callable[..., Path]:
    """Write a variant of the tiny demo job beside its data: `make_job("name", {path: value})`.

    Paths are key tuples; a value of `None` removes the key. Training is made tiny first.
    """
    from engine.spec import read_text, remove_value, set_value

    def make(name: str, edits: dict[tuple, Any] | None = None, *, max_trials: int = 2) -> Path:
        text = read_text(tiny_demo)
        for key, value in TINY_TRAINING.items():
            text = set_value(text, ("training_parameters", key), value)
        text = set_value(text, ("limits", "max_trials"), max_trials)
        for path, value in (edits or {}).items():
            text = remove_value(text, path) if value is None else set_value(text, path, value)
        job = tiny_demo.parent / f"{name}.yml"
        job.write_text(text, encoding="utf-8")
        return job

    return make
