"""Parity: onnxruntime and PyTorch score the same validation images.

Each side gets its input exactly as the contract says: PyTorch the normalised crop,
the ONNX graph the raw 0-255 crop when it normalises itself (so the check covers the
normalisation inside the graph too). Logits are compared, not probabilities: the sigmoid
flattens differences in confident outputs and would hide them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
from PIL import Image

from engine.export.errors import ExportError
from engine.export.images import normalised_batch, onnx_input
from engine.export.onnx_export import INPUT_NAME, OUTPUT_NAME
from engine.export.settings import ModelSettings

TOLERANCE = 1e-4
"""Largest logit difference accepted (float32), DESIGN.md section 9: absolute for logits up
to 1, relative to the largest logit beyond. Float32 itself cannot do better: a trained
mobilenetv2 with logits near 14 differs from its own float64 result by 1.2e-4 in PyTorch
(measured on the demo), so a fixed 1e-4 would fail correct exports of confident models."""
_CHUNK = 16


@dataclass(frozen=True)
class ParityReport:
    images: int
    max_abs_diff: float
    """Largest |ONNX logit - PyTorch logit| over every image and label."""
    max_abs_logit: float
    """Largest |PyTorch logit|: puts max_abs_diff in proportion."""
    label_agreement: float
    """Fraction of images whose thresholded label sets are identical."""
    tolerance: float = TOLERANCE

    @property
    def allowed_diff(self) -> float:
        """`tolerance` for logits up to 1, `tolerance` x the largest logit beyond."""
        return self.tolerance * max(1.0, self.max_abs_logit)

    def to_json(self) -> dict:
        return {**asdict(self), "allowed_diff": self.allowed_diff}


def check_parity(
    model: nn.Module,
    onnx_path: Path,
    images: Sequence[Image.Image],
    settings: ModelSettings,
    *,
    tolerance: float = TOLERANCE,
) -> ParityReport:
    """Compare both models on `images`; raises ExportError above `tolerance`."""
    if not images:
        raise ExportError("no validation images to check ONNX parity with")
    torch_logits, onnx_logits = [], []
    session = _session(onnx_path)
    for start in range(0, len(images), _CHUNK):
        chunk = images[start : start + _CHUNK]
        with torch.inference_mode():
            torch_logits.append(model(normalised_batch(chunk, settings)).numpy())
        onnx_logits.append(session.run([OUTPUT_NAME], {INPUT_NAME: onnx_input(chunk, settings)})[0])
    expected, actual = np.concatenate(torch_logits), np.concatenate(onnx_logits)
    report = _compare(expected, actual, settings.threshold, tolerance)
    if not report.max_abs_diff <= report.allowed_diff:  # `not <=` also catches NaN
        raise ExportError(
            f"ONNX parity failed: the largest logit difference between onnxruntime and PyTorch is "
            f"{report.max_abs_diff:.3g} over {report.images} validation images (allowed {report.allowed_diff:.3g}: "
            f"{tolerance:g} x the largest logit {report.max_abs_logit:.3g}; labels agree on {report.label_agreement:.1%})"
        )
    return report


def _session(onnx_path: Path):
    import onnxruntime

    return onnxruntime.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])


def _compare(expected: np.ndarray, actual: np.ndarray, threshold: float, tolerance: float) -> ParityReport:
    if expected.shape != actual.shape:
        raise ExportError(f"ONNX output shape {actual.shape} differs from PyTorch's {expected.shape}")
    logit_threshold = float(np.log(threshold / (1.0 - threshold)))  # sigmoid(z) > t  <=>  z > logit(t)
    same_labels = ((expected > logit_threshold) == (actual > logit_threshold)).all(axis=1)
    return ParityReport(
        images=int(expected.shape[0]),
        max_abs_diff=float(np.abs(expected - actual).max()),
        max_abs_logit=float(np.abs(expected).max()),
        label_agreement=float(same_labels.mean()),
        tolerance=tolerance,
    )
