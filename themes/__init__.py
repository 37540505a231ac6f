"""The studio's themes: Textual `Theme` objects read from the `.toml` files beside this module.

A theme file holds `Theme`'s fields (`primary`, `background`, ...) and a `[variables]`
table; the `yaml-*` variables colour the editor's syntax highlighting, so a theme changes
the code as well as the chrome. Adding a theme is adding a file.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path

from textual.color import Color
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


def studio_variable_defaults(theme: Theme) -> dict[str, str]:
    """The studio's own variables for a theme that does not set them (Textual's built-in ones).

    Solid colours, not `$text-muted`-style alphas: rich styles taken from component
    classes cannot blend an alpha against the background.
    """
    system = theme.to_color_system().generate()
    muted = Color.parse(system["background"]).blend(Color.parse(system["foreground"]), 0.6).hex
    return {
        "studio-muted": muted,
        "yaml-key": system["primary"],
        "yaml-string": system["success"],
        "yaml-number": system["warning"],
        "yaml-boolean": system["secondary"],
        "yaml-comment": muted,
        "yaml-punctuation": muted,
    }


__all__ = ["DEFAULT_THEME", "load_theme", "studio_themes", "studio_variable_defaults"]
