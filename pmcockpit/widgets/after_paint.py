"""Work that should wait until the frame in the making is on screen (a detail pane's read
after the rows of a filter keystroke).

``call_after_refresh`` runs its callback when the screen is next idle with nothing to
paint; but the widgets just changed tell the screen so only on their own idle, which can
come after the screen's. Asking twice puts the work behind that frame.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.dom import DOMNode


def after_paint(node: DOMNode, callback: Callable[[], object]) -> None:
    """Call ``callback`` once the frame showing the changes made so far is painted."""
    node.call_after_refresh(node.call_after_refresh, callback)
