"""The MLflow pyfunc model with Azure AutoML's image multi-label contract.

Input: a DataFrame with column `image`, each cell an image file's bytes or the same bytes
as base64 text. Output: a DataFrame with `probs` (per-label sigmoid, a list per row) and
`labels` (every label name, ascending, a list per row), in input order.

The class lives here, in an importable module, so cloudpickle stores a reference to it,
not its code: the model loads wherever automl-studio is installed, and a fix here
reaches models saved earlier. Weights (a plain state dict) and `settings.json` are
artifacts, read with `torch.load(weights_only=True)` and JSON: nothing is unpickled but
the class reference. This module imports mlflow; `engine.export` imports it lazily.
"""

from __future__ import annotations

import base64
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import mlflow.pyfunc
import numpy as np
import pandas as pd
import torch

from engine.export.images import decode_image, normalised_batch
from engine.export.network import build_network
from engine.export.settings import ModelSettings

WEIGHTS_ARTIFACT = "weights"
SETTINGS_ARTIFACT = "settings"
IMAGE_COLUMN = "image"
# What the saved model needs at load time; the project itself carries the class.
_RUNTIME_PACKAGES = ("torch", "torchvision", "timm", "pillow", "pandas", "numpy", "automl-studio")


class AutoMLImageModel(mlflow.pyfunc.PythonModel):
    """Scores images with the trained network, preprocessing as validation did."""

    def load_context(self, context) -> None:
        self.settings = ModelSettings.load(Path(context.artifacts[SETTINGS_ARTIFACT]))
        state = torch.load(context.artifacts[WEIGHTS_ARTIFACT], map_location="cpu", weights_only=True)
        self.device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        self.network = build_network(self.settings, state).to(self.device)

    def predict(self, context, model_input: pd.DataFrame, params=None) -> pd.DataFrame:
        # The DataFrame hint tells MLflow to keep the saved signature for validation
        # rather than infer one from the hint (and stops its "add type hints" warning).
        frame = model_input if isinstance(model_input, pd.DataFrame) else pd.DataFrame(model_input)
        if IMAGE_COLUMN not in frame.columns:
            raise ValueError(f"the input needs an `{IMAGE_COLUMN}` column (image bytes or base64 text)")
        images = [decode_image(value) for value in frame[IMAGE_COLUMN]]
        probabilities = self.probabilities(images)
        labels = list(self.settings.labels)
        return pd.DataFrame(
            {"probs": [row.tolist() for row in probabilities], "labels": [list(labels) for _ in images]},
            index=frame.index,
        )

    def probabilities(self, images) -> np.ndarray:
        rows = []
        size = self.settings.batch_size
        with torch.inference_mode():
            for start in range(0, len(images), size):
                batch = normalised_batch(images[start : start + size], self.settings).to(self.device)
                rows.append(torch.sigmoid(self.network(batch).float()).cpu())
        return torch.cat(rows).numpy() if rows else np.empty((0, len(self.settings.labels)), dtype=np.float32)


def signature():
    from mlflow.models import ModelSignature
    from mlflow.types import ColSpec, DataType, Schema
    from mlflow.types.schema import Array

    # `string` for the input, as Azure's AutoML image models declare: a JSON request
    # carries base64 text; raw bytes pass schema enforcement too (an object column).
    return ModelSignature(
        inputs=Schema([ColSpec(DataType.string, IMAGE_COLUMN)]),
        outputs=Schema([ColSpec(Array(DataType.double), "probs"), ColSpec(Array(DataType.string), "labels")]),
    )


def save_pyfunc_model(path: Path, *, weights: Path, settings: Path, example_image: Path) -> Path:
    """Write the MLflow model folder at `path` (which must not exist)."""
    example = pd.DataFrame({IMAGE_COLUMN: [base64.b64encode(example_image.read_bytes()).decode("ascii")]})
    mlflow.pyfunc.save_model(
        path=str(path),
        python_model=AutoMLImageModel(),
        artifacts={WEIGHTS_ARTIFACT: str(weights), SETTINGS_ARTIFACT: str(settings)},
        signature=signature(),
        input_example=example,
        # Given, not inferred: inference loads the model in a subprocess (seconds) and
        # cannot see that the class comes from automl-studio.
        pip_requirements=_requirements(),
    )
    return path


def _requirements() -> list[str]:
    pins = []
    for package in _RUNTIME_PACKAGES:
        try:
            # Local build tags (`+cu130`) name no installable release: keep the public part.
            pins.append(f"{package}=={version(package).split('+')[0]}")
        except PackageNotFoundError:
            pins.append(package)
    return pins
