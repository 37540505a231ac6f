"""The demo dataset: multi-label pictures of handwritten digits, written as Azure would have it.

Each picture is a 96x96 RGB canvas with one to three different digits from scikit-learn's
bundled handwritten digits (8x8 scans of 43 writers), upscaled to 18-32 pixels, placed in
distinct cells of a 3x3 grid with a random offset, in random colours on a random
background with sensor-like noise; its labels are the names of the digits present. The
validation pictures use scans the training pictures never use, so validation measures
generalisation to unseen handwriting.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PIL import Image

DIGIT_NAMES = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
CANVAS_SIZE = 96
GRID_CELLS = 3
DIGIT_SIZES = (18, 32)  # inclusive range of the upscaled digit's side, in pixels
NOISE_SIGMA = 10.0
JPEG_QUALITY = 90
TRAINING_SCAN_FRACTION = 0.8

TRAINING_FOLDER = "training-mltable-folder"
VALIDATION_FOLDER = "validation-mltable-folder"
TRAINING_ANNOTATIONS = "train_annotations.jsonl"
VALIDATION_ANNOTATIONS = "validation_annotations.jsonl"

MLTABLE_TEMPLATE = """\
paths:
  - file: ./{annotations}
transformations:
  - read_json_lines:
        encoding: utf8
        invalid_lines: error
        include_path_column: false
  - convert_column_types:
      - columns: image_url
        column_type: stream_info
"""

JOB_TEMPLATE = """\
# automl-studio demo job: multi-label classification of handwritten digits.
#
# Written by `automl-studio --init-demo`. Each picture holds one to three different
# handwritten digits (scikit-learn's bundled digits dataset); the labels are the digits'
# names, "zero" to "nine". The file is an ordinary Azure ML AutoML job: it also loads
# with `azure.ai.ml.load_job`.
#
# Sized for a 2-core CPU and no internet: small models at 64-pixel crops, few epochs,
# {max_trials} trials. Pretrained weights cannot be downloaded offline, so training starts
# from random initialisation (the run says so). Expect a few minutes in all.
$schema: https://azuremlsdk2.blob.core.windows.net/preview/0.0.1/autoMLJob.schema.json
type: automl

experiment_name: automl-studio-demo
description: Multi-label classification of handwritten digits (automl-studio demo)

task: image_classification_multilabel
log_verbosity: info
# Intersection over union of predicted and true label sets, averaged over images.
primary_metric: iou

target_column_name: label
training_data:
  path: {training_folder}
  type: mltable
validation_data:
  path: {validation_folder}
  type: mltable

limits:
  timeout_minutes: 30
  max_trials: {max_trials}
  max_concurrent_trials: 1

# Shared by every trial; the search space below overrides some of them per trial.
training_parameters:
  number_of_epochs: 4
  training_batch_size: 32
  validation_batch_size: 64
  # The pictures are 96x96: crop and resize well below Azure's 224 defaults.
  training_crop_size: 64
  validation_resize_size: 72
  validation_crop_size: 64
  warmup_cosine_lr_warmup_epochs: 1
  evaluation_frequency: 1
  random_seed: 0

sweep:
  sampling_algorithm: random
  # Stop a trial whose iou falls more than 20% behind the best trial's, from epoch 2 on.
  early_termination:
    type: bandit
    evaluation_interval: 1
    slack_factor: 0.2
    delay_evaluation: 2

# Two conditional branches, Azure's list form: each trial draws one branch, then values.
search_space:
  - model_name:
      type: choice
      values: [resnet18]
    optimizer:
      type: choice
      values: [sgd]
    learning_rate:
      type: uniform
      min_value: 0.01
      max_value: 0.05
  - model_name:
      type: choice
      values: [mobilenetv2]
    optimizer:
      type: choice
      values: [adamw]
    learning_rate:
      type: uniform
      min_value: 0.001
      max_value: 0.005
"""


def write_demo(
    directory: str | Path, *, train_images: int = 1500, validation_images: int = 300, seed: int = 0
) -> Path:
    """Write the demo dataset and job into `directory`; return the job file's path.

    Same arguments, same bytes. `write_demo(d, train_images=40, validation_images=16)` is
    the tiny variant the tests use.
    """
    from sklearn.datasets import load_digits  # bundled with scikit-learn: no download

    directory = Path(directory)
    digits = load_digits()
    scans, classes = digits.images / digits.images.max(), digits.target
    cut = int(len(scans) * TRAINING_SCAN_FRACTION)
    rng = np.random.default_rng(seed)
    _write_split(directory / TRAINING_FOLDER, TRAINING_ANNOTATIONS, train_images,
                 scans[:cut], classes[:cut], rng)
    _write_split(directory / VALIDATION_FOLDER, VALIDATION_ANNOTATIONS, validation_images,
                 scans[cut:], classes[cut:], rng)
    job = directory / "job.yml"
    job.write_text(
        JOB_TEMPLATE.format(
            training_folder=TRAINING_FOLDER, validation_folder=VALIDATION_FOLDER, max_trials=4
        ),
        encoding="utf-8",
    )
    return job


def _write_split(
    folder: Path, annotations: str, count: int, scans: np.ndarray, classes: np.ndarray,
    rng: np.random.Generator,
) -> None:
    (folder / "images").mkdir(parents=True, exist_ok=True)
    scans_by_digit = [np.flatnonzero(classes == digit) for digit in range(10)]
    rows = []
    for number in range(count):
        digits = sorted(rng.choice(10, size=rng.integers(1, 4), replace=False).tolist())
        picture = _draw_picture([scans[rng.choice(scans_by_digit[d])] for d in digits], rng)
        relative = f"images/{number:05d}.jpg"
        Image.fromarray(picture).save(folder / relative, quality=JPEG_QUALITY)
        rows.append({"image_url": relative, "label": [DIGIT_NAMES[d] for d in digits]})
    (folder / annotations).write_text(
        "".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8"
    )
    (folder / "MLTable").write_text(MLTABLE_TEMPLATE.format(annotations=annotations),
                                    encoding="utf-8")


def _draw_picture(scans: list[np.ndarray], rng: np.random.Generator) -> np.ndarray:
    """Blend each scan (values 0..1) into its own grid cell of a noisy coloured canvas."""
    dark_background = rng.random() < 0.5
    low, high = (0, 100) if dark_background else (155, 255)
    canvas = np.empty((CANVAS_SIZE, CANVAS_SIZE, 3))
    canvas[:] = rng.uniform(low, high, size=3)
    cell = CANVAS_SIZE // GRID_CELLS
    for scan, cell_number in zip(scans, rng.choice(GRID_CELLS**2, size=len(scans), replace=False)):
        side = int(rng.integers(DIGIT_SIZES[0], DIGIT_SIZES[1] + 1))
        mask = Image.fromarray((scan * 255).astype(np.uint8)).resize(
            (side, side), Image.Resampling.BICUBIC
        )
        alpha = np.asarray(mask, dtype=np.float64)[..., None] / 255.0
        top = cell_number // GRID_CELLS * cell + int(rng.integers(0, cell - side + 1))
        left = cell_number % GRID_CELLS * cell + int(rng.integers(0, cell - side + 1))
        ink = rng.uniform(255 - high, 255 - low, size=3)  # contrasts with the background
        region = canvas[top : top + side, left : left + side]
        region[:] = region * (1 - alpha) + ink * alpha
    canvas += rng.normal(0.0, NOISE_SIGMA, size=canvas.shape)
    return np.clip(canvas, 0, 255).round().astype(np.uint8)
