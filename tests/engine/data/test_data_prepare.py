"""prepare_data end to end, and the decoded-image cache it builds."""

from __future__ import annotations

import os

import numpy as np
import pytest
import torch
from PIL import Image

from engine.data.cache import build_cache, cached_shape
from engine.data.errors import EmptySplitError
from engine.data.prepare import prepare_data


def prepare(training, tmp_path, validation=None, **overrides):
    settings = dict(training_data=training, validation_data=validation, target_column_name="label",
                    cache_folder=tmp_path / "cache", cache_short_side=8)
    return prepare_data(**{**settings, **overrides})


def test_prepare_data_reads_both_splits_builds_labels_and_statistics(table, tmp_path):
    training = table([["cat"], ["dog", "cat"], []], name="train")
    validation = table([["bird"]], name="valid")
    prepared = prepare(training, tmp_path, validation)
    assert prepared.labels == ("bird", "cat", "dog")
    assert len(prepared.training) == 3 and len(prepared.validation) == 1
    assert prepared.statistics.labels_only_in_validation == ("bird",)
    assert prepared.statistics.training_counts == (0, 2, 1)
    assert prepared.skipped == ()


def test_corrupt_and_truncated_images_are_skipped_with_file_and_line(table, tmp_path):
    folder = table([["a"], ["b"], ["c"], ["d"]])
    (folder / "images" / "1.jpg").write_bytes(b"this is not a JPEG")
    Image.effect_noise((64, 64), 60).convert("RGB").save(folder / "images" / "2.jpg")
    truncated = (folder / "images" / "2.jpg").read_bytes()
    (folder / "images" / "2.jpg").write_bytes(truncated[: len(truncated) // 2])
    seen = []
    prepared = prepare(folder, tmp_path, validation=table([["a"]], name="v"), on_skip=seen.append)
    assert [e.labels for e in prepared.training] == [("a",), ("d",)]
    assert [(s.line, s.file.name) for s in seen] == [(2, "annotations.jsonl"), (3, "annotations.jsonl")]
    assert all("image cannot be decoded" in s.reason for s in seen)
    assert "2.jpg" in seen[1].reason and "truncated" in seen[1].reason  # header fine, pixels not
    assert prepared.skipped == tuple(seen)
    assert prepared.labels == ("a", "d")  # labels seen only on bad images get no output


def test_split_emptied_by_bad_images_is_a_clear_error(table, tmp_path):
    validation = table([["a"]], name="v")
    (validation / "images" / "0.jpg").write_bytes(b"")
    with pytest.raises(EmptySplitError, match="the validation split is empty"):
        prepare(table([["a"]]), tmp_path, validation)


def test_cache_holds_each_image_pre_resized_to_the_short_side(table, tmp_path):
    folder = table([["a"], ["b"]])
    Image.new("RGB", (40, 20), (10, 200, 30)).save(folder / "images" / "1.jpg", quality=95)
    prepared = prepare(folder, tmp_path, validation=table([["a"]], name="v"), cache_short_side=10)
    cache = prepared.cache
    by_name = {path.name: cache.image(cache.slot(path)) for path in cache.paths}
    assert by_name["1.jpg"].shape == (10, 20, 3) and by_name["1.jpg"].dtype == np.uint8
    assert np.abs(by_name["1.jpg"].astype(int) - (10, 200, 30)).max() <= 8  # JPEG error only
    assert by_name["0.jpg"].shape == (10, 13, 3)  # 16x12 scaled to shorter side 10
    assert not by_name["0.jpg"].flags.writeable  # workers map it read-only


@pytest.mark.parametrize(("size", "short", "expected"), [
    ((16, 12), 8, (8, 11)), ((12, 16), 8, (11, 8)), ((10, 10), 64, (10, 10)), ((300, 100), 50, (50, 150)),
])
def test_cached_shape(size, short, expected):
    assert cached_shape(*size, short) == expected


def test_two_datasets_from_the_same_data_share_one_cache(table, tmp_path):
    training = table([["a"], ["b"]])
    validation = table([["c"]], name="v")
    progress = []
    first = prepare(training, tmp_path, validation, on_progress=lambda done, total: progress.append(done))
    assert progress[-1] == 3
    progress.clear()
    second = prepare(training, tmp_path, validation, on_progress=lambda done, total: progress.append(done))
    assert progress == []  # nothing decoded the second time
    assert second.cache.folder == first.cache.folder
    assert len(list((tmp_path / "cache").glob("decoded-*"))) == 1


def test_cache_is_rebuilt_when_an_image_changes(table, tmp_path):
    training = table([["a"], ["b"]])
    validation = table([["c"]], name="v")
    first = prepare(training, tmp_path, validation)
    image = training / "images" / "0.jpg"
    Image.new("RGB", (16, 12), (0, 0, 255)).save(image, quality=95)
    os.utime(image, ns=(1, 1))  # a different mtime even on coarse file-system clocks
    second = prepare(training, tmp_path, validation)
    assert second.cache.folder != first.cache.folder
    pixels = second.cache.image(second.cache.slot(image.resolve()))
    assert pixels[..., 2].min() > 200 and pixels[..., 0].max() < 50


def test_cache_reused_from_disk_reports_the_same_failures(table, tmp_path):
    folder = table([["a"], ["b"]])
    (folder / "images" / "1.jpg").write_bytes(b"junk")
    validation = table([["a"]], name="v")
    first = prepare(folder, tmp_path, validation)
    second = prepare(folder, tmp_path, validation)
    assert first.skipped == second.skipped and len(second.skipped) == 1


def test_cache_pickles_without_its_memory_map(table, tmp_path):
    import pickle

    cache = prepare(table([["a"], ["b"]]), tmp_path, table([["a"]], name="v")).cache
    before = cache.image(0).copy()
    clone = pickle.loads(pickle.dumps(cache))
    assert clone._pixels is None and clone._flat is None
    assert np.array_equal(clone.image(0), before)


def test_cache_tensor_views_are_the_cached_pixels_and_the_arrays_are_read_only(table, tmp_path):
    cache = prepare(table([["a"], ["b"]]), tmp_path, table([["a"]], name="v")).cache
    for slot in range(len(cache)):
        view = cache.tensor(slot)
        assert view.dtype == torch.uint8 and view.is_contiguous()
        assert np.array_equal(view.numpy(), cache.image(slot))
    with pytest.raises(ValueError, match="read-only"):
        cache.image(0)[0, 0, 0] = 1


def test_build_cache_of_no_images(tmp_path):
    cache = build_cache([], folder=tmp_path, short_side=8)
    assert len(cache) == 0 and cache.failures == {}
