"""Early stopping on the primary metric (`early_stopping`, `_delay`, `_patience`).

Counted in evaluations (every `evaluation_frequency` epochs), as the seed says "epochs or
validation evaluations". The best score is always tracked (it picks best.pt). The first
`delay` evaluations never count towards stopping; after them, each evaluation that does
not beat the best score adds one to a counter that any improvement resets, and the trial
stops when the counter reaches `patience`.

Example, delay 2, patience 2, scores 0.5 0.6 0.6 0.6: evaluations 1-2 are the delay,
3 and 4 bring no improvement, so training stops after evaluation 4.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from engine.train.metrics import is_better


@dataclass
class EarlyStopping:
    enabled: bool = True
    delay: int = 5
    patience: int = 5
    best: float | None = None
    evaluations: int = 0
    stale: int = 0

    def update(self, score: float | None) -> bool:
        """Record one evaluation's primary score (None: not computable); True if best."""
        self.evaluations += 1
        improved = score is not None and is_better(score, self.best)
        if improved:
            self.best = score
            self.stale = 0
        elif self.evaluations > self.delay:
            self.stale += 1
        return improved

    @property
    def should_stop(self) -> bool:
        return self.enabled and self.evaluations > self.delay and self.stale >= self.patience

    def state_dict(self) -> dict:
        return asdict(self)

    def load_state_dict(self, state: dict) -> None:
        for key, value in state.items():
            setattr(self, key, value)
