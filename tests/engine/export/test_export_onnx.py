"""`model.onnx`: names, dynamic batch, and parity with PyTorch on inputs preprocessed by
the contract in this file (PIL + numpy), with and without `enable_onnx_normalization`."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import onnxruntime
import pytest
import torch

import engine.export.export as export_module
from engine.export import ExportError, export_model
from engine.spec import TrainingParameters, resolve_training_parameters
from engine.train.checkpoint import load_checkpoint
from exportkit import CROP, LABELS, RESIZE, contract_pixels, reference_logits

MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32).reshape(1, 3, 1, 1)
STD = np.array([0.229, 0.224, 0.225], dtype=np.float32).reshape(1, 3, 1, 1)


def _images(run_dir: Path) -> list[Path]:
    return sorted((run_dir.parent.parent / "project" / "data" / "images").glob("*.jpg"))


def _session(report) -> onnxruntime.InferenceSession:
    return onnxruntime.InferenceSession(report.paths["onnx"], providers=["CPUExecutionProvider"])


def _state(report) -> dict[str, torch.Tensor]:
    return load_checkpoint(report.checkpoint)["model"]


@pytest.mark.parametrize("which", ["best_export", "chosen_export"])
def test_the_graph_has_the_contracts_names_and_a_dynamic_batch(which, request):
    graph = onnx.load(request.getfixturevalue(which).paths["onnx"]).graph
    (inputs,), (outputs,) = graph.input, graph.output
    assert inputs.name == "input1" and outputs.name == "output1"
    in_dims = [d.dim_param or d.dim_value for d in inputs.type.tensor_type.shape.dim]
    out_dims = [d.dim_param or d.dim_value for d in outputs.type.tensor_type.shape.dim]
    assert isinstance(in_dims[0], str) and in_dims[1:] == [3, CROP, CROP]
    assert out_dims == [in_dims[0], len(LABELS)]
    assert inputs.type.tensor_type.elem_type == onnx.TensorProto.FLOAT


def test_normalising_graph_takes_raw_pixels_and_matches_pytorch(best_export, run_dir):
    pixels = np.stack([contract_pixels(p) for p in _images(run_dir)])
    expected = reference_logits(_state(best_export), pixels)
    session = _session(best_export)
    for batch in (pixels[:1], pixels[:5]):  # dynamic batch: 1 and 5
        (logits,) = session.run(["output1"], {"input1": batch})
        assert logits.shape == (len(batch), len(LABELS))
        np.testing.assert_allclose(logits, expected[: len(batch)], atol=1e-4, rtol=0)
    assert np.ptp(expected, axis=0).min() > 1e-3, "the images must give different logits"


def test_plain_graph_takes_normalised_pixels_and_matches_pytorch(chosen_export, run_dir):
    pixels = np.stack([contract_pixels(p) for p in _images(run_dir)])
    expected = reference_logits(_state(chosen_export), pixels)
    normalised = ((pixels / 255.0 - MEAN) / STD).astype(np.float32)
    session = _session(chosen_export)
    for batch in (normalised[:1], normalised[:5]):
        (logits,) = session.run(["output1"], {"input1": batch})
        np.testing.assert_allclose(logits, expected[: len(batch)], atol=1e-4, rtol=0)
    # Raw pixels are not what this graph takes: the check above is not vacuous.
    (raw,) = session.run(["output1"], {"input1": pixels[:5]})
    assert np.abs(raw - expected[:5]).max() > 1e-2


class _Shifted(torch.nn.Module):
    def __init__(self, model: torch.nn.Module, shift: float) -> None:
        super().__init__()
        self.model, self.shift = model, shift

    def forward(self, x):
        return self.model(x) + self.shift


def test_parity_above_the_tolerance_fails_loudly_and_writes_nothing(run_dir, tmp_path, monkeypatch):
    real_export = export_module.export_onnx
    monkeypatch.setattr(
        export_module, "export_onnx",
        lambda model, settings, path: real_export(_Shifted(model, 1e-2), settings, path),
    )
    destination = tmp_path / "out"
    destination.mkdir()
    (destination / "model.onnx").write_text("an earlier export")
    params = resolve_training_parameters(TrainingParameters(
        model_name="resnet18", training_crop_size=CROP, validation_crop_size=CROP, validation_resize_size=RESIZE))
    with pytest.raises(ExportError, match=r"ONNX parity failed: .* is 0\.01 .*\(allowed .*0\.0001 x the largest logit"):
        export_model(
            checkpoint_path=run_dir / "trials/t001/checkpoints/best.pt", params=params, labels=LABELS,
            destination=destination, validation_images=_images(run_dir)[:3],
        )
    assert [p.name for p in destination.iterdir()] == ["model.onnx"]
    assert (destination / "model.onnx").read_text() == "an earlier export"


def test_labels_that_are_not_ascending_are_refused(run_dir, tmp_path):
    params = resolve_training_parameters(TrainingParameters(model_name="resnet18"))
    with pytest.raises(ExportError, match="ascending"):
        export_model(
            checkpoint_path=run_dir / "trials/t001/checkpoints/best.pt", params=params,
            labels=list(reversed(LABELS)), destination=tmp_path, validation_images=_images(run_dir),
        )


def test_the_allowed_difference_is_absolute_up_to_1_and_relative_beyond():
    from engine.export.parity import ParityReport

    small = ParityReport(images=1, max_abs_diff=0.0, max_abs_logit=0.5, label_agreement=1.0)
    large = ParityReport(images=1, max_abs_diff=0.0, max_abs_logit=14.0, label_agreement=1.0)
    assert small.allowed_diff == pytest.approx(1e-4)
    assert large.allowed_diff == pytest.approx(1.4e-3)
    assert large.to_json()["allowed_diff"] == pytest.approx(1.4e-3)
