"""Azure AutoML's image-classification transforms, split into a per-image and a per-batch part.

Train: RandomResizedCrop(training_crop_size), horizontal flip, colour jitter half the
time, normalise. Validation: resize the shorter side to validation_resize_size, centre
crop validation_crop_size, normalise. Mean and std come from the model's timm pretrained
configuration (see `data_config_for`).

Each transform works on a whole batch (`transform.batch(images)`: a list of PIL images or
HWC uint8 arrays in, an N x 3 x crop x crop float32 tensor out), which is what the
datasets' `__getitems__` uses, and on one image (`transform(image)`, a 3 x crop x crop
float tensor), which is what the export contract and single-item access use.

Why batches: on small pictures (the demo's 96x96) the old per-image torchvision chain
(PIL crop + flip + ColorJitter + ToTensor + Normalize, ~0.28 ms) cost twice a JPEG decode,
so the decoded-image cache could not pay off. Now only the geometry is per image, on
uint8 pixels (crop box sliced straight out of the memory-mapped array, flipped while it
is copied, then one antialiased bilinear resize); the random parameters are drawn for the
whole batch at once, and the uint8 -> float conversion, colour jitter and normalisation
run as a handful of vectorised ops over the batch.

Semantics kept from torchvision's reference transforms:
- Crop boxes follow `RandomResizedCrop.get_params` exactly (scale (0.08, 1), ratio
  (3/4, 4/3), ten tries, then the centre fallback), resized with bilinear + antialias.
- Colour jitter (`ColorJitter(0.4, 0.4, 0.4)`, applied with probability 0.5): per image a
  brightness, contrast and saturation factor, each uniform in [0.6, 1.4], applied in a
  random order with clamping to [0, 1] after each, as torchvision's float path does
  (contrast blends with the mean of the grayscale image, saturation with the grayscale
  image; ITU-R 601-2 luma weights).
- Validation geometry stays PIL's `Resize` + `CenterCrop`, so validation pixels are the
  ones the export contract (`engine.export.images`) feeds the exported models, and the
  normalisation is ToTensor's `/255` then Normalize's `(x - mean) / std`, bit for bit.

Randomness comes from torch's global generator (in a loader worker, the one the loader
seeded), so the same seed gives the same batches.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from torchvision import transforms as T

# Azure applies colour jitter to half the training images; the strengths are not in its
# documentation, so these are torchvision's reference-recipe values for the three
# photometric knobs (hue left alone: it is the slow one and changes object identity).
COLOR_JITTER_PROBABILITY = 0.5
COLOR_JITTER_STRENGTH = {"brightness": 0.4, "contrast": 0.4, "saturation": 0.4}
CROP_SCALE = (0.08, 1.0)
CROP_RATIO = (3.0 / 4.0, 4.0 / 3.0)
FLIP_PROBABILITY = 0.5
GRAY_WEIGHTS = (0.2989, 0.587, 0.114)  # torchvision's rgb_to_grayscale

ImageLike = Image.Image | np.ndarray


@dataclass(frozen=True)
class DataConfig:
    """Normalisation a model was pretrained with; recorded with the model for export."""

    mean: tuple[float, float, float]
    std: tuple[float, float, float]


def data_config_for(timm_model_name: str) -> DataConfig:
    """Mean/std from timm's pretrained configuration, without creating the model.

    `timm.models.get_pretrained_cfg` reads the registry's default tag (or the one in
    `name.tag`); it builds nothing and downloads nothing.
    """
    from timm.models import get_pretrained_cfg  # timm's import builds its registry: defer it

    config = get_pretrained_cfg(timm_model_name)
    if config is None:
        raise ValueError(f"timm has no pretrained configuration for '{timm_model_name}'")
    return DataConfig(mean=tuple(config.mean), std=tuple(config.std))


def _pixels(image: ImageLike) -> np.ndarray:
    """HWC uint8 RGB pixels of a PIL image or an array (no copy for an array)."""
    if isinstance(image, Image.Image):
        return np.asarray(image if image.mode == "RGB" else image.convert("RGB"))
    array = np.asarray(image)
    if array.dtype != np.uint8 or array.ndim != 3 or array.shape[2] != 3:
        raise TypeError(f"expected HWC uint8 RGB pixels, got {array.dtype} {array.shape}")
    return array


class _BatchTransform:
    """A transform usable on one image (`__call__`) or on a list of them (`batch`)."""

    def __init__(self, *, crop_size: int, mean: Sequence[float], std: Sequence[float]) -> None:
        self.crop_size = int(crop_size)
        self.mean = tuple(float(m) for m in mean)
        self.std = tuple(float(s) for s in std)

    def __call__(self, image: ImageLike) -> torch.Tensor:
        return self.batch([image])[0]

    def batch(self, images: Sequence[ImageLike], *, out: torch.Tensor | None = None) -> torch.Tensor:
        """N x 3 x crop x crop float32, written into `out` when given."""
        raise NotImplementedError  # pragma: no cover

    def __repr__(self) -> str:
        return f"{type(self).__name__}(crop_size={self.crop_size}, mean={self.mean}, std={self.std})"


class TrainTransform(_BatchTransform):
    """RandomResizedCrop + horizontal flip per image (uint8); jitter + normalise per batch."""

    def __init__(
        self,
        *,
        crop_size: int,
        mean: Sequence[float],
        std: Sequence[float],
        jitter_probability: float = COLOR_JITTER_PROBABILITY,
    ) -> None:
        super().__init__(crop_size=crop_size, mean=mean, std=std)
        self.jitter_probability = jitter_probability
        self.jitter_strength = dict(COLOR_JITTER_STRENGTH)

    def batch(self, images: Sequence[ImageLike], *, out: torch.Tensor | None = None) -> torch.Tensor:
        pixels = [_pixels(image) for image in images]
        return self.finish(self.geometry(pixels), out=out)

    def geometry(self, pixels: Sequence[np.ndarray]) -> torch.Tensor:
        """Random crop + resize + flip of HWC uint8 arrays: an N x 3 x crop x crop uint8 batch."""
        n, size = len(pixels), self.crop_size
        shapes = np.array([p.shape[:2] for p in pixels], dtype=np.int64).reshape(n, 2)
        boxes = random_resized_crop_boxes(shapes[:, 0], shapes[:, 1])
        flips = torch.rand(n) < FLIP_PROBABILITY
        out = torch.empty((n, 3, size, size), dtype=torch.uint8)
        for k, (image, (top, left, height, width)) in enumerate(zip(pixels, boxes.tolist())):
            # One copy out of the (read-only, memory-mapped) pixels; HWC seen as CHW is
            # the channels-last layout the uint8 antialiased resize is fastest on.
            region = torch.from_numpy(image[top : top + height, left : left + width].copy())
            chw = region.permute(2, 0, 1).unsqueeze(0)
            if (height, width) != (size, size):
                chw = F.interpolate(chw, size=(size, size), mode="bilinear", align_corners=False,
                                    antialias=True)
            out[k].copy_(chw[0])
        flipped = flips.nonzero().squeeze(1)
        if len(flipped):
            out.index_copy_(0, flipped, out.index_select(0, flipped).flip(-1))
        return out

    def finish(self, batch: torch.Tensor, *, out: torch.Tensor | None = None) -> torch.Tensor:
        """uint8 N x 3 x H x W -> float32, colour jitter on a random half, normalised."""
        x = float_batch(batch, out=out)  # 0-255 until normalised: saves a pass
        jittered = (torch.rand(x.shape[0]) < self.jitter_probability).nonzero().squeeze(1)
        if len(jittered):
            chosen = x.index_select(0, jittered)
            x.index_copy_(0, jittered, color_jitter(chosen, **self.jitter_strength, maximum=255.0))
        return _normalise(x, self.mean, self.std, scale=1 / 255)


class ValidationTransform(_BatchTransform):
    """Resize the shorter side + centre crop per image (PIL, as the export contract does);
    ToTensor + Normalize per batch."""

    def __init__(
        self, *, resize_size: int, crop_size: int, mean: Sequence[float], std: Sequence[float]
    ) -> None:
        super().__init__(crop_size=crop_size, mean=mean, std=std)
        self.resize_size = int(resize_size)
        self._geometry = T.Compose([T.Resize(self.resize_size), T.CenterCrop(self.crop_size)])

    def batch(self, images: Sequence[ImageLike], *, out: torch.Tensor | None = None) -> torch.Tensor:
        return self.finish(self.geometry(images), out=out)

    def geometry(self, images: Sequence[ImageLike]) -> torch.Tensor:
        """Resized and centre-cropped pixels: an N x 3 x crop x crop uint8 batch."""
        size = self.crop_size
        out = torch.empty((len(images), 3, size, size), dtype=torch.uint8)
        for k, image in enumerate(images):
            if not isinstance(image, Image.Image):
                image = Image.fromarray(_pixels(image))
            elif image.mode != "RGB":
                image = image.convert("RGB")
            out[k].copy_(torch.from_numpy(np.array(self._geometry(image))).permute(2, 0, 1))
        return out

    def finish(self, batch: torch.Tensor, *, out: torch.Tensor | None = None) -> torch.Tensor:
        # The same element-wise ops as ToTensor + Normalize, so the same float32 values.
        x = float_batch(batch, out=out)
        for c, (m, s) in enumerate(zip(self.mean, self.std)):
            x[:, c].div_(255.0).sub_(m).div_(s)
        return x

    def __repr__(self) -> str:
        return (f"ValidationTransform(resize_size={self.resize_size}, crop_size={self.crop_size}, "
                f"mean={self.mean}, std={self.std})")


def random_resized_crop_boxes(
    heights: np.ndarray,
    widths: np.ndarray,
    *,
    scale: tuple[float, float] = CROP_SCALE,
    ratio: tuple[float, float] = CROP_RATIO,
    attempts: int = 10,
) -> np.ndarray:
    """(top, left, height, width) per image, drawn as `RandomResizedCrop.get_params` draws
    them (area fraction uniform in `scale`, log aspect ratio uniform, the first of ten
    tries that fits, else the centre crop clamped to `ratio`), for a batch with a few
    draws from torch's generator instead of up to 40 per image."""
    heights = np.asarray(heights, dtype=np.int64)
    widths = np.asarray(widths, dtype=np.int64)
    n = len(heights)
    draws = torch.rand((n, attempts, 2), dtype=torch.float64).numpy()
    offsets = torch.rand((n, 2), dtype=torch.float64).numpy()
    area = (heights * widths).astype(np.float64)[:, None]
    target_area = area * (scale[0] + (scale[1] - scale[0]) * draws[..., 0])
    log_low, log_high = math.log(ratio[0]), math.log(ratio[1])
    aspect = np.exp(log_low + (log_high - log_low) * draws[..., 1])
    w = np.round(np.sqrt(target_area * aspect)).astype(np.int64)
    h = np.round(np.sqrt(target_area / aspect)).astype(np.int64)
    fits = (w > 0) & (w <= widths[:, None]) & (h > 0) & (h <= heights[:, None])
    first = fits.argmax(axis=1)
    found = fits[np.arange(n), first]
    h, w = h[np.arange(n), first], w[np.arange(n), first]
    top = np.floor(offsets[:, 0] * (heights - h + 1)).astype(np.int64)
    left = np.floor(offsets[:, 1] * (widths - w + 1)).astype(np.int64)
    # Centre fallback, as torchvision: the whole image, clamped to the ratio range.
    in_ratio = widths / heights
    fb_w = np.where(in_ratio < ratio[0], widths,
                    np.where(in_ratio > ratio[1], np.round(heights * ratio[1]), widths)).astype(np.int64)
    fb_h = np.where(in_ratio < ratio[0], np.round(widths / ratio[0]),
                    np.where(in_ratio > ratio[1], heights, heights)).astype(np.int64)
    h, w = np.where(found, h, fb_h), np.where(found, w, fb_w)
    top = np.where(found, top, (heights - h) // 2)
    left = np.where(found, left, (widths - w) // 2)
    return np.stack([top, left, h, w], axis=1)


def color_jitter(
    x: torch.Tensor, *, brightness: float, contrast: float, saturation: float, maximum: float = 1.0
) -> torch.Tensor:  # x: contiguous, and used as scratch space
    """torchvision's ColorJitter (hue 0) on a float N x 3 x H x W batch in [0, maximum], with
    its own factors and its own random order of the three adjustments for every image.

    Each adjustment blends the image with a target and clamps to [0, maximum]: brightness
    with black, contrast with the image's mean gray level, saturation with its grayscale.
    Each is an affine map of an image's colours, `x -> M x + b` with M = f I (+ (1 - f) 1 w'
    for saturation, w the gray weights) and b = (1 - f) mean_gray 1 for contrast, so one
    batched matrix product per step serves every image whatever adjustment it is on."""
    n, channels, height, width = x.shape
    strengths = torch.tensor([brightness, contrast, saturation], dtype=torch.float32)
    factors = 1 - strengths + 2 * strengths * torch.rand(n, 3)  # uniform in [1 - s, 1 + s]
    order = torch.rand(n, 3).argsort(dim=1)  # a random permutation of the three per image
    # Per image and step (N x 3): the factor, and the matrix and contrast weight of its map.
    f = factors.gather(1, order)
    weights = torch.tensor(GRAY_WEIGHTS, dtype=torch.float32)
    to_gray = (torch.ones(3, 1) * weights).view(1, 1, 3, 3)  # every channel <- gray
    saturation_step = (order == 2).float()
    matrices = (f[..., None, None] * torch.eye(3)
                + ((1 - f) * saturation_step)[..., None, None] * to_gray)  # N x 3 x 3 x 3
    contrast_weight = (1 - f) * (order == 1).float()  # b = contrast_weight * mean_gray
    contrast_steps = (order == 1).any(dim=0).tolist()
    # Ping-pong between two buffers: fresh ~1 MB tensors each step cost page faults.
    out = x.reshape(n, channels, height * width)  # x is overwritten
    spare = torch.empty_like(out)
    no_offset = torch.zeros(n, 3, 1)
    for step in range(3):
        offset = no_offset
        if contrast_steps[step]:
            mean_gray = out.mean(dim=2) @ weights  # N: mean of the grayscale image
            offset = (contrast_weight[:, step] * mean_gray).view(n, 1, 1).expand(n, 3, 1)
        torch.baddbmm(offset, matrices[:, step], out, out=spare)
        out, spare = spare.clamp_(0.0, maximum), out
    return out.view(n, channels, height, width)


def float_batch(batch: torch.Tensor, *, out: torch.Tensor | None = None) -> torch.Tensor:
    """A float32 copy of a uint8 batch, into `out` when given."""
    if out is None:
        out = torch.empty(batch.shape, dtype=torch.float32)
    return out.copy_(batch)


def _normalise(x: torch.Tensor, mean, std, *, scale: float = 1.0) -> torch.Tensor:
    """In place: (x * scale - mean) / std per channel, in two passes."""
    factor = torch.tensor([scale / s for s in std], dtype=x.dtype).view(1, 3, 1, 1)
    shift = torch.tensor([m / s for m, s in zip(mean, std)], dtype=x.dtype).view(1, 3, 1, 1)
    return x.mul_(factor).sub_(shift)


def create_train_transform(
    *, crop_size: int, mean: Sequence[float], std: Sequence[float]
) -> TrainTransform:
    return TrainTransform(crop_size=crop_size, mean=mean, std=std)


def create_validation_transform(
    *, resize_size: int, crop_size: int, mean: Sequence[float], std: Sequence[float]
) -> ValidationTransform:
    return ValidationTransform(resize_size=resize_size, crop_size=crop_size, mean=mean, std=std)
