"""A line of words above a list (a lead, the filters in force) updated per keystroke
without laying the screen out again unless the line needs more or fewer rows.

``Static.update`` lays the whole screen out by default: at a keystroke that is a reflow
of every widget in the frame that should only show the filtered rows.
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static


def _rows(text: str, width: int) -> int:
    return len(Content(text).wrap(width)) if text else 0


def update_line(line: Static, before: str | None, text: str, style: str = "") -> None:
    """Show ``text`` (in ``style``) in ``line``, which showed ``before``: a repaint when
    the line keeps its height, a layout when it takes more or fewer rows (or was never
    laid out)."""
    width = line.content_size.width
    same_height = before is not None and width > 0 and (
        _rows(before, width) == _rows(text, width))
    line.update(Content.styled(text, style) if style else text, layout=not same_height)
