"""`layers_to_freeze`: the seed's layer groups, written in timm's parameter names.

A group is a tuple of parameter-name prefixes; `layers_to_freeze: N` freezes the first N
groups (Azure semantics: the seed's example, 2 for seresnext, freezes layer0 and layer1).

- resnet18..152 (seed `resnet`): `(conv1., bn1.)`, `layer1.` .. `layer4.`; timm uses the
  torchvision names, so the seed's list holds as written.
- resnest50 / resnest101 (not in the seed): the same five groups; timm's deep stem lives
  under `conv1.` (a Sequential) and `bn1.`.
- seresnext (seed: `layer0.` .. `layer4.`): timm's seresnext50_32x4d has no `layer0`; its
  stem is `conv1.` + `bn1.`, so group 0 is `(conv1., bn1.)`, then `layer1.` .. `layer4.`.
- mobilenetv2 (seed: torchvision's `features.0.` .. `features.18.`): timm's
  mobilenetv2_100 names the same 19 stages differently. `features.0` (stem) is
  `conv_stem.` + `bn1.`; `features.1..17` are the 17 inverted-residual blocks, which timm
  groups in stages of 1, 2, 3, 4, 3, 3, 1 (`blocks.0.0.`, `blocks.1.0.`, `blocks.1.1.`,
  ... `blocks.6.0.`); `features.18` (the 1x1 conv to 1280) is `conv_head.` + `bn2.`.
- ViT (seed `vit`: `patch_embed`, `blocks.0.` .. `blocks.11.`): group 0 also holds the
  `cls_token` and `pos_embed` parameters, which sit beside the patch embedding in the
  input stem; vitl16r224 has 24 blocks, so 25 groups.

Freezing sets `requires_grad=False` only, as Azure does: batch-norm statistics of frozen
layers still update in training mode.
"""

from __future__ import annotations

import torch.nn as nn

from engine.models.registry import timm_name

Group = tuple[str, ...]

_RESNET_GROUPS: list[Group] = [("conv1.", "bn1."), ("layer1.",), ("layer2.",), ("layer3.",), ("layer4.",)]
_MOBILENETV2_STAGE_DEPTHS = (1, 2, 3, 4, 3, 3, 1)
_VIT_DEPTHS = {"vit_small_patch16_224": 12, "vit_base_patch16_224": 12, "vit_large_patch16_224": 24}


def _mobilenetv2_groups() -> list[Group]:
    blocks = [
        (f"blocks.{stage}.{i}.",)
        for stage, depth in enumerate(_MOBILENETV2_STAGE_DEPTHS)
        for i in range(depth)
    ]
    return [("conv_stem.", "bn1."), *blocks, ("conv_head.", "bn2.")]


def _vit_groups(depth: int) -> list[Group]:
    return [("patch_embed.", "cls_token", "pos_embed"), *((f"blocks.{i}.",) for i in range(depth))]


def layer_groups(model_name: str) -> list[Group]:
    """The freezable groups of `model_name`, from the input side."""
    arch = timm_name(model_name)
    if arch == "mobilenetv2_100":
        return _mobilenetv2_groups()
    if arch in _VIT_DEPTHS:
        return _vit_groups(_VIT_DEPTHS[arch])
    return list(_RESNET_GROUPS)


def freeze_layers(model: nn.Module, model_name: str, layers_to_freeze: int) -> list[str]:
    """Freeze the first `layers_to_freeze` groups; returns the frozen parameter names.

    Raises ValueError when the count exceeds the model's groups, or when a group matches
    no parameter (a timm rename would otherwise silently freeze nothing).
    """
    groups = layer_groups(model_name)
    if not 0 <= layers_to_freeze <= len(groups):
        raise ValueError(
            f"layers_to_freeze={layers_to_freeze} but {model_name} has {len(groups)} layer groups"
        )
    frozen: list[str] = []
    params = dict(model.named_parameters())
    for group in groups[:layers_to_freeze]:
        names = [n for n in params if n.startswith(group)]
        if not names:
            raise ValueError(f"layer group {group} matches no parameter of {model_name}")
        for name in names:
            params[name].requires_grad_(False)
        frozen.extend(names)
    return frozen
