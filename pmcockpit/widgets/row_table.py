"""A row table whose Home and End move the cursor to the first and the last row (the
plain DataTable only scrolls, which does nothing on a table that fits the screen)."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.widgets import DataTable

from pmcockpit.core.i18n import _


class RowTable(DataTable[object]):
    BINDINGS: ClassVar[list[BindingType]] = [
        # The table's own Enter, described: help then names it (it opens the row).
        Binding("enter", "select_cursor", _("Open"), show=False, id="table.open",
                tooltip=_("Open the highlighted row")),
        Binding("home", "first_row", _("First row"), show=False, id="table.first",
                tooltip=_("Move to the first row")),
        Binding("end", "last_row", _("Last row"), show=False, id="table.last",
                tooltip=_("Move to the last row")),
    ]

    def action_first_row(self) -> None:
        if self.row_count:
            self.move_cursor(row=0)

    def action_last_row(self) -> None:
        if self.row_count:
            self.move_cursor(row=self.row_count - 1)
