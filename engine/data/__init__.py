"""Data: MLTable + JSON-lines reading, splits, labels, transforms, decoded-image cache.

Public API (importing `engine.data` loads neither torch nor timm; the torch-based names
below are imported on first use):

Errors and warnings (`engine.data.errors`)
    DataError                   base of every error a user can cause; str() is the message
    MLTableError, InvalidLineError, RemoteDataError, EmptySplitError    its kinds
    SkippedRow(file, line, reason)                                      one skipped row

Reading (`engine.data.mltable`, `engine.data.examples`)
    read_mltable(location) -> MLTable
    read_examples(location, *, target_column_name, report) -> list[Example]
    split_for_validation(examples, *, validation_data_size, seed) -> (training, validation)

Preparing a run (`engine.data.prepare`)
    read_splits(*, training_data, validation_data, target_column_name,
                validation_data_size, seed, report, test_data=None, test_data_size=None)
        -> Splits(training, validation, test)
    prepare_data(*, training_data, validation_data=None, target_column_name,
                 validation_data_size=None, seed=0, cache_folder, cache_short_side,
                 test_data=None, test_data_size=None, on_skip=None, on_progress=None)
        -> PreparedData
        PreparedData: training, validation (Examples), labels (sorted vocabulary),
        statistics (LabelStatistics), cache (DecodedImageCache), skipped (SkippedRows)

Labels (`engine.data.labels`)
    label_vocabulary(*label_sets), multi_hot(rows, vocabulary), LabelStatistics

Decoded-image cache (`engine.data.cache`)
    build_cache(images, *, folder, short_side, threads=None, on_progress=None)
        -> DecodedImageCache

Torch side (`engine.data.transforms`, `engine.data.datasets`, `engine.data.loaders`)
    data_config_for(timm_model_name) -> DataConfig(mean, std)
    create_train_transform(*, crop_size, mean, std)
    create_validation_transform(*, resize_size, crop_size, mean, std)
    create_datasets(prepared, *, train_transform, validation_transform)
        -> (CachedImageDataset, CachedImageDataset)
    create_loader(dataset, *, batch_size, shuffle, number_of_workers, seed,
                  device="cpu", drop_last=False) -> DataLoader
        yields `ImageBatch`es: uint8 images after the geometry (crop, resize, flip),
        targets and the drawn colour-jitter factors; `transform.finisher()` gives the
        `BatchFinisher` that converts, jitters and normalises a batch on the device
        (pass it to training as `prepare_batch`).

Demo (`engine.data.demo`)
    write_demo(directory, *, train_images=1500, validation_images=300, seed=0) -> job.yml path
"""

from __future__ import annotations

import importlib

from engine.data.errors import (
    DataError,
    EmptySplitError,
    InvalidLineError,
    MLTableError,
    RemoteDataError,
    SkippedRow,
)

# name -> submodule, imported on first attribute access (PEP 562) to keep this import light.
_LAZY = {
    "MLTable": "mltable",
    "read_mltable": "mltable",
    "Example": "examples",
    "read_examples": "examples",
    "split_for_validation": "examples",
    "PreparedData": "prepare",
    "prepare_data": "prepare",
    "read_splits": "prepare",
    "LabelStatistics": "labels",
    "label_vocabulary": "labels",
    "multi_hot": "labels",
    "DecodedImageCache": "cache",
    "build_cache": "cache",
    "DataConfig": "transforms",
    "data_config_for": "transforms",
    "create_train_transform": "transforms",
    "create_validation_transform": "transforms",
    "CachedImageDataset": "datasets",
    "DecodingImageDataset": "datasets",
    "create_datasets": "datasets",
    "ImageBatch": "datasets",
    "BatchFinisher": "transforms",
    "create_loader": "loaders",
    "write_demo": "demo",
}

__all__ = [
    "DataError",
    "EmptySplitError",
    "InvalidLineError",
    "MLTableError",
    "RemoteDataError",
    "SkippedRow",
    *_LAZY,
]


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module 'engine.data' has no attribute '{name}'")
    return getattr(importlib.import_module(f"engine.data.{_LAZY[name]}"), name)
