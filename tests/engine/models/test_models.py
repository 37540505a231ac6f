"""Registry, layer groups and pretrained weights (through a local HF cache, no network)."""

from __future__ import annotations

import pytest
import safetensors.torch
import timm
import torch

from engine.models import (
    MODEL_NAMES,
    TIMM_NAMES,
    cached_weights,
    create_model,
    fetch_pretrained,
    freeze_layers,
    hub_repo,
    is_vit,
    layer_groups,
    pretrained_mean_std,
    timm_name,
)


def test_every_seed_model_maps_to_its_timm_architecture():
    assert TIMM_NAMES == {
        "mobilenetv2": "mobilenetv2_100", "resnet18": "resnet18", "resnet34": "resnet34",
        "resnet50": "resnet50", "resnet101": "resnet101", "resnet152": "resnet152",
        "resnest50": "resnest50d", "resnest101": "resnest101e", "seresnext": "seresnext50_32x4d",
        "vits16r224": "vit_small_patch16_224", "vitb16r224": "vit_base_patch16_224",
        "vitl16r224": "vit_large_patch16_224",
    }
    assert all(name in timm.list_models() for name in TIMM_NAMES.values())
    with pytest.raises(ValueError, match="unknown model_name 'resnet9'"):
        timm_name("resnet9")


def test_is_vit_and_mean_std_follow_the_architecture():
    assert [m for m in MODEL_NAMES if is_vit(m)] == ["vits16r224", "vitb16r224", "vitl16r224"]
    assert pretrained_mean_std("vitb16r224") == ((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))
    assert pretrained_mean_std("resnet50")[0] == pytest.approx((0.485, 0.456, 0.406))


def _on_meta(model_name: str) -> torch.nn.Module:
    with torch.device("meta"):  # the architecture without allocating vit-l's weights
        return timm.create_model(timm_name(model_name), num_classes=3)


@pytest.mark.parametrize("model_name", MODEL_NAMES)
def test_layer_groups_are_disjoint_and_each_matches_parameters(model_name):
    names = [n for n, _ in _on_meta(model_name).named_parameters()]
    owners = {}
    for index, group in enumerate(layer_groups(model_name)):
        matched = [n for n in names if n.startswith(group)]
        assert matched, f"group {group} matches nothing"
        for n in matched:
            assert owners.setdefault(n, index) == index, f"{n} in two groups"


@pytest.mark.parametrize("model_name, count, first, last", [
    ("resnet50", 5, ("conv1.", "bn1."), ("layer4.",)),
    ("resnest101", 5, ("conv1.", "bn1."), ("layer4.",)),
    ("seresnext", 5, ("conv1.", "bn1."), ("layer4.",)),
    ("mobilenetv2", 19, ("conv_stem.", "bn1."), ("conv_head.", "bn2.")),
    ("vits16r224", 13, ("patch_embed.", "cls_token", "pos_embed"), ("blocks.11.",)),
    ("vitl16r224", 25, ("patch_embed.", "cls_token", "pos_embed"), ("blocks.23.",)),
])
def test_group_counts_follow_the_seed(model_name, count, first, last):
    groups = layer_groups(model_name)
    assert (len(groups), groups[0], groups[-1]) == (count, first, last)


def test_mobilenetv2_features_map_onto_timm_blocks():
    groups = layer_groups("mobilenetv2")
    # torchvision features.1 is the first inverted residual; features.17 the last.
    assert groups[1] == ("blocks.0.0.",) and groups[2] == ("blocks.1.0.",)
    assert groups[17] == ("blocks.6.0.",)


def test_freezing_two_seresnext_groups_freezes_layer0_and_layer1_only():
    model = _on_meta("seresnext")
    frozen = set(freeze_layers(model, "seresnext", 2))
    for name, p in model.named_parameters():
        in_first_two = name.startswith(("conv1.", "bn1.", "layer1."))
        assert (name in frozen) == in_first_two == (not p.requires_grad), name


def test_freezing_more_groups_than_exist_is_refused():
    with pytest.raises(ValueError, match="has 5 layer groups"):
        freeze_layers(_on_meta("resnet18"), "resnet18", 6)


def _fake_hf_cache(root, model_name: str) -> dict[str, torch.Tensor]:
    """Lay out `root` the way huggingface_hub caches a downloaded repo."""
    torch.manual_seed(1)
    state = timm.create_model(timm_name(model_name)).state_dict()
    repo = root / f"models--{hub_repo(model_name).replace('/', '--')}"
    snapshot = repo / "snapshots" / "0123abcd"
    snapshot.mkdir(parents=True)
    safetensors.torch.save_file({k: v.contiguous() for k, v in state.items()}, snapshot / "model.safetensors")
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text("0123abcd")
    return state


def test_weights_in_the_hf_cache_load_without_network_and_get_a_new_head(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # cached weights need no network
    state = _fake_hf_cache(tmp_path, "mobilenetv2")
    assert cached_weights("mobilenetv2", tmp_path) is not None
    model, report = create_model("mobilenetv2", 4, cache_dir=tmp_path)
    assert report.pretrained and report.source.startswith("hf-cache:")
    torch.testing.assert_close(model.state_dict()["conv_stem.weight"], state["conv_stem.weight"])
    torch.testing.assert_close(model.state_dict()["blocks.6.0.conv_pwl.weight"], state["blocks.6.0.conv_pwl.weight"])
    assert model.classifier.out_features == 4


def test_offline_without_cache_starts_from_random_init_and_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    model, report = create_model("mobilenetv2", 3, cache_dir=tmp_path)
    assert not report.pretrained
    assert "HF cache" in report.reason and "timm/mobilenetv2_100" in report.reason
    assert report.message.startswith("NO PRETRAINED WEIGHTS")
    assert model(torch.zeros(2, 3, 32, 32)).shape == (2, 3)


def test_offline_argument_overrides_the_environment(tmp_path, monkeypatch):
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    _, report = create_model("resnet18", 2, cache_dir=tmp_path, offline=True)
    assert not report.pretrained and "offline" in report.reason


def test_pretrained_false_is_reported_as_random_init():
    _, report = create_model("resnet18", 2, pretrained=False)
    assert (report.pretrained, report.reason) == (False, "pretrained=False")


def test_group_counts_and_vit_flags_agree_with_the_job_validator():
    # engine.spec checks layers_to_freeze ranges without torch; the two must not drift.
    from engine.spec.defaults import is_vit as spec_is_vit
    from engine.spec.layer_groups import LAYER_GROUP_COUNTS

    assert {m: len(layer_groups(m)) for m in MODEL_NAMES} == LAYER_GROUP_COUNTS
    assert all(spec_is_vit(m) == is_vit(m) for m in MODEL_NAMES)


def test_fetch_pretrained_finds_the_cache_and_reports_offline_misses(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    miss = fetch_pretrained("mobilenetv2", cache_dir=tmp_path)
    assert not miss.pretrained and "offline" in miss.reason
    _fake_hf_cache(tmp_path, "mobilenetv2")
    hit = fetch_pretrained("mobilenetv2", cache_dir=tmp_path)
    assert hit.pretrained and hit.source.endswith("model.safetensors")
