"""`automl-studio JOB.yml --run`: the job headless, for CI, nohup, tmux and cron.

Validation first (exit 2 with diagnostics on stdout). Progress goes to stderr: rich
progress bars on a terminal, the engine's plain event lines otherwise. The final table of
trials and the best one go to stdout, with where the results are.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import IO, Optional

from engine.events import ConsoleSink, EpochEnded, RunStarted, TrialEnded, TrialStarted, describe

EXIT_INVALID = 2


class ProgressBars:
    """Rich progress on a terminal: one bar for the sweep, one for the running trials' epochs."""

    def __init__(self, stream: IO[str]) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.console = Console(file=stream)
        self.progress = Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=self.console
        )
        self.sweep = None
        self.trials: dict[str, int] = {}
        self.progress.start()

    def emit(self, event) -> None:
        if isinstance(event, RunStarted):
            self.sweep = self.progress.add_task("trials", total=event.max_trials)
        elif isinstance(event, TrialStarted):
            epochs = event.params.get("number_of_epochs")
            self.trials[event.trial] = self.progress.add_task(f"trial {event.trial}", total=epochs)
        elif isinstance(event, EpochEnded) and event.trial in self.trials:
            self.progress.update(self.trials[event.trial], completed=event.epoch)
        elif isinstance(event, TrialEnded):
            task = self.trials.pop(event.trial, None)
            if task is not None:
                self.progress.remove_task(task)
            if self.sweep is not None:
                self.progress.advance(self.sweep)
        line = describe(event)
        if line and not isinstance(event, EpochEnded):
            self.progress.console.print(line, markup=False, highlight=False)

    def close(self) -> None:
        self.progress.stop()


def run_headless(job: Optional[str], *, run_dir: Optional[Path], resume: bool) -> int:
    from engine.run import run_job

    stream = sys.stderr
    reporter = ProgressBars(stream) if stream.isatty() else ConsoleSink(stream, rich=False)
    outcome = run_job(Path(job) if job else None, run_dir=run_dir, resume=resume, sinks=[reporter])
    for diagnostic in outcome.diagnostics:
        print(diagnostic.format(job or "job.yml"))
    if outcome.message:
        print(f"automl-studio: {outcome.message}", file=sys.stderr)
    if outcome.summary is not None:
        print_summary(outcome.summary, outcome.folder.path)
    return outcome.exit_code


def print_summary(summary: dict, folder: Path, stream: IO[str] = sys.stdout) -> None:
    """The final table: every trial, its status and primary metric; then the best one."""
    metric = summary["primary_metric"]
    best = summary.get("best_trial") or {}
    rows = [("trial", "status", metric, "epochs", "params")]
    for trial in summary["trials"]:
        value = trial["metrics"].get(metric)
        params = ", ".join(f"{k}={_short(v)}" for k, v in trial["params"].items())
        marker = " *" if trial["id"] == best.get("id") else ""
        rows.append((trial["id"] + marker, trial["status"], "-" if value is None else f"{value:.4f}", str(trial["epochs"]), params))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[4], file=stream)
    print(file=stream)
    print(f"run {summary['status']}: {folder}", file=stream)
    if best:
        print(f"best trial: {best['id']} ({metric} {best['metrics'].get(metric, float('nan')):.4f})", file=stream)
    if summary.get("test_metrics"):
        print("test metrics: " + ", ".join(f"{k} {v:.4f}" for k, v in sorted(summary["test_metrics"].items(), key=lambda kv: (kv[0] != metric, kv[0]))), file=stream)
    for name, path in (summary.get("exports") or {}).items():
        print(f"{name}: {path}", file=stream)
    failed = [t for t in summary["trials"] if t["status"] == "failed"]
    for trial in failed:
        print(f"{trial['id']} failed: {trial['reason']}", file=stream)


def _short(value) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)
