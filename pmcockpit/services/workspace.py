"""Everything an operation needs: settings, the database, and connectors for each connection."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from pmcockpit.config import Settings
from pmcockpit.connectors.base import Connector
from pmcockpit.core.clock import utcnow
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

    write_until: datetime | None = None
    """Naive UTC end of write mode armed in a read-only installation (``w``,
    ``--write-for``); read-only again after it (see :mod:`pmcockpit.services.write_mode`)."""

    @property
    def read_only(self) -> bool:
        if not self.settings.read_only:
            return False
        return self.write_until is None or utcnow() >= self.write_until
