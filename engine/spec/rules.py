"""Cross-field rules: checks that need more than one key, each at an explicit location.

Run after the schema pass, on a validated `JobSpec`. Each rule is a small function that
yields diagnostics; `check_rules` runs them all.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterator, Optional

from .defaults import is_vit
from .diagnostics import Diagnostic
from .document import ParsedDocument
from .job import JobSpec
from .search_space import Fixed, parse_search_space
from .expressions import Choice

REMOTE_SCHEMES = ("azureml://", "https://", "http://", "wasbs://", "abfss://", "adl://")
SEARCHED_LATER = object()
# Keys Azure's current SDK rejects although the seed documents them: accepted, with a warning.
AZURE_SDK_REJECTS = (
    ("limits", "trial_timeout_minutes"),
    ("sweep", "early_termination", "exclude_finished_jobs"),
    ("training_data", "description"),
    ("outputs", "best_model", "storage_uri"),
)
IGNORED_KEYS = ("resources", "identity", "queue_settings", "services")
SGD_ONLY = ("momentum", "nesterov")
ADAM_ONLY = ("beta1", "beta2", "ams_gradient")
SCHEDULER_ONLY = {
    "step": ("step_lr_gamma", "step_lr_step_size"),
    "warmup_cosine": ("warmup_cosine_lr_cycles", "warmup_cosine_lr_warmup_epochs"),
}

Rule = Callable[["RuleContext"], Iterator[Diagnostic]]


class RuleContext:
    def __init__(self, job: JobSpec, document: ParsedDocument, base_dir: Optional[Path]) -> None:
        self.job = job
        self.document = document
        self.base_dir = base_dir
        self.params_set = job.training_parameters.model_fields_set
        self.subspaces = parse_search_space(job.search_space)

    def error(self, code: str, message: str, path: tuple, *, prefer_key: bool = False) -> Diagnostic:
        return Diagnostic("error", code, message, self.document.span(path, prefer_key=prefer_key), path)

    def warning(self, code: str, message: str, path: tuple, *, prefer_key: bool = False) -> Diagnostic:
        return Diagnostic("warning", code, message, self.document.span(path, prefer_key=prefer_key), path)

    def subspace_path(self, index: int) -> tuple:
        """Where subspace `index` is written (a single mapping has no list index)."""
        node = self.document.node(("search_space",))
        return ("search_space",) if node is not None and node.id == "mapping" else ("search_space", index)

    def possible_values(self, key: str) -> list[list]:
        """For each subspace (or the fixed job when there is none): the values `key` can take,
        or [SEARCHED_LATER] when a continuous expression sets it."""
        fixed = getattr(self.job.training_parameters, key)
        if not self.subspaces:
            return [[fixed]]
        result = []
        for subspace in self.subspaces:
            value = subspace.get(key)
            if value is None:
                result.append([fixed])
            elif isinstance(value, Fixed):
                result.append([value.value])
            elif isinstance(value, Choice):
                result.append(list(value.values))
            else:
                result.append([SEARCHED_LATER])
        return result


def vit_crop_sizes(ctx: RuleContext) -> Iterator[Diagnostic]:
    params = ctx.job.training_parameters
    if not ctx.subspaces:
        if is_vit(params.model_name) and params.training_crop_size != params.validation_crop_size:
            path = ("training_parameters", "validation_crop_size")
            if path not in ctx.document.nodes:
                path = ("training_parameters", "training_crop_size")
            yield ctx.error(
                "vit-crop-size",
                f"{params.model_name} needs validation_crop_size equal to training_crop_size "
                f"({params.validation_crop_size} != {params.training_crop_size})",
                path,
            )
        return
    for index, subspace in enumerate(ctx.subspaces):
        models = _values(subspace.get("model_name"), params.model_name)
        train = _values(subspace.get("training_crop_size"), params.training_crop_size)
        valid = _values(subspace.get("validation_crop_size"), params.validation_crop_size)
        if not any(is_vit(m) for m in models) or None in (train, valid):
            continue
        if len(train) == 1 and len(valid) == 1 and train != valid and all(is_vit(m) for m in models):
            yield ctx.error(
                "vit-crop-size",
                f"ViT models need validation_crop_size equal to training_crop_size ({valid[0]} != {train[0]})",
                _crop_size_path(ctx, index),
            )
        elif set(train) != set(valid) or len(train) > 1:
            yield ctx.warning(
                "vit-crop-size",
                "ViT trials whose sampled crop sizes differ use training_crop_size for validation too",
                _crop_size_path(ctx, index),
            )


def _crop_size_path(ctx: RuleContext, index: int) -> tuple:
    """Where a subspace's crop sizes are written: in the subspace, else in training_parameters,
    else the subspace itself."""
    subspace = ctx.subspace_path(index)
    for parent in (subspace, ("training_parameters",)):
        for key in ("validation_crop_size", "training_crop_size"):
            if (*parent, key) in ctx.document.nodes:
                return (*parent, key)
    return subspace


def _values(expression, fixed) -> Optional[list]:
    if expression is None:
        return [fixed]
    if isinstance(expression, Fixed):
        return [expression.value]
    if isinstance(expression, Choice):
        return list(expression.values)
    return None


def bandit_slack(ctx: RuleContext) -> Iterator[Diagnostic]:
    policy = ctx.job.sweep.early_termination if ctx.job.sweep else None
    if policy is None or policy.type != "bandit":
        return
    path = ("sweep", "early_termination")
    if policy.slack_factor is None and policy.slack_amount is None:
        yield ctx.error("bandit-slack", "the bandit policy needs slack_factor or slack_amount", path, prefer_key=True)
    elif policy.slack_factor is not None and policy.slack_amount is not None:
        yield ctx.error(
            "bandit-slack", "give the bandit policy slack_factor or slack_amount, not both", (*path, "slack_amount"), prefer_key=True
        )


def grid_needs_choice(ctx: RuleContext) -> Iterator[Diagnostic]:
    if not ctx.job.sweep or ctx.job.sweep.sampling_algorithm != "grid":
        return
    for index, subspace in enumerate(ctx.subspaces):
        for key, value in subspace.items():
            if not isinstance(value, (Fixed, Choice)):
                path = (*ctx.subspace_path(index), key, "type")
                yield ctx.error("grid-needs-choice", f"grid sampling needs 'choice' for every parameter; {key} uses '{value.type}'", path)


def search_space_needs_sweep(ctx: RuleContext) -> Iterator[Diagnostic]:
    if ctx.job.search_space is not None and ctx.job.sweep is None:
        yield ctx.error(
            "search-space-needs-sweep",
            "search_space needs a sweep section (sweep: {sampling_algorithm: random})",
            ("search_space",),
            prefer_key=True,
        )


def bayesian_limits(ctx: RuleContext) -> Iterator[Diagnostic]:
    sweep = ctx.job.sweep
    if not sweep or sweep.sampling_algorithm != "bayesian":
        return
    if len(ctx.subspaces) > 1:
        yield ctx.warning(
            "azure-incompatible",
            "Azure's bayesian sampling does not accept conditional (several) subspaces; this tool does",
            ("sweep", "sampling_algorithm"),
        )
    if sweep.early_termination is not None:
        yield ctx.warning(
            "azure-incompatible",
            "Azure does not combine bayesian sampling with early termination; this tool applies the policy",
            ("sweep", "early_termination"),
            prefer_key=True,
        )


def optimizer_specific(ctx: RuleContext) -> Iterator[Diagnostic]:
    optimizers = {v for values in ctx.possible_values("optimizer") for v in values}
    schedulers = {v for values in ctx.possible_values("learning_rate_scheduler") for v in values}
    unused = []
    if "sgd" not in optimizers and SEARCHED_LATER not in optimizers:
        unused += [(key, "optimizer is sgd") for key in SGD_ONLY]
    if not optimizers & {"adam", "adamw", SEARCHED_LATER}:
        unused += [(key, "optimizer is adam or adamw") for key in ADAM_ONLY]
    for scheduler, keys in SCHEDULER_ONLY.items():
        if scheduler not in schedulers:
            unused += [(key, f"learning_rate_scheduler is {scheduler}") for key in keys]
    for key, condition in unused:
        if key in ctx.params_set:
            yield ctx.warning("unused-parameter", f"{key} only has an effect when {condition}", ("training_parameters", key), prefer_key=True)


def seresnext_crop_sizes(ctx: RuleContext) -> Iterator[Diagnostic]:
    models = {v for values in ctx.possible_values("model_name") for v in values}
    if "seresnext" not in models:
        return
    for key in ("training_crop_size", "validation_crop_size", "validation_resize_size"):
        if key in ctx.params_set:
            yield ctx.warning(
                "seresnext-crop-size",
                f"Azure ignores {key} for seresnext; this tool honours it",
                ("training_parameters", key),
                prefer_key=True,
            )


def layers_to_freeze_range(ctx: RuleContext) -> Iterator[Diagnostic]:
    from .layer_groups import layer_group_count  # small table, kept beside the models' docs

    # Per subspace, so a choice of layers_to_freeze is checked against that subspace's models.
    pairs = zip(ctx.possible_values("model_name"), ctx.possible_values("layers_to_freeze"))
    for index, (models, counts) in enumerate(pairs):
        for model in models:
            for count in counts:
                if model is SEARCHED_LATER or not isinstance(count, int) or count <= layer_group_count(model):
                    continue
                path = ("training_parameters", "layers_to_freeze")
                if ctx.subspaces and "layers_to_freeze" in ctx.subspaces[index]:
                    path = (*ctx.subspace_path(index), "layers_to_freeze")
                yield ctx.error(
                    "out-of-range", f"layers_to_freeze must be in [0, {layer_group_count(model)}] for {model}, got {count}", path
                )
                return


def redundant_sizes(ctx: RuleContext) -> Iterator[Diagnostic]:
    job = ctx.job
    if job.validation_data is not None and job.validation_data_size is not None:
        yield ctx.warning("unused-parameter", "validation_data_size is ignored when validation_data is given", ("validation_data_size",), prefer_key=True)
    if job.test_data is not None and job.test_data_size is not None:
        yield ctx.warning("unused-parameter", "test_data_size is ignored when test_data is given", ("test_data_size",), prefer_key=True)


def ignored_keys(ctx: RuleContext) -> Iterator[Diagnostic]:
    for key in IGNORED_KEYS:
        if getattr(ctx.job, key) is not None:
            yield ctx.warning("ignored-key", f"{key} has no meaning for a local run and is ignored", (key,), prefer_key=True)
    if "advanced_settings" in ctx.params_set:
        yield ctx.warning(
            "ignored-key", "advanced_settings has no meaning for a local run and is ignored", ("training_parameters", "advanced_settings"), prefer_key=True
        )


def azure_sdk_differences(ctx: RuleContext) -> Iterator[Diagnostic]:
    for path in AZURE_SDK_REJECTS:
        if path in ctx.document.nodes:
            yield ctx.warning(
                "azure-incompatible",
                f"{path[-1]} is documented by the schema but Azure's SDK rejects it; accepted here",
                path,
                prefer_key=True,
            )


def compute_target(ctx: RuleContext) -> Iterator[Diagnostic]:
    if ctx.job.compute.startswith("azureml:"):
        yield ctx.warning("remote-compute", f"compute '{ctx.job.compute}' is an Azure cluster; the job runs on this machine", ("compute",))


def data_paths(ctx: RuleContext) -> Iterator[Diagnostic]:
    for key in ("training_data", "validation_data", "test_data"):
        data = getattr(ctx.job, key)
        if data is None:
            continue
        path = (key, "path")
        if data.path.startswith(REMOTE_SCHEMES):
            yield ctx.warning(
                "remote-path",
                f"{data.path} cannot be read offline: download the data and point path at a local MLTable folder",
                path,
            )
        elif ctx.base_dir is not None and not (ctx.base_dir / data.path).exists():
            yield ctx.warning("missing-path", f"{data.path} does not exist (relative to {ctx.base_dir})", path)


RULES: tuple[Rule, ...] = (
    vit_crop_sizes,
    bandit_slack,
    grid_needs_choice,
    search_space_needs_sweep,
    bayesian_limits,
    optimizer_specific,
    seresnext_crop_sizes,
    layers_to_freeze_range,
    redundant_sizes,
    ignored_keys,
    azure_sdk_differences,
    compute_target,
    data_paths,
)


def check_rules(job: JobSpec, document: ParsedDocument, base_dir: Optional[Path] = None) -> list[Diagnostic]:
    context = RuleContext(job, document, base_dir)
    return [diagnostic for rule in RULES for diagnostic in rule(context)]
