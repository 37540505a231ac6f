"""Building a model with ImageNet weights when they can be had, random init otherwise.

Weights come through timm's normal mechanism: the Hugging Face hub and its cache. The
order is deliberate:

1. Weights already in the local HF cache are loaded from the cached file, with no
   network call at all (timm's `pretrained_cfg_overlay=dict(file=...)` path, so timm
   still drops the 1000-class head and applies its checkpoint filter).
2. Offline (`HF_HUB_OFFLINE` set, read at call time, or `offline=True`) and not cached:
   random init, with a loud report.
3. Otherwise timm downloads through the hub. Any failure there (no network, hub down)
   falls back to random init with the reason. Without a network and without
   `HF_HUB_OFFLINE`, huggingface_hub retries for about 45 s before giving up; the runner
   should call `fetch_pretrained` once per run and pass `offline=True` to the trials when
   it failed, so every trial does not pay that again.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import timm
import torch.nn as nn

from engine.models.registry import timm_name

_WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")
_TRUE = {"1", "on", "yes", "true"}


@dataclass(frozen=True)
class WeightsReport:
    """Where a model's initial weights came from."""

    pretrained: bool
    source: str
    """`hf-cache:<file>`, `hf-hub:<repo>` or `random init`."""
    reason: str | None = None
    """Why pretrained weights could not be had (None when they were)."""

    @property
    def message(self) -> str:
        if self.pretrained:
            return f"pretrained ImageNet weights from {self.source}"
        return f"NO PRETRAINED WEIGHTS: training from random initialisation ({self.reason})"


def is_offline() -> bool:
    """`HF_HUB_OFFLINE`, read now: huggingface_hub reads it once, at import."""
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in _TRUE


def hub_repo(model_name: str) -> str:
    """The HF hub repository of timm's default weights for `model_name`."""
    cfg = timm.models.get_pretrained_cfg(timm_name(model_name))
    if cfg is None or not cfg.hf_hub_id:
        raise ValueError(f"timm has no hub weights for {timm_name(model_name)}")
    return cfg.hf_hub_id


def cached_weights(model_name: str, cache_dir: str | os.PathLike[str] | None = None) -> Path | None:
    """The weights file in the local HF cache, if present (never touches the network)."""
    from huggingface_hub import try_to_load_from_cache

    repo = hub_repo(model_name)
    for filename in _WEIGHT_FILES:
        found = try_to_load_from_cache(repo, filename, cache_dir=cache_dir)
        if isinstance(found, str):
            return Path(found)
    return None


def fetch_pretrained(
    model_name: str, *, cache_dir: str | os.PathLike[str] | None = None, offline: bool | None = None
) -> WeightsReport:
    """Make sure the weights are in the cache (downloading them if allowed)."""
    if (path := cached_weights(model_name, cache_dir)) is not None:
        return WeightsReport(True, f"hf-cache:{path}")
    repo = hub_repo(model_name)
    if is_offline() if offline is None else offline:
        return WeightsReport(False, "random init", f"offline and {repo} is not in the HF cache")
    from huggingface_hub import hf_hub_download

    try:
        path = hf_hub_download(repo, _WEIGHT_FILES[0], cache_dir=cache_dir)
    except Exception as exc:  # noqa: BLE001 - any hub failure means "no weights"
        return WeightsReport(False, "random init", _first_line(exc))
    return WeightsReport(True, f"hf-cache:{path}")


def create_model(
    model_name: str,
    num_labels: int,
    *,
    pretrained: bool = True,
    cache_dir: str | os.PathLike[str] | None = None,
    offline: bool | None = None,
    **timm_kwargs,
) -> tuple[nn.Module, WeightsReport]:
    """Build `model_name` (seed name) with a `num_labels` head.

    `timm_kwargs` go to `timm.create_model` (e.g. `drop_rate`). Returns the model and a
    report of where its weights came from; it never fails for want of weights.
    """
    arch = timm_name(model_name)
    if not pretrained:
        model = timm.create_model(arch, num_classes=num_labels, **timm_kwargs)
        return model, WeightsReport(False, "random init", "pretrained=False")
    if (path := cached_weights(model_name, cache_dir)) is not None:
        model = timm.create_model(
            arch, pretrained=True, num_classes=num_labels,
            pretrained_cfg_overlay=dict(file=str(path)), **timm_kwargs,
        )
        return model, WeightsReport(True, f"hf-cache:{path}")
    if is_offline() if offline is None else offline:
        model = timm.create_model(arch, num_classes=num_labels, **timm_kwargs)
        reason = f"offline and {hub_repo(model_name)} is not in the HF cache"
        return model, WeightsReport(False, "random init", reason)
    try:
        model = timm.create_model(
            arch, pretrained=True, num_classes=num_labels, cache_dir=cache_dir, **timm_kwargs
        )
    except Exception as exc:  # noqa: BLE001 - network and hub errors come in many types
        model = timm.create_model(arch, num_classes=num_labels, **timm_kwargs)
        return model, WeightsReport(False, "random init", _first_line(exc))
    return model, WeightsReport(True, f"hf-hub:{hub_repo(model_name)}")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"
