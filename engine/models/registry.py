"""The seed's `model_name` values and the timm architectures behind them (DESIGN.md 6)."""

from __future__ import annotations

TIMM_NAMES: dict[str, str] = {
    "mobilenetv2": "mobilenetv2_100",
    "resnet18": "resnet18",
    "resnet34": "resnet34",
    "resnet50": "resnet50",
    "resnet101": "resnet101",
    "resnet152": "resnet152",
    "resnest50": "resnest50d",
    "resnest101": "resnest101e",
    "seresnext": "seresnext50_32x4d",
    "vits16r224": "vit_small_patch16_224",
    "vitb16r224": "vit_base_patch16_224",
    "vitl16r224": "vit_large_patch16_224",
}
"""`model_name` -> timm architecture. Weights are timm's default pretrained tag for each."""

MODEL_NAMES: tuple[str, ...] = tuple(TIMM_NAMES)


def timm_name(model_name: str) -> str:
    try:
        return TIMM_NAMES[model_name]
    except KeyError:
        raise ValueError(
            f"unknown model_name {model_name!r}; expected one of {', '.join(MODEL_NAMES)}"
        ) from None


def is_vit(model_name: str) -> bool:
    """ViTs need equal train/validation crops and are clipped by norm, not value."""
    return timm_name(model_name).startswith("vit_")


def pretrained_mean_std(model_name: str) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Normalisation of the pretrained weights (timm `pretrained_cfg`), without building
    the model: the data pipeline needs it before the model exists."""
    import timm

    cfg = timm.models.get_pretrained_cfg(timm_name(model_name))
    return tuple(cfg.mean), tuple(cfg.std)
