"""`python -m engine run JOB --run-dir DIR [--resume]`: what the studio launches.

`python -m engine trial RUN_DIR TRIAL_ID [--resume]` is the trial process the scheduler
starts; it is internal. Exit codes follow DESIGN.md section 3.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Optional, Sequence


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m engine")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run a job (events in RUN_DIR/events.jsonl)")
    run.add_argument("job", type=Path, nargs="?")
    run.add_argument("--run-dir", type=Path)
    run.add_argument("--resume", action="store_true")
    trial = commands.add_parser("trial", help="(internal) one trial process")
    trial.add_argument("run_dir", type=Path)
    trial.add_argument("trial_id")
    trial.add_argument("--resume", action="store_true")
    args = parser.parse_args(argv)
    if args.command == "trial":
        from engine.trial_main import main as trial_main

        code = trial_main(args.run_dir, args.trial_id, resume=args.resume)
        # The result is written and flushed; skip interpreter teardown (seconds with torch
        # loaded), so the scheduler sees the exit as soon as the trial is done.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    from engine.events import ConsoleSink
    from engine.run import run_job

    outcome = run_job(args.job, run_dir=args.run_dir, resume=args.resume, sinks=[ConsoleSink(sys.stderr)])
    for diagnostic in outcome.diagnostics:
        print(diagnostic.format(str(args.job or "job.yml")))
    if outcome.message:
        print(outcome.message, file=sys.stderr)
    if outcome.folder is not None:
        print(f"run folder: {outcome.folder.path}")
    return outcome.exit_code


if __name__ == "__main__":
    sys.exit(main())
