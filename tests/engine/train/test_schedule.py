import math

import pytest
import torch

from engine.train import create_scheduler, scheduler_kwargs
from trainkit import make_params


def _lrs(steps: int, **kwargs) -> list[float]:
    """The learning rate seen by update 0, 1, ..., steps - 1."""
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    sched = create_scheduler(opt, **kwargs)
    lrs = []
    for _ in range(steps):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return lrs


def test_warmup_cosine_warms_up_linearly_then_follows_the_cosine_with_cycles():
    # 4 updates per epoch, 5 epochs, 2 warmup epochs: W = 8, T = 20.
    p = make_params(learning_rate_scheduler="warmup_cosine", number_of_epochs=5,
                    warmup_cosine_lr_warmup_epochs=2, warmup_cosine_lr_cycles=0.45)
    lrs = _lrs(21, updates_per_epoch=4, **scheduler_kwargs(p))
    assert lrs[0] == 0.0
    assert lrs[4] == pytest.approx(0.05)
    assert lrs[8] == pytest.approx(0.1)
    assert lrs[14] == pytest.approx(0.1 * 0.5 * (1 + math.cos(math.pi * 0.45 * 2 * 6 / 12)))
    assert lrs[20] == pytest.approx(0.1 * 0.5 * (1 + math.cos(math.pi * 0.45 * 2)))  # ~0.0024, not 0


def test_warmup_cosine_never_goes_negative_with_a_full_cycle():
    lrs = _lrs(12, scheduler="warmup_cosine", updates_per_epoch=2, number_of_epochs=6,
               warmup_epochs=0, cycles=1.0)
    assert lrs[0] == pytest.approx(0.1)
    assert min(lrs) >= 0.0
    assert lrs[6] == pytest.approx(0.0, abs=1e-12)  # half way through one full cycle


def test_step_multiplies_by_gamma_every_step_size_epochs():
    p = make_params(learning_rate_scheduler="step", step_lr_gamma=0.5, step_lr_step_size=2, number_of_epochs=6)
    lrs = _lrs(17, updates_per_epoch=4, **scheduler_kwargs(p))
    assert lrs[0] == lrs[7] == pytest.approx(0.1)
    assert lrs[8] == lrs[15] == pytest.approx(0.05)
    assert lrs[16] == pytest.approx(0.025)


def test_none_keeps_the_rate():
    p = make_params(learning_rate_scheduler="none", number_of_epochs=3)
    assert set(_lrs(12, updates_per_epoch=4, **scheduler_kwargs(p))) == {0.1}


def test_unknown_scheduler_is_refused():
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    with pytest.raises(ValueError, match="learning_rate_scheduler 'cosine'"):
        create_scheduler(opt, scheduler="cosine", updates_per_epoch=1, number_of_epochs=1)
