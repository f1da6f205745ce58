"""The access-request dialog: what to grant (a membership with roles, a group, an
unlock), to whom, where, by the names the tool knows (completed from the synced data,
roles ticked in a list). It only collects the answers; the service acts on them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Input, Select, SelectionList, Static

from pmcockpit.core.i18n import _
from pmcockpit.services.access_names import Kind, choices
from pmcockpit.services.access_request import Grant
from pmcockpit.services.tickets import TicketError, ticket
from pmcockpit.services.workspace import Workspace


@dataclass(frozen=True, slots=True)
class GrantRequest:
    grant: Grant
    user: str
    target: str
    roles: str


@dataclass(frozen=True, slots=True)
class Picks:
    """What the tool's last sync knows, offered while typing."""

    users: list[str]
    roles: list[str]
    groups: list[str]
    projects: list[str]


class GrantDialog(ModalScreen[GrantRequest | None]):
    """Dismissed with the request (Enter in the last field, or ctrl+s), or None (Escape).
    Names are completed from the synced users, projects and groups (→ takes the
    completion); the synced roles are a list to tick (space)."""

    CSS_PATH = "queue_dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", _("Cancel"), id="queue_grant.cancel",
                tooltip=_("Close without granting anything")),
        Binding("ctrl+s", "done", _("Review"), id="queue_grant.done",
                tooltip=_("Review the grant before it is sent")),
    ]

    def __init__(self, workspace: Workspace, key: str, requester: str) -> None:
        super().__init__()
        self.workspace = workspace
        self.key = key
        self.requester = requester
        self.picks: Picks | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="grant-dialog") as dialog:
            dialog.border_title = _("Grant what {key} asks for").format(key=self.key)
            dialog.border_subtitle = _("Enter in the last field or ctrl+s to review it · "
                                       "Escape to cancel")
            yield Select([(_("a membership in a project, with roles"), Grant.MEMBERSHIP),
                          (_("a place in a group"), Grant.GROUP),
                          (_("unlock the account"), Grant.UNLOCK)],
                         value=Grant.MEMBERSHIP, allow_blank=False, id="grant-kind",
                         compact=True)
            yield Input(self.requester, placeholder=_("Who: a login, e-mail or account id"),
                        id="grant-user", compact=True)
            yield Input(placeholder=_("Project: identifier, key, path, name or id"),
                        id="grant-target", compact=True)
            yield Input(placeholder=_("Roles by name or id, e.g. Developer, Reporter"),
                        id="grant-roles", compact=True)
            yield SelectionList[str](id="grant-role-list", compact=True)
            yield Static(_("Names as the tool knows them; runs through the audited action "
                           "path; the ticket is told."), classes="hint", id="grant-hint")

    def on_mount(self) -> None:
        self.query_one("#grant-role-list").display = False
        self.read_picks()

    @work(thread=True, exclusive=True, exit_on_error=False, group="grant-picks",
          description=_("Reading the tool's names"))
    def read_picks(self) -> None:
        try:
            connection = ticket(self.workspace, self.key).connection
        except TicketError:
            return  # the grant itself will say why
        picks = Picks(*(choices(self.workspace, connection, kind) for kind in
                        (Kind.USER, Kind.ROLE, Kind.GROUP, Kind.PROJECT)))
        self.app.call_from_thread(self._show_picks, picks)

    def _show_picks(self, picks: Picks) -> None:
        self.picks = picks
        if picks.users:
            self.query_one("#grant-user", Input).suggester = SuggestFromList(
                picks.users, case_sensitive=False)
        if picks.roles:
            roles = self.query_one("#grant-role-list", SelectionList)
            roles.add_options([(name, name) for name in picks.roles])
            roles.highlighted = 0
            roles.display = True
            self.query_one("#grant-roles").display = False
        self._kind_changed()

    @on(Select.Changed, "#grant-kind")
    def _kind_changed(self) -> None:
        grant = self._grant()
        target = self.query_one("#grant-target", Input)
        target.display = grant is not Grant.UNLOCK
        target.placeholder = (_("Group: name, path or id") if grant is Grant.GROUP else
                              _("Project: identifier, key, path, name or id"))
        names = [] if self.picks is None else (
            self.picks.groups if grant is Grant.GROUP else self.picks.projects)
        target.suggester = SuggestFromList(names, case_sensitive=False) if names else None
        membership = grant is Grant.MEMBERSHIP
        listed = self.picks is not None and bool(self.picks.roles)
        self.query_one("#grant-roles").display = membership and not listed
        self.query_one("#grant-role-list").display = membership and listed

    def _grant(self) -> Grant:
        return Grant(str(self.query_one("#grant-kind", Select).value))

    def _last(self) -> str:
        """The input whose Enter ends the dialog ("" when the roles list comes last: space
        ticks, ctrl+s ends)."""
        grant = self._grant()
        if grant is Grant.UNLOCK:
            return "grant-user"
        if grant is Grant.GROUP:
            return "grant-target"
        return "" if self.query_one("#grant-role-list").display else "grant-roles"

    @on(Input.Submitted)
    def next_or_done(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == self._last():
            self.action_done()
        else:
            self.focus_next()

    def action_done(self) -> None:
        user = self.query_one("#grant-user", Input).value.strip()
        if not user:
            self.notify(_("Name who gets access."), severity="warning")
            return
        roles_list = self.query_one("#grant-role-list", SelectionList)
        roles = (", ".join(str(v) for v in roles_list.selected) if roles_list.display
                 else self.query_one("#grant-roles", Input).value.strip())
        self.dismiss(GrantRequest(self._grant(), user,
                                  self.query_one("#grant-target", Input).value.strip(),
                                  roles))

    def action_cancel(self) -> None:
        self.dismiss(None)
