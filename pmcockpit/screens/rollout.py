"""Rollout: bringing a tool to the organisation, phase by phase."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Container

from pmcockpit.core.i18n import _
from pmcockpit.screens.base import AreaScreen
from pmcockpit.widgets.empty_state import EmptyState


class RolloutScreen(AreaScreen):
    def compose_body(self) -> ComposeResult:
        with Container(classes="empty-holder"):
            yield EmptyState(
                _("No rollouts tracked yet."),
                _("The rollout tracker arrives in a coming version: pilot, full rollout "
                  "and optimisation, with milestones, training and the teams' adoption."),
            )
