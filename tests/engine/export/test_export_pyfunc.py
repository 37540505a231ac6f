"""The MLflow pyfunc model, loaded in a fresh process as a user would, against PyTorch."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np

from engine.train.checkpoint import load_checkpoint
from exportkit import LABELS, contract_pixels, reference_logits

LOAD_AND_PREDICT = """
import base64, json, sys
import mlflow.pyfunc, pandas as pd
model = mlflow.pyfunc.load_model(sys.argv[1])
raw = [open(p, "rb").read() for p in sys.argv[3:]]
out = {"class": type(model.unwrap_python_model()).__module__, "input": model.metadata.get_input_schema().to_dict()}
for kind, values in (("bytes", raw), ("base64", [base64.b64encode(b).decode("ascii") for b in raw])):
    frame = model.predict(pd.DataFrame({"image": values}))
    out[kind] = {"columns": list(frame.columns), "probs": frame["probs"].tolist(), "labels": frame["labels"].tolist()}
open(sys.argv[2], "w").write(json.dumps(out))
"""


def test_the_model_loads_in_a_fresh_process_and_scores_bytes_and_base64(best_export, run_dir, tmp_path):
    images = sorted((run_dir.parent.parent / "project" / "data" / "images").glob("*.jpg"))[:5]
    result_file = tmp_path / "predictions.json"
    subprocess.run(
        [sys.executable, "-c", LOAD_AND_PREDICT, best_export.paths["mlflow_model"], str(result_file),
         *map(str, images)],
        check=True, cwd=tmp_path, timeout=240, capture_output=True,
    )
    result = json.loads(result_file.read_text())
    assert result["class"] == "engine.export.pyfunc"
    assert result["input"] == [{"type": "string", "name": "image", "required": True}]
    pixels = np.stack([contract_pixels(p) for p in images])
    state = load_checkpoint(best_export.checkpoint)["model"]
    expected = 1.0 / (1.0 + np.exp(-reference_logits(state, pixels).astype(np.float64)))
    for kind in ("bytes", "base64"):
        frame = result[kind]
        assert frame["columns"] == ["probs", "labels"]
        assert frame["labels"] == [LABELS] * len(images)
        probs = np.array(frame["probs"])
        assert probs.shape == (len(images), len(LABELS))
        assert ((probs >= 0) & (probs <= 1)).all()
        np.testing.assert_allclose(probs, expected, atol=1e-5, rtol=0)


def test_the_saved_model_has_a_signature_and_an_input_example(best_export):
    model_dir = Path(best_export.paths["mlflow_model"])
    mlmodel = (model_dir / "MLmodel").read_text()
    assert '"name": "image"' in mlmodel and '"name": "probs"' in mlmodel and '"name": "labels"' in mlmodel
    example = json.loads((model_dir / "input_example.json").read_text())
    assert example["columns"] == ["image"] and len(example["data"]) == 1
