"""Models: the seed's `model_name` -> timm, pretrained weights, layer freezing.

Public API:

- `TIMM_NAMES: dict[str, str]`, `MODEL_NAMES`, `timm_name(model_name) -> str`,
  `is_vit(model_name) -> bool`, `pretrained_mean_std(model_name) -> (mean, std)`.
- `create_model(model_name, num_labels, *, pretrained=True, cache_dir=None,
  offline=None, **timm_kwargs) -> (nn.Module, WeightsReport)`: never fails for want of
  weights; `WeightsReport.pretrained` is False and `.message` says so loudly when the
  model starts from random init.
- `fetch_pretrained(model_name, *, cache_dir=None, offline=None) -> WeightsReport`:
  fill the HF cache once per run, before the trials start.
- `cached_weights(model_name, cache_dir=None) -> Path | None`, `hub_repo(model_name)`,
  `is_offline()`.
- `layer_groups(model_name) -> list[tuple[str, ...]]`,
  `freeze_layers(model, model_name, layers_to_freeze) -> list[str]`.
"""

from engine.models.factory import (
    WeightsReport,
    cached_weights,
    create_model,
    fetch_pretrained,
    hub_repo,
    is_offline,
)
from engine.models.freeze import freeze_layers, layer_groups
from engine.models.registry import MODEL_NAMES, TIMM_NAMES, is_vit, pretrained_mean_std, timm_name

__all__ = [
    "MODEL_NAMES",
    "TIMM_NAMES",
    "WeightsReport",
    "cached_weights",
    "create_model",
    "fetch_pretrained",
    "freeze_layers",
    "hub_repo",
    "is_offline",
    "is_vit",
    "layer_groups",
    "pretrained_mean_std",
    "timm_name",
]
