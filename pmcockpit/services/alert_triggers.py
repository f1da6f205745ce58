"""What raises an alert: a failed checklist run, and the sweep of standing problems.

:func:`after_run` is called when an automated checklist run ends (headless
``checklist run --auto`` from cron, or the cockpit): a failed run is one alert, a
passing run closes it. :func:`sweep` (``pmcockpit alert check``, for cron) looks at
what the database knows: a tool down or refusing its token at its last health check,
a departed employee's account still active after the last sync, a ticket past its
first-response service level, an outbox item stuck. Each problem is one alert with
what, where, since when and the command or key that deals with it. :func:`after_sync`
runs the same sweep after every sync (the cockpit's and ``pmcockpit sync``), so the
standing problems reach the team without cron.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from pmcockpit.core.alerts import Alert
from pmcockpit.core.checklist import CheckStatus
from pmcockpit.core.clock import utcnow
from pmcockpit.core.i18n import _, ngettext
from pmcockpit.core.review import Roster, place
from pmcockpit.core.sla import SlaState
from pmcockpit.services import alerts
from pmcockpit.services.workspace import Workspace
from pmcockpit.storage import connections, reviews, roster
from pmcockpit.storage.models import Connection, HealthCheck, OutboxItem
from pmcockpit.storage.queries.queue import most_overdue

if TYPE_CHECKING:
    from collections.abc import Sequence

    from pmcockpit.services.checklist import AutomatedReport
    from pmcockpit.services.sync import SyncReport

STUCK_AFTER = timedelta(hours=1)
"""An outbox item waiting longer than this is stuck."""
FAMILIES = ("tool:", "departed:", "sla:", "outbox:")


def checklist_alert(report: AutomatedReport, now: datetime) -> Alert:
    detail = report.detail
    failed = [o for o in report.outcomes if o.result is not None
              and o.result.status in (CheckStatus.FAIL, CheckStatus.ERROR)]
    steps = "; ".join(f"{o.title}: {o.result.value}" for o in failed if o.result)
    key = detail.run.template_key
    return Alert(
        key=f"checklist:{key}",
        state=f"{detail.run.period.key}|" + "|".join(
            f"{o.step_id}={o.result.value}" for o in failed if o.result),
        what=ngettext("{name}: {count} check failed", "{name}: {count} checks failed",
                      len(failed)).format(name=detail.name, count=len(failed)),
        where=_("checklist {key}, period {period}: {steps}").format(
            key=key, period=detail.run.period.key, steps=steps),
        since=now,
        fix=_("open the cockpit's Checklist area (key 2) and read each step's evidence, or "
              "`pmcockpit checklist run {key} --auto` once fixed").format(key=key))


async def after_run(workspace: Workspace, report: AutomatedReport,
                    now: datetime | None = None) -> list[alerts.Delivery]:
    """Alert on a failed run; a passing run closes the checklist's problem. Never raises
    for a receiver: what happened is in the deliveries."""
    now = now or utcnow()
    key = f"checklist:{report.detail.run.template_key}"
    if not report.failed:
        await asyncio.to_thread(alerts.resolve, workspace, key, set(), now)
        return []
    return await alerts.dispatch(workspace, [checklist_alert(report, now)], now=now)


def _tool_alerts(workspace: Workspace) -> list[Alert]:
    found = []
    with workspace.db.session() as session:
        for name, check in connections.latest_health(session).items():
            if check.reachable and check.authenticated:
                continue
            down = not check.reachable
            since = _failing_since(session, check)
            found.append(Alert(
                key=f"tool:{name}", state="down" if down else "token",
                what=(_("{name} is down") if down else _("{name} refuses pmcockpit's token"))
                .format(name=name),
                where=_("connection {name}: {error}").format(name=name,
                                                            error=check.error or "-"),
                since=since,
                fix=(_("`pmcockpit connect test {name}`; the Connections area (key 6)")
                     if down else _("store a new token: `pmcockpit connect add {name} ... "
                                    "--token-stdin`")).format(name=name)))
    return found


def _failing_since(session: Session, check: HealthCheck) -> datetime:
    """The first check of the current failing streak."""
    last_ok = session.scalar(
        select(HealthCheck.id).where(HealthCheck.connection_id == check.connection_id,
                                     HealthCheck.reachable.is_(True),
                                     HealthCheck.authenticated.is_(True))
        .order_by(HealthCheck.id.desc()).limit(1)) or 0
    first = session.scalar(
        select(HealthCheck.checked_at).where(HealthCheck.connection_id == check.connection_id,
                                             HealthCheck.id > last_ok)
        .order_by(HealthCheck.id).limit(1))
    return first or check.checked_at


def _departed_alerts(workspace: Workspace) -> list[Alert]:
    with workspace.db.session() as session:
        staff = Roster(roster.staff(session))
        if not staff:
            return []
        links, accounts = reviews.links(session), reviews.inventory(session)
        synced = {c.name: c.last_sync_at for c in session.scalars(select(Connection))}
    found = []
    for account in accounts:
        _person, entry = place(account, staff, links)
        if entry is None or not entry.has_left or account.status != "active":
            continue
        left = entry.left_on
        since = datetime(left.year, left.month, left.day) if left else utcnow()
        found.append(Alert(
            key=f"departed:{account.connection}:{account.login}", state="active",
            what=_("{name} has left but can still sign in to {connection}").format(
                name=entry.name or account.login, connection=account.connection),
            where=_("account {login} in {connection} (last sync {sync})").format(
                login=account.login, connection=account.connection,
                sync=synced.get(account.connection) or "-"),
            since=since,
            fix=_("`pmcockpit sweep {login}` locks every account of the person").format(
                login=account.login)))
    return found


def _sla_alerts(workspace: Workspace, now: datetime) -> list[Alert]:
    with workspace.db.session() as session:
        rows = most_overdue(session, now, sla_hours=workspace.settings.sla_hours, limit=50)
    return [Alert(
        key=f"sla:{row.key}", state="breached",
        what=_("{key} waits for a first response past its service level").format(key=row.key),
        where=_("{connection}: {subject} ({priority})").format(
            connection=row.connection, subject=row.subject, priority=row.priority),
        since=row.sla.due_at or row.created_at,
        fix=_("the Queue area (key 4), or `pmcockpit ticket show {key}`").format(key=row.key))
        for row in rows if row.sla.state is SlaState.BREACHED]


def _outbox_alerts(workspace: Workspace, now: datetime) -> list[Alert]:
    with workspace.db.session() as session:
        items = session.scalars(select(OutboxItem).where(
            OutboxItem.state.in_(("pending", "sending", "doubt")),
            OutboxItem.created_at < now - STUCK_AFTER)).all()
        found = [Alert(
            key=f"outbox:{item.id}", state=item.state,
            what=_("A change to {ticket} has waited in the outbox").format(
                ticket=item.ticket_key),
            where=_("outbox item {id} for {connection}: {state}, {attempts} tries").format(
                id=item.id, connection=item.connection_name, state=item.state,
                attempts=item.attempts),
            since=item.created_at,
            fix=_("`pmcockpit outbox send`, or `pmcockpit outbox list`"))
            for item in items]
    return found


def collect(workspace: Workspace, now: datetime | None = None) -> list[Alert]:
    """Every standing problem the database shows now."""
    now = now or utcnow()
    return [*_tool_alerts(workspace), *_departed_alerts(workspace),
            *_sla_alerts(workspace, now), *_outbox_alerts(workspace, now)]


async def sweep(workspace: Workspace, now: datetime | None = None) -> list[alerts.Delivery]:
    """Send what is news among the standing problems; close the ones gone."""
    now = now or utcnow()
    found = await asyncio.to_thread(collect, workspace, now)
    present = {alert.key for alert in found}
    for family in FAMILIES:
        await asyncio.to_thread(alerts.resolve, workspace, family, present, now)
    return await alerts.dispatch(workspace, found, now=now)


async def after_sync(workspace: Workspace, reports: Sequence[SyncReport],
                     now: datetime | None = None) -> list[alerts.Delivery]:
    """After a sync, when a notifier is set up: the synced tools' health measured (a failed
    sync says down or token refused, a good one clears it), then :func:`sweep`."""
    from pmcockpit.services.health import check_health

    if not reports or not await asyncio.to_thread(alerts.list_notifiers, workspace):
        return []
    await asyncio.gather(*(check_health(workspace, r.connection) for r in reports))
    return await sweep(workspace, now)
