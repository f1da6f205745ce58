"""The access-request dialog: what to grant (a membership with roles, a group, an
unlock), to whom, where. It only collects the answers; the service acts on them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Select, Static

from pmcockpit.core.i18n import _
from pmcockpit.services.access_request import Grant


@dataclass(frozen=True, slots=True)
class GrantRequest:
    grant: Grant
    user: str
    target: str
    roles: str


class GrantDialog(ModalScreen[GrantRequest | None]):
    """Dismissed with the request (Enter in the last field), or None (Escape)."""

    CSS_PATH = "queue_dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", _("Cancel"), id="queue_grant.cancel",
                tooltip=_("Close without granting anything")),
    ]

    def __init__(self, key: str, requester: str) -> None:
        super().__init__()
        self.key = key
        self.requester = requester

    def compose(self) -> ComposeResult:
        with Vertical(id="grant-dialog") as dialog:
            dialog.border_title = _("Grant what {key} asks for").format(key=self.key)
            dialog.border_subtitle = _("Enter in the last field to review it · Escape to "
                                       "cancel")
            yield Select([(_("a membership in a project, with roles"), Grant.MEMBERSHIP),
                          (_("a place in a group"), Grant.GROUP),
                          (_("unlock the account"), Grant.UNLOCK)],
                         value=Grant.MEMBERSHIP, allow_blank=False, id="grant-kind",
                         compact=True)
            yield Input(self.requester, placeholder=_("Who: a login or account id"),
                        id="grant-user", compact=True)
            yield Input(placeholder=_("Project or group id"), id="grant-target", compact=True)
            yield Input(placeholder=_("Role ids, e.g. 3,4 (membership)"), id="grant-roles",
                        compact=True)
            yield Static(_("Runs through the audited action path; the ticket is told."),
                         classes="hint")

    @on(Input.Submitted)
    def next_or_done(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id != "grant-roles":
            self.focus_next()
            return
        grant = Grant(str(self.query_one("#grant-kind", Select).value))
        user = self.query_one("#grant-user", Input).value.strip()
        if not user:
            self.notify(_("Name who gets access."), severity="warning")
            return
        self.dismiss(GrantRequest(grant, user,
                                  self.query_one("#grant-target", Input).value.strip(),
                                  event.value.strip()))

    def action_cancel(self) -> None:
        self.dismiss(None)
