"""Column widths by priority, so a table fits 60, 80 or 160 columns without losing what
matters: each column asks for a width and may shrink to its minimum, the least
important first; the columns that grow (a reason, a subject) take what is left.

``fit_columns`` is the arithmetic; ``size_columns`` applies it to a DataTable whose
columns were added with the same keys (call it from the screen's ``on_resize``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len
from rich.text import Text
from textual.content import Content
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    """One column: listed in the order of importance, the most important first."""

    key: str
    width: int
    """The width it asks for (its content, cells)."""
    minimum: int = 0
    """It shrinks down to this (0: down to its asked width, it never shrinks)."""
    grow: bool = False
    """It takes the width the others leave (up to ``maximum``)."""
    maximum: int = 0
    """A growing column's largest width (0: no bound)."""
    optional: bool = False
    """Left out (width 0) when even the minimums do not fit; a detail pane shows it."""


def fit_columns(specs: Sequence[ColumnSpec], available: int,
                padding: int = 1) -> dict[str, int]:
    """The width of each column so that all fit ``available`` cells when they can: the
    least important optional columns are left out (0) while the others (the growing
    ones at their minimum) do not fit; then the least important column shrinks first,
    each down to its minimum; spare cells go to the growing columns, shared evenly."""
    kept = list(specs)
    widths = {spec.key: 0 for spec in specs}

    def need(columns: Sequence[ColumnSpec], floor: bool) -> int:
        return sum((spec.minimum or spec.width) if floor else spec.width
                   for spec in columns) + 2 * padding * len(columns)

    def wanted(columns: Sequence[ColumnSpec]) -> int:
        """Every column at its width but the growing ones, at their minimum."""
        return sum((spec.minimum or spec.width) if spec.grow else spec.width
                   for spec in columns) + 2 * padding * len(columns)

    for spec in reversed(specs):
        if wanted(kept) <= available:
            break
        if spec.optional:
            kept.remove(spec)
    widths.update({spec.key: spec.width for spec in kept})
    room = available - need(kept, floor=False)
    for spec in reversed(kept):
        if room >= 0:
            break
        give = min(widths[spec.key] - (spec.minimum or spec.width), -room)
        widths[spec.key] -= give
        room += give
    _grow(widths, [spec for spec in kept if spec.grow], room)
    return widths


def _grow(widths: dict[str, int], growing: list[ColumnSpec], room: int) -> None:
    while room > 0 and growing:
        share, extra = divmod(room, len(growing))
        room = 0
        still: list[ColumnSpec] = []
        for place, spec in enumerate(growing):
            wanted = widths[spec.key] + share + (1 if place < extra else 0)
            if spec.maximum and wanted > spec.maximum:
                room += wanted - spec.maximum
                wanted = spec.maximum
            else:
                still.append(spec)
            widths[spec.key] = wanted
        growing = still if room else []


def shown_columns(table: DataTable[object]) -> list[str]:
    return [str(key.value) for key in table.columns]


def size_columns(table: DataTable[object], specs: Sequence[ColumnSpec],
                 available: int | None = None) -> dict[str, int]:
    """Give the table's columns their fitted widths (the table's own width by default,
    less a cell for its scrollbar); the widths, 0 for a column left out. When the
    columns to show differ from the table's (``shown_columns``), the screen rebuilds it."""
    width = available if available is not None else table.size.width - 1
    widths = fit_columns(specs, width, table.cell_padding)
    changed = False
    for key, value in widths.items():
        if not value:
            continue
        column = table.columns.get(ColumnKey(key))
        if column is not None and (column.width != value or column.auto_width):
            column.width, column.auto_width = value, False
            changed = True
    if changed:
        # No public way to resize a column in place: drop its caches and measure again.
        table._clear_caches()
        table._require_update_dimensions = True
        table.refresh(layout=True)
    return widths


Cells = dict[str, object]
"""One row's cells by column key (text, Content or Text)."""


def cell_width(cell: object) -> int:
    """The cells a table cell's text takes (str, rich Text or Textual Content)."""
    if isinstance(cell, Content):
        return cell.cell_length
    if isinstance(cell, Text):
        return cell.cell_len
    return cell_len(str(cell))


def cut_cell(cell: object, width: int) -> object:
    """A table cell shown on one line that ends with "…" where its column is narrower
    (a cut version or name says so). Text keeps its whole text (the table cuts it as it
    draws), a string becomes such a Text (as the table reads it: with markup), Content is
    cut here."""
    if isinstance(cell, Content):
        return cell.truncate(width, ellipsis=True) if 0 < width < cell.cell_length else cell
    text = cell.copy() if isinstance(cell, Text) else Text.from_markup(str(cell), end="")
    text.no_wrap, text.overflow = True, "ellipsis"
    return text


def widest(rows: Sequence[tuple[str, Cells]], key: str, floor: int) -> int:
    """The widest cell of column ``key``, at least ``floor``."""
    return max([floor, *(cell_width(cells.get(key, "")) for _row, cells in rows)])


def fill_table(table: DataTable[object], labels: dict[str, str], widths: dict[str, int],
               rows: Sequence[tuple[str, Cells]]) -> None:
    """Clear ``table`` and add the columns that have a width (in ``labels``' order, at
    that width) and each (key, cells) row: what a screen does when a column is left out
    or comes back. A cell wider than its column is cut with an ellipsis."""
    table.clear(columns=True)
    for key, label in labels.items():
        if widths.get(key, 1):
            table.add_column(label, key=key, width=widths.get(key))
    shown = shown_columns(table)
    for row_key, cells in rows:
        table.add_row(*(cut_cell(cells.get(key, ""), widths.get(key, 0)) for key in shown),
                      key=row_key)
