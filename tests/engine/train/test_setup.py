"""Training parameters through the adapter, on resnet18 at 32 px (random init, no network)."""

from __future__ import annotations

import json
import math

import pytest
import torch

from engine.events import Emitter, ListSink, Log
from engine.train import (
    BEST,
    CHECKPOINT_DIR,
    build_trial,
    create_runtime,
    load_checkpoint,
    resolve_checkpoint,
    run_trial,
    save_checkpoint,
)
from trainkit import LABELS, loaders, make_params


def _build(p, *, train_targets=None, **kwargs):
    return build_trial(p, num_labels=3, train_targets=train_targets, batches_per_epoch=4,
                       runtime=create_runtime("cpu"), pretrained=False, **kwargs)


def _train(p, trial_dir=None, events=None, **kwargs):
    parts = _build(p, **kwargs)
    train, valid = loaders()
    result = run_trial(p, parts, train_loader=train, valid_loader=valid, labels=LABELS,
                       primary_metric="accuracy", trial_dir=trial_dir, events=events)
    return parts, result


def test_the_same_seed_gives_the_same_result_and_another_seed_does_not():
    p = make_params(random_seed=7, number_of_epochs=2, learning_rate_scheduler="none", learning_rate=0.01)
    _, first = _train(p)
    _, again = _train(p)
    _, other = _train(make_params(**{**vars(p), "random_seed": 8}))
    assert [h["loss"] for h in first.history] == [h["loss"] for h in again.history]
    assert first.metrics == again.metrics
    assert [h["loss"] for h in first.history] != [h["loss"] for h in other.history]


def test_frozen_layers_get_no_gradient_and_do_not_move():
    p = make_params(layers_to_freeze=2, number_of_epochs=1, learning_rate_scheduler="none")
    parts = _build(p)
    before = {n: t.clone() for n, t in parts.model.state_dict().items()}
    run_trial(p, parts, train_loader=loaders()[0], valid_loader=loaders()[1], labels=LABELS,
              primary_metric="accuracy")
    params = dict(parts.model.named_parameters())
    for name in parts.frozen:
        assert params[name].grad is None and torch.equal(params[name], before[name]), name
    assert set(parts.frozen) == {n for n in params if n.startswith(("conv1.", "bn1.", "layer1."))}
    assert not torch.equal(params["layer2.0.conv1.weight"], before["layer2.0.conv1.weight"])
    in_optimizer = {id(t) for g in parts.optimizer.param_groups for t in g["params"]}
    assert not any(id(params[n]) in in_optimizer for n in parts.frozen)


def test_weighted_loss_sets_pos_weight_from_the_training_targets():
    # 5 images: label 0 in 1, label 1 in 4, label 2 in none.
    counts = dict(train_targets=[[1, 1, 0], [0, 1, 0], [0, 1, 0], [0, 1, 0], [0, 0, 0]])
    assert _build(make_params(weighted_loss=0), **counts).loss_fn.pos_weight is None
    assert _build(make_params(weighted_loss=2), **counts).loss_fn.pos_weight.tolist() == pytest.approx([4.0, 0.25, 1.0])
    assert _build(make_params(weighted_loss=1), **counts).loss_fn.pos_weight.tolist() == pytest.approx([2.0, 0.5, 1.0])
    with pytest.raises(ValueError, match="training targets"):
        _build(make_params(weighted_loss=1))


def test_schedule_counts_updates_not_batches_under_accumulation():
    # 4 batches, accumulation 3 -> 2 updates per epoch; 2 warmup epochs -> 4 warmup updates.
    p = make_params(gradient_accumulation_step=3, number_of_epochs=1, learning_rate=0.02,
                    learning_rate_scheduler="warmup_cosine", warmup_cosine_lr_warmup_epochs=2)
    parts, result = _train(p)
    assert parts.scheduler.last_epoch == 2
    assert result.history[0]["lr"] == pytest.approx(0.02 * 2 / 4)


def test_a_random_init_is_logged_as_a_warning():
    sink = ListSink()
    _train(make_params(number_of_epochs=1), events=Emitter(sink, run="r", trial="1"))
    warnings = [e.message for e in sink.of_type(Log) if e.level == "warning"]
    assert any(m.startswith("NO PRETRAINED WEIGHTS") for m in warnings)


def test_checkpoint_run_id_starts_from_an_earlier_runs_best_checkpoint(tmp_path):
    runs = tmp_path / "runs"
    trial_dir = runs / "earlier" / "trials" / "1"
    _train(make_params(number_of_epochs=1, random_seed=1), trial_dir=trial_dir)
    best = load_checkpoint(trial_dir / CHECKPOINT_DIR / BEST)["model"]

    for ref in ("earlier", str(runs / "earlier"), str(trial_dir), str(trial_dir / CHECKPOINT_DIR / BEST)):
        parts = _build(make_params(checkpoint_run_id=ref, random_seed=2), checkpoint_search_dirs=[runs])
        assert parts.init_checkpoint == trial_dir / CHECKPOINT_DIR / BEST
        state = parts.model.state_dict()
        assert all(torch.equal(state[k], v) for k, v in best.items()), ref
        assert parts.init_skipped == []


def test_checkpoint_run_id_with_another_label_count_keeps_the_new_head(tmp_path):
    save_checkpoint(tmp_path / "five.pt", {"model": _build(make_params()).model.state_dict()})
    parts = build_trial(make_params(checkpoint_run_id=str(tmp_path / "five.pt")), num_labels=5,
                        train_targets=None, batches_per_epoch=1, runtime=create_runtime("cpu"),
                        pretrained=False)
    assert parts.init_skipped == ["fc.bias", "fc.weight"]


def _fake_trial(run_dir, trial, score):
    save_checkpoint(run_dir / "trials" / trial / CHECKPOINT_DIR / BEST, {"model": {}, "best_score": score})


def test_a_run_folder_resolves_to_its_best_trial(tmp_path):
    _fake_trial(tmp_path, "1", 0.3)
    _fake_trial(tmp_path, "2", 0.7)
    assert resolve_checkpoint(tmp_path) == tmp_path / "trials" / "2" / CHECKPOINT_DIR / BEST
    (tmp_path / "summary.json").write_text(json.dumps({"best_trial": {"id": "1"}}))
    assert resolve_checkpoint(tmp_path) == tmp_path / "trials" / "1" / CHECKPOINT_DIR / BEST


def test_an_unknown_checkpoint_run_id_says_what_was_tried(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"'nope'.*tried nope, .*runs/nope"):
        resolve_checkpoint("nope", search_dirs=[tmp_path / "runs"])


def test_the_vit_adapter_clips_by_norm():
    assert _build_clip("vits16r224") == (None, 1.0)
    assert _build_clip("resnet18") == (5.0, None)


def _build_clip(model_name):
    from engine.models import is_vit
    from engine.train import azure_gradient_clip

    clip = azure_gradient_clip(is_vit(model_name))
    return clip.value, clip.norm


def test_warmup_cosine_lr_reaches_the_peak_after_warmup():
    p = make_params(number_of_epochs=3, warmup_cosine_lr_warmup_epochs=1, learning_rate=0.01)
    _, result = _train(p)
    # 4 updates per epoch: after epoch 1 the factor is 1, then the cosine starts.
    assert result.history[0]["lr"] == pytest.approx(0.01)
    assert result.history[1]["lr"] == pytest.approx(0.01 * 0.5 * (1 + math.cos(math.pi * 0.45 * 2 * 4 / 8)))
