"""Azure AutoML's image-classification transforms, split into a loader part and a model part.

Train: RandomResizedCrop(training_crop_size), horizontal flip, colour jitter half the
time, normalise. Validation: resize the shorter side to validation_resize_size, centre
crop validation_crop_size, normalise. Mean and std come from the model's timm pretrained
configuration (see `data_config_for`).

Every transform has two parts:

- `geometry(images)`: the per-image work on uint8 pixels (crop, resize, flip), giving an
  N x 3 x crop x crop uint8 batch, plus `draw_jitter(n)`: the colour-jitter parameters
  of those N images (None for validation), drawn at the same time from the same seeded
  generator. This is what the loader workers do (`engine.data.datasets`).
- `finish_batch(images, jitter, mean=, std=)`: float conversion, colour jitter with the
  drawn per-image factors, normalisation; a handful of vectorised ops on whatever device
  the batch is on. `BatchFinisher` (`transform.finisher()`) does it where a batch enters
  the model: it moves a loader's `ImageBatch` to the training device (one copy of uint8
  pixels: 4x fewer bytes than float32) and finishes it there, so the GPU does the
  arithmetic and the workers only slice.

Why the jitter parameters are drawn in the loader, not on the device: the same seed then
gives the same augmentations whatever the device and however the finish runs; the draws
are 7 floats per image, shipped in the batch's shared buffer.

`transform(image)` (one image, a normalised 3 x crop x crop float tensor, what the export
contract uses) and `transform.batch(images)` do both parts at once on the CPU.

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
  normalisation is ToTensor's `/255` then Normalize's `(x - mean) / std`, bit for bit
  (training images too, after the jitter).

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
    """HWC uint8 RGB pixels of a PIL image, an array or a tensor (no copy for the last two)."""
    if isinstance(image, Image.Image):
        return np.asarray(image if image.mode == "RGB" else image.convert("RGB"))
    array = image.numpy() if isinstance(image, torch.Tensor) else np.asarray(image)
    if array.dtype != np.uint8 or array.ndim != 3 or array.shape[2] != 3:
        raise TypeError(f"expected HWC uint8 RGB pixels, got {array.dtype} {array.shape}")
    return array


def _pixel_tensor(image: ImageLike) -> torch.Tensor:
    """HWC uint8 RGB pixels as a contiguous tensor: a cache's tensor view as it is, an
    array without a copy where it can be (a read-only one, as a PIL image gives, is copied:
    torch cannot wrap it)."""
    if isinstance(image, torch.Tensor) and image.dtype == torch.uint8 and image.is_contiguous():
        if image.ndim == 3 and image.shape[2] == 3:
            return image
    array = _pixels(image)
    if not (array.flags.writeable and array.flags.c_contiguous):
        array = np.array(array)
    return torch.from_numpy(array)


class _BatchTransform:
    """Geometry on uint8 per image (`geometry`), random finish parameters per batch
    (`draw_jitter`), arithmetic per batch (`finish_batch`, or `finisher()` for loaders)."""

    def __init__(self, *, crop_size: int, mean: Sequence[float], std: Sequence[float]) -> None:
        self.crop_size = int(crop_size)
        self.mean = tuple(float(m) for m in mean)
        self.std = tuple(float(s) for s in std)

    def __call__(self, image: ImageLike) -> torch.Tensor:
        return self.batch([image])[0]

    def batch(self, images: Sequence[ImageLike]) -> torch.Tensor:
        """Both parts at once, on the CPU: N x 3 x crop x crop float32, normalised."""
        jitter = self.draw_jitter(len(images))  # drawn first, as the datasets draw them
        return finish_batch(self.geometry(images).contiguous(), jitter, mean=self.mean, std=self.std)

    def geometry(self, images: Sequence[ImageLike], *, out: torch.Tensor | None = None) -> torch.Tensor:
        """N x 3 x crop x crop uint8, written into `out` when given (else a new
        `empty_images` batch, channels-last in memory)."""
        raise NotImplementedError  # pragma: no cover

    def draw_jitter(self, n: int) -> torch.Tensor | None:
        """The colour-jitter parameters of n images (see `draw_jitter`), or None."""
        return None

    def finisher(self) -> BatchFinisher:
        """What finishes this transform's loader batches where they enter the model."""
        return BatchFinisher(mean=self.mean, std=self.std)

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

    def geometry(self, images: Sequence[ImageLike], *, out: torch.Tensor | None = None) -> torch.Tensor:
        """Random crop + resize + flip of HWC uint8 pixels: an N x 3 x crop x crop uint8 batch.

        This is the loaders' inner loop, so it is a few calls per image: the crop is a
        strided view of the HWC pixels seen as CHW (the channels-last layout the uint8
        antialiased resize is fastest on), and the resize writes straight into the batch.
        The flip is done on the crop, before the resize: the resize's filter is symmetric,
        so that is the flip of the resized image (torchvision's order), pixel for pixel
        (tested)."""
        pixels = [_pixel_tensor(image) for image in images]
        n, size = len(pixels), self.crop_size
        shapes = np.array([p.shape for p in pixels], dtype=np.int64).reshape(n, 3)
        boxes = random_resized_crop_boxes(shapes[:, 0], shapes[:, 1])
        flips = (torch.rand(n) < FLIP_PROBABILITY).tolist()
        if out is None:
            out = empty_images(n, size)
        for image, (full_height, full_width, _), (top, left, height, width), flip, target in zip(
            pixels, shapes.tolist(), boxes.tolist(), flips, out.split(1)
        ):
            row = full_width * 3
            crop = image.as_strided((1, 3, height, width), (full_height * row, 1, row, 3),
                                    image.storage_offset() + top * row + left * 3)
            _resize_into(crop.flip(3) if flip else crop, target, size)
        return out

    def draw_jitter(self, n: int) -> torch.Tensor:
        return draw_jitter(n, probability=self.jitter_probability, **self.jitter_strength)


def empty_images(n: int, size: int) -> torch.Tensor:
    """An uninitialised N x 3 x size x size uint8 batch in channels-last memory (N, size,
    size, 3): the layout the resize writes fastest, and a channels_last model's."""
    return torch.empty((n, size, size, 3), dtype=torch.uint8).permute(0, 3, 1, 2)


def _interpolate_into(crop: torch.Tensor, out: torch.Tensor, size: int) -> None:
    out.copy_(F.interpolate(crop, size=(size, size), mode="bilinear", align_corners=False,
                            antialias=True))


def _upsample_into(crop: torch.Tensor, out: torch.Tensor, size: int) -> None:
    torch._C._nn._upsample_bilinear2d_aa(crop, [size, size], False, None, None, out=out)


def _pick_resize_into():
    """`F.interpolate(crop, (size, size), mode="bilinear", antialias=True)` written into
    `out`. Where this torch has it, that is the binding F.interpolate itself calls, in its
    out= form: it saves a copy per image and F.interpolate's argument checks, about 5 of
    the ~30 us an image costs the loaders on the demo pictures. It is not public API, so
    it is tried once here, and F.interpolate is the fallback (the same pixels, tested)."""
    crop, out = torch.zeros((1, 3, 3, 5), dtype=torch.uint8), torch.empty((1, 3, 4, 4), dtype=torch.uint8)
    try:
        _upsample_into(crop, out, 4)
    except (AttributeError, TypeError, RuntimeError):
        return _interpolate_into
    return _upsample_into


_resize_into = _pick_resize_into()


class ValidationTransform(_BatchTransform):
    """Resize the shorter side + centre crop per image (PIL, as the export contract does);
    ToTensor + Normalize per batch."""

    def __init__(
        self, *, resize_size: int, crop_size: int, mean: Sequence[float], std: Sequence[float]
    ) -> None:
        super().__init__(crop_size=crop_size, mean=mean, std=std)
        self.resize_size = int(resize_size)
        self._geometry = T.Compose([T.Resize(self.resize_size), T.CenterCrop(self.crop_size)])

    def geometry(self, images: Sequence[ImageLike], *, out: torch.Tensor | None = None) -> torch.Tensor:
        """Resized and centre-cropped pixels: an N x 3 x crop x crop uint8 batch."""
        if out is None:
            out = empty_images(len(images), self.crop_size)
        for k, image in enumerate(images):
            if not isinstance(image, Image.Image):
                image = Image.fromarray(_pixels(image))
            elif image.mode != "RGB":
                image = image.convert("RGB")
            out[k].copy_(torch.from_numpy(np.array(self._geometry(image))).permute(2, 0, 1))
        return out

    def __repr__(self) -> str:
        return (f"ValidationTransform(resize_size={self.resize_size}, crop_size={self.crop_size}, "
                f"mean={self.mean}, std={self.std})")


class BatchFinisher:
    """Finishes loader batches where they enter the model: `finisher(batch, runtime)` ->
    (images, targets) on `runtime.device`, images float32 normalised (channels_last
    when `runtime.channels_last`), the `prepare_batch` of `engine.train`'s loops.

    `batch` is a loader's `ImageBatch` (uint8 images, targets, jitter draws or None, all
    views of one buffer): the buffer goes to the device in one non-blocking copy (pinned
    by the loader on CUDA), then `finish_batch` runs there. One finisher serves the
    training and the validation loaders of a model (the same mean and std; only
    training batches carry jitter draws). A plain (images, targets) pair of float
    tensors, as any other loader gives, is only moved."""

    def __init__(self, *, mean: Sequence[float], std: Sequence[float]) -> None:
        self.mean = tuple(float(m) for m in mean)
        self.std = tuple(float(s) for s in std)

    def __call__(self, batch, runtime) -> tuple[torch.Tensor, torch.Tensor]:
        device = runtime.device
        if not hasattr(batch, "buffer"):
            x, y = batch
            return runtime.images(x), runtime.targets(y)
        images, targets, jitter = batch.to(device, non_blocking=True).parts()
        # A loader's pixels are channels-last in memory; reorder them (1 byte each) to the
        # layout the model wants before the finish, which keeps it.
        images = images.contiguous(memory_format=torch.channels_last if runtime.channels_last
                                   else torch.contiguous_format)
        x = finish_batch(images, jitter, mean=self.mean, std=self.std)
        if runtime.channels_last:  # a no-op unless an op changed the layout
            x = x.contiguous(memory_format=torch.channels_last)
        return x, targets

    def __repr__(self) -> str:
        return f"BatchFinisher(mean={self.mean}, std={self.std})"


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
    uniform = torch.rand((n, 2 * attempts + 2), dtype=torch.float64).numpy()  # one draw: it is per batch
    draws, offsets = uniform[:, : 2 * attempts].reshape(n, attempts, 2), uniform[:, 2 * attempts :]
    area = (heights * widths).astype(np.float64)[:, None]
    target_area = area * (scale[0] + (scale[1] - scale[0]) * draws[..., 0])
    log_low, log_high = math.log(ratio[0]), math.log(ratio[1])
    aspect = np.exp(log_low + (log_high - log_low) * draws[..., 1])
    w = np.round(np.sqrt(target_area * aspect)).astype(np.int64)
    h = np.round(np.sqrt(target_area / aspect)).astype(np.int64)
    fits = (w > 0) & (w <= widths[:, None]) & (h > 0) & (h <= heights[:, None])
    first = fits.argmax(axis=1)
    rows = np.arange(n)
    found = fits[rows, first]
    h, w = h[rows, first], w[rows, first]
    top = (offsets[:, 0] * (heights - h + 1)).astype(np.int64)  # floor: both factors >= 0
    left = (offsets[:, 1] * (widths - w + 1)).astype(np.int64)
    if found.all():  # the usual case; the fallback is for images far outside the ratio range
        return np.stack([top, left, h, w], axis=1)
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


JITTER_COLUMNS = 7
"""Columns of `draw_jitter`'s rows: applied (0/1), the brightness, contrast and saturation
factors (1 where not applied), then the order of the three adjustments (0 brightness,
1 contrast, 2 saturation) as floats."""


def draw_jitter(
    n: int, *, probability: float = COLOR_JITTER_PROBABILITY, brightness: float,
    contrast: float, saturation: float,
) -> torch.Tensor:
    """Colour-jitter parameters of n images as torchvision's ColorJitter draws them (each
    factor uniform in [1 - s, 1 + s], the three adjustments in a random order), applied
    to each image with `probability`: an n x 7 float32 tensor (see `JITTER_COLUMNS`).
    Drawn from torch's global generator, so a seeded loader worker draws the same."""
    # One draw for the batch (applied, 3 factors, 3 sort keys of the order), the rest in
    # NumPy: a dozen torch calls on 32 x 7 numbers cost more than the numbers.
    draws = torch.rand(n, 7).numpy()
    applied = draws[:, :1] < probability
    strengths = np.array([brightness, contrast, saturation], dtype=np.float32)
    factors = (1 - strengths) + (2 * strengths) * draws[:, 1:4]
    # Identity where not applied: an unjittered image comes out bit for bit unchanged.
    draws[:, 1:4] = np.where(applied, factors, np.float32(1.0))
    draws[:, 4:] = draws[:, 4:].argsort(axis=1)
    draws[:, 0] = applied[:, 0]
    return torch.from_numpy(draws)


def color_jitter(x: torch.Tensor, factors: torch.Tensor, order: torch.Tensor) -> torch.Tensor:
    """torchvision's ColorJitter (hue 0) on a float N x 3 x H x W batch in [0, 1], with
    its own factors (N x 3: brightness, contrast, saturation) and its own order of the
    three adjustments (N x 3, a permutation of 0, 1, 2) for every image. `x` is used as
    scratch space.

    Each adjustment blends the image with a target and clamps to [0, 1], as
    `TF.adjust_*` do: brightness `f x`, contrast `f x + (1 - f) mean(gray)`, saturation
    `f x + (1 - f) gray`. Per image and step that is `a x + b gray + c` with per-image
    scalars, so every step is a few element-wise ops over the whole batch, whatever
    adjustment each image is on; factors of 1 leave an image exactly as it was. No
    host-device synchronisation on an accelerator (on the CPU, steps that no image needs
    are skipped)."""
    n = x.shape[0]
    order = order.to(torch.long)
    f = factors.to(x.dtype).gather(1, order)  # N x 3: the factor of each step
    saturation = (order == 2).to(x.dtype) * (1 - f)  # b per step
    contrast = (order == 1).to(x.dtype) * (1 - f)  # c per step, times mean(gray)
    if x.device.type == "cpu":
        needed = torch.stack([(order == 1).any(dim=0), (order == 2).any(dim=0)]).tolist()
    else:
        needed = [[True] * 3, [True] * 3]
    spare = torch.empty_like(x)  # ping-pong: fresh ~1 MB tensors each step cost page faults
    for step in range(3):
        out = torch.mul(x, f[:, step].view(n, 1, 1, 1), out=spare)
        if needed[0][step] or needed[1][step]:
            gray = torch.mul(x[:, 0:1], GRAY_WEIGHTS[0])  # as rgb_to_grayscale
            gray.add_(x[:, 1:2], alpha=GRAY_WEIGHTS[1]).add_(x[:, 2:3], alpha=GRAY_WEIGHTS[2])
            if needed[1][step]:
                out.addcmul_(gray, saturation[:, step].view(n, 1, 1, 1))
            if needed[0][step]:
                mean_gray = gray.mean(dim=(1, 2, 3)).view(n, 1, 1, 1)
                out.add_(contrast[:, step].view(n, 1, 1, 1) * mean_gray)
        x, spare = out.clamp_(0.0, 1.0), x
    return x


def finish_batch(
    images: torch.Tensor, jitter: torch.Tensor | None, *, mean: Sequence[float], std: Sequence[float]
) -> torch.Tensor:
    """uint8 N x 3 x H x W -> float32 /255, colour jitter with `jitter`'s draws (rows of
    `draw_jitter`; None: no jitter), then (x - mean) / std. On the batch's device."""
    x = images.to(torch.float32).div_(255.0)  # ToTensor
    if jitter is not None:
        if x.device.type == "cpu":  # only the jittered rows: half the arithmetic
            rows = jitter[:, 0].nonzero().squeeze(1)
            if len(rows):
                chosen = jitter.index_select(0, rows)
                x.index_copy_(0, rows, color_jitter(x.index_select(0, rows), chosen[:, 1:4], chosen[:, 4:7]))
        else:  # every row (factors 1 where not drawn): no sync to find the rows
            x = color_jitter(x, jitter[:, 1:4], jitter[:, 4:7])
    m = torch.tensor(mean, dtype=torch.float32).view(1, 3, 1, 1).to(x.device, non_blocking=True)
    s = torch.tensor(std, dtype=torch.float32).view(1, 3, 1, 1).to(x.device, non_blocking=True)
    return x.sub_(m).div_(s)  # Normalize


def create_train_transform(
    *, crop_size: int, mean: Sequence[float], std: Sequence[float]
) -> TrainTransform:
    return TrainTransform(crop_size=crop_size, mean=mean, std=std)


def create_validation_transform(
    *, resize_size: int, crop_size: int, mean: Sequence[float], std: Sequence[float]
) -> ValidationTransform:
    return ValidationTransform(resize_size=resize_size, crop_size=crop_size, mean=mean, std=std)
