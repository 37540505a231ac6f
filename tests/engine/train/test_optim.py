import pytest
import torch

from engine.train import create_optimizer, optimizer_kwargs, trainable_parameters
from trainkit import TinyNet, make_params


def _params():
    return list(TinyNet().parameters())


def test_sgd_takes_momentum_nesterov_and_weight_decay():
    opt = create_optimizer(_params(), **optimizer_kwargs(make_params(
        optimizer="sgd", learning_rate=0.01, momentum=0.8, nesterov=False, weight_decay=0.05)))
    group = opt.param_groups[0]
    assert type(opt) is torch.optim.SGD
    assert (group["lr"], group["momentum"], group["nesterov"], group["weight_decay"]) == (0.01, 0.8, False, 0.05)


@pytest.mark.parametrize("name, cls", [("adam", torch.optim.Adam), ("adamw", torch.optim.AdamW)])
def test_adam_family_takes_betas_and_amsgrad(name, cls):
    opt = create_optimizer(_params(), **optimizer_kwargs(make_params(
        optimizer=name, learning_rate=0.002, beta1=0.8, beta2=0.99, ams_gradient=True, weight_decay=0.3)))
    group = opt.param_groups[0]
    assert type(opt) is cls
    assert (group["betas"], group["amsgrad"], group["weight_decay"], group["lr"]) == ((0.8, 0.99), True, 0.3, 0.002)


def test_nesterov_without_momentum_is_refused_with_the_key_names():
    with pytest.raises(ValueError, match="nesterov needs momentum"):
        create_optimizer(_params(), learning_rate=0.1, momentum=0.0, nesterov=True)


def test_unknown_optimizer_is_refused():
    with pytest.raises(ValueError, match="unknown optimizer 'lamb'"):
        create_optimizer(_params(), optimizer="lamb", learning_rate=0.1)


def test_frozen_parameters_stay_out_of_the_optimizer():
    model = TinyNet()
    model.conv.requires_grad_(False)
    assert trainable_parameters(model) == [model.fc.weight, model.fc.bias]
