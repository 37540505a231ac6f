"""Device placement, precision and seeding: the parts of a step that differ by hardware.

On CUDA: bf16 autocast (no loss scaling needed, unlike fp16), channels_last tensors, and
non-blocking host-to-device copies (the loaders pin memory). On CPU: plain float32, so
a seeded CPU run is bit-for-bit repeatable.
"""

from __future__ import annotations

import contextlib
import os
import random
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn


@dataclass(frozen=True)
class Runtime:
    device: torch.device
    amp_dtype: torch.dtype | None
    channels_last: bool

    def autocast(self) -> contextlib.AbstractContextManager:
        if self.amp_dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(device_type=self.device.type, dtype=self.amp_dtype)

    def images(self, x: torch.Tensor) -> torch.Tensor:
        memory_format = torch.channels_last if self.channels_last else torch.contiguous_format
        return x.to(self.device, non_blocking=True, memory_format=memory_format)

    def targets(self, y: torch.Tensor) -> torch.Tensor:
        return y.to(self.device, non_blocking=True)

    def prepare(self, model: nn.Module) -> nn.Module:
        model = model.to(self.device)
        return model.to(memory_format=torch.channels_last) if self.channels_last else model


def create_runtime(device: str | torch.device = "cpu", *, amp: bool | None = None) -> Runtime:
    """`amp` None: bf16 autocast and channels_last on CUDA, neither elsewhere."""
    device = torch.device(device)
    cuda = device.type == "cuda"
    use_amp = cuda if amp is None else amp
    return Runtime(device=device, amp_dtype=torch.bfloat16 if use_amp else None, channels_last=cuda)


def seed_everything(seed: int) -> None:
    """Same seed, same result on CPU. Deterministic kernels are requested with
    warn_only: an op without a deterministic version warns instead of failing a run."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    # cuBLAS needs this before its first call to be deterministic; harmless elsewhere.
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    torch.use_deterministic_algorithms(True, warn_only=True)
    torch.backends.cudnn.benchmark = False
