from __future__ import annotations

import torch

from engine.data.datasets import (
    CachedImageDataset,
    DecodingImageDataset,
    ImageBatch,
    create_datasets,
)
from engine.data.loaders import create_loader
from engine.data.prepare import prepare_data
from engine.data.transforms import create_train_transform, create_validation_transform
from engine.train.runtime import create_runtime

MEAN, STD = (0.5, 0.5, 0.5), (0.25, 0.25, 0.25)


def prepared_data(table, tmp_path):
    return prepare_data(
        training_data=table([["a"], ["b", "a"], ["c"], [], ["b"], ["c", "a"]], name="t"),
        validation_data=table([["a"], ["b"]], name="v"),
        target_column_name="label", cache_folder=tmp_path / "cache", cache_short_side=12,
    )


def datasets(prepared):
    return create_datasets(
        prepared,
        train_transform=create_train_transform(crop_size=8, mean=MEAN, std=STD),
        validation_transform=create_validation_transform(resize_size=10, crop_size=8, mean=MEAN, std=STD),
    )


def test_datasets_yield_images_and_multi_hot_targets_in_vocabulary_order(table, tmp_path):
    prepared = prepared_data(table, tmp_path)
    training, validation = datasets(prepared)
    assert (len(training), len(validation)) == (6, 2)
    image, target = training[1]  # the geometry only: uint8 pixels
    assert image.shape == (3, 8, 8) and image.dtype == torch.uint8
    assert target.tolist() == [1.0, 1.0, 0.0]  # a, b, c
    assert validation[1][1].tolist() == [0.0, 1.0, 0.0]


def test_cached_and_decoding_datasets_agree_on_validation_images(table, tmp_path):
    # short side 12 is the images' own size, so the cache holds exact decoded pixels.
    prepared = prepared_data(table, tmp_path)
    transform = create_validation_transform(resize_size=12, crop_size=8, mean=MEAN, std=STD)
    cached = CachedImageDataset(prepared.validation, labels=prepared.labels, cache=prepared.cache,
                                transform=transform)
    decoding = DecodingImageDataset(prepared.validation, labels=prepared.labels, transform=transform)
    assert torch.equal(cached[0][0], decoding[0][0]) and torch.equal(cached[0][1], decoding[0][1])


def batches(loader):
    """Each batch's uint8 images, targets and jitter draws, and the finished images."""
    finish = loader.dataset.transform.finisher()
    runtime = create_runtime("cpu")
    out = []
    for batch in loader:
        assert isinstance(batch, ImageBatch)
        x, _ = finish(batch, runtime)
        out.append((batch.images.clone(), batch.targets.clone(), batch.jitter.clone(), x))
    return out


def test_same_seed_gives_the_same_batches_with_worker_processes(table, tmp_path):
    training, _ = datasets(prepared_data(table, tmp_path))
    settings = dict(batch_size=4, shuffle=True, number_of_workers=2)
    first = batches(create_loader(training, seed=7, **settings))
    second = batches(create_loader(training, seed=7, **settings))
    other = batches(create_loader(training, seed=8, **settings))
    assert all(all(torch.equal(p, q) for p, q in zip(a, b)) for a, b in zip(first, second))
    assert not all(torch.equal(a[0], b[0]) for a, b in zip(first, other))
    assert not all(torch.equal(a[2], b[2]) for a, b in zip(first, other))  # the jitter draws too


def test_loader_settings(table, tmp_path):
    training, _ = datasets(prepared_data(table, tmp_path))
    with_workers = create_loader(training, batch_size=2, shuffle=True, number_of_workers=2, seed=0)
    assert with_workers.persistent_workers and with_workers.num_workers == 2
    # Batches cross from the workers by shared-memory file name (see share_batches_by_file_name).
    assert torch.multiprocessing.get_sharing_strategy() == "file_system"
    assert not with_workers.pin_memory  # only worth it for CUDA
    in_process = create_loader(training, batch_size=2, shuffle=False, number_of_workers=0, seed=0)
    assert not in_process.persistent_workers
    assert create_loader(training, batch_size=2, shuffle=False, number_of_workers=0, seed=0,
                         device="cuda").pin_memory


def test_loader_batches_are_uint8_and_the_finisher_makes_them_float32(table, tmp_path):
    training, validation = datasets(prepared_data(table, tmp_path))
    for dataset in (training, validation):
        for workers in (0, 2):
            loader = create_loader(dataset, batch_size=4, shuffle=False, number_of_workers=workers, seed=0)
            batch = next(iter(loader))
            n = min(4, len(dataset))
            assert batch.images.shape == (n, 3, 8, 8) and batch.images.dtype == torch.uint8
            assert torch.equal(batch.targets, dataset.targets[:n])
            assert (batch.jitter is not None) == (dataset is training)
            images, targets = dataset.transform.finisher()(batch, create_runtime("cpu"))
            assert images.shape == (n, 3, 8, 8) and images.dtype == torch.float32
            assert torch.equal(targets, dataset.targets[:n])


def test_validation_batches_finish_to_the_transform_of_each_image(table, tmp_path):
    # What the export contract computes per image (`transform(image)`) is what training's
    # validation scores: geometry in the loader, the finish on the device.
    prepared = prepared_data(table, tmp_path)
    _, validation = datasets(prepared)
    batch = next(iter(create_loader(validation, batch_size=2, shuffle=False, number_of_workers=0, seed=0)))
    images, _ = validation.transform.finisher()(batch, create_runtime("cpu"))
    expected = torch.stack([validation.transform(validation._image(i)) for i in range(2)])
    assert torch.equal(images, expected)


def test_a_plain_dataloader_still_works_on_the_datasets(table, tmp_path):
    training, _ = datasets(prepared_data(table, tmp_path))
    images, targets = next(iter(torch.utils.data.DataLoader(training, batch_size=3)))
    assert images.shape == (3, 3, 8, 8) and images.dtype == torch.uint8  # geometry only
    assert torch.equal(targets, training.targets[:3])


def test_an_image_batch_pickles_to_the_same_parts(table, tmp_path):
    import pickle

    training, _ = datasets(prepared_data(table, tmp_path))
    batch = next(iter(create_loader(training, batch_size=4, shuffle=False, number_of_workers=0, seed=0)))
    clone = pickle.loads(pickle.dumps(batch))
    assert repr(clone) == repr(batch)
    for ours, theirs in zip(batch.parts(), clone.parts()):
        assert torch.equal(ours, theirs) and ours.stride() == theirs.stride()
    assert batch.images.permute(0, 2, 3, 1).is_contiguous()  # channels-last in memory
