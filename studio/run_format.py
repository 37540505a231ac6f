"""How run values read on screen: parameters, metrics, durations."""

from __future__ import annotations

from typing import Any, Optional


def format_value(value: Any) -> str:
    """A parameter or metric value, short: floats to 4 significant digits."""
    if isinstance(value, float):
        return f"{value:.4g}"
    if value is None:
        return "-"
    return str(value)


def format_metric(value: Optional[float]) -> str:
    return "-" if value is None else f"{value:.4f}"


def format_duration(seconds: Optional[float]) -> str:
    """`1:02:03`, or `02:03` under an hour; `-` when unknown."""
    if seconds is None:
        return "-"
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


SPARK_BLOCKS = "▁▂▃▄▅▆▇█"


def sparkline(values: list[float], width: int) -> str:
    """The last `width` values as block characters, scaled between their min and max."""
    values = values[-width:]
    if not values:
        return ""
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    return "".join(SPARK_BLOCKS[min(len(SPARK_BLOCKS) - 1, int((v - low) / span * len(SPARK_BLOCKS)))] for v in values)
