"""`test_data` / `test_data_size`: the best trial is scored on the test split after the
sweep, and the scores land in the summary, the events and the headless summary."""

from __future__ import annotations

import dataclasses
import io
import json
from pathlib import Path

from engine.run import run_job
from studio.headless import print_summary

ONE_TRIAL = {("sweep",): None, ("search_space",): None}
METRICS = {"accuracy", "iou", "precision_score_weighted", "norm_macro_recall"}


def _summary(folder: Path) -> dict:
    return json.loads((folder / "summary.json").read_text())


def _logs(folder: Path) -> list[str]:
    events = [json.loads(line) for line in (folder / "events.jsonl").read_text().splitlines()]
    return [e["message"] for e in events if e["type"] == "log"]


def test_test_data_size_holds_out_training_images_and_scores_the_best_trial(make_job, tmp_path):
    job = make_job("heldout", {**ONE_TRIAL, ("test_data_size",): 0.25}, max_trials=1)
    folder = tmp_path / "run"
    outcome = run_job(job, run_dir=folder)
    assert outcome.exit_code == 0, outcome.summary
    summary = _summary(folder)
    scores = summary["test_metrics"]
    assert METRICS <= set(scores) and all(0.0 <= scores[m] <= 1.0 for m in ("accuracy", "iou"))
    assert summary["best_trial"]["test_metrics"] == scores
    logs = _logs(folder)
    # 24 training pictures: 6 held out for testing, the 8 validation ones come from their own table.
    assert any(m.startswith("data: 18 training and 8 validation, 6 test images") for m in logs), logs
    assert any(m.startswith("test metrics of t001: iou ") for m in logs), logs
    out = io.StringIO()
    print_summary(summary, folder, out)
    assert "test metrics: iou " in out.getvalue()

    # The scorer itself: a test label the model has no output for is left out and named.
    from engine.data.prepare import prepare_data
    from engine.spec import resolve_training_parameters, validate_file
    from engine.train.score import score_checkpoint

    meta = json.loads((folder / "run.json").read_text())
    spec = validate_file(folder / "job.yml").job
    prepared = prepare_data(
        training_data=job.parent / "training-mltable-folder", validation_data=job.parent / "validation-mltable-folder",
        test_data_size=0.25, target_column_name="label", seed=meta["data_seed"],
        cache_folder=folder / "data" / "cache", cache_short_side=meta["cache_short_side"],
    )
    examples = [dataclasses.replace(e, labels=(*e.labels, "eleven")) for e in prepared.test]
    report = score_checkpoint(
        folder / "trials" / "t001" / "checkpoints" / "best.pt",
        params=resolve_training_parameters(spec.training_parameters, {}), examples=examples, cache=prepared.cache,
    )
    assert report.unknown_labels == ("eleven",) and report.images == 6
    assert report.metrics == scores  # the same images, weights and transform as the run's scoring


def test_test_data_mltable_is_scored(make_job, tmp_path):
    job = make_job("tested", {**ONE_TRIAL, ("test_data",): {"path": "validation-mltable-folder", "type": "mltable"}}, max_trials=1)
    folder = tmp_path / "run"
    outcome = run_job(job, run_dir=folder)
    assert outcome.exit_code == 0, outcome.summary
    summary = _summary(folder)
    assert METRICS <= set(summary["test_metrics"])
    # The test table is the validation table here, and the model is the best epoch's: same scores.
    best = summary["best_trial"]["metrics"]
    assert all(abs(summary["test_metrics"][m] - best[m]) < 1e-6 for m in METRICS)


def test_a_missing_test_mltable_fails_the_run_before_any_trial(make_job, tmp_path):
    job = make_job("untested", {**ONE_TRIAL, ("test_data",): {"path": "no-such-test-folder", "type": "mltable"}}, max_trials=1)
    folder = tmp_path / "run"
    outcome = run_job(job, run_dir=folder)
    assert outcome.exit_code == 1
    summary = _summary(folder)
    assert summary["status"] == "failed" and summary["trials"] == []
    assert "no-such-test-folder" in summary["reason"]
    assert not (folder / "trials").exists() or not any((folder / "trials").iterdir())


def test_no_test_split_no_test_metrics(tmp_path):
    summary = {"status": "completed", "primary_metric": "iou", "best_trial": {"id": "t001", "metrics": {"iou": 0.5}},
               "trials": [{"id": "t001", "status": "completed", "metrics": {"iou": 0.5}, "epochs": 1, "params": {}}],
               "test_metrics": None}
    out = io.StringIO()
    print_summary(summary, tmp_path, out)
    assert "test metrics" not in out.getvalue()
