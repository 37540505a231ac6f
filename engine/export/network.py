"""The trained network, rebuilt from a checkpoint's state dict, and the ONNX wrapper
that moves normalisation into the graph."""

from __future__ import annotations

from typing import Any

import torch
import torch.nn as nn

from engine.export.errors import ExportError
from engine.export.settings import ModelSettings


def build_network(settings: ModelSettings, state_dict: dict[str, torch.Tensor]) -> nn.Module:
    """The timm model with the trained weights, in eval mode. Strict loading: a state
    dict that does not fit the architecture is an error, never a half-loaded model."""
    from engine.models import create_model

    model, _ = create_model(settings.model_name, len(settings.labels), pretrained=False)
    try:
        model.load_state_dict(state_dict, strict=True)
    except RuntimeError as error:
        raise ExportError(
            f"the weights do not fit {settings.model_name} with {len(settings.labels)} labels: "
            f"{str(error).splitlines()[0]}"
        ) from None
    return model.eval()


def state_dict_of(checkpoint: dict[str, Any]) -> dict[str, torch.Tensor]:
    """The model weights of a `best.pt` (`engine.train.trial` stores them under `model`)."""
    state = checkpoint.get("model")
    if not isinstance(state, dict):
        raise ExportError("the checkpoint holds no model weights (no `model` entry)")
    return state


class NormalisingInput(nn.Module):
    """`model((x / 255 - mean) / std)`: the graph Azure exports with
    `enable_onnx_normalization`, taking raw 0-255 pixels."""

    def __init__(self, model: nn.Module, *, mean: tuple[float, ...], std: tuple[float, ...]) -> None:
        super().__init__()
        self.model = model
        self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32).view(1, -1, 1, 1))
        self.register_buffer("std", torch.tensor(std, dtype=torch.float32).view(1, -1, 1, 1))

    def forward(self, pixels: torch.Tensor) -> torch.Tensor:
        return self.model((pixels / 255.0 - self.mean) / self.std)
