"""Messages of the app-wide sync: a screen asks for one, the app runs it and reports progress.

Any screen posts :class:`SyncRequested` (it bubbles up to the app); the app runs
``sync_all`` in one async worker, shows :class:`SyncProgressed` in the header and,
on :class:`SyncFinished`, tells the user and reloads the active screen.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.message import Message

from pmcockpit.services.sync import SyncReport


class SyncRequested(Message):
    """Please sync these connections (all of them when ``names`` is None)."""

    def __init__(self, names: Sequence[str] | None = None) -> None:
        super().__init__()
        self.names = list(names) if names is not None else None


class SyncProgressed(Message):
    """The running sync moved on to fetching ``what`` from ``connection``."""

    def __init__(self, connection: str, what: str, position: int, total: int) -> None:
        super().__init__()
        self.connection = connection
        self.what = what
        self.position = position
        """1-based place of ``connection`` among the connections being synced."""
        self.total = total

    def can_replace(self, message: Message) -> bool:
        # Only the newest step matters: a burst of steps collapses into one repaint.
        return isinstance(message, SyncProgressed)


class SyncFinished(Message):
    """The sync ended: one report per connection, failed ones with their error."""

    def __init__(self, reports: Sequence[SyncReport]) -> None:
        super().__init__()
        self.reports = list(reports)

    @property
    def failed(self) -> list[SyncReport]:
        return [report for report in self.reports if not report.ok]
