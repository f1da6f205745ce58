"""The cockpit's sync of the tools: one at a time, its progress in the header, its
outcome as notifications; the visible area reads again after it.

A base of :class:`pmcockpit.app.CockpitApp`, apart so each module does one thing.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import App

from pmcockpit.core.i18n import N_, _, ngettext
from pmcockpit.messages import SyncFinished, SyncProgressed, SyncRequested
from pmcockpit.screens.base import LiveAreaScreen

if TYPE_CHECKING:
    from pmcockpit.services.alerts import Delivery as AlertDelivery
    from pmcockpit.services.outbox import Delivered
    from pmcockpit.services.sync import SyncReport
    from pmcockpit.services.workspace import Workspace

SYNC_GROUP = "sync"
TITLE = "pmcockpit"
DEMO_SHORT_TITLE = _("pmcockpit DEMO")
"""The demo's title while a sync's progress shares the header."""


class SyncingApp(App[None]):
    """Syncs the workspace's tools; the subclass opens the workspace and names the title."""

    workspace: Workspace

    @property
    def ready(self) -> bool:
        raise NotImplementedError

    def _restore_title(self) -> None:
        raise NotImplementedError

    def sync_running(self) -> bool:
        return any(w.group == SYNC_GROUP and not w.is_finished for w in self.workers)

    def _tell_outbox(self, done: list[Delivered]) -> None:
        """What the outbox sent once its tools answered again (nothing said when empty)."""
        from pmcockpit.services.outbox import Delivery

        sent = sum(1 for d in done if d.delivery is Delivery.SENT)
        if sent:
            self.notify(ngettext("Outbox: {count} waiting change sent.",
                                 "Outbox: {count} waiting changes sent.", sent).format(
                count=sent))

    # --- sync -----------------------------------------------------------------------------

    def _tell_alerts(self, deliveries: list[AlertDelivery]) -> None:
        """Alerts the sync raised: a line when sent, an error when a receiver failed."""
        for d in deliveries:
            self.notify(_("Alert sent to {notifier}").format(notifier=d.notifier) if d.ok else
                        _("Alert NOT sent to {notifier}: {error}").format(
                            notifier=d.notifier, error=d.error),
                        severity="information" if d.ok else "error", markup=False)

    def action_sync_all(self) -> None:
        self.start_sync(None)

    @on(SyncRequested)
    def sync_requested(self, message: SyncRequested) -> None:
        self.start_sync(message.names)

    def start_sync(self, names: list[str] | None) -> None:
        """Sync ``names`` (all when None), one sync at a time."""
        if not self.ready:
            return
        if self.sync_running():
            self.notify(_("A sync is already running: its progress is in the header."),
                        severity="warning")
            return
        self.sync_tools(names)

    @work(exit_on_error=False, group=SYNC_GROUP, description=N_("Syncing the tools"))
    async def sync_tools(self, names: list[str] | None) -> None:
        # Async: the connectors are; sync_all does its database work in threads.
        from pmcockpit.services.sync import connection_names, sync_all

        if names is None:
            names = await asyncio.to_thread(connection_names, self.workspace)
        positions = {name: place for place, name in enumerate(names, 1)}

        def progress(name: str, what: str) -> None:
            self.post_message(SyncProgressed(name, what, positions.get(name, 0), len(names)))

        if names:
            progress(names[0], _("connecting"))
        reports = await sync_all(self.workspace, names, progress=progress)
        synced = [r.connection for r in reports if r.ok]
        if synced:
            from pmcockpit.services.queue import after_sync

            self._tell_outbox(await after_sync(self.workspace, synced))
        self.post_message(SyncFinished(reports))
        from pmcockpit.services.alert_triggers import after_sync as alert_after_sync

        self._tell_alerts(await alert_after_sync(self.workspace, reports))

    @on(SyncProgressed)
    def show_sync_progress(self, message: SyncProgressed) -> None:
        short = DEMO_SHORT_TITLE if self.workspace.demo else TITLE
        self.title = _("{title} · syncing {connection} {position}/{total}: {step}…").format(
            title=short, connection=message.connection, position=message.position,
            total=message.total, step=message.what)

    @on(SyncFinished)
    def sync_finished(self, message: SyncFinished) -> None:
        self._restore_title()
        self._tell_sync_outcome(message.reports)
        # Only the visible area reloads now; the others read again when shown.
        for screen in reversed(self.screen_stack):
            if isinstance(screen, LiveAreaScreen):
                screen.load()
                break

    def _tell_sync_outcome(self, reports: list[SyncReport]) -> None:
        if not reports:
            self.notify(_("No tools to sync: add one on the Connections screen (key 6)."),
                        severity="warning")
            return
        failed = [report for report in reports if not report.ok]
        for report in failed:
            self.notify(
                _("{error}\nThe cockpit keeps showing the state of the last good sync.").format(
                    error=report.error),
                title=_("Sync of {connection} failed").format(connection=report.connection),
                severity="error", timeout=12, markup=False)
        done = [_("{connection} in {seconds:.1f}s").format(connection=r.connection,
                                                          seconds=r.seconds)
                for r in reports if r.ok]
        if len(done) == 1:
            self.notify(done[0], title=_("Synced"), markup=False)
        elif done:
            title = ngettext("Synced {done} of {total} tool", "Synced {done} of {total} tools",
                             len(reports)) if failed else \
                ngettext("Synced {done} tool", "Synced {done} tools", len(done))
            self.notify(", ".join(done), title=title.format(done=len(done), total=len(reports)),
                        markup=False)
