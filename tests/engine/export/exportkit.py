"""Test helpers for export: a tiny finished run folder to export: resnet18, 3 labels, 32 px crops, random weights.

Layout as the runner writes it (engine/runfolder.py, engine/sweep/state.py): `job.yml`,
`run.json` (with `base_dir`, the original job's folder), `sweep.json`, and
`trials/<id>/checkpoints/best.pt` shaped like `engine.train.trial._best_state`. The job's
data (an MLTable of noisy JPEGs of assorted sizes) sits in the job's own folder, away
from the run folder, so relative paths only resolve through `base_dir`.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import timm
import torch
from PIL import Image

LABELS = ["apple", "carton", "milk"]
RESIZE, CROP = 40, 32
JOB = f"""\
type: automl
task: image_classification_multilabel
name: export-test
primary_metric: accuracy
target_column_name: label
training_data:
  path: data
  type: mltable
validation_data_size: 0.5
training_parameters:
  model_name: resnet18
  training_crop_size: {CROP}
  validation_crop_size: {CROP}
  validation_resize_size: {RESIZE}
outputs:
  best_model:
    type: mlflow_model
    path: exported
"""
MLTABLE = """\
paths:
  - file: ./annotations.jsonl
transformations:
  - read_json_lines:
      encoding: utf8
      invalid_lines: error
      include_path_column: false
  - convert_column_types:
      - columns: image_url
        column_type: stream_info
"""
# id -> (status, accuracy, overrides, weight seed)
TRIALS = {
    "t001": ("completed", 0.50, {"enable_onnx_normalization": False}, 1),
    "t002": ("early_terminated", 0.75, {"enable_onnx_normalization": True}, 2),
    "t003": ("failed", None, {"learning_rate": 0.5}, 3),
    "t004": ("completed", 0.60, {"enable_onnx_normalization": True}, 4),
}
BEST_TRIAL = "t002"


def write_images(folder: Path, count: int, *, seed: int = 0) -> list[Path]:
    """Noise JPEGs, portrait and landscape, all larger than RESIZE."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number in range(count):
        height, width = (48 + 7 * number, 61) if number % 2 else (52, 70 + 5 * number)
        path = folder / f"{number}.jpg"
        Image.fromarray(rng.integers(0, 256, (height, width, 3), dtype=np.uint8)).save(path, quality=90)
        paths.append(path)
    return paths


def random_state(seed: int) -> dict[str, torch.Tensor]:
    torch.manual_seed(seed)
    model = timm.create_model("resnet18", num_classes=len(LABELS))
    # Random BatchNorm statistics, so the exported graph's folded BN is exercised.
    for module in model.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            module.running_mean.uniform_(-0.2, 0.2)
            module.running_var.uniform_(0.5, 2.0)
    return model.state_dict()


def write_best(trial_dir: Path, state: dict[str, torch.Tensor], score: float | None) -> Path:
    path = trial_dir / "checkpoints" / "best.pt"
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(
        {"model": state, "epoch": 1, "primary_metric": "accuracy", "best_score": score,
         "metrics": {"accuracy": score}, "labels": list(LABELS)},
        path,
    )
    return path


def build_run(root: Path) -> Path:
    job_dir, run_dir = root / "project", root / "runs" / "export-test"
    images = write_images(job_dir / "data" / "images", 8)
    rows = [{"image_url": f"images/{p.name}", "label": [LABELS[i % 3]] + ([LABELS[2]] if i % 4 == 0 else [])}
            for i, p in enumerate(images)]
    (job_dir / "data" / "annotations.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (job_dir / "data" / "MLTable").write_text(MLTABLE)
    (job_dir / "job.yml").write_text(JOB)
    run_dir.mkdir(parents=True)
    (run_dir / "job.yml").write_text(JOB)
    (run_dir / "run.json").write_text(json.dumps({"base_dir": str(job_dir), "data_seed": 7, "seed": 7}))
    records = []
    for index, (trial_id, (status, score, overrides, seed)) in enumerate(TRIALS.items()):
        metrics = {"accuracy": score} if score is not None else {}
        records.append({"id": trial_id, "index": index, "params": overrides, "status": status, "metrics": metrics})
        if score is not None:
            write_best(run_dir / "trials" / trial_id, random_state(seed), score)
    (run_dir / "sweep.json").write_text(json.dumps({"seed": 7, "trials": records}))
    return run_dir




def contract_pixels(path: Path, *, resize: int = RESIZE, crop: int = CROP) -> np.ndarray:
    """3 x crop x crop float32 in 0-255, by the contract, written out with PIL and numpy
    (not the engine's transform code): RGB, shorter side resized (bilinear), centre crop."""
    with Image.open(path) as opened:
        image = opened.convert("RGB")
    width, height = image.size
    if width <= height:
        size = (resize, int(resize * height / width))
    else:
        size = (int(resize * width / height), resize)
    image = image.resize(size, Image.Resampling.BILINEAR)
    left, top = int(round((size[0] - crop) / 2.0)), int(round((size[1] - crop) / 2.0))
    image = image.crop((left, top, left + crop, top + crop))
    return np.asarray(image, dtype=np.float32).transpose(2, 0, 1).copy()


def reference_logits(state: dict[str, torch.Tensor], pixels: np.ndarray) -> np.ndarray:
    """PyTorch logits of a plain timm resnet18 on N x 3 x crop x crop 0-255 pixels,
    normalised with ImageNet mean/std (resnet18's pretrained configuration)."""
    model = timm.create_model("resnet18", num_classes=len(LABELS))
    model.load_state_dict(state)
    mean = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
    with torch.inference_mode():
        return model.eval()((torch.from_numpy(pixels) / 255.0 - mean) / std).numpy()
