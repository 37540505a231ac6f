"""The job file: pydantic models of every key of the seed document.

Models are strict and forbid unknown keys at every depth. Field descriptions come from
the seed document (`shared/seed/000_*.txt`), so the JSON Schema carries them to editors.
Cross-field rules live in `engine.spec.rules`; per-model defaults in `engine.spec.defaults`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from .expressions import ParameterExpression
from .training import TrainingParameters
from .types import Flag, NonNegativeInt, OpenUnitFloat, PositiveInt, Str


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, populate_by_name=True)


PrimaryMetric = Literal[
    "accuracy",
    "auc_weighted",
    "average_precision_score_weighted",
    "norm_macro_recall",
    "precision_score_weighted",
    "iou",
]
LogVerbosity = Literal["not_set", "debug", "info", "warning", "error", "critical"]
InputMode = Literal["ro_mount", "rw_mount", "download", "direct", "eval_mount", "eval_download", "upload"]


class DataInput(_Strict):
    """Training, validation or test data: an MLTable folder."""

    description: Optional[Str] = Field(None, description="The detailed information that describes this input data.")
    path: Str = Field(
        description="Path can be a `file` path, `folder` path or `pattern` for paths. Supported URI types are "
        "`azureml`, `https`, `wasbs`, `abfss`, and `adl`. Locally: a path to an MLTable folder, relative to the job file."
    )
    mode: Optional[InputMode] = Field(
        None, description="How Azure ML delivers the data to the job. Local runs read the data in place."
    )
    type: Literal["mltable"] = Field(
        "mltable",
        description="In order to generate computer vision models, the user needs to bring labeled image data as "
        "input for model training in the form of an MLTable.",
    )


class Limits(_Strict):
    """Dictionary of limit configurations of the job."""

    max_trials: PositiveInt = Field(
        1000,
        description="The maximum total number of different algorithm and parameter combinations (trials) to try "
        "during an AutoML job. If the user is using early termination, the number of trials used can be smaller.",
    )
    max_concurrent_trials: PositiveInt = Field(
        1, description="Represents the maximum number of trials (children jobs) that would be executed in parallel."
    )
    timeout_minutes: PositiveInt = Field(
        8640,
        description="Maximum amount of time in minutes that the whole AutoML job can take before the job terminates. "
        "Default six days (8,640 minutes).",
    )
    trial_timeout_minutes: PositiveInt = Field(
        43200,
        description="Maximum time in minutes that each trial (child job) can run for before it terminates. "
        "Default one month (43,200 minutes).",
    )


class _Policy(_Strict):
    evaluation_interval: PositiveInt = Field(1, description="The frequency for applying the policy.")
    delay_evaluation: NonNegativeInt = Field(
        0, description="Delays the first policy evaluation for a specified number of intervals."
    )


class BanditPolicy(_Policy):
    """Ends a trial when its primary metric is not within the slack of the best trial."""

    type: Literal["bandit"] = Field(description="Type of early termination policy.")
    slack_factor: Optional[Annotated[float, Field(gt=0)]] = Field(
        None,
        description="The ratio used to calculate the slack or the allowed distance from the best performing trial. "
        "One of `slack_factor` or `slack_amount` is required.",
    )
    slack_amount: Optional[Annotated[float, Field(ge=0)]] = Field(
        None,
        description="The absolute slack or distance allowed from the best performing trial. "
        "One of `slack_factor` or `slack_amount` is required.",
    )


class MedianStoppingPolicy(_Policy):
    """Ends a trial whose best primary metric is worse than the median of the running averages of all trials."""

    type: Literal["median_stopping"] = Field(description="Type of early termination policy.")


class TruncationSelectionPolicy(_Policy):
    """Cancels a percentage of the lowest performing trials at each evaluation interval."""

    type: Literal["truncation_selection"] = Field(description="Type of early termination policy.")
    truncation_percentage: Annotated[int, Field(strict=True, ge=1, le=99)] = Field(
        description="The percentage of lowest performing jobs to terminate at each evaluation interval. [1, 99]."
    )
    exclude_finished_jobs: Flag = Field(
        False, description="Specifies whether to exclude finished jobs when applying the policy."
    )


EarlyTerminationPolicy = Annotated[
    Union[BanditPolicy, MedianStoppingPolicy, TruncationSelectionPolicy], Field(discriminator="type")
]


class Sweep(_Strict):
    """Dictionary containing sweep parameters for the job."""

    sampling_algorithm: Literal["random", "grid", "bayesian"] = Field(
        description="The sampling method to use for sweeping over the defined parameter space. "
        "grid and random support conditional (multi-subspace) search spaces; here bayesian does too."
    )
    early_termination: Optional[EarlyTerminationPolicy] = Field(
        None,
        description="Automatically end poorly performing runs with an early termination policy: `bandit`, "
        "`median_stopping` or `truncation_selection`. Without one, all trials run to completion.",
    )


class BestModelOutput(_Strict):
    """Output configuration of the best model."""

    type: Literal["mlflow_model"] = Field(
        "mlflow_model", description="Type of best model. AutoML allows only mlflow models."
    )
    path: Optional[Str] = Field(
        None,
        description="Where the model artifact files are stored. Locally: a folder, relative to the job file; "
        "default `best_model/` in the run folder.",
    )
    storage_uri: Optional[Str] = Field(None, description="The HTTP URL of the Model (Azure only).")
    mode: Optional[Literal["rw_mount", "upload", "direct"]] = Field(
        None, description="How Azure ML writes the output. Local runs write to `path`."
    )


class Outputs(_Strict):
    """Dictionary of output configurations of the job."""

    best_model: Optional[BestModelOutput] = Field(
        None, description="Dictionary of output configurations for best model."
    )


# A search space value: a fixed value or a parameter expression. Values are checked
# against the parameter's own type by `engine.spec.rules`, which knows the key.
SearchValue = Union[ParameterExpression, Any]
_SEARCH_SPACE_SCHEMA = {
    "type": "array",
    "description": "A list of subspaces (Azure's conditional form); each maps a training parameter to a fixed "
    "value or a parameter expression.",
    "items": {"type": "object"},  # engine.spec.schema points this at SearchSubspace
}


class JobSpec(_Strict):
    """An Azure ML AutoML image multi-label classification job."""

    schema_: Optional[Str] = Field(
        None,
        alias="$schema",
        description="The YAML schema. Including `$schema` at the top of the file enables schema completions in editors.",
    )
    type: Literal["automl"] = Field(description="The type of job.")
    task: Literal["image_classification_multilabel"] = Field(description="The type of AutoML task.")
    name: Optional[Str] = Field(
        None, description="Name of the job; names the run folder (`runs/<name>`). Generated when omitted."
    )
    display_name: Optional[Str] = Field(None, description="Display name of the job.")
    experiment_name: Optional[Str] = Field(
        None, description="Experiment name to organize the job under (the MLflow experiment)."
    )
    description: Optional[Str] = Field(None, description="Description of the job.")
    tags: Optional[dict[str, Union[Str, int, float, bool]]] = Field(None, description="Dictionary of tags for the job.")
    properties: Optional[dict[str, Union[Str, int, float, bool]]] = Field(
        None, description="Dictionary of properties of the job; recorded as MLflow tags of the job's run."
    )
    compute: Str = Field(
        "local",
        description="Name of the compute target: `azureml:<compute_name>` or `local`. Always runs on this machine.",
    )
    log_verbosity: LogVerbosity = Field("info", description="Different levels of log verbosity.")
    primary_metric: PrimaryMetric = Field(
        "accuracy", description="The metric that AutoML will optimize for model selection."
    )
    target_column_name: Str = Field(
        description="The name of the column to target for predictions. Applies to `training_data` and `validation_data`."
    )
    training_data: DataInput = Field(description="The data to be used within the job (an MLTable).")
    validation_data: Optional[DataInput] = Field(
        None,
        description="The validation data. If `validation_data` is specified, then `training_data` and "
        "`target_column_name` must be specified.",
    )
    validation_data_size: Optional[OpenUnitFloat] = Field(
        None,
        description="What fraction of the data to hold out for validation when user validation data isn't "
        "specified. A value in range (0.0, 1.0); default 0.2.",
    )
    test_data: Optional[DataInput] = Field(
        None, description="Test data: the final model is scored on it and the scores land in the summary."
    )
    test_data_size: Optional[OpenUnitFloat] = Field(
        None,
        description="What fraction of the training data to hold out for testing when `test_data` isn't specified. "
        "A value in range (0.0, 1.0).",
    )
    limits: Limits = Field(default_factory=Limits, description="Dictionary of limit configurations of the job.")
    training_parameters: TrainingParameters = Field(
        default_factory=TrainingParameters, description="Dictionary containing training parameters for the job."
    )
    sweep: Optional[Sweep] = Field(None, description="Dictionary containing sweep parameters for the job.")
    search_space: Optional[Annotated[list[dict[str, Any]], WithJsonSchema(_SEARCH_SPACE_SCHEMA)]] = Field(
        None, description="The hyperparameter search space: a list of subspaces."
    )
    outputs: Optional[Outputs] = Field(None, description="Dictionary of output configurations of the job.")
    resources: Optional[dict[str, Any]] = Field(
        None, description="Azure compute resources (instance count, shm size). Ignored locally."
    )
    identity: Optional[dict[str, Any]] = Field(None, description="Azure identity of the job. Ignored locally.")
    queue_settings: Optional[dict[str, Any]] = Field(None, description="Azure queue settings. Ignored locally.")
    services: Optional[dict[str, Any]] = Field(None, description="Azure job services. Ignored locally.")
