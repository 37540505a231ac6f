"""`training_parameters`: the seed's model-agnostic and classification hyperparameters.

Fields whose default depends on the model (learning rate, batch sizes) are `None` here;
`engine.spec.defaults` resolves them in one place. The JSON Schema still shows the
seed's documented default for each.
"""

from __future__ import annotations

from typing import Annotated, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, Strict

from .types import Flag, NonNegativeInt, PositiveInt, Str, UnitFloat

ModelName = Literal[
    "mobilenetv2",
    "resnet18",
    "resnet34",
    "resnet50",
    "resnet101",
    "resnet152",
    "resnest50",
    "resnest101",
    "seresnext",
    "vits16r224",
    "vitb16r224",
    "vitl16r224",
]
MODEL_NAMES: tuple[str, ...] = ModelName.__args__  # type: ignore[attr-defined]
VIT_MODELS = ("vits16r224", "vitb16r224", "vitl16r224")

Optimizer = Literal["sgd", "adam", "adamw"]
Scheduler = Literal["none", "warmup_cosine", "step"]
WeightedLoss = Annotated[int, Strict(), Field(ge=0, le=2)]


def _param(default, description: str, **constraints):
    """A field whose documented default is shown in the schema."""
    return Field(default, description=description, **constraints)


def _per_model(documented: object, description: str):
    """A field left `None` until the model is known; the schema shows the seed's default."""
    return Field(None, description=description, json_schema_extra={"default": documented})


class TrainingParameters(BaseModel):
    """Dictionary containing training parameters for the job."""

    model_config = ConfigDict(extra="forbid", strict=True, validate_default=False)

    advanced_settings: Optional[Str] = _param(
        None, "Azure's free-form JSON string of advanced settings. It has no local meaning and is ignored."
    )
    ams_gradient: Flag = _param(False, "Enable `ams_gradient` when optimizer is `adam` or `adamw`.")
    beta1: UnitFloat = _param(0.9, "Value of `beta1` when optimizer is `adam` or `adamw`. A value in the range [0, 1].")
    beta2: UnitFloat = _param(0.999, "Value of `beta2` when optimizer is `adam` or `adamw`. A value in the range [0, 1].")
    checkpoint_frequency: Optional[PositiveInt] = Field(
        None,
        description="Frequency (in epochs) to store model checkpoints. Default: checkpoint at the epoch with the best primary metric on validation.",
    )
    checkpoint_run_id: Optional[Str] = Field(
        None,
        description="The run ID of the experiment that has a pretrained checkpoint for incremental training. "
        "Locally: a run folder, a trial folder (`runs/NAME/trials/ID`) or a checkpoint file.",
    )
    distributed: Flag = _param(False, "Enable distributed training (DistributedDataParallel over the visible GPUs).")
    early_stopping: Flag = _param(True, "Enable early stopping logic during training.")
    early_stopping_delay: NonNegativeInt = _param(
        5,
        "Minimum number of epochs or validation evaluations to wait before primary metric improvement is tracked for early stopping.",
    )
    early_stopping_patience: PositiveInt = _param(
        5,
        "Minimum number of epochs or validation evaluations with no primary metric improvement before the run is stopped.",
    )
    evaluation_frequency: PositiveInt = _param(1, "Frequency to evaluate validation dataset to get metric scores.")
    enable_onnx_normalization: Flag = _param(
        False, "Enable normalization when exporting the ONNX model (the graph then takes raw 0-255 pixels)."
    )
    gradient_accumulation_step: PositiveInt = _param(
        1,
        "Gradient accumulation means to run a configured number of `gradient_accumulation_step` without updating "
        "the model weights while accumulating the gradients of those steps, and then using the accumulated gradients "
        "to compute the weight updates.",
    )
    layers_to_freeze: Optional[NonNegativeInt] = Field(
        None,
        description="How many layers to freeze for your model. For instance, passing 2 as value for `seresnext` "
        "means freezing layer0 and layer1. Layer groups: resnet `[('conv1.', 'bn1.'), 'layer1.', 'layer2.', "
        "'layer3.', 'layer4.']`; mobilenetv2 `features.0.` .. `features.18.`; seresnext `layer0.` .. `layer4.`; "
        "vit `patch_embed`, `blocks.0.` .. `blocks.11.`.",
    )
    learning_rate: Optional[UnitFloat] = _per_model(
        0.035,
        "Initial learning rate. A value in the range [0, 1]. Default 0.035 (except vits16r224: 0.025, "
        "vitb16r224: 0.025, vitl16r224: 0.002).",
    )
    learning_rate_scheduler: Scheduler = _param("warmup_cosine", "Type of learning rate scheduler.")
    momentum: UnitFloat = _param(0.9, "Value of momentum when optimizer is `sgd`. A value in the range [0, 1].")
    nesterov: Flag = _param(True, "Enable `nesterov` when optimizer is `sgd`.")
    number_of_epochs: PositiveInt = _param(15, "Number of training epochs.")
    number_of_workers: Optional[NonNegativeInt] = Field(
        None,
        description="Number of data loader workers. Default: the smaller of 8 and the number of CPU cores.",
    )
    optimizer: Optimizer = _param("sgd", "Type of optimizer.")
    random_seed: Optional[NonNegativeInt] = Field(
        None, description="Random seed for deterministic training. Default: a seed is drawn and recorded."
    )
    step_lr_gamma: UnitFloat = _param(
        0.5, "Value of gamma when learning rate scheduler is `step`. A value in the range [0, 1]."
    )
    step_lr_step_size: PositiveInt = _param(5, "Value of step size when learning rate scheduler is `step`.")
    training_batch_size: Optional[PositiveInt] = _per_model(
        78,
        "Training batch size. Default 78 (except vits16r224: 128, vitb16r224: 48, vitl16r224: 10); "
        "the largest batch sizes that fit in 12 GiB of GPU memory.",
    )
    validation_batch_size: Optional[PositiveInt] = _per_model(
        78,
        "Validation batch size. Default 78 (except vits16r224: 128, vitb16r224: 48, vitl16r224: 10); "
        "the largest batch sizes that fit in 12 GiB of GPU memory.",
    )
    warmup_cosine_lr_cycles: UnitFloat = _param(
        0.45, "Value of cosine cycle when learning rate scheduler is `warmup_cosine`. A value in the range [0, 1]."
    )
    warmup_cosine_lr_warmup_epochs: NonNegativeInt = _param(
        2, "Value of warmup epochs when learning rate scheduler is `warmup_cosine`."
    )
    weight_decay: UnitFloat = _param(
        1e-4, "Value of weight decay when optimizer is `sgd`, `adam`, or `adamw`. A value in the range [0, 1]."
    )
    model_name: ModelName = _param("seresnext", "Model name to be used for image classification task at hand.")
    training_crop_size: PositiveInt = _param(
        224,
        "Image crop size that's input to your neural network for train dataset. `seresnext` doesn't take an "
        "arbitrary size in Azure; ViT variants need the same `validation_crop_size` and `training_crop_size`.",
    )
    validation_crop_size: PositiveInt = _param(
        224,
        "Image crop size that's input to your neural network for validation dataset. `seresnext` doesn't take an "
        "arbitrary size in Azure; ViT variants need the same `validation_crop_size` and `training_crop_size`.",
    )
    validation_resize_size: PositiveInt = _param(
        256, "Image size to which to resize before cropping for validation dataset."
    )
    weighted_loss: WeightedLoss = _param(
        0,
        "0 for no weighted loss; 1 for weighted loss with sqrt(class_weights); 2 for weighted loss with class_weights.",
    )


# Keys a search space may vary: every training parameter except the ones that name a
# particular run or are free-form (Azure's ImageClassificationSearchSpace has the same set).
SEARCHABLE_PARAMETERS: tuple[str, ...] = tuple(
    name
    for name in TrainingParameters.model_fields
    if name not in ("advanced_settings", "checkpoint_frequency", "checkpoint_run_id")
)
