"""Automode: what a job with no `search_space` and `max_trials > 1` tries.

Azure picks models and hyperparameters itself in this case without documenting how. Ours
is a fixed portfolio, tried in order: the seed's default model first, then the strongest
of the other families at their default learning rates, then lower learning rates. Past
the portfolio, trials are drawn at random (seeded) from the portfolio's models with a
log-uniform learning rate in [0.001, 0.05]. The job's own training parameters still apply
to every key the portfolio does not set.
"""

from __future__ import annotations

import math

from engine.spec.expressions import Choice, LogUniform
from engine.spec.search_space import SearchSubspace

from .samplers import Proposal, RandomSampler
from .sampling import fit_params

PORTFOLIO: tuple[dict, ...] = (
    {"model_name": "seresnext"},
    {"model_name": "vitb16r224"},
    {"model_name": "resnet50"},
    {"model_name": "resnest50"},
    {"model_name": "vits16r224"},
    {"model_name": "mobilenetv2"},
    {"model_name": "seresnext", "learning_rate": 0.01},
    {"model_name": "vitb16r224", "learning_rate": 0.01},
    {"model_name": "resnet50", "learning_rate": 0.01},
    {"model_name": "resnet18"},
)
_MODELS = sorted({entry["model_name"] for entry in PORTFOLIO})
BEYOND_PORTFOLIO: SearchSubspace = {
    "model_name": Choice(type="choice", values=_MODELS),
    "learning_rate": LogUniform(type="loguniform", min_value=math.log(0.001), max_value=math.log(0.05)),
}


class AutomodeSampler:
    def __init__(self, seed: int) -> None:
        self.beyond = RandomSampler([BEYOND_PORTFOLIO], seed)

    def propose(self, index: int) -> Proposal:
        if index < len(PORTFOLIO):
            return Proposal(fit_params(dict(PORTFOLIO[index])), 0)
        return self.beyond.propose(index)

    def observe(self, proposal: Proposal, value) -> None:
        pass
