"""The run view under a fast runner: 2,000 events/s for 10 s into a headless studio.

    .venv/bin/python bench/monitor_events.py [--rate 2000] [--seconds 10] [--trials 4]

A writer process (this script with --write) appends events to a run folder's
events.jsonl at the given rate, each stamped with the wall-clock time it was written;
mostly log lines, and one epoch_ended in five, so each trial's curve grows past the
chart's point budget. The studio runs headless on that folder (`App.run_test`). Each time
the run view redraws its widgets with new events it posts `RunScreen.Redrawn`; the lag
of a redraw is the time from the oldest event it shows for the first time being written
to the redraw. Memory: the process's RSS and its count of live Python objects every second, and
the sizes the view keeps (log lines, points per curve). Target (DESIGN.md section 10): lag under 250 ms, flat memory.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.events import EpochEnded, EventLog, Log, RunStarted, TrialStarted  # noqa: E402
from engine.runfolder import RunFolder  # noqa: E402

TICK_SECONDS = 0.01


def write_events(path: Path, rate: int, seconds: float, trials: int) -> None:
    """The writer process: `rate` events per second for `seconds`, in 10 ms ticks."""
    log = EventLog(path)
    now = lambda: datetime.now(timezone.utc)  # noqa: E731
    log.emit(RunStarted(time=now(), run="bench", name="bench", primary_metric="iou", max_trials=trials))
    for index in range(trials):
        log.emit(TrialStarted(time=now(), run="bench", trial=f"t{index + 1:03d}", params={"model_name": "resnet18", "learning_rate": 0.01 / (index + 1), "number_of_epochs": 100_000}))
    start, written, epochs = time.monotonic(), 0, [0] * trials
    while (elapsed := time.monotonic() - start) < seconds:
        for _ in range(int(rate * elapsed) - written):  # catch up after a late tick
            trial = written % trials
            if written % 5 == 0:
                epochs[trial] += 1
                epoch = epochs[trial]
                log.emit(EpochEnded(time=now(), run="bench", trial=f"t{trial + 1:03d}", epoch=epoch, metrics={"iou": 1 - 1 / (1 + epoch / 50), "accuracy": 0.5}, loss=1 / (1 + epoch / 50), lr=0.01, images_per_second=500.0, seconds=1.0))
            else:
                log.emit(Log(time=now(), run="bench", level=("debug", "info", "warning")[written % 3], trial=f"t{trial + 1:03d}", message=f"step {written}: a log line of ordinary length for a training run"))
            written += 1
        time.sleep(TICK_SECONDS)
    log.close()
    print(written + 1 + trials, file=sys.stderr)


def rss_megabytes() -> float:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * 4096 / 2**20


async def watch(folder: RunFolder, writer: subprocess.Popen, size: tuple[int, int]) -> dict:
    from studio.app import StudioApp
    from studio.screens.run import RunScreen

    lags: list[float] = []
    newest_lags: list[float] = []

    def hook(message) -> None:
        if isinstance(message, RunScreen.Redrawn):
            lags.append(message.shown_at - message.oldest.timestamp())
            newest_lags.append(message.shown_at - message.newest.timestamp())

    app = StudioApp(None, run_dir=folder.path, remember_theme=False)
    rss: list[float] = []
    objects: list[int] = []
    async with app.run_test(size=size, message_hook=hook) as pilot:
        next_sample = time.monotonic()
        while writer.poll() is None:
            if time.monotonic() >= next_sample:
                rss.append(rss_megabytes())
                objects.append(len(gc.get_objects()))
                next_sample += 1.0
            await pilot.pause(0.05)
        written = int(writer.stderr.read().strip().splitlines()[-1])
        screen = app.run_screen
        deadline = time.monotonic() + 30
        while screen.model.events_applied < written and time.monotonic() < deadline:
            await pilot.pause(0.05)
        await pilot.pause(0.3)
        rss.append(rss_megabytes())
        objects.append(len(gc.get_objects()))
        model = screen.model
        points = max(len(series) for trial in model.series.values() for series in trial.values())
        return {
            "written": written,
            "shown": model.events_applied,
            "redraws": len(lags),
            "lags": sorted(lags),
            "newest_lags": sorted(newest_lags),
            "rss": rss,
            "objects": objects,
            "log_lines": len(model.log.lines),
            "log_total": model.log.count,
            "pane_lines": len(screen.query_one("LogPane").lines),
            "max_points": points,
        }


def percentile(values: list[float], fraction: float) -> float:
    return values[min(len(values) - 1, int(fraction * len(values)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=int, default=2000, help="events per second")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--trials", type=int, default=4)
    parser.add_argument("--write", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.write:
        write_events(args.write, args.rate, args.seconds, args.trials)
        return 0
    from studio.sample_run import SAMPLE_JOB

    with tempfile.TemporaryDirectory() as temporary:
        folder = RunFolder(Path(temporary) / "bench")
        folder.create(SAMPLE_JOB)
        command = [sys.executable, __file__, "--write", str(folder.events_file), "--rate", str(args.rate), "--seconds", str(args.seconds), "--trials", str(args.trials)]
        writer = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
        result = asyncio.run(watch(folder, writer, (120, 36)))
    lags, rss = result["lags"], result["rss"]
    print(f"events written {result['written']} in {args.seconds:g} s ({args.rate}/s asked), shown {result['shown']}")
    print(f"redraws {result['redraws']}; lag of the oldest new event per redraw: median {statistics.median(lags) * 1000:.0f} ms, "
          f"p95 {percentile(lags, 0.95) * 1000:.0f} ms, max {lags[-1] * 1000:.0f} ms "
          f"(newest event: median {statistics.median(result['newest_lags']) * 1000:.0f} ms)")
    print(f"RSS MB by second: {' '.join(f'{value:.0f}' for value in rss)}; growth after second 2: {rss[-1] - rss[min(2, len(rss) - 1)]:+.1f} MB")
    objects = result["objects"]
    print(f"live Python objects (thousands) by second: {' '.join(f'{n / 1000:.0f}' for n in objects)}")
    print(f"kept: {result['log_lines']} of {result['log_total']} log lines (pane {result['pane_lines']}), at most {result['max_points']} points per curve")
    return 0


if __name__ == "__main__":
    sys.exit(main())
