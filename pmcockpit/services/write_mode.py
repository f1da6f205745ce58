"""Write mode armed for a while in a read-only installation, each arming in the audit log.

``w`` in the cockpit and ``pmcockpit --write-for 30m --reason …`` arm it; it drops back
to read-only by itself when the time is up (:attr:`Workspace.read_only` compares the
clock). Arming is a local event: an entry chained like every action, which no tool saw
and nothing can undo.
"""

from __future__ import annotations

import re
from datetime import timedelta

from pmcockpit.core.clock import utcnow
from pmcockpit.core.i18n import _
from pmcockpit.services import audit_log
from pmcockpit.services.workspace import Workspace
from pmcockpit.storage import audit

LOCAL = "local"
"""The status of an event of pmcockpit itself, not an action in a tool."""
ARM = "write-mode"
DISARM = "read-only"
MAX = timedelta(hours=12)
"""Longest write mode one arming gives: a session left open overnight drops back."""

_UNITS = {"s": 1, "m": 60, "h": 3600}
_DURATION = re.compile(r"\s*(\d+)\s*([smh]?)\s*", re.IGNORECASE)


class WriteModeError(ValueError):
    """A duration or reason that cannot arm write mode; the message says why."""


def parse_duration(text: str) -> timedelta:
    """``30m``, ``1h``, ``90s`` or minutes alone (``30``), up to :data:`MAX`."""
    match = _DURATION.fullmatch(text)
    if match is None or int(match.group(1)) <= 0:
        raise WriteModeError(_("{text!r} is no duration: write it as 30m, 2h or 90s").format(
            text=text))
    amount = int(match.group(1)) * _UNITS[(match.group(2) or "m").lower()]
    if amount > MAX.total_seconds():
        raise WriteModeError(_("at most {hours} hours of write mode at once").format(
            hours=int(MAX.total_seconds() // 3600)))
    return timedelta(seconds=amount)


def time_left(workspace: Workspace) -> timedelta | None:
    """How long write mode stays armed; None when it is not armed (or not needed)."""
    if not workspace.settings.read_only or workspace.write_until is None:
        return None
    left = workspace.write_until - utcnow()
    return left if left > timedelta(0) else None


def _record(workspace: Workspace, event: str, reason: str, detail: dict[str, str]) -> int:
    record = audit.AuditRecord(
        operator=workspace.settings.operator, connection_name="", action=event,
        target="pmcockpit", status=LOCAL, detail=detail, reason=reason)
    return audit_log.append(workspace, record, audit_log.key_for(workspace))


def arm(workspace: Workspace, duration: timedelta, reason: str) -> int:
    """Arm write mode for ``duration``; the audit entry's id. Blocking (disk, keyring)."""
    reason = reason.strip()
    if not reason:
        raise WriteModeError(_("give a reason: the audit log keeps why write mode was armed"))
    if not workspace.settings.read_only:
        raise WriteModeError(_("write mode is always on here; set read_only = true in the "
                               "config to make read-only the default"))
    until = utcnow() + duration
    entry = _record(workspace, ARM, reason, {"until": until.isoformat(timespec="seconds"),
                                             "minutes": str(int(duration.total_seconds() // 60))})
    workspace.write_until = until
    return entry


def disarm(workspace: Workspace) -> int:
    """Back to read-only before the time is up, recorded too."""
    workspace.write_until = None
    return _record(workspace, DISARM, _("write mode ended early"), {})
