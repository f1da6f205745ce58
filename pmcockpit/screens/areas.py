"""The areas of the cockpit: one app mode each, one key away, one palette command each.

The app builds its modes, its number keys and its "Go:" commands from ``AREAS``,
so a new area (Audit, Connections, ...) is its screen module plus one line here.
"""

from __future__ import annotations

from dataclasses import dataclass

from pmcockpit.core.i18n import _
from pmcockpit.screens.audit import AuditScreen
from pmcockpit.screens.base import AreaScreen
from pmcockpit.screens.checklist import ChecklistScreen
from pmcockpit.screens.connections import ConnectionsScreen
from pmcockpit.screens.home import HomeScreen
from pmcockpit.screens.permissions import PermissionsScreen
from pmcockpit.screens.queue import QueueScreen
from pmcockpit.screens.rollout import RolloutScreen


@dataclass(frozen=True, slots=True)
class Area:
    mode: str
    """The app mode, also the end of the key binding's id ("app.<mode>")."""
    key: str
    title: str
    """Shown in the footer, the header and the palette ("Go: <title>")."""
    purpose: str
    """One line on what the area is for: the palette's help and the key's tooltip."""
    screen: type[AreaScreen]

    @property
    def binding_id(self) -> str:
        return f"app.{self.mode}"


# Translated at import, like the key bindings built from them: the language is to be
# chosen before the cockpit's modules are imported (see pmcockpit.core.i18n).
AREAS: tuple[Area, ...] = (
    Area("home", "1", _("Home"), _("What needs you today"), HomeScreen),
    Area("checklist", "2", _("Checklist"), _("The daily, weekly and monthly routine"),
         ChecklistScreen),
    Area("permissions", "3", _("Permissions"), _("Accounts and rights to review"),
         PermissionsScreen),
    Area("queue", "4", _("Queue"), _("Support tickets and their service level"), QueueScreen),
    Area("rollout", "5", _("Rollout"), _("Rollouts, phases and milestones"), RolloutScreen),
    Area("connections", "6", _("Connections"), _("Each tool's sync, health, token"),
         ConnectionsScreen),
    Area("audit", "7", _("Audit"), _("Every action taken in a tool; verify, undo"),
         AuditScreen),
)

HOME = AREAS[0].mode
