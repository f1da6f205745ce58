"""Palette commands of the whole app: "Go: <area>" and "Help: Keys"."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from pmcockpit.core.i18n import _
from pmcockpit.screens.areas import AREAS


class GoCommands(Provider):
    """Navigation: one "Go: <area>" command per area."""

    def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        return [
            (_("Go: {area}").format(area=area.title),
             _("{purpose} (key {key})").format(purpose=area.purpose, key=area.key),
             partial(self.app.run_action, f"go({area.mode!r})"))
            for area in AREAS
        ]

    async def discover(self) -> Hits:
        for title, help_text, run in self._commands():
            yield DiscoveryHit(title, run, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, run in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), run, text=title, help=help_text)


class HelpCommands(Provider):
    """Help: the keys of the screen the palette was opened on."""

    TITLE = _("Help: Keys")
    HELP = _("Every key of this screen, with what it does (key ?)")

    async def discover(self) -> Hits:
        yield DiscoveryHit(self.TITLE, partial(self.app.run_action, "help"), help=self.HELP)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        score = matcher.match(self.TITLE)
        if score > 0:
            yield Hit(score, matcher.highlight(self.TITLE),
                      partial(self.app.run_action, "help"), text=self.TITLE, help=self.HELP)
