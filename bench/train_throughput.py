"""Training-step throughput: the engine's `train_one_epoch` against a minimal loop.

Both loops run the same model object, the same pre-made in-memory batches, the same
optimizer (SGD, nesterov momentum), the same per-update schedule and Azure's gradient
clipping, so the ratio measures what the engine adds per step (target >= 0.97,
DESIGN.md section 10). Passes alternate (hand, engine, hand, ...) so drift in machine
load hits both. Two figures: `ratio` compares the fastest pass of each (the machine's
quietest moment), `ratio_median` is the median over adjacent (hand, engine) pairs; on a
shared machine the two together tell noise from overhead.

    python bench/train_throughput.py                       # CPU: resnet18, 64 px
    python bench/train_throughput.py --device cuda --model resnet50 --batch 78 --crop 224
    python bench/train_throughput.py --device cuda --model vitb16r224 --batch 48 --crop 224
"""

from __future__ import annotations

import argparse
import json
import time

import torch
import torch.nn.functional as F

from engine.models import create_model, is_vit
from engine.train import (
    azure_gradient_clip,
    create_loss,
    create_optimizer,
    create_runtime,
    create_scheduler,
    train_one_epoch,
)


def make_batches(steps: int, batch: int, crop: int, labels: int, pin: bool) -> list:
    g = torch.Generator().manual_seed(0)
    out = []
    for _ in range(steps):
        x = torch.randn(batch, 3, crop, crop, generator=g)
        y = (torch.rand(batch, labels, generator=g) > 0.7).float()
        out.append((x.pin_memory(), y.pin_memory()) if pin else (x, y))
    return out


def hand_loop(model, batches, opt, sched, runtime, vit: bool) -> float:
    """What one would write by hand: the seconds for one pass."""
    model.train()
    fmt = torch.channels_last if runtime.channels_last else torch.contiguous_format
    start = time.perf_counter()
    for x, y in batches:
        x = x.to(runtime.device, non_blocking=True, memory_format=fmt)
        y = y.to(runtime.device, non_blocking=True)
        with torch.autocast(runtime.device.type, dtype=torch.bfloat16, enabled=runtime.amp_dtype is not None):
            loss = F.binary_cross_entropy_with_logits(model(x), y)
        loss.backward()
        if vit:
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        else:
            torch.nn.utils.clip_grad_value_(model.parameters(), 5.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        sched.step()
    loss.item()  # wait for the device, as the engine does at the end of an epoch
    return time.perf_counter() - start


def engine_loop(model, batches, opt, sched, runtime, vit: bool) -> float:
    stats = train_one_epoch(model, batches, optimizer=opt, scheduler=sched, loss_fn=create_loss(),
                            runtime=runtime, clip=azure_gradient_clip(vit))
    return stats.seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--model", default="resnet18", help="seed model_name")
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--crop", type=int, default=64)
    parser.add_argument("--steps", type=int, default=4, help="batches per timed pass")
    parser.add_argument("--repeats", type=int, default=15, help="timed passes of each loop")
    parser.add_argument("--labels", type=int, default=5)
    args = parser.parse_args()

    runtime = create_runtime(args.device)
    vit = is_vit(args.model)
    model, _ = create_model(args.model, args.labels, pretrained=False)
    model = runtime.prepare(model)
    opt = create_optimizer(model.parameters(), optimizer="sgd", learning_rate=0.01)
    sched = create_scheduler(opt, scheduler="warmup_cosine", updates_per_epoch=args.steps,
                             number_of_epochs=1000, warmup_epochs=1)
    batches = make_batches(args.steps, args.batch, args.crop, args.labels, pin=runtime.device.type == "cuda")
    hand_loop(model, batches[:2], opt, sched, runtime, vit)  # warm-up: kernels, allocator
    engine_loop(model, batches[:2], opt, sched, runtime, vit)
    times = {"hand": [], "engine": []}
    for _ in range(args.repeats):
        times["hand"].append(hand_loop(model, batches, opt, sched, runtime, vit))
        times["engine"].append(engine_loop(model, batches, opt, sched, runtime, vit))
    images = args.steps * args.batch
    ips = {k: images / min(v) for k, v in times.items()}
    pairs = sorted(h / e for h, e in zip(times["hand"], times["engine"]))
    report = {
        "device": str(runtime.device), "model": args.model, "batch": args.batch, "crop": args.crop,
        "amp": str(runtime.amp_dtype), "threads": torch.get_num_threads(),
        "hand_images_per_second": round(ips["hand"], 2),
        "engine_images_per_second": round(ips["engine"], 2),
        "ratio": round(ips["engine"] / ips["hand"], 4),
        "ratio_median": round(pairs[len(pairs) // 2], 4),
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main()
