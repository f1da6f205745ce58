"""The queue as a table: the most urgent first, keys whole, the subject cut to fit."""

from __future__ import annotations

from datetime import timedelta

from rich.text import Text
from textual.widgets import DataTable

from pmcockpit.core.i18n import _
from pmcockpit.core.sla_clock import Clock, ClockState
from pmcockpit.core.wording import span
from pmcockpit.storage.queries.queue_list import QueueRow

CLOCK_WIDTH = 11
"""Fits "✗ 119d late" and "‖ paused"."""
KEY_WIDTH = 16
FIXED_WIDTH = 2 * CLOCK_WIDTH + KEY_WIDTH + 6 + 12
"""The columns before the subject, with the table's cell padding."""

_STYLE = {ClockState.BREACHED: "bold red", ClockState.AT_RISK: "yellow",
          ClockState.PAUSED: "cyan", ClockState.MET: "green", ClockState.NO_SLA: "dim"}
_MARK = {ClockState.BREACHED: "✗ ", ClockState.AT_RISK: "! ", ClockState.PAUSED: "‖ "}


def clock_cell(clock: Clock) -> Text:
    """A clock in a cell, short: "✗ 3d late", "! 2h left", "‖ paused", "met". The mark
    says the state without colour (NO_COLOR); the detail says it in full."""
    left = clock.left
    if clock.paused_since is not None:
        words = _("paused")
    elif left is None or clock.state is ClockState.NO_SLA:
        words = _("no SLA")
    elif left < timedelta():
        words = _("{span} late").format(span=span(left))
    elif clock.stopped:
        words = _("met")
    else:
        words = _("{span} left").format(span=span(left))
    label = _MARK.get(clock.state, "") + words
    return Text(label[:CLOCK_WIDTH], style=_STYLE.get(clock.state, ""))


def key_cell(key: str) -> Text:
    """A long key keeps its project and its number: "operations/…desk#4"."""
    if len(key) <= KEY_WIDTH:
        return Text(key)
    head, _sep, tail = key.rpartition("#")
    keep = KEY_WIDTH - len(tail) - 2
    return Text(f"{head[:max(keep, 3)]}…#{tail}" if tail else key[: KEY_WIDTH - 1] + "…")


class QueueTable(DataTable[Text | str]):
    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.zebra_stripes = True
        self.add_column(_("Reply"), width=CLOCK_WIDTH, key="reply")
        self.add_column(_("Resolve"), width=CLOCK_WIDTH, key="resolve")
        self.add_column(_("Ticket"), width=KEY_WIDTH, key="key")
        self.add_column(_("Pri."), width=6, key="priority")
        self.add_column(_("Subject"), key="subject")

    def show(self, rows: list[QueueRow], width: int) -> None:
        """Fill the table ``width`` cells wide; the subject is cut to the room left (the
        detail wraps it)."""
        room = max(16, width - FIXED_WIDTH - 2)
        self.clear()
        for row in rows:
            subject = ("⏳ " if row.pending else "") + row.subject
            if len(subject) > room:
                subject = subject[: room - 1] + "…"
            self.add_row(clock_cell(row.clocks.response), clock_cell(row.clocks.resolution),
                         key_cell(row.key), Text(row.priority[:6]), Text(subject),
                         key=row.key)
