"""How many layer groups `layers_to_freeze` can count for each model (no torch needed).

The seed lists the groups for resnet, mobilenetv2, seresnext and vit; resnest follows
resnet's stem + four stages, and vitl16r224 has 24 blocks. `engine.models` maps each
group onto timm's module names.
"""

LAYER_GROUP_COUNTS: dict[str, int] = {
    "mobilenetv2": 19,  # features.0 .. features.18
    "resnet18": 5,  # (conv1, bn1), layer1 .. layer4
    "resnet34": 5,
    "resnet50": 5,
    "resnet101": 5,
    "resnet152": 5,
    "resnest50": 5,
    "resnest101": 5,
    "seresnext": 5,  # layer0 .. layer4
    "vits16r224": 13,  # patch_embed, blocks.0 .. blocks.11
    "vitb16r224": 13,
    "vitl16r224": 25,  # patch_embed, blocks.0 .. blocks.23
}


def layer_group_count(model_name: str) -> int:
    return LAYER_GROUP_COUNTS[model_name]
