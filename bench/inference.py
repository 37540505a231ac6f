"""Inference throughput on CPU: the exported ONNX model under onnxruntime against the
PyTorch model it came from, at batch 1 and 32 (DESIGN.md section 9, issue 7).

The ONNX file is the one `engine.export` ships (torch.export-based exporter, dynamic
batch, optionally normalising inside the graph); weights are random, which does not
change the arithmetic. Both runtimes use their default thread counts.

    .venv/bin/python bench/inference.py [--model resnet18] [--crop 224] [--seconds 3]
"""

from __future__ import annotations

import argparse
import platform
import tempfile
import time
from pathlib import Path

import numpy as np
import onnxruntime
import torch

from engine.export.network import build_network
from engine.export.onnx_export import INPUT_NAME, OUTPUT_NAME, export_onnx
from engine.export.settings import ModelSettings
from engine.models import create_model, timm_name

BATCHES = (1, 32)


def images_per_second(run, batch: int, seconds: float) -> float:
    run()  # warm-up: first-call allocations and kernel selection
    count, start = 0, time.perf_counter()
    while count < 3 or time.perf_counter() - start < seconds:
        run()
        count += 1
    return count * batch / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="resnet18")
    parser.add_argument("--crop", type=int, default=224)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--normalise", action="store_true", help="export with enable_onnx_normalization")
    args = parser.parse_args()
    torch.manual_seed(0)
    settings = ModelSettings(
        model_name=args.model, timm_name=timm_name(args.model), labels=("a", "b", "c", "d"),
        validation_resize_size=args.crop, validation_crop_size=args.crop,
        mean=(0.485, 0.456, 0.406), std=(0.229, 0.224, 0.225), enable_onnx_normalization=args.normalise,
    )
    model = build_network(settings, create_model(args.model, len(settings.labels), pretrained=False)[0].state_dict())
    with tempfile.TemporaryDirectory() as folder:
        path = export_onnx(model, settings, Path(folder) / "model.onnx")
        session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        rows = []
        for batch in BATCHES:
            pixels = np.random.default_rng(0).uniform(0, 255, (batch, 3, args.crop, args.crop)).astype(np.float32)
            tensor = torch.from_numpy(pixels / 255.0)  # scale is irrelevant to speed

            def torch_run(tensor=tensor):
                with torch.inference_mode():
                    model(tensor)

            def onnx_run(pixels=pixels):
                session.run([OUTPUT_NAME], {INPUT_NAME: pixels})

            rows.append((batch, images_per_second(torch_run, batch, args.seconds),
                         images_per_second(onnx_run, batch, args.seconds)))
    print(f"{args.model} at {args.crop} px, CPU, torch {torch.__version__}, onnxruntime {onnxruntime.__version__}, "
          f"{torch.get_num_threads()} threads, {platform.processor() or platform.machine()}")
    print("| batch | PyTorch img/s | onnxruntime img/s | ratio |")
    print("| ---: | ---: | ---: | ---: |")
    for batch, torch_rate, onnx_rate in rows:
        print(f"| {batch} | {torch_rate:,.1f} | {onnx_rate:,.1f} | {onnx_rate / torch_rate:.2f}x |")


if __name__ == "__main__":
    main()
