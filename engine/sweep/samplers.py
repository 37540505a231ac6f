"""Samplers: `grid`, `random` (seeded) and `bayesian` (Optuna TPE, ask-and-tell).

A sampler proposes the parameters of trial number `index` (0-based). Grid and random are
pure functions of the index and seed, so a resumed sweep proposes exactly what the
interrupted one would have. Bayesian keeps an Optuna study; on resume it is rebuilt by
telling it the finished trials again (`replay`).

Conditional search spaces (several subspaces): grid enumerates each subspace in turn;
random picks a subspace uniformly, then draws inside it; bayesian lets TPE choose the
subspace as a categorical parameter and names each subspace's parameters apart.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import random
from dataclasses import dataclass, field
from typing import Any, Iterable, Optional, Protocol

from engine.spec.expressions import (
    Choice,
    LogNormal,
    LogUniform,
    Normal,
    QLogNormal,
    QLogUniform,
    QNormal,
    QUniform,
    RandInt,
    Uniform,
)
from engine.spec.search_space import Fixed, SearchSubspace

from .sampling import draw, fit_params, quantize


@dataclass(frozen=True)
class Proposal:
    """The parameters of one trial, and which subspace they came from."""

    params: dict[str, Any]
    subspace: int = 0
    sampler_state: dict[str, Any] = field(default_factory=dict)
    """What the sampler needs to be told about this trial later (Optuna's trial number)."""


class Sampler(Protocol):
    def propose(self, index: int) -> Optional[Proposal]:
        """Parameters of trial `index`, or None when the space is exhausted."""

    def observe(self, proposal: Proposal, value: Optional[float]) -> None:
        """The trial's final primary metric (None: it failed)."""


class GridSampler:
    """Every combination of the choices, each subspace in turn; then exhausted."""

    def __init__(self, subspaces: list[SearchSubspace]) -> None:
        self.combinations: list[tuple[int, dict[str, Any]]] = []
        for number, subspace in enumerate(subspaces or [{}]):
            keys = list(subspace)
            options = [_grid_values(subspace[key]) for key in keys]
            for values in itertools.product(*options):
                self.combinations.append((number, dict(zip(keys, values))))

    def __len__(self) -> int:
        return len(self.combinations)

    def propose(self, index: int) -> Optional[Proposal]:
        if index >= len(self.combinations):
            return None
        number, params = self.combinations[index]
        return Proposal(fit_params(params), number)

    def observe(self, proposal: Proposal, value: Optional[float]) -> None:
        pass


def _grid_values(expression: Any) -> list[Any]:
    if isinstance(expression, Fixed):
        return [expression.value]
    if isinstance(expression, Choice):
        return list(expression.values)
    raise ValueError(f"grid sampling needs choice expressions, got {type(expression).__name__}")


class RandomSampler:
    """Independent draws; trial `index` always gets the same parameters for a given seed."""

    def __init__(self, subspaces: list[SearchSubspace], seed: int) -> None:
        self.subspaces = subspaces or [{}]
        self.seed = seed

    def propose(self, index: int) -> Optional[Proposal]:
        rng = random.Random(_derive_seed(self.seed, index))
        number = rng.randrange(len(self.subspaces))
        subspace = self.subspaces[number]
        return Proposal(fit_params({key: draw(expression, rng) for key, expression in subspace.items()}), number)

    def observe(self, proposal: Proposal, value: Optional[float]) -> None:
        pass


def _derive_seed(seed: int, index: int) -> int:
    digest = hashlib.sha256(f"{seed}:{index}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


class BayesianSampler:
    """Optuna's TPE through ask-and-tell; all primary metrics are maximised."""

    def __init__(self, subspaces: list[SearchSubspace], seed: int) -> None:
        import optuna

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        self._optuna = optuna
        self.subspaces = subspaces or [{}]
        sampler = optuna.samplers.TPESampler(seed=seed, multivariate=False)
        self.study = optuna.create_study(direction="maximize", sampler=sampler)
        self._open: dict[int, Any] = {}

    def propose(self, index: int) -> Optional[Proposal]:
        trial = self.study.ask()
        number = trial.suggest_categorical("subspace", list(range(len(self.subspaces)))) if len(self.subspaces) > 1 else 0
        params = {
            key: _suggest(trial, f"{number}:{key}", expression) for key, expression in self.subspaces[number].items()
        }
        self._open[trial.number] = trial
        state = {
            "optuna_trial": trial.number,
            "optuna_params": dict(trial.params),
            "optuna_distributions": {
                k: self._optuna.distributions.distribution_to_json(d) for k, d in trial.distributions.items()
            },
        }
        return Proposal(fit_params(params), number, state)

    def observe(self, proposal: Proposal, value: Optional[float]) -> None:
        number = proposal.sampler_state.get("optuna_trial")
        trial = self._open.pop(number, None)
        if trial is None:
            return
        state = self._optuna.trial.TrialState.COMPLETE if value is not None and math.isfinite(value) else self._optuna.trial.TrialState.FAIL
        self.study.tell(trial, value if state == self._optuna.trial.TrialState.COMPLETE else None, state=state)

    def replay(self, history: Iterable[tuple[Proposal, Optional[float]]]) -> None:
        """Rebuild the study from earlier trials (resume): each finished trial is added
        back with the distributions and values TPE saw the first time."""
        distributions = self._optuna.distributions
        for proposal, value in history:
            state = proposal.sampler_state
            if "optuna_params" not in state:
                continue
            complete = value is not None and math.isfinite(value)
            self.study.add_trial(
                self._optuna.trial.create_trial(
                    params=state["optuna_params"],
                    distributions={k: distributions.json_to_distribution(v) for k, v in state["optuna_distributions"].items()},
                    value=value if complete else None,
                    state=self._optuna.trial.TrialState.COMPLETE if complete else self._optuna.trial.TrialState.FAIL,
                )
            )


def _suggest(trial: Any, name: str, expression: Any) -> Any:
    """One expression as an Optuna distribution. TPE needs bounds: the normal forms are
    searched over mu +- 3 sigma (99.7% of their mass) and quantized afterwards."""
    if isinstance(expression, Fixed):
        return expression.value
    if isinstance(expression, Choice):
        index = trial.suggest_categorical(name, list(range(len(expression.values))))
        return expression.values[index]
    if isinstance(expression, RandInt):
        return trial.suggest_int(name, 0, expression.upper - 1)
    if isinstance(expression, (Uniform, QUniform)):
        value = trial.suggest_float(name, expression.min_value, expression.max_value)
    elif isinstance(expression, (LogUniform, QLogUniform)):
        value = trial.suggest_float(name, math.exp(expression.min_value), math.exp(expression.max_value), log=True)
    elif isinstance(expression, (Normal, QNormal)):
        value = trial.suggest_float(name, expression.mu - 3 * expression.sigma, expression.mu + 3 * expression.sigma)
    elif isinstance(expression, (LogNormal, QLogNormal)):
        low, high = expression.mu - 3 * expression.sigma, expression.mu + 3 * expression.sigma
        value = math.exp(trial.suggest_float(name, low, high))
    else:
        raise TypeError(f"not a parameter expression: {expression!r}")
    q = getattr(expression, "q", None)
    return quantize(value, q) if q else value


def create_sampler(algorithm: str, subspaces: list[SearchSubspace], *, seed: int) -> Sampler:
    if algorithm == "grid":
        return GridSampler(subspaces)
    if algorithm == "random":
        return RandomSampler(subspaces, seed)
    if algorithm == "bayesian":
        return BayesianSampler(subspaces, seed)
    raise ValueError(f"unknown sampling algorithm {algorithm!r}")
