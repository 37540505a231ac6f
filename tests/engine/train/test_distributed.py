"""DistributedDataParallel with two CPU processes over gloo."""

from __future__ import annotations

import json
from pathlib import Path

import torch
import torch.distributed as dist

from engine.events import Emitter, EpochEnded, EventLog, EventTail
from engine.train import CHECKPOINT_DIR, create_loss, create_runtime, create_scheduler, predict, train_trial
from engine.train.distributed import launch, shard_loader, world_size_for, wrap_ddp
from trainkit import LABELS, TinyNet, image_loaders, loaders


def _worker(rank: int, world_size: int, out: str) -> None:
    out_dir = Path(out)
    torch.manual_seed(0)  # same initial weights on both ranks (DDP also broadcasts rank 0's)
    runtime = create_runtime("cpu")
    model = wrap_ddp(TinyNet(), runtime)
    train, valid = loaders(n_train=32, n_valid=10, batch=4)
    train, valid = shard_loader(train, train=True, seed=3), shard_loader(valid, train=False)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    sched = create_scheduler(opt, scheduler="none", updates_per_epoch=len(train), number_of_epochs=2)
    events = Emitter(EventLog(out_dir / "events.jsonl"), run="ddp", trial="1") if rank == 0 else None
    result = train_trial(model, train_loader=train, valid_loader=valid, optimizer=opt, scheduler=sched,
                         loss_fn=create_loss(), number_of_epochs=2, labels=LABELS, runtime=runtime,
                         trial_dir=out_dir / "trial", events=events)
    preds = predict(model, valid, loss_fn=create_loss(), runtime=runtime)
    torch.save(model.module.state_dict(), out_dir / f"rank{rank}.pt")
    (out_dir / f"rank{rank}.json").write_text(json.dumps({
        "world": dist.get_world_size(), "train_batches": len(train), "valid_shard": len(valid.sampler),
        "gathered": len(preds.targets), "status": result.status, "metrics": result.metrics,
    }))


def test_two_cpu_processes_train_one_model(tmp_path):
    launch(_worker, 2, str(tmp_path), backend="gloo")
    ranks = [json.loads((tmp_path / f"rank{r}.json").read_text()) for r in (0, 1)]
    assert [r["world"] for r in ranks] == [2, 2]
    assert [r["train_batches"] for r in ranks] == [4, 4]  # 32 images / 2 ranks / batch 4
    assert sorted(r["valid_shard"] for r in ranks) == [5, 5]  # no padding
    assert [r["gathered"] for r in ranks] == [10, 10]  # every rank scores the whole set
    assert ranks[0]["metrics"] == ranks[1]["metrics"] and ranks[0]["status"] == "completed"
    weights = [torch.load(tmp_path / f"rank{r}.pt", weights_only=True) for r in (0, 1)]
    assert all(torch.equal(weights[0][k], weights[1][k]) for k in weights[0])
    # rank 0 alone writes checkpoints and events: one epoch_ended per epoch.
    assert (tmp_path / "trial" / CHECKPOINT_DIR / "last.pt").is_file()
    epochs = [e.epoch for e in EventTail(tmp_path / "events.jsonl").read() if isinstance(e, EpochEnded)]
    assert epochs == [1, 2]


def test_without_gpus_distributed_means_one_process():
    if not torch.cuda.is_available():
        assert world_size_for(True) == 1
    assert world_size_for(False) == 1


def _image_worker(rank: int, world_size: int, out: str) -> None:
    # The engine's own loaders (uint8 ImageBatch, collate_items) survive shard_loader,
    # and the finisher serves both shards.
    out_dir = Path(out)
    torch.manual_seed(0)
    runtime = create_runtime("cpu")
    model = wrap_ddp(TinyNet(), runtime)
    train, valid, finisher = image_loaders(out_dir / "images", n_train=16, n_valid=6, batch=4)
    train, valid = shard_loader(train, train=True, seed=3), shard_loader(valid, train=False)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    sched = create_scheduler(opt, scheduler="none", updates_per_epoch=len(train), number_of_epochs=1)
    result = train_trial(model, train_loader=train, valid_loader=valid, optimizer=opt, scheduler=sched,
                         loss_fn=create_loss(), number_of_epochs=1, labels=LABELS, runtime=runtime,
                         prepare_batch=finisher)
    preds = predict(model, valid, loss_fn=create_loss(), runtime=runtime, prepare_batch=finisher)
    (out_dir / f"rank{rank}.json").write_text(json.dumps({
        "train_batches": len(train), "gathered": len(preds.targets), "status": result.status,
    }))


def test_two_cpu_processes_train_on_sharded_image_loaders(tmp_path):
    image_loaders(tmp_path / "images", n_train=16, n_valid=6)  # write the pictures once
    launch(_image_worker, 2, str(tmp_path), backend="gloo")
    ranks = [json.loads((tmp_path / f"rank{r}.json").read_text()) for r in (0, 1)]
    assert [r["train_batches"] for r in ranks] == [2, 2]  # 16 images / 2 ranks / batch 4
    assert [r["gathered"] for r in ranks] == [6, 6]
    assert [r["status"] for r in ranks] == ["completed", "completed"]
