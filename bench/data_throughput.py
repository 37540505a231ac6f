"""Training-loader throughput: decoding JPEGs every time (cold) against the decoded-image cache.

    .venv/bin/python bench/data_throughput.py [--workers 2] [--epochs 6] [--photo-size 0]

Writes the demo dataset (1,500 training pictures, 96x96 JPEG) into a temporary folder,
then times full training epochs of two loaders that differ only in where pixels come from:
`DecodingImageDataset` (open + decode the JPEG per item) and `CachedImageDataset`
(memory-mapped pixels pre-resized to the shorter side 72). Same geometry (the demo job's
training_crop_size 64: per-image crop + flip + antialiased resize on uint8, plus the
jitter draws), batch 32, shuffled, `number_of_workers` workers. The loaders yield uint8
`ImageBatch`es: the finish (float, colour jitter, normalisation) is not theirs any more,
it runs where the batch enters the model (`BatchFinisher`, on the GPU in a CUDA trial).
For a CPU-only trial, which finishes in its main process, the finish's own cost is
reported on its own line (one thread, the same batches).
The first epoch of each loader is a warm-up (worker start, page cache) and is not timed;
timed epochs alternate between the two loaders. Besides images/s (wall clock), it reports
the CPU time the main process and the workers spend per image, which other load on a
shared machine does not distort, and the main process's part of it (receiving batches:
the same work for both loaders).

`--photo-size N` re-encodes the pictures at NxN first, to see the cache on photo-sized
inputs like Azure's fridge-items images (the real data the cache is for).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import torch
from PIL import Image

from engine.data.datasets import CachedImageDataset, DecodingImageDataset
from engine.data.demo import TRAINING_FOLDER, VALIDATION_FOLDER, write_demo
from engine.data.loaders import create_loader
from engine.data.prepare import prepare_data
from engine.data.transforms import create_train_transform, data_config_for

CROP_SIZE = 64
CACHE_SHORT_SIDE = 72  # the demo job's validation_resize_size, its largest size
BATCH_SIZE = 32


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes so far (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def measure(datasets: dict, *, workers: int, epochs: int) -> dict[str, tuple[float, float, float]]:
    """Per dataset: (images/s, CPU microseconds per image over the main process and the
    loader's workers, the main process's part of that). Timed epochs alternate between
    the loaders, so a burst of load from elsewhere on a shared machine hits both alike;
    the CPU figure is what the pipeline itself spends, whatever else runs on the machine."""
    loaders = {name: create_loader(dataset, batch_size=BATCH_SIZE, shuffle=True,
                                   number_of_workers=workers, seed=0)
               for name, dataset in datasets.items()}
    pids = {}
    for name, loader in loaders.items():  # warm-up epoch: start workers, fill the page cache
        for _ in loader:
            pass
        iterator = loader._iterator  # persistent workers: the same processes every epoch
        pids[name] = [os.getpid()] + [w.pid for w in getattr(iterator, "_workers", [])]
    seconds = dict.fromkeys(loaders, 0.0)
    cpu = dict.fromkeys(loaders, 0.0)
    main_cpu = dict.fromkeys(loaders, 0.0)
    for _ in range(epochs):
        for name, loader in loaders.items():
            cpu_start, main_start = cpu_seconds(pids[name]), cpu_seconds(pids[name][:1])
            start = time.perf_counter()
            for _ in loader:
                pass
            seconds[name] += time.perf_counter() - start
            cpu[name] += cpu_seconds(pids[name]) - cpu_start
            main_cpu[name] += cpu_seconds(pids[name][:1]) - main_start
    images = {name: epochs * len(dataset) for name, dataset in datasets.items()}
    return {name: (images[name] / seconds[name], cpu[name] / images[name] * 1e6,
                   main_cpu[name] / images[name] * 1e6) for name in loaders}


def finish_cost(dataset, *, batches: int = 20) -> float:
    """CPU microseconds per image of `BatchFinisher` on the CPU (float, jitter, normalise)."""
    from engine.train.runtime import create_runtime

    loader = create_loader(dataset, batch_size=BATCH_SIZE, shuffle=True, number_of_workers=0, seed=0)
    kept = [batch for _, batch in zip(range(batches), loader)]
    finish, runtime = dataset.transform.finisher(), create_runtime("cpu")
    for batch in kept[:3]:  # warm-up
        finish(batch, runtime)
    start = time.process_time()
    for batch in kept:
        finish(batch, runtime)
    return (time.process_time() - start) / sum(len(batch) for batch in kept) * 1e6


def upscale_pictures(folder: Path, size: int) -> None:
    for path in sorted((folder / TRAINING_FOLDER / "images").glob("*.jpg")):
        Image.open(path).resize((size, size), Image.Resampling.BICUBIC).save(path, quality=90)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--photo-size", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(1)  # the workers are the parallelism being measured
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_demo(root / "demo")
        if args.photo_size:
            upscale_pictures(root / "demo", args.photo_size)
        prepared = prepare_data(
            training_data=root / "demo" / TRAINING_FOLDER,
            validation_data=root / "demo" / VALIDATION_FOLDER,
            target_column_name="label", cache_folder=root / "cache",
            cache_short_side=CACHE_SHORT_SIDE,
        )
        config = data_config_for("resnet18")
        transform = create_train_transform(crop_size=CROP_SIZE, mean=config.mean, std=config.std)
        cold = DecodingImageDataset(prepared.training, labels=prepared.labels, transform=transform)
        cached = CachedImageDataset(prepared.training, labels=prepared.labels,
                                    cache=prepared.cache, transform=transform)
        figures = measure({"cold": cold, "cached": cached}, workers=args.workers, epochs=args.epochs)
        (cold_rate, cold_cpu, cold_main), (cached_rate, cached_cpu, cached_main) = figures["cold"], figures["cached"]
        finish_us = finish_cost(cached)
    size = f"{args.photo_size}x{args.photo_size}" if args.photo_size else "96x96"
    print(f"pictures {size} JPEG, {len(cold)} per epoch, crop {CROP_SIZE}, "
          f"batch {BATCH_SIZE}, {args.workers} workers, {args.epochs} timed epochs")
    print(f"cold (decode JPEG each time): {cold_rate:8.0f} images/s  {cold_cpu:6.0f} CPU us/image"
          f"  (main process {cold_main:.0f})")
    print(f"cached (memory-mapped):       {cached_rate:8.0f} images/s  {cached_cpu:6.0f} CPU us/image"
          f"  (main process {cached_main:.0f})")
    print(f"ratio cached/cold: {cached_rate / cold_rate:.2f}x images/s, "
          f"{cold_cpu / cached_cpu:.2f}x CPU per image")
    print(f"finish per batch on the CPU (not in the loaders; a CPU-only trial's main process): "
          f"{finish_us:.0f} CPU us/image")


if __name__ == "__main__":
    main()
