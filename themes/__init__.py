"""The studio's themes: Textual `Theme` objects read from the `.toml` files beside this module.

A theme file holds `Theme`'s fields (`primary`, `background`, ...) and a `[variables]`
table; the `yaml-*` variables colour the editor's syntax highlighting, so a theme changes
the code as well as the chrome. Adding a theme is adding a file.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path

from textual.theme import Theme

DEFAULT_THEME = "studio-dark"
_THEME_FOLDER = Path(__file__).parent


def load_theme(path: Path) -> Theme:
    """One theme file as a `Theme`; the file name does not matter, its `name` does."""
    with open(path, "rb") as handle:
        fields = tomllib.load(handle)
    return Theme(**fields)


@lru_cache(maxsize=1)
def studio_themes() -> dict[str, Theme]:
    """Every shipped theme by name, the default first."""
    themes = {theme.name: theme for theme in map(load_theme, sorted(_THEME_FOLDER.glob("*.toml")))}
    return {DEFAULT_THEME: themes.pop(DEFAULT_THEME), **themes}


__all__ = ["DEFAULT_THEME", "load_theme", "studio_themes"]
