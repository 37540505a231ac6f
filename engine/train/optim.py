"""Optimizers of the seed: `sgd` (momentum, nesterov), `adam` and `adamw` (beta1, beta2,
ams_gradient), each with `weight_decay`.

Weight decay applies to every trainable parameter, as in Azure AutoML (timm would exempt
biases and norms; we keep Azure's behaviour so results compare).
"""

from __future__ import annotations

from collections.abc import Iterable

import torch
import torch.nn as nn

OPTIMIZERS = ("sgd", "adam", "adamw")


def trainable_parameters(model: nn.Module) -> list[nn.Parameter]:
    """Frozen parameters stay out of the optimizer, so it keeps no state for them."""
    return [p for p in model.parameters() if p.requires_grad]


def create_optimizer(
    params: Iterable[nn.Parameter],
    *,
    optimizer: str = "sgd",
    learning_rate: float,
    weight_decay: float = 1e-4,
    momentum: float = 0.9,
    nesterov: bool = True,
    beta1: float = 0.9,
    beta2: float = 0.999,
    ams_gradient: bool = False,
) -> torch.optim.Optimizer:
    params = list(params)
    if optimizer == "sgd":
        # torch rejects nesterov without momentum; Azure would too, so say which key.
        if nesterov and momentum <= 0:
            raise ValueError("nesterov needs momentum > 0")
        return torch.optim.SGD(
            params, lr=learning_rate, momentum=momentum, nesterov=nesterov, weight_decay=weight_decay
        )
    if optimizer in ("adam", "adamw"):
        cls = torch.optim.Adam if optimizer == "adam" else torch.optim.AdamW
        return cls(
            params, lr=learning_rate, betas=(beta1, beta2), amsgrad=ams_gradient, weight_decay=weight_decay
        )
    raise ValueError(f"unknown optimizer {optimizer!r}; expected one of {', '.join(OPTIMIZERS)}")
