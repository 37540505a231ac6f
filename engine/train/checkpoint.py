"""Checkpoints: writing, reading (`weights_only=True`) and finding them.

A trial folder `trials/<id>/` keeps its checkpoints in `checkpoints/`:

- `last.pt`: full training state after the latest epoch (model, optimizer, scheduler,
  early-stopping state, torch RNG, epoch): what an interrupted trial resumes from.
- `best.pt`: model weights of the best evaluation, with its metrics.
- `epoch_NNNN.pt`: full state every `checkpoint_frequency` epochs.

Only tensors and plain Python values are stored, so `torch.load(weights_only=True)`
reads every file. Writes go to a temporary file renamed into place: a run killed
mid-write keeps the previous checkpoint.

`checkpoint_run_id` names where to start from (`resolve_checkpoint`), tried in order:
a `.pt` file; a trial folder (its `checkpoints/best.pt`); a run folder (the best trial:
`summary.json`'s `best_trial.id` when present, else the trial whose best.pt has the
highest score); each of those again relative to each of `search_dirs` (the runner passes
the runs root and the current run's `trials/`, so a bare run name or trial id works).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import torch
import torch.nn as nn

CHECKPOINT_DIR = "checkpoints"
BEST = "best.pt"
LAST = "last.pt"


def epoch_filename(epoch: int) -> str:
    return f"epoch_{epoch:04d}.pt"


def unwrap(model: nn.Module) -> nn.Module:
    """The model inside DistributedDataParallel (its state_dict keys lack `module.`)."""
    return model.module if isinstance(model, nn.parallel.DistributedDataParallel) else model


def save_checkpoint(path: str | os.PathLike[str], state: dict[str, Any]) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    torch.save(state, tmp)
    os.replace(tmp, path)
    return path


def load_checkpoint(path: str | os.PathLike[str]) -> dict[str, Any]:
    return torch.load(path, map_location="cpu", weights_only=True)


def load_model_weights(model: nn.Module, state_dict: dict[str, torch.Tensor]) -> list[str]:
    """Load matching weights; returns the keys skipped because their shape differs (a
    classifier trained for another label count) or absent from the checkpoint."""
    target = unwrap(model)
    own = target.state_dict()
    usable = {k: v for k, v in state_dict.items() if k in own and own[k].shape == v.shape}
    target.load_state_dict(usable, strict=False)
    return sorted(set(own) - set(usable))


def resolve_checkpoint(ref: str | os.PathLike[str], *, search_dirs: tuple[Path, ...] | list[Path] = ()) -> Path:
    """The best checkpoint that `ref` names (see the module docstring)."""
    tried = []
    for base in (Path(ref), *(Path(d) / ref for d in search_dirs)):
        tried.append(str(base))
        found = _best_checkpoint_at(base)
        if found is not None:
            return found
    raise FileNotFoundError(
        f"checkpoint_run_id {str(ref)!r}: no checkpoint found; tried {', '.join(tried)} "
        f"(give a .pt file, a trial folder or a run folder)"
    )


def _best_checkpoint_at(path: Path) -> Path | None:
    if path.is_file():
        return path
    trial_best = path / CHECKPOINT_DIR / BEST
    if trial_best.is_file():
        return trial_best
    if (path / "trials").is_dir():
        return _best_of_run(path)
    return None


def _best_of_run(run_dir: Path) -> Path | None:
    summary = run_dir / "summary.json"
    if summary.is_file():
        best = (json.loads(summary.read_text()).get("best_trial") or {}).get("id")
        candidate = run_dir / "trials" / str(best) / CHECKPOINT_DIR / BEST
        if best is not None and candidate.is_file():
            return candidate
    scored = []
    for candidate in sorted((run_dir / "trials").glob(f"*/{CHECKPOINT_DIR}/{BEST}")):
        score = load_checkpoint(candidate).get("best_score")
        if score is not None:
            scored.append((score, candidate))
    return max(scored, key=lambda pair: pair[0])[1] if scored else None
