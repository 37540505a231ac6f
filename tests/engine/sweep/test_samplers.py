"""Samplers: grid enumerates exactly, random is reproducible, bayesian stays in the space."""

import math

import pytest

from engine.spec import parse_search_space
from engine.spec.expressions import Uniform
from engine.spec.search_space import Fixed
from engine.sweep.automode import PORTFOLIO, AutomodeSampler
from engine.sweep.samplers import BayesianSampler, GridSampler, RandomSampler, create_sampler
from engine.sweep.sampling import fit_to_parameter

TWO_SUBSPACES = parse_search_space(
    [
        {
            "model_name": {"type": "choice", "values": ["vitb16r224"]},
            "learning_rate": {"type": "uniform", "min_value": 0.005, "max_value": 0.05},
            "number_of_epochs": {"type": "choice", "values": [15, 30]},
        },
        {
            "model_name": {"type": "choice", "values": ["seresnext"]},
            "learning_rate": {"type": "loguniform", "min_value": -6.0, "max_value": -3.0},
            "training_batch_size": {"type": "quniform", "min_value": 8, "max_value": 64, "q": 8},
            "layers_to_freeze": {"type": "randint", "upper": 3},
        },
    ]
)


def test_grid_enumerates_every_combination_of_each_subspace_in_turn():
    space = parse_search_space(
        [
            {"model_name": {"type": "choice", "values": ["resnet18", "resnet34"]}, "learning_rate": {"type": "choice", "values": [0.01, 0.1]}},
            {"model_name": "mobilenetv2", "optimizer": {"type": "choice", "values": ["adam", "sgd", "adamw"]}},
        ]
    )
    sampler = GridSampler(space)
    proposals = [sampler.propose(i) for i in range(len(sampler))]
    assert len(sampler) == 4 + 3
    assert sampler.propose(len(sampler)) is None
    assert [p.params for p in proposals[:4]] == [
        {"model_name": "resnet18", "learning_rate": 0.01},
        {"model_name": "resnet18", "learning_rate": 0.1},
        {"model_name": "resnet34", "learning_rate": 0.01},
        {"model_name": "resnet34", "learning_rate": 0.1},
    ]
    assert [p.params["optimizer"] for p in proposals[4:]] == ["adam", "sgd", "adamw"]
    assert {p.subspace for p in proposals[4:]} == {1}


def test_grid_refuses_continuous_expressions():
    with pytest.raises(ValueError):
        GridSampler([{"learning_rate": Uniform(type="uniform", min_value=0.0, max_value=0.1)}])


def test_random_is_reproducible_and_depends_on_the_seed():
    first = [RandomSampler(TWO_SUBSPACES, seed=7).propose(i).params for i in range(20)]
    again = [RandomSampler(TWO_SUBSPACES, seed=7).propose(i).params for i in range(20)]
    other = [RandomSampler(TWO_SUBSPACES, seed=8).propose(i).params for i in range(20)]
    assert first == again
    assert first != other


def test_random_draws_inside_each_subspace_with_the_right_types():
    sampler = RandomSampler(TWO_SUBSPACES, seed=3)
    seen_subspaces = set()
    for index in range(60):
        proposal = sampler.propose(index)
        params = proposal.params
        seen_subspaces.add(proposal.subspace)
        if proposal.subspace == 0:
            assert params["model_name"] == "vitb16r224"
            assert 0.005 <= params["learning_rate"] <= 0.05
            assert params["number_of_epochs"] in (15, 30)
        else:
            assert math.exp(-6) <= params["learning_rate"] <= math.exp(-3)
            assert isinstance(params["training_batch_size"], int) and params["training_batch_size"] % 8 == 0
            assert params["layers_to_freeze"] in (0, 1, 2)
    assert seen_subspaces == {0, 1}


def test_values_are_clipped_to_the_parameter_range_and_cast():
    assert fit_to_parameter("learning_rate", 1.7) == 1.0
    assert fit_to_parameter("momentum", -0.2) == 0.0
    assert fit_to_parameter("number_of_epochs", 12.0) == 12 and isinstance(fit_to_parameter("number_of_epochs", 12.0), int)
    assert fit_to_parameter("model_name", "resnet18") == "resnet18"


def test_bayesian_proposes_inside_the_space_and_handles_subspaces():
    sampler = BayesianSampler(TWO_SUBSPACES, seed=0)
    subspaces = set()
    for index in range(25):
        proposal = sampler.propose(index)
        subspaces.add(proposal.subspace)
        params = proposal.params
        if proposal.subspace == 0:
            assert set(params) == {"model_name", "learning_rate", "number_of_epochs"}
            assert 0.005 <= params["learning_rate"] <= 0.05
        else:
            assert set(params) == {"model_name", "learning_rate", "training_batch_size", "layers_to_freeze"}
            assert params["training_batch_size"] % 8 == 0
        # reward one region so TPE has something to learn from
        sampler.observe(proposal, 1.0 - abs(params["learning_rate"] - 0.02))
    assert subspaces == {0, 1}
    assert len(sampler.study.trials) == 25


def test_bayesian_replay_rebuilds_the_study():
    first = BayesianSampler(TWO_SUBSPACES, seed=0)
    history = []
    for index in range(5):
        proposal = first.propose(index)
        first.observe(proposal, 0.1 * index)
        history.append((proposal, 0.1 * index))
    resumed = BayesianSampler(TWO_SUBSPACES, seed=0)
    resumed.replay(history)
    assert [t.value for t in resumed.study.trials] == [t.value for t in first.study.trials]
    assert [t.params for t in resumed.study.trials] == [t.params for t in first.study.trials]


def test_automode_walks_the_portfolio_then_draws():
    sampler = AutomodeSampler(seed=1)
    assert [sampler.propose(i).params for i in range(len(PORTFOLIO))] == [dict(p) for p in PORTFOLIO]
    beyond = sampler.propose(len(PORTFOLIO)).params
    assert set(beyond) == {"model_name", "learning_rate"} and 0.001 <= beyond["learning_rate"] <= 0.05


def test_create_sampler_by_name():
    assert isinstance(create_sampler("grid", [{"model_name": Fixed("resnet18")}], seed=0), GridSampler)
    assert isinstance(create_sampler("random", [], seed=0), RandomSampler)
    assert create_sampler("random", [], seed=0).propose(0).params == {}
