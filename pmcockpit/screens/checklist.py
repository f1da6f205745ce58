"""Checklist: the daily, weekly and monthly routine of the tools' upkeep."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Container

from pmcockpit.screens.base import AreaScreen
from pmcockpit.widgets.empty_state import EmptyState


class ChecklistScreen(AreaScreen):
    def compose_body(self) -> ComposeResult:
        with Container(classes="empty-holder"):
            yield EmptyState(
                "No checklist runs yet.",
                "The daily checklist arrives in a coming version: the daily inspection "
                "(logins, notifications, sync), the weekly clean-up and archiving, and "
                "the monthly version review, each ticked off here.",
            )
