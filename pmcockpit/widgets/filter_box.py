"""The one-line filter box of a list screen: an Input whose typing repaints the box alone.

A plain Input's width in characters is its virtual size, which Textual declares as
layout-changing: every keystroke then lays the whole screen out again, and that frame
(with the scrollbars it refreshes after) holds back the frame showing the filtered rows.
The box is fixed in size, so the text's length never moves anything: it scrolls inside.
"""

from __future__ import annotations

from textual.geometry import Size
from textual.reactive import Reactive
from textual.widgets import Input


class FilterBox(Input):
    """An Input whose content width is not a layout matter (its size is fixed by CSS)."""

    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)
