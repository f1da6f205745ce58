"""App-wide messages: results that thread workers post back to the event loop.

A worker reads the database in its own thread and posts one of these; the screen
that started it handles it on the event loop and updates its widgets.
"""

from __future__ import annotations

from textual.message import Message

from pmcockpit.storage.summary import AccountReview, HomeSummary, Page, TicketRow


class HomeSummaryLoaded(Message):
    """The home view's summary was read."""

    def __init__(self, summary: HomeSummary) -> None:
        super().__init__()
        self.summary = summary


class OpenTicketsLoaded(Message):
    """A page of open tickets was read for the support queue."""

    def __init__(self, page: Page[TicketRow], connections: int) -> None:
        super().__init__()
        self.page = page
        self.connections = connections
        """How many tools are connected: with none, the empty queue means "connect one"."""


class AccountsToReviewLoaded(Message):
    """A page of accounts breaking a review rule was read."""

    def __init__(self, page: Page[AccountReview], accounts_total: int) -> None:
        super().__init__()
        self.page = page
        self.accounts_total = accounts_total
