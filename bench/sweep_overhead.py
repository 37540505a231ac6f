"""Per-trial overhead of the sweep: trial process start to first training step, and the
gap between one trial's end and the next one's start.

Runs 20 trivial trials (8 tiny pictures, resnet18 at 32 px, one epoch, grid over the
learning rate) through the real scheduler and trial processes, then reads the run's
events: `launched` (scheduler) -> `trial_started` (the trial built its data, model and
loaders and is about to take its first step) -> `trial_ended` -> next `launched`.
Target: under 5 s per trial on CPU (DESIGN.md section 10).

    .venv/bin/python bench/sweep_overhead.py [--trials 20] [--record]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine.data.demo import write_demo  # noqa: E402
from engine.events import EventTail, Log, TrialEnded, TrialStarted  # noqa: E402
from engine.run import run_job  # noqa: E402
from engine.spec import read_text, set_value  # noqa: E402
from results import replace_section  # noqa: E402  (bench/results.py)

TINY = {
    "number_of_epochs": 1,
    "training_batch_size": 8,
    "validation_batch_size": 8,
    "training_crop_size": 32,
    "validation_resize_size": 36,
    "validation_crop_size": 32,
    "number_of_workers": 0,
    "model_name": "resnet18",
}


def write_job(folder: Path, trials: int) -> Path:
    job = write_demo(folder / "demo", train_images=8, validation_images=4)
    text = read_text(job)
    for key, value in TINY.items():
        text = set_value(text, ("training_parameters", key), value)
    text = set_value(text, ("limits", "max_trials"), trials)
    text = set_value(text, ("sweep",), {"sampling_algorithm": "grid"})
    rates = [round(0.001 * (i + 1), 4) for i in range(trials)]
    text = set_value(text, ("search_space",), [{"learning_rate": {"type": "choice", "values": rates}}])
    job.write_text(text)
    return job


def measure(trials: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        job = write_job(folder, trials)
        cwd = os.getcwd()
        os.chdir(folder)  # the MLflow store goes to the temporary folder
        try:
            outcome = run_job(job, run_dir=folder / "run")
        finally:
            os.chdir(cwd)
        assert outcome.exit_code == 0, outcome.message
        events = EventTail(folder / "run" / "events.jsonl").read()
    launched = {e.trial: e.time for e in events if isinstance(e, Log) and e.message.endswith(")") and " launched" in e.message}
    started = {e.trial: e.time for e in events if isinstance(e, TrialStarted)}
    ended = {e.trial: e.time for e in events if isinstance(e, TrialEnded)}
    order = sorted(launched, key=launched.get)
    startup = [(started[t] - launched[t]).total_seconds() for t in order]
    gaps = [(launched[b] - ended[a]).total_seconds() for a, b in zip(order, order[1:])]
    return {
        "trials": len(order),
        "startup_median": statistics.median(startup),
        "startup_max": max(startup),
        "gap_median": statistics.median(gaps) if gaps else 0.0,
        "per_trial_overhead": statistics.median(startup) + (statistics.median(gaps) if gaps else 0.0),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--record", action="store_true", help="write the figures to bench/RESULTS.md")
    args = parser.parse_args()
    figures = measure(args.trials)
    lines = [
        f"- trials: {figures['trials']}",
        f"- process start -> first training step: median {figures['startup_median']:.2f} s, max {figures['startup_max']:.2f} s",
        f"- one trial's end -> next launch: median {figures['gap_median']:.3f} s",
        f"- overhead per trial: {figures['per_trial_overhead']:.2f} s (target < 5 s)",
    ]
    print("\n".join(lines))
    if args.record:
        replace_section(
            "## Sweep overhead",
            f"`.venv/bin/python bench/sweep_overhead.py --trials {args.trials} --record` (2-core CPU):\n\n" + "\n".join(lines),
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
