from __future__ import annotations

import pytest
import torch
from PIL import Image

from engine.data.transforms import (
    create_train_transform,
    create_validation_transform,
    data_config_for,
)

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
