"""Drawing one value from a parameter expression, with Azure's semantics.

`loguniform(min_value, max_value)` is `exp(uniform(min_value, max_value))`; the `q*` forms
round to a multiple of `q` (hyperopt's definition, which Azure uses); `randint(upper)`
draws from [0, upper). Values for integer parameters come back as `int`; values outside a
parameter's documented range (possible with the normal forms) are clipped to it.
"""

from __future__ import annotations

import math
import random
from typing import Any

from engine.spec import TrainingParameters
from engine.spec.expressions import (
    Choice,
    LogNormal,
    LogUniform,
    Normal,
    QLogNormal,
    QLogUniform,
    QNormal,
    QUniform,
    RandInt,
    Uniform,
)
from engine.spec.schema_walk import is_integer_field, range_bounds
from engine.spec.search_space import Fixed


def draw(expression: Any, rng: random.Random) -> Any:
    """A raw draw from `expression` (before the parameter's type and range are applied)."""
    if isinstance(expression, Fixed):
        return expression.value
    if isinstance(expression, Choice):
        return rng.choice(expression.values)
    if isinstance(expression, RandInt):
        return rng.randrange(expression.upper)
    if isinstance(expression, Uniform):
        return rng.uniform(expression.min_value, expression.max_value)
    if isinstance(expression, LogUniform):
        return math.exp(rng.uniform(expression.min_value, expression.max_value))
    if isinstance(expression, Normal):
        return rng.gauss(expression.mu, expression.sigma)
    if isinstance(expression, LogNormal):
        return math.exp(rng.gauss(expression.mu, expression.sigma))
    if isinstance(expression, QUniform):
        return quantize(rng.uniform(expression.min_value, expression.max_value), expression.q)
    if isinstance(expression, QLogUniform):
        return quantize(math.exp(rng.uniform(expression.min_value, expression.max_value)), expression.q)
    if isinstance(expression, QNormal):
        return quantize(rng.gauss(expression.mu, expression.sigma), expression.q)
    if isinstance(expression, QLogNormal):
        return quantize(math.exp(rng.gauss(expression.mu, expression.sigma)), expression.q)
    raise TypeError(f"not a parameter expression: {expression!r}")


def quantize(value: float, q: float) -> float:
    return round(value / q) * q


def fit_to_parameter(key: str, value: Any) -> Any:
    """Cast a drawn value to the parameter's type and clip it into its documented range."""
    info = TrainingParameters.model_fields[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    low, high = range_bounds(info)
    if low is not None:
        value = max(value, low)
    if high is not None:
        value = min(value, high)
    if is_integer_field(info):
        return int(round(value))
    return float(value)


def fit_params(params: dict[str, Any]) -> dict[str, Any]:
    """`fit_to_parameter` over a whole proposal."""
    return {key: fit_to_parameter(key, value) for key, value in params.items()}
