"""The queue as a table: the most urgent first, keys with their project, the subject in
all the width left.

Wide, both clocks have a column; narrower than :data:`BOTH_CLOCKS`, one column shows
the clock that runs out first (the detail shows both). The table holds a page of rows;
:meth:`QueueTable.extend` adds the next one when the cursor nears the end.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from rich.text import Text
from textual.message import Message
from textual.widgets import DataTable

from pmcockpit.core.i18n import _
from pmcockpit.core.sla_clock import Clock, ClockState
from pmcockpit.core.tool_words import tool_word
from pmcockpit.core.wording import span
from pmcockpit.storage.queries.queue_list import QueueRow
from pmcockpit.widgets.rows_in_place import put_rows

CLOCK_WIDTH = 11
"""Fits "✗ 119d late" and "‖ paused"."""
KEY_MIN, KEY_MAX = 6, 24
PRIORITY_WIDTH = 6
AGE_WIDTH = 4
SUBJECT_MIN = 10
SUBJECT_WANTED = 40
"""Below this room for the subject, keys drop their group ("ops/desk#4": "desk#4")."""
BOTH_CLOCKS = 100
"""From this table width, the first-response and resolution clocks each get a column."""
CHROME = 2
"""The vertical scrollbar."""

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


def key_cell(key: str, width: int) -> str:
    """A key in ``width`` cells, keeping its project and number: "ops/it-desk#4" becomes
    "it-desk#4", then "it-d…#4"; never a number without its project. Width 0: the key
    without its group, however long."""
    if width > 0 and len(key) <= width:
        return key
    head, sep, tail = key.rpartition("#")
    if not sep:
        head, sep, tail = key.rpartition("-")
    if not sep:
        return key[: width - 1] + "…"
    project = head.rsplit("/", 1)[-1]
    if width <= 0 or len(project) + len(sep) + len(tail) <= width:
        return f"{project}{sep}{tail}"
    keep = max(2, width - len(tail) - len(sep) - 1)
    return f"{project[:keep]}…{sep}{tail}"


class QueueTable(DataTable[Text]):
    """Row ``i`` is ``rows_shown[i]`` (rows are keyed by position, so a new read updates
    the cells in place); :meth:`show` lays the columns out anew when the width asks."""

    NEAR_END = 10
    """Rows from the end of those read at which the next page is asked for."""

    class NearEnd(Message):
        """The view (cursor, wheel or scrollbar) reached the last rows read."""

    rows_shown: list[QueueRow]
    _layout: tuple[bool, int, int] | None = None

    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.zebra_stripes = True
        self.rows_shown = []

    def show(self, rows: list[QueueRow], width: int, now: datetime) -> None:
        """Fill the table, ``width`` cells wide, with ``rows``: the cells that differ
        from those shown change in place while the columns stay as they are."""
        layout = self._plan(rows, width)
        if layout != self._layout:
            self._layout = layout
            self.clear(columns=True)
            both, key_width, subject_width = layout
            if both:
                self.add_column(_("Reply"), width=CLOCK_WIDTH, key="reply")
                self.add_column(_("Resolve"), width=CLOCK_WIDTH, key="resolve")
            else:
                # Translators: the column of the clock that runs out first.
                self.add_column(_("Due"), width=CLOCK_WIDTH, key="due")
            self.add_column(_("Ticket"), width=key_width, key="key")
            self.add_column(_("Pri."), width=PRIORITY_WIDTH, key="priority")
            self.add_column(_("Age"), width=AGE_WIDTH, key="age")
            self.add_column(_("Subject"), width=subject_width, key="subject")
        self.rows_shown = list(rows)
        put_rows(self, [self._cells(row, now) for row in rows])

    def extend(self, rows: list[QueueRow], now: datetime) -> None:
        """Add the next page below (columns as they are)."""
        known = {row.key for row in self.rows_shown}
        for row in rows:
            if row.key not in known:
                self.add_row(*self._cells(row, now), key=str(len(self.rows_shown)))
                self.rows_shown.append(row)

    def relayout(self, width: int, now: datetime) -> None:
        """The same rows at a new width, the cursor kept."""
        if self._plan(self.rows_shown, width) == self._layout:
            return
        cursor = self.cursor_row
        self.show(self.rows_shown, width, now)
        self.move_cursor(row=cursor, animate=False)

    @staticmethod
    def _plan(rows: list[QueueRow], width: int) -> tuple[bool, int, int]:
        """(both clocks, key width, subject width) for a table ``width`` cells wide."""
        both = width >= BOTH_CLOCKS
        columns = 6 if both else 5
        fixed = (2 if both else 1) * CLOCK_WIDTH + PRIORITY_WIDTH + AGE_WIDTH
        room = width - fixed - 2 * columns - CHROME
        key_width = min(KEY_MAX, max([KEY_MIN, *(len(row.key) for row in rows)]))
        if room - key_width < SUBJECT_WANTED:  # tight: keys without their group
            key_width = min(key_width, max([KEY_MIN, *(len(key_cell(row.key, 0))
                                                         for row in rows)]))
        if room - key_width < SUBJECT_MIN:
            key_width = max(KEY_MIN + 4, room - SUBJECT_MIN)
        return both, key_width, max(SUBJECT_MIN, room - key_width)

    def _cells(self, row: QueueRow, now: datetime) -> list[Text]:
        assert self._layout is not None
        both, key_width, subject_width = self._layout
        subject = ("⏳ " if row.pending else "") + row.subject
        if len(subject) > subject_width:
            subject = subject[: subject_width - 1] + "…"
        clocks = ([clock_cell(row.clocks.response), clock_cell(row.clocks.resolution)]
                  if both else [clock_cell(row.clocks.next)])
        # Text, not str: no markup parsing, and a "[" in a subject stays a "[".
        priority = Text(tool_word(row.priority), no_wrap=True, overflow="ellipsis")
        return [*clocks, Text(key_cell(row.key, key_width)), priority,
                Text(span(now - row.created_at)), Text(subject)]

    def current(self) -> str | None:
        """The key of the row under the cursor."""
        row = self.cursor_row
        if not self.row_count or not 0 <= row < len(self.rows_shown):
            return None
        return self.rows_shown[row].key

    # --- the next page, by wheel or scrollbar as by the cursor ---------------------------

    def _near_end(self) -> bool:
        last_seen = self.scroll_y + self.scrollable_content_region.height
        return last_seen >= self.row_count - self.NEAR_END

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        if new > old and self._near_end():
            self.post_message(self.NearEnd())

    def on_mouse_scroll_down(self) -> None:
        # At the bottom already, the wheel moves nothing: it still asks for more.
        if self._near_end():
            self.post_message(self.NearEnd())
