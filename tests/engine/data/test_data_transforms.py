from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image
from torchvision import transforms as T
from torchvision.transforms import functional as TF

from engine.data.transforms import (
    BatchFinisher,
    TrainTransform,
    color_jitter,
    create_train_transform,
    create_validation_transform,
    data_config_for,
    draw_jitter,
    finish_batch,
    random_resized_crop_boxes,
)
from engine.train.runtime import create_runtime

IMAGENET = ((0.485, 0.456, 0.406), (0.229, 0.224, 0.225))


@pytest.mark.parametrize("image_size", [(40, 30), (30, 50), (16, 16)])
@pytest.mark.parametrize("crop_size", [8, 24, 32])
def test_train_transform_gives_a_square_crop_of_the_training_size(image_size, crop_size):
    transform = create_train_transform(crop_size=crop_size, mean=IMAGENET[0], std=IMAGENET[1])
    torch.manual_seed(0)
    for _ in range(5):  # random crops of every scale and ratio come out the same size
        output = transform(Image.new("RGB", image_size, (120, 60, 30)))
        assert output.shape == (3, crop_size, crop_size) and output.dtype == torch.float32


@pytest.mark.parametrize(("resize_size", "crop_size"), [(36, 32), (32, 32), (20, 16), (288, 224)])
def test_validation_transform_resizes_then_centre_crops(resize_size, crop_size):
    transform = create_validation_transform(
        resize_size=resize_size, crop_size=crop_size, mean=IMAGENET[0], std=IMAGENET[1]
    )
    output = transform(Image.new("RGB", (60, 40), (0, 0, 0)))
    assert output.shape == (3, crop_size, crop_size)


def test_validation_transform_normalises_with_the_given_mean_and_std():
    transform = create_validation_transform(resize_size=8, crop_size=8, mean=(0.5, 0.5, 0.5),
                                            std=(0.25, 0.5, 1.0))
    output = transform(Image.new("RGB", (8, 8), (255, 255, 255)))
    assert output[:, 0, 0].tolist() == pytest.approx([2.0, 1.0, 0.5])


def test_validation_transform_is_deterministic_and_keeps_the_centre():
    image = Image.new("RGB", (30, 20), (0, 0, 0))
    image.paste((255, 255, 255), (10, 5, 20, 15))  # white centre square
    transform = create_validation_transform(resize_size=20, crop_size=10, mean=(0, 0, 0), std=(1, 1, 1))
    first = transform(image)
    assert torch.equal(first, transform(image))
    assert first.min() > 0.9  # the crop is the white centre


def test_train_transform_is_random_but_seeded():
    image = Image.effect_noise((48, 48), 50).convert("RGB")
    transform = create_train_transform(crop_size=16, mean=IMAGENET[0], std=IMAGENET[1])
    torch.manual_seed(1)
    first = transform(image)
    torch.manual_seed(1)
    assert torch.equal(first, transform(image))
    assert not torch.equal(first, transform(image))


@pytest.mark.parametrize(("model", "mean", "std"), [
    ("resnet18", IMAGENET[0], IMAGENET[1]),
    ("seresnext50_32x4d", IMAGENET[0], IMAGENET[1]),
    ("vit_base_patch16_224", (0.5, 0.5, 0.5), (0.5, 0.5, 0.5)),
])
def test_data_config_comes_from_timm_pretrained_cfg(model, mean, std):
    config = data_config_for(model)
    assert config.mean == pytest.approx(mean) and config.std == pytest.approx(std)


def test_data_config_for_an_unknown_model_raises():
    with pytest.raises(ValueError, match="no pretrained configuration"):
        data_config_for("not_a_model")


# --- batch transforms (per-image geometry on uint8 in the loader, jitter + normalise per batch
# where the batch enters the model) ---

@pytest.mark.parametrize("crop_size", [8, 24, 64])
def test_train_batch_is_float32_of_the_training_size(crop_size):
    images = [np.full((30 + k, 40 - k, 3), 100, np.uint8) for k in range(5)]
    batch = create_train_transform(crop_size=crop_size, mean=IMAGENET[0], std=IMAGENET[1]).batch(images)
    assert batch.shape == (5, 3, crop_size, crop_size) and batch.dtype == torch.float32


def test_validation_batch_matches_torchvision_to_tensor_and_normalize():
    reference = T.Compose([T.Resize(20), T.CenterCrop(16), T.ToTensor(), T.Normalize(*IMAGENET)])
    transform = create_validation_transform(resize_size=20, crop_size=16, mean=IMAGENET[0], std=IMAGENET[1])
    images = [Image.effect_noise((30 + 5 * k, 24), 60).convert("RGB") for k in range(3)]
    batch = transform.batch(images)
    expected = torch.stack([reference(image) for image in images])
    assert torch.allclose(batch, expected, atol=1e-6)
    assert torch.allclose(transform.batch([np.asarray(image) for image in images]), expected, atol=1e-6)


def test_train_transform_normalises_with_the_model_mean_and_std():
    transform = TrainTransform(crop_size=8, mean=IMAGENET[0], std=IMAGENET[1], jitter_probability=0.0)
    colour = (120, 60, 30)
    output = transform.batch([np.full((20, 16, 3), colour, np.uint8)] * 4)
    expected = [(c / 255 - m) / s for c, m, s in zip(colour, *IMAGENET)]
    assert torch.allclose(output, torch.tensor(expected).view(1, 3, 1, 1).expand_as(output), atol=1e-5)


def test_colour_jitter_is_applied_to_about_half_the_images():
    colour = (120, 60, 30)
    transform = create_train_transform(crop_size=8, mean=(0, 0, 0), std=(1, 1, 1))
    torch.manual_seed(0)
    output = transform.batch([np.full((12, 12, 3), colour, np.uint8)] * 400)
    plain = torch.tensor(colour, dtype=torch.float32).view(1, 3, 1, 1) / 255
    changed = ((output - plain).abs().amax(dim=(1, 2, 3)) > 1e-4).float().mean().item()
    assert 0.4 < changed < 0.6


def test_colour_jitter_matches_torchvision_adjustments_in_the_drawn_order():
    torch.manual_seed(3)
    images = torch.rand(6, 3, 10, 12)
    draws = draw_jitter(6, probability=1.0, brightness=0.4, contrast=0.4, saturation=0.4)
    factors, order = draws[:, 1:4], draws[:, 4:7].long()
    assert (draws[:, 0] == 1).all() and ((factors >= 0.6) & (factors <= 1.4)).all()
    assert (order.sort(dim=1).values == torch.arange(3)).all()  # a permutation per image
    ours = color_jitter(images.clone(), factors, order)
    adjust = [TF.adjust_brightness, TF.adjust_contrast, TF.adjust_saturation]
    for image, f, steps, got in zip(images, factors, order, ours):
        expected = image
        for op in steps.tolist():
            expected = adjust[op](expected, f[op].item())
        assert torch.allclose(got, expected, atol=1e-5)


def test_finish_batch_matches_torchvision_jitter_then_normalize():
    torch.manual_seed(4)
    pixels = torch.randint(0, 256, (8, 3, 9, 7), dtype=torch.uint8)
    draws = draw_jitter(8, brightness=0.4, contrast=0.4, saturation=0.4)
    ours = finish_batch(pixels, draws, mean=IMAGENET[0], std=IMAGENET[1])
    adjust = [TF.adjust_brightness, TF.adjust_contrast, TF.adjust_saturation]
    normalize = T.Normalize(*IMAGENET)
    for image, row, got in zip(pixels, draws, ours):
        expected = TF.to_tensor(image.permute(1, 2, 0).numpy())
        if row[0]:
            for op in row[4:7].long().tolist():
                expected = adjust[op](expected, row[1 + op].item())
        else:
            assert row[1:4].tolist() == [1.0, 1.0, 1.0]  # identity factors: left exactly as it was
        assert torch.allclose(got, normalize(expected), atol=1e-5)
    plain = finish_batch(pixels, None, mean=IMAGENET[0], std=IMAGENET[1])
    for unjittered in (draws[:, 0] == 0).nonzero().squeeze(1).tolist():
        assert torch.equal(ours[unjittered], plain[unjittered])


def test_the_cuda_path_of_the_jitter_gives_the_cpu_result():
    # On an accelerator every row is jittered (factors 1 where not drawn, no sync to find
    # the rows); on the CPU only the drawn rows. Both must agree: check the maths here.
    torch.manual_seed(6)
    x = torch.rand(10, 3, 8, 8)
    draws = draw_jitter(10, brightness=0.4, contrast=0.4, saturation=0.4)
    every_row = color_jitter(x.clone(), draws[:, 1:4], draws[:, 4:7])
    rows = (draws[:, 0] == 1).nonzero().squeeze(1)
    only_drawn = x.clone()
    only_drawn[rows] = color_jitter(x[rows].clone(), draws[rows, 1:4], draws[rows, 4:7])
    assert torch.allclose(every_row, only_drawn, atol=1e-6)
    assert torch.equal(every_row[draws[:, 0] == 0], x[draws[:, 0] == 0])


def test_batch_finisher_on_a_loader_batch_gives_the_cpu_transform_result():
    from engine.data.datasets import ImageBatch

    transform = create_train_transform(crop_size=8, mean=IMAGENET[0], std=IMAGENET[1])
    images = [np.asarray(Image.effect_noise((20, 16), 40).convert("RGB"))] * 6
    torch.manual_seed(2)
    expected = transform.batch(images)
    torch.manual_seed(2)  # the same draws in the same order, as a dataset makes them
    jitter = transform.draw_jitter(6)
    batch = ImageBatch.allocate((6, 3, 8, 8), 2, jitter=True)
    pixels, targets, draws = batch.parts()
    transform.geometry(images, out=pixels)
    targets.fill_(1.0)
    draws.copy_(jitter)
    x, y = transform.finisher()(batch, create_runtime("cpu"))
    assert x.dtype == torch.float32 and torch.equal(x, expected) and torch.equal(y, torch.ones(6, 2))
    assert torch.equal(pixels, batch.images)  # the loader's uint8 batch is left alone
    with pytest.raises(TypeError, match="BatchFinisher"):
        _, _ = batch


def test_batch_finisher_moves_a_plain_pair_as_it_is():
    x, y = torch.rand(2, 3, 4, 4), torch.ones(2, 3)
    got_x, got_y = BatchFinisher(mean=(0, 0, 0), std=(1, 1, 1))((x, y), create_runtime("cpu"))
    assert torch.equal(got_x, x) and torch.equal(got_y, y)


@pytest.mark.parametrize("crop_size", [16, 64])
def test_train_geometry_is_torchvisions_crop_resize_and_flip_pixel_for_pixel(crop_size):
    # The loaders crop a strided view, flip the crop and resize it into the batch in one
    # call; the reference resizes the crop (bilinear, antialiased, torch's uint8 kernel)
    # and flips the result, as torchvision's RandomResizedCrop + RandomHorizontalFlip.
    images = [np.asarray(Image.effect_noise(size, 70).convert("RGB"))
              for size in [(40, 30), (30, 50), (72, 72), (96, 72), (64, 64)] * 4]
    transform = create_train_transform(crop_size=crop_size, mean=IMAGENET[0], std=IMAGENET[1])
    torch.manual_seed(11)
    ours = transform.geometry(images)
    torch.manual_seed(11)  # the same draws, in geometry's order: the boxes, then the flips
    boxes = random_resized_crop_boxes(np.array([i.shape[0] for i in images]), np.array([i.shape[1] for i in images]))
    flips = torch.rand(len(images)) < 0.5
    assert 0 < int(flips.sum()) < len(images)
    for image, (top, left, h, w), flip, got in zip(images, boxes.tolist(), flips, ours):
        crop = torch.from_numpy(image[top : top + h, left : left + w].copy()).permute(2, 0, 1)
        expected = F.interpolate(crop[None], size=(crop_size, crop_size), mode="bilinear",
                                 align_corners=False, antialias=True)[0]
        assert torch.equal(got, TF.hflip(expected) if flip else expected)
        # torchvision's own tensor resize rounds through float32: within one level of it.
        chw = torch.from_numpy(image.copy()).permute(2, 0, 1)
        torchvision = TF.resized_crop(chw, top, left, h, w, [crop_size, crop_size], antialias=True)
        assert (got.int() - (TF.hflip(torchvision) if flip else torchvision).int()).abs().max() <= 1


def test_the_resize_fallback_gives_the_fast_paths_pixels():
    from engine.data.transforms import _interpolate_into, _upsample_into

    torch.manual_seed(1)
    full = torch.randint(0, 256, (1, 72, 96, 3), dtype=torch.uint8).permute(0, 3, 1, 2)
    for h, w in [(20, 31), (64, 64), (72, 96), (50, 70)]:
        crop = full[:, :, 3 : 3 + min(h, 69), 5 : 5 + min(w, 91)]
        fast, fallback = (torch.empty((1, 64, 64, 3), dtype=torch.uint8).permute(0, 3, 1, 2) for _ in range(2))
        _upsample_into(crop, fast, 64)
        _interpolate_into(crop, fallback, 64)
        assert torch.equal(fast, fallback)


def test_crop_boxes_fit_and_follow_the_scale_and_ratio_ranges():
    torch.manual_seed(0)
    heights, widths = np.full(2000, 72), np.full(2000, 96)
    top, left, h, w = random_resized_crop_boxes(heights, widths).T
    assert (top >= 0).all() and (left >= 0).all() and (top + h <= 72).all() and (left + w <= 96).all()
    area = h * w / (72 * 96)
    assert area.min() >= 0.07 and area.max() <= 1.0 and area.min() < 0.15 and area.max() > 0.9
    # An image far outside the ratio range falls back to the centre crop, as torchvision.
    box = random_resized_crop_boxes(np.array([4]), np.array([400]))[0]
    assert box.tolist() == [0, 197, 4, 5]


def test_train_batch_is_the_same_for_the_same_seed():
    images = [np.asarray(Image.effect_noise((40, 30), 50).convert("RGB"))] * 8
    transform = create_train_transform(crop_size=16, mean=IMAGENET[0], std=IMAGENET[1])
    torch.manual_seed(5)
    first = transform.batch(images)
    torch.manual_seed(5)
    assert torch.equal(first, transform.batch(images))
    assert not torch.equal(first, transform.batch(images))
