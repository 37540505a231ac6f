"""Images in, model inputs out: the contract's preprocessing, in one place.

Both exported models see an image the way validation saw it in training: decoded to RGB
(as `engine.data.cache.decode_rgb` does), the shorter side resized to
`validation_resize_size`, centre-cropped to `validation_crop_size`. PyTorch (and the
ONNX graph without `enable_onnx_normalization`) then takes /255 and mean/std; the
normalising ONNX graph takes the cropped 0-255 pixels as they are.
"""

from __future__ import annotations

import base64
import binascii
import io
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from PIL import Image, UnidentifiedImageError
from torchvision import transforms as T

from engine.data.transforms import create_validation_transform
from engine.export.settings import ModelSettings


def decode_image(value: bytes | bytearray | memoryview | str) -> Image.Image:
    """An `image` cell of Azure's contract: image file bytes, or the same bytes as base64
    text (what a JSON request carries). Raises ValueError for anything else."""
    if isinstance(value, str):
        try:
            # Line breaks are legal in wrapped base64 (MIME, `base64` CLI); drop them first.
            value = base64.b64decode("".join(value.split()), validate=True)
        except binascii.Error:
            raise ValueError("an `image` text value must be base64 of an image file") from None
    if not isinstance(value, (bytes, bytearray, memoryview)):
        raise ValueError(f"an `image` value must be bytes or base64 text, not {type(value).__name__}")
    try:
        with Image.open(io.BytesIO(bytes(value))) as image:
            return image.convert("RGB")
    except (UnidentifiedImageError, OSError) as error:
        raise ValueError(f"an `image` value is not a readable image: {error}") from None


def open_image(path: Path) -> Image.Image:
    with Image.open(path) as image:
        return image.convert("RGB")


def normalised_batch(images: Sequence[Image.Image], settings: ModelSettings) -> torch.Tensor:
    """N x 3 x crop x crop float32, /255 and mean/std: what the PyTorch model takes."""
    transform = create_validation_transform(
        resize_size=settings.validation_resize_size,
        crop_size=settings.validation_crop_size,
        mean=settings.mean,
        std=settings.std,
    )
    return torch.stack([transform(image) for image in images])


def raw_pixel_batch(images: Sequence[Image.Image], settings: ModelSettings) -> np.ndarray:
    """N x 3 x crop x crop float32 in 0-255 (resized and cropped, not normalised): what
    the ONNX graph with `enable_onnx_normalization` takes."""
    # The same resize and crop as the validation transform, stopping before ToTensor.
    geometry = T.Compose([T.Resize(settings.validation_resize_size), T.CenterCrop(settings.validation_crop_size)])
    arrays = [np.asarray(geometry(image), dtype=np.float32).transpose(2, 0, 1) for image in images]
    return np.ascontiguousarray(np.stack(arrays))


def onnx_input(images: Sequence[Image.Image], settings: ModelSettings) -> np.ndarray:
    """What `model.onnx` takes, given whether it normalises itself."""
    if settings.enable_onnx_normalization:
        return raw_pixel_batch(images, settings)
    return normalised_batch(images, settings).numpy()
