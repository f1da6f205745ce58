"""Rows replaced in place: a table that shows a page of a query shows the next read by
updating the cells that differ, not by clearing and rebuilding.

A cleared table measures every new row again and lays the screen out again; a filter
keystroke at tens of thousands of rows then costs far more in the table than in SQL.
Rows are keyed by their position ("0", "1", ...); the caller keeps what row ``i`` is.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from textual.widgets import DataTable


def put_rows(table: DataTable[Any], rows: Sequence[Sequence[Any]]) -> None:
    """Show ``rows`` (cells in column order): row ``i`` under key ``str(i)``; cells that
    differ are updated, rows past the new end removed, new ones added at the end."""
    columns = list(table.columns)
    shown = table.row_count
    for index, cells in enumerate(rows[:shown]):
        key = str(index)
        for column, cell, before in zip(columns, cells, table.get_row(key), strict=False):
            if type(cell) is not type(before) or cell != before:
                table.update_cell(key, column, cell)
    for index in range(shown - 1, len(rows) - 1, -1):
        table.remove_row(str(index))
    for index in range(shown, len(rows)):
        table.add_row(*rows[index], key=str(index))
    if table.row_count and table.cursor_row >= table.row_count:
        table.move_cursor(row=table.row_count - 1, animate=False)
