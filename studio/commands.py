"""The command palette's studio commands: every registry action, and each theme."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from .actions import ACTIONS, StudioAction


class StudioCommands(Provider):
    def _commands(self) -> list[tuple[str, str, object]]:
        commands: list[tuple[str, str, object]] = []
        screen_scope = getattr(self.screen, "ACTION_SCOPE", None)
        for action in ACTIONS:
            if action.scope in ("app", screen_scope) and action.action != "command_palette":
                help_text = f"{action.key_display}  ({action.id})"
                commands.append((action.description, help_text, partial(self._run, action)))
        for name in self.app.studio_theme_names:
            commands.append((f"Theme: {name}", "switch the studio theme (remembered)", partial(self._set_theme, name)))
        return commands

    async def _run(self, action: StudioAction) -> None:
        namespace = self.app if action.scope == "app" else self.screen
        await self.app.run_action(action.action, namespace)

    def _set_theme(self, name: str) -> None:
        self.app.theme = name

    async def discover(self) -> Hits:
        for name, help_text, callback in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
