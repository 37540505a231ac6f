"""Parameter expressions of a `search_space`, in Azure's dict form.

`{type: uniform, min_value: 0.005, max_value: 0.05}` and friends. The legacy string form
(`"uniform(0.005, 0.05)"`) is turned into this form by `parse_legacy_expression`.
Semantics follow Azure ML's sweep documentation: `randint(upper)` draws from [0, upper);
`loguniform(min_value, max_value)` is `exp(uniform(min_value, max_value))`, so its bounds
are natural logarithms; the `q*` forms round to a multiple of `q`.
"""

from __future__ import annotations

import ast
import math
import re
from typing import Annotated, Any, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field

from .types import Float, PositiveInt


class _Expression(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    def is_integer_valued(self) -> bool:
        """Whether every value this expression can produce is a whole number."""
        return False

    def bounds(self) -> Optional[tuple[float, float]]:
        """The closed range of values it can produce, or None when it is unbounded."""
        return None


class Choice(_Expression):
    """Choose one of a list of values."""

    type: Literal["choice"] = Field(description="Choose one of `values`.")
    values: list[Any] = Field(min_length=1, description="The values to choose from (non-empty).")

    def is_integer_valued(self) -> bool:
        return all(isinstance(v, int) and not isinstance(v, bool) for v in self.values)


class RandInt(_Expression):
    """A random integer in [0, upper)."""

    type: Literal["randint"] = Field(description="A random integer in [0, upper).")
    upper: PositiveInt = Field(description="Exclusive upper bound.")

    def is_integer_valued(self) -> bool:
        return True

    def bounds(self) -> tuple[float, float]:
        return (0, self.upper - 1)


class _Ranged(_Expression):
    min_value: Float = Field(description="Lower bound.")
    max_value: Float = Field(description="Upper bound.")


class Uniform(_Ranged):
    """A value uniformly distributed between min_value and max_value."""

    type: Literal["uniform"] = Field(description="Uniform between min_value and max_value.")

    def bounds(self) -> tuple[float, float]:
        return (self.min_value, self.max_value)


def _exp(value: float) -> float:
    """math.exp without OverflowError: a bound past the float range is infinite."""
    try:
        return math.exp(value)
    except OverflowError:
        return math.inf


class LogUniform(_Ranged):
    """exp(uniform(min_value, max_value)): the bounds are natural logarithms."""

    type: Literal["loguniform"] = Field(description="exp(uniform(min_value, max_value)).")

    def bounds(self) -> tuple[float, float]:
        return (_exp(self.min_value), _exp(self.max_value))


class _Quantized(_Expression):
    q: Float = Field(gt=0, description="Quantization step: values are round(x / q) * q.")

    def is_integer_valued(self) -> bool:
        return float(self.q).is_integer()


class QUniform(_Quantized, _Ranged):
    """round(uniform(min_value, max_value) / q) * q."""

    type: Literal["quniform"] = Field(description="round(uniform(min_value, max_value) / q) * q.")

    def bounds(self) -> tuple[float, float]:
        return (self.min_value, self.max_value)


class QLogUniform(_Quantized, _Ranged):
    """round(exp(uniform(min_value, max_value)) / q) * q."""

    type: Literal["qloguniform"] = Field(description="round(exp(uniform(min_value, max_value)) / q) * q.")

    def bounds(self) -> tuple[float, float]:
        return (_exp(self.min_value), _exp(self.max_value))


class _Gaussian(_Expression):
    mu: Float = Field(description="Mean of the normal distribution.")
    sigma: Float = Field(gt=0, description="Standard deviation of the normal distribution.")


class Normal(_Gaussian):
    """A normally distributed value."""

    type: Literal["normal"] = Field(description="normal(mu, sigma).")


class LogNormal(_Gaussian):
    """exp(normal(mu, sigma))."""

    type: Literal["lognormal"] = Field(description="exp(normal(mu, sigma)).")


class QNormal(_Quantized, _Gaussian):
    """round(normal(mu, sigma) / q) * q."""

    type: Literal["qnormal"] = Field(description="round(normal(mu, sigma) / q) * q.")


class QLogNormal(_Quantized, _Gaussian):
    """round(exp(normal(mu, sigma)) / q) * q."""

    type: Literal["qlognormal"] = Field(description="round(exp(normal(mu, sigma)) / q) * q.")


ParameterExpression = Annotated[
    Union[Choice, RandInt, Uniform, LogUniform, QUniform, QLogUniform, Normal, LogNormal, QNormal, QLogNormal],
    Field(discriminator="type"),
]

EXPRESSION_TYPES: dict[str, type[_Expression]] = {
    cls.model_fields["type"].annotation.__args__[0]: cls  # type: ignore[union-attr]
    for cls in (Choice, RandInt, Uniform, LogUniform, QUniform, QLogUniform, Normal, LogNormal, QNormal, QLogNormal)
}

# Positional argument names of the legacy call form, per function.
_LEGACY_ARGUMENTS = {
    "randint": ("upper",),
    "uniform": ("min_value", "max_value"),
    "loguniform": ("min_value", "max_value"),
    "normal": ("mu", "sigma"),
    "lognormal": ("mu", "sigma"),
    "quniform": ("min_value", "max_value", "q"),
    "qloguniform": ("min_value", "max_value", "q"),
    "qnormal": ("mu", "sigma", "q"),
    "qlognormal": ("mu", "sigma", "q"),
}
_LEGACY_CALL = re.compile(r"^\s*([a-z]+)\s*\((.*)\)\s*$", re.DOTALL)


def parse_legacy_expression(text: str) -> Optional[dict[str, Any]]:
    """`"uniform(0.005, 0.05)"` -> `{"type": "uniform", "min_value": 0.005, "max_value": 0.05}`.

    Returns None when the text is not a call of a known expression function, so that a
    plain string value (say a model name) is left alone. Arguments are read with
    `ast.literal_eval`: literals only, nothing is executed.
    """
    match = _LEGACY_CALL.match(text)
    if not match or match.group(1) not in ("choice", *_LEGACY_ARGUMENTS):
        return None
    function, arguments = match.group(1), match.group(2).strip()
    try:
        parsed = ast.literal_eval(f"({arguments},)") if arguments else ()
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None
    if function == "choice":
        # choice(1, 2, 3) and choice([1, 2, 3]) are both seen in the wild.
        values = list(parsed[0]) if len(parsed) == 1 and isinstance(parsed[0], (list, tuple)) else list(parsed)
        return {"type": "choice", "values": values}
    names = _LEGACY_ARGUMENTS[function]
    if len(parsed) != len(names):
        return None
    return {"type": function, **dict(zip(names, parsed))}
