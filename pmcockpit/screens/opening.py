"""What the cockpit shows in its first frame while the database opens (paint first, then load).

The app paints this screen at once, then a thread worker opens the workspace (the
database layer, the connectors, for the demo the whole simulated organisation) and
the home screen takes its place with the data read from it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Center
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

if TYPE_CHECKING:
    from pmcockpit.config import Settings
    from pmcockpit.services.workspace import Workspace


@dataclass(frozen=True)
class Opening:
    """A workspace still to open: what the app knows before its first paint."""

    settings: Settings
    open: Callable[[], Workspace]
    """Opens the workspace, in a worker thread; raises with a message for the user."""
    doing: str
    """What the first frame says while it opens ("Opening the database…")."""
    demo: bool = False


class OpeningScreen(Screen[None]):
    """The cockpit's frame with one line saying what is being opened."""

    CSS_PATH = "opening.tcss"

    def __init__(self, doing: str) -> None:
        super().__init__()
        self.doing = doing

    def compose(self) -> ComposeResult:
        yield Header()
        with Center(id="opening"):
            yield Static(self.doing, id="opening-text")
        yield Footer(compact=True)
