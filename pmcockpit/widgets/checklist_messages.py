"""Messages of the checklist screens: what their workers read, changed or measured.

A worker posts one of these to the screen that started it; the screen handles it
on the event loop and updates its widgets.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from textual.message import Message

from pmcockpit.core.checklist import TemplateProblem
from pmcockpit.services.checklist import AutomatedReport, DueItem, History, RunDetail, StepProgress


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
