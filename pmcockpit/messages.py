"""App-wide messages: what workers post back to the event loop.

A worker reads, changes or measures in its own thread (or an async task) and
posts one of these; the screen that started it handles it on the event loop and
updates its widgets. The sync messages go further: any screen posts
:class:`SyncRequested`, the app runs the sync, shows :class:`SyncProgressed` in the
header and, on :class:`SyncFinished`, tells the user and reloads the active screen.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:  # for the annotations only: the app paints before loading the services
    from pmcockpit.core.checklist import TemplateProblem
    from pmcockpit.services.checklist import (
        AutomatedReport,
        DueItem,
        History,
        RunDetail,
        StepProgress,
    )
    from pmcockpit.services.sync import SyncReport
    from pmcockpit.storage.queries.home import HomeSummary
    from pmcockpit.storage.queries.page import Page
    from pmcockpit.storage.queries.permissions import AccountReview


class HomeSummaryLoaded(Message):
    """The home view's summary was read."""

    def __init__(self, summary: HomeSummary) -> None:
        super().__init__()
        self.summary = summary


class AccountsToReviewLoaded(Message):
    """A page of accounts breaking a review rule was read."""

    def __init__(self, page: Page[AccountReview], accounts_total: int) -> None:
        super().__init__()
        self.page = page
        self.accounts_total = accounts_total


# -- sync ----------------------------------------------------------------------------


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


# -- checklist -----------------------------------------------------------------------


class OverviewLoaded(Message):
    """Every checklist's current period was read, with the templates' problems."""

    def __init__(self, items: Sequence[DueItem], problems: Sequence[TemplateProblem],
                 now: datetime) -> None:
        super().__init__()
        self.items = list(items)
        self.problems = list(problems)
        self.now = now
        """Local time the overview was read at: due and overdue are relative to it."""


class RunOpened(Message):
    """The current period's run of a checklist was opened (created if it was the first time)."""

    def __init__(self, detail: RunDetail) -> None:
        super().__init__()
        self.detail = detail


class RunLoaded(Message):
    """The run was read again, or a step of it changed: show this state of it."""

    def __init__(self, detail: RunDetail) -> None:
        super().__init__()
        self.detail = detail


class StepRefused(Message):
    """The checklist's rules refused a change (say, failing a step without a note)."""

    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason


class ChecksProgressed(Message):
    """The automated checks moved on: a check starts (no result) or has its result."""

    def __init__(self, progress: StepProgress) -> None:
        super().__init__()
        self.progress = progress

    def can_replace(self, message: Message) -> bool:
        # Textual drops this (older) message when it may be replaced by the next one:
        # "starting a check" is superseded by whatever follows; a result never is, since
        # its row must be updated.
        return isinstance(message, ChecksProgressed) and self.progress.result is None


class ChecksFinished(Message):
    """Every automated step not settled by hand was measured and stored."""

    def __init__(self, report: AutomatedReport) -> None:
        super().__init__()
        self.report = report


class HistoryLoaded(Message):
    """A checklist's past runs with its on-time rate were read."""

    def __init__(self, history: History, now: datetime) -> None:
        super().__init__()
        self.history = history
        self.now = now
