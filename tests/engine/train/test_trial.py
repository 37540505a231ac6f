"""The loop on a tiny network: evaluation, checkpoints, accumulation, stopping, resuming."""

from __future__ import annotations

import threading

import pytest
import torch

from engine.events import EpochEnded, Emitter, ListSink
from engine.train import (
    BEST,
    CHECKPOINT_DIR,
    LAST,
    EarlyStopping,
    GradientClip,
    create_loss,
    create_runtime,
    create_scheduler,
    load_checkpoint,
    train_one_epoch,
    train_trial,
)
from trainkit import LABELS, TinyNet, image_loaders, loaders


def _run(model, *, lr=0.05, epochs=3, train=None, valid=None, **kwargs):
    train_loader, valid_loader = train or loaders()[0], valid or loaders()[1]
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    sched = create_scheduler(opt, scheduler="none", updates_per_epoch=4, number_of_epochs=epochs)
    return train_trial(
        model, train_loader=train_loader, valid_loader=valid_loader, optimizer=opt, scheduler=sched,
        loss_fn=create_loss(), number_of_epochs=epochs, labels=LABELS, **kwargs,
    ), opt, sched


def test_evaluation_frequency_and_the_last_epoch_are_evaluated(tiny_net):
    sink = ListSink()
    result, _, _ = _run(tiny_net, epochs=5, evaluation_frequency=2, events=Emitter(sink, run="r", trial="1"))
    evaluated = [e.epoch for e in sink.of_type(EpochEnded) if e.metrics]
    assert evaluated == [2, 4, 5]
    assert [e.epoch for e in sink.of_type(EpochEnded)] == [1, 2, 3, 4, 5]
    assert result.status == "completed" and result.epochs == 5
    assert set(result.metrics) >= {"accuracy", "iou", "validation_loss"}


def test_checkpoints_at_the_frequency_plus_best_and_last(tiny_net, tmp_path):
    result, _, _ = _run(tiny_net, epochs=5, checkpoint_frequency=2, trial_dir=tmp_path)
    files = sorted(p.name for p in (tmp_path / CHECKPOINT_DIR).iterdir())
    assert files == [BEST, "epoch_0002.pt", "epoch_0004.pt", LAST]
    # weights_only loading works for every file, and the contents are what they claim.
    assert load_checkpoint(tmp_path / CHECKPOINT_DIR / "epoch_0004.pt")["epoch"] == 4
    assert load_checkpoint(tmp_path / CHECKPOINT_DIR / LAST)["epoch"] == 5
    best = load_checkpoint(tmp_path / CHECKPOINT_DIR / BEST)
    assert best["epoch"] == result.best_epoch and best["best_score"] == result.best_score
    assert best["labels"] == LABELS


def test_without_checkpoint_frequency_only_best_and_last(tiny_net, tmp_path):
    _run(tiny_net, epochs=2, trial_dir=tmp_path)
    assert sorted(p.name for p in (tmp_path / CHECKPOINT_DIR).iterdir()) == [BEST, LAST]


def test_early_stopping_ends_at_the_expected_epoch(tiny_net):
    # lr 0: scores never move, so evaluation 1 is the best and 2.. are stale.
    early = EarlyStopping(enabled=True, delay=2, patience=2)
    result, _, _ = _run(tiny_net, lr=0.0, epochs=10, early_stopping=early)
    assert (result.status, result.epochs, result.best_epoch) == ("completed", 4, 1)
    assert result.reason == "early stopping at epoch 4"


def test_early_stopping_counts_evaluations_not_epochs(tiny_net):
    early = EarlyStopping(enabled=True, delay=1, patience=1)
    result, _, _ = _run(tiny_net, lr=0.0, epochs=10, evaluation_frequency=3, early_stopping=early)
    assert result.epochs == 6  # evaluations at 3 (best) and 6 (stale)


def test_should_stop_hook_sees_each_evaluation_and_terminates(tiny_net):
    seen = []

    def policy(epoch, scores):
        seen.append((epoch, "accuracy" in scores))
        return epoch == 2

    result, _, _ = _run(tiny_net, epochs=5, should_stop=policy)
    assert seen == [(1, True), (2, True)]
    assert (result.status, result.epochs) == ("early_terminated", 2)


def test_gradient_accumulation_updates_once_per_group():
    model = TinyNet()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    sched = create_scheduler(opt, scheduler="none", updates_per_epoch=2, number_of_epochs=1)
    stats = train_one_epoch(model, loaders()[0], optimizer=opt, scheduler=sched, loss_fn=create_loss(),
                            runtime=create_runtime("cpu"), gradient_accumulation_step=3)
    assert stats.updates == 2  # after batches 3 and 4 (the short last group)
    assert sched.last_epoch == 2


def test_accumulating_two_batches_equals_one_batch_of_twice_the_size():
    data = loaders(n_train=16)[0].dataset
    small = torch.utils.data.DataLoader(data, batch_size=4)
    large = torch.utils.data.DataLoader(data, batch_size=8)
    models = []
    for loader, steps in ((small, 2), (large, 1)):
        torch.manual_seed(0)
        model = TinyNet()
        opt = torch.optim.SGD(model.parameters(), lr=0.5)
        sched = create_scheduler(opt, scheduler="none", updates_per_epoch=2, number_of_epochs=1)
        train_one_epoch(model, loader, optimizer=opt, scheduler=sched, loss_fn=create_loss(),
                        runtime=create_runtime("cpu"), gradient_accumulation_step=steps)
        models.append(model)
    for a, b in zip(models[0].parameters(), models[1].parameters()):
        torch.testing.assert_close(a, b)


def test_gradients_are_clipped_by_value():
    model = TinyNet()
    for p in model.parameters():
        p.grad = torch.full_like(p, 9.0)
    GradientClip(value=5.0)(list(model.parameters()))
    assert max(p.grad.abs().max().item() for p in model.parameters()) == 5.0
    GradientClip(value=None, norm=1.0)(list(model.parameters()))
    total = torch.sqrt(sum((p.grad**2).sum() for p in model.parameters()))
    assert total.item() == pytest.approx(1.0, rel=1e-5)


def _stop_after_updates(n):
    count = {"updates": 0}

    def stop():
        count["updates"] += 1
        return count["updates"] > n

    return stop


def test_a_stop_request_ends_interrupted_and_resume_finishes_like_an_uninterrupted_run(tmp_path):
    torch.manual_seed(0)
    whole, _, _ = _run(TinyNet(), epochs=3, trial_dir=tmp_path / "whole")

    torch.manual_seed(0)
    model = TinyNet()
    # 4 updates per epoch: the 7th is in epoch 2, which is dropped.
    cut, _, _ = _run(model, epochs=3, trial_dir=tmp_path / "cut", stop=_stop_after_updates(6))
    assert (cut.status, cut.epochs) == ("interrupted", 1)
    assert load_checkpoint(tmp_path / "cut" / CHECKPOINT_DIR / LAST)["epoch"] == 1

    resumed, _, _ = _run(model, epochs=3, trial_dir=tmp_path / "cut", resume=True)
    assert (resumed.status, resumed.epochs) == ("completed", 3)
    assert [h["loss"] for h in resumed.history] == [h["loss"] for h in whole.history]
    assert resumed.metrics == whole.metrics


def test_a_threading_event_stops_the_trial(tiny_net):
    event = threading.Event()
    event.set()
    result, _, _ = _run(tiny_net, epochs=3, stop=event)
    assert (result.status, result.epochs) == ("interrupted", 0)


def _image_trial(folder, workers: int):
    torch.manual_seed(0)
    model = TinyNet()
    train, valid, finisher = image_loaders(folder, workers=workers, seed=5)
    result, _, _ = _run(model, epochs=2, train=train, valid=valid, prepare_batch=finisher)
    return model, result


def test_image_loaders_train_with_the_finish_on_the_device_and_the_same_seed_repeats(tmp_path):
    # uint8 batches from the loader, jitter draws shipped with them, the finish in the
    # loop (`prepare_batch`): the same seed gives the same weights, with worker processes.
    first, result = _image_trial(tmp_path, workers=2)
    second, _ = _image_trial(tmp_path, workers=2)
    assert result.status == "completed" and set(result.metrics) >= {"accuracy", "validation_loss"}
    assert all(torch.equal(a, b) for a, b in zip(first.parameters(), second.parameters()))


def test_an_image_batch_without_a_finisher_is_a_clear_error(tmp_path):
    train, _, _ = image_loaders(tmp_path)
    opt = torch.optim.SGD(TinyNet().parameters(), lr=0.1)
    sched = create_scheduler(opt, scheduler="none", updates_per_epoch=6, number_of_epochs=1)
    with pytest.raises(TypeError, match="BatchFinisher"):
        train_one_epoch(TinyNet(), train, optimizer=opt, scheduler=sched, loss_fn=create_loss(),
                        runtime=create_runtime("cpu"))
