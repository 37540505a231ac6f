from __future__ import annotations

import json
import subprocess
import sys

import pytest
from PIL import Image

from engine.data.demo import DIGIT_NAMES, write_demo
from engine.data.prepare import prepare_data

TINY = dict(train_images=40, validation_images=16)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return write_demo(tmp_path_factory.mktemp("demo"), **TINY)


def rows(folder):
    annotations = next(folder.glob("*.jsonl"))
    return [json.loads(line) for line in annotations.read_text().splitlines()]


def test_demo_layout_matches_azure_examples(demo):
    root = demo.parent
    assert demo.name == "job.yml"
    for folder, annotations, count in [("training-mltable-folder", "train_annotations.jsonl", 40),
                                       ("validation-mltable-folder", "validation_annotations.jsonl", 16)]:
        assert (root / folder / "MLTable").read_text().startswith(f"paths:\n  - file: ./{annotations}")
        written = rows(root / folder)
        assert len(written) == count
        assert all(set(row) == {"image_url", "label"} for row in written)
        assert all(row["image_url"].startswith("images/") for row in written)  # relative paths


def test_every_picture_has_one_to_three_different_digits(demo):
    for row in rows(demo.parent / "training-mltable-folder") + rows(demo.parent / "validation-mltable-folder"):
        assert 1 <= len(row["label"]) <= 3
        assert len(set(row["label"])) == len(row["label"])
        assert set(row["label"]) <= set(DIGIT_NAMES)
    image = Image.open(demo.parent / "training-mltable-folder" / "images" / "00000.jpg")
    assert (image.format, image.mode, image.size) == ("JPEG", "RGB", (96, 96))


def test_demo_is_a_valid_dataset(demo, tmp_path):
    prepared = prepare_data(
        training_data=demo.parent / "training-mltable-folder",
        validation_data=demo.parent / "validation-mltable-folder",
        target_column_name="label", cache_folder=tmp_path, cache_short_side=72,
    )
    assert prepared.skipped == ()
    assert (len(prepared.training), len(prepared.validation)) == (40, 16)
    assert set(prepared.labels) <= set(DIGIT_NAMES) and len(prepared.labels) >= 8


def test_demo_is_deterministic(demo, tmp_path):
    again = write_demo(tmp_path, **TINY)
    for relative in ["job.yml", "training-mltable-folder/train_annotations.jsonl",
                     "validation-mltable-folder/images/00015.jpg", "training-mltable-folder/images/00007.jpg"]:
        assert (demo.parent / relative).read_bytes() == (again.parent / relative).read_bytes()
    other = write_demo(tmp_path / "other", seed=1, **TINY)
    assert (other.parent / "training-mltable-folder/train_annotations.jsonl").read_bytes() != (
        demo.parent / "training-mltable-folder/train_annotations.jsonl").read_bytes()


def test_demo_job_validates_clean(demo):
    from engine.spec import validate_file

    result = validate_file(demo)
    assert [str(d) for d in result.diagnostics] == []
    assert result.job is not None


def test_importing_engine_data_loads_no_torch():
    code = "import sys, engine.data; print('torch' in sys.modules, 'timm' in sys.modules)"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert output.stdout.split() == ["False", "False"]
