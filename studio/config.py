"""The user's studio settings: `config.toml` in the platform's user config folder.

Machine-specific choices (the theme now; devices and run folders later) live here, never
in the job file (DESIGN.md section 1). `AUTOML_STUDIO_CONFIG_DIR` moves the folder, which
is how tests keep away from the real one. Keys this version does not know are kept on
save, so an older studio never erases a newer one's settings.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Optional

from platformdirs import user_config_dir
from pydantic import BaseModel, ConfigDict, ValidationError

from engine.spec import save_text_atomic

CONFIG_DIR_ENV = "AUTOML_STUDIO_CONFIG_DIR"
CONFIG_FILE = "config.toml"


class StudioSettings(BaseModel):
    """Settings read from `config.toml`; unknown keys pass through untouched."""

    model_config = ConfigDict(extra="allow")

    theme: Optional[str] = None
    """The studio theme last chosen (with `--theme` or from the command palette)."""


def config_path() -> Path:
    folder = os.environ.get(CONFIG_DIR_ENV) or user_config_dir("automl-studio", appauthor=False)
    return Path(folder) / CONFIG_FILE


def load_settings(path: Optional[Path] = None) -> StudioSettings:
    """The saved settings; a missing or unreadable file gives the defaults (never an error)."""
    path = path or config_path()
    try:
        with open(path, "rb") as handle:
            return StudioSettings.model_validate(tomllib.load(handle))
    except (OSError, tomllib.TOMLDecodeError, ValidationError):
        return StudioSettings()


def save_settings(settings: StudioSettings, path: Optional[Path] = None) -> None:
    path = path or config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    save_text_atomic(path, to_toml(settings.model_dump(exclude_none=True)))


def remember_theme(name: str) -> None:
    settings = load_settings()
    if settings.theme != name:
        settings.theme = name
        save_settings(settings)


def to_toml(values: dict[str, Any]) -> str:
    """A small TOML writer: scalars and lists of scalars at the top, then one level of tables."""
    lines = [f"{_key(key)} = {_value(value)}" for key, value in values.items() if not isinstance(value, dict)]
    for key, table in values.items():
        if isinstance(table, dict):
            lines += ["", f"[{_key(key)}]"]
            lines += [f"{_key(k)} = {_value(v)}" for k, v in table.items() if not isinstance(v, dict)]
    return "\n".join(lines) + "\n"


def _key(key: str) -> str:
    return key if key.replace("_", "").replace("-", "").isalnum() else _string(key)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_value(item) for item in value) + "]"
    return _string(str(value))


def _string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{escaped}"'
