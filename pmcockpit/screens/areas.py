"""The areas of the cockpit: one app mode each, one key away, one palette command each.

The app builds its modes, its number keys and its "Go:" commands from ``AREAS``,
so a new area (Audit, Connections, ...) is its screen module plus one line here.
A screen's module is imported when the area is first shown, not at start.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pmcockpit.core.i18n import _
from pmcockpit.widgets.area_tabs import Tab

if TYPE_CHECKING:
    from pmcockpit.screens.base import AreaScreen


@dataclass(frozen=True, slots=True)
class Area:
    mode: str
    """The app mode, also the end of the key binding's id ("app.<mode>")."""
    key: str
    title: str
    """Shown in the footer, the header and the palette ("Go: <title>")."""
    purpose: str
    """One line on what the area is for: the palette's help and the key's tooltip."""
    screen_class: str
    """``module:Class`` of its screen, imported when the area is first shown."""
    short: str = ""
    """The name on a narrow tab line ("Perms"); the title when empty."""

    @property
    def screen(self) -> type[AreaScreen]:
        module, _sep, name = self.screen_class.partition(":")
        screen: type[AreaScreen] = getattr(importlib.import_module(module), name)
        return screen

    @property
    def tab(self) -> Tab:
        return Tab(self.mode, self.key, self.title, self.short or self.title)

    @property
    def binding_id(self) -> str:
        return f"app.{self.mode}"


# Translated at import, like the key bindings built from them: the language is to be
# chosen before the cockpit's modules are imported (see pmcockpit.core.i18n).
AREAS: tuple[Area, ...] = (
    Area("home", "1", _("Home"), _("What needs you today"),
         "pmcockpit.screens.home:HomeScreen"),
    Area("checklist", "2", _("Checklist"), _("The daily, weekly and monthly routine"),
         "pmcockpit.screens.checklist:ChecklistScreen",
         _("Check")),
    Area("permissions", "3", _("Permissions"), _("Accounts and rights to review"),
         "pmcockpit.screens.permissions:PermissionsScreen",
         _("Perms")),
    Area("queue", "4", _("Queue"), _("Support tickets and their service level"),
         "pmcockpit.screens.queue:QueueScreen"),
    Area("rollout", "5", _("Rollout"), _("Rollouts, phases and milestones"),
         "pmcockpit.screens.rollout:RolloutScreen",
         _("Roll")),
    Area("connections", "6", _("Connections"), _("Each tool's sync, health, token"),
         "pmcockpit.screens.connections:ConnectionsScreen",
         _("Tools")),
    Area("audit", "7", _("Audit"), _("Every action taken in a tool; verify, undo"),
         "pmcockpit.screens.audit:AuditScreen"),
)

HOME = AREAS[0].mode


def area_of(screen: type[object]) -> Area | None:
    """The area whose screen is ``screen`` (None for a dialog or a test's screen)."""
    name = f"{screen.__module__}:{screen.__name__}"
    return next((area for area in AREAS if area.screen_class == name), None)
