"""`model.onnx`: input `input1` (N x 3 x crop x crop float32, dynamic N), output `output1`
(N x labels logits).

torch 2.9+ exports through `torch.export` (the "dynamo" exporter) by default; the
TorchScript exporter is deprecated. The dynamo one gives a clean graph here (Conv/BN
folded, no shape-computing subgraphs) with the names we ask for and a symbolic `batch`
dimension declared through `dynamic_shapes`. `external_data=False` keeps the weights in
the one file (its default splits them into `model.onnx.data`), which is what consumers of
Azure's `model.onnx` expect; the protobuf limit of 2 GiB is above the largest model
offered (vitl16r224, ~1.2 GB).
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import torch
import torch.nn as nn

from engine.export.errors import ExportError
from engine.export.network import NormalisingInput
from engine.export.settings import ModelSettings

INPUT_NAME = "input1"
OUTPUT_NAME = "output1"
OPSET = 18
"""The dynamo exporter's native opset (>= 17, which LayerNorm in ViTs needs)."""
_EXAMPLE_BATCH = 2
"""torch.export specialises a size-1 example dimension; 2 keeps the batch symbolic."""


def export_onnx(model: nn.Module, settings: ModelSettings, path: Path) -> Path:
    """Write `model` (eval mode, CPU) as ONNX; with `enable_onnx_normalization` the graph
    starts with /255 and mean/std."""
    import onnx

    graph_module = (
        NormalisingInput(model, mean=settings.mean, std=settings.std)
        if settings.enable_onnx_normalization
        else model
    ).eval()
    crop = settings.validation_crop_size
    example = torch.rand(_EXAMPLE_BATCH, 3, crop, crop) * (255.0 if settings.enable_onnx_normalization else 1.0)
    # The exporter narrates its passes on stdout; stdout carries the CLI's results.
    with contextlib.redirect_stdout(io.StringIO()):
        try:
            torch.onnx.export(
                graph_module,
                (example,),
                str(path),
                input_names=[INPUT_NAME],
                output_names=[OUTPUT_NAME],
                opset_version=OPSET,
                dynamo=True,
                external_data=False,
                dynamic_shapes=({0: torch.export.Dim("batch")},),
            )
        except Exception as error:  # noqa: BLE001 - the exporter raises many kinds
            raise ExportError(f"ONNX export of {settings.model_name} failed: {error}") from error
    onnx.checker.check_model(str(path))
    return path
