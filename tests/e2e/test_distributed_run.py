"""`distributed: true` through a real run: the trial process starts its DDP ranks (two
gloo processes on the CPU, forced with the testing variable), rank 0 alone reports."""

from __future__ import annotations

import json
from collections import Counter

from engine.run import run_job
from engine.trial_main import WORLD_SIZE_VARIABLE


def test_a_distributed_trial_runs_two_ranks_and_reports_once(make_job, tmp_path, monkeypatch):
    monkeypatch.setenv(WORLD_SIZE_VARIABLE, "2")
    job = make_job(
        "ddp",
        {("sweep",): None, ("search_space",): None, ("training_parameters", "distributed"): True},
        max_trials=1,
    )
    folder = tmp_path / "run"
    outcome = run_job(job, run_dir=folder)
    trial_log = (folder / "trials" / "t001" / "log.txt").read_text()
    assert outcome.exit_code == 0, trial_log
    summary = json.loads((folder / "summary.json").read_text())
    [trial] = summary["trials"]
    assert trial["status"] == "completed" and trial["epochs"] == 1, trial_log
    assert "iou" in trial["metrics"]

    events = [json.loads(line) for line in (folder / "events.jsonl").read_text().splitlines()]
    kinds = Counter(e["type"] for e in events if e.get("trial") == "t001")
    assert kinds["trial_started"] == 1 and kinds["epoch_ended"] == 1 and kinds["trial_ended"] == 1
    logs = [e["message"] for e in events if e["type"] == "log" and e.get("trial") == "t001"]
    assert logs.count("distributed: 2 processes (gloo)") == 1, logs
    # A message every rank would print without the rank-0 rule (the weights report).
    weights = [m for m in logs if "random init" in m or "pretrained" in m.lower()]
    assert len(weights) == 1, logs
    result = json.loads((folder / "trials" / "t001" / "result.json").read_text())
    assert result["status"] == "completed" and result["metrics"] == trial["metrics"]
