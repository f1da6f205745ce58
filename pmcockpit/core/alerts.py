"""Alerts: a problem worth a message to the team's chat, and how one reads.

An :class:`Alert` names one problem (``key``: the same problem keeps its key) in one
``state``: a new state, or the first sight of the key, is news; the same state again
is a repeat, sent again only once the reminder interval has passed. Each alert says
what is wrong, where, since when, and the command or key that deals with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from pmcockpit.core.i18n import _, format_moment, ngettext

NOTIFIER_KINDS = ("feishu", "dingtalk", "slack", "webhook", "email")
"""Where alerts can go."""
NOTIFIER_OPTIONS = ("kind", "to", "smtp_host", "smtp_port", "sender", "username")
"""What a notifier declared in the config file (``[alerts.NAME]``) may say: no secret."""
RESOLVED = "resolved"
"""The state recorded when a problem is gone: its next sighting is news again."""


@dataclass(frozen=True, slots=True)
class Alert:
    key: str
    """The problem, stable while it lasts: ``checklist:daily-inspection``, ``tool:rm``."""
    state: str
    """What about it: a change (another check failing, down -> token refused) is news."""
    what: str
    where: str
    since: datetime
    """Naive UTC: when the problem was first seen."""
    fix: str
    """The command or key that deals with it."""


def is_due(alert: Alert, last_state: str | None, last_sent: datetime | None, now: datetime,
           reminder: timedelta) -> bool:
    """Whether ``alert`` goes out, given what was last sent about its problem."""
    if last_state is None or last_sent is None or last_state != alert.state:
        return True
    return now - last_sent >= reminder


def alert_text(alert: Alert) -> str:
    """The lines of one alert: what, where, since when, what to do."""
    return "\n".join((
        alert.what,
        _("Where: {where}").format(where=alert.where),
        _("Since: {since}").format(since=format_moment(alert.since)),
        _("What to do: {fix}").format(fix=alert.fix),
    ))


def message_title(alerts: Sequence[Alert]) -> str:
    if len(alerts) == 1:
        return _("pmcockpit: {what}").format(what=alerts[0].what)
    return ngettext("pmcockpit: {count} problem", "pmcockpit: {count} problems",
                    len(alerts)).format(count=len(alerts))


def message_body(alerts: Sequence[Alert]) -> str:
    """Every alert of one message, a blank line between them."""
    return "\n\n".join(alert_text(alert) for alert in alerts)
