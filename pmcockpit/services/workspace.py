"""Everything an operation needs: settings, the database, and connectors for each connection."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from pmcockpit.config import Settings
from pmcockpit.connectors.base import Connector
from pmcockpit.storage.db import Database

ConnectorOpener = Callable[[str], Connector]
"""Opens a connector for the connection of that name (the caller closes it)."""


@dataclass
class Workspace:
    settings: Settings
    db: Database
    open_connector: ConnectorOpener
    demo: bool = False
    """A throwaway database on simulated tools: nothing real is touched."""
    notes: list[str] = field(default_factory=list)
    """Things to tell the user at start (e.g. how the demo was built)."""

    @property
    def read_only(self) -> bool:
        return self.settings.read_only
