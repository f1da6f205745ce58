"""One ticket full-screen, with what the administrator does to it: comment (or a canned
reply), take it, assign it, change its status, resolve it. Each change goes through the
outbox and the audited action path in a worker; the result is shown when it comes back."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.command import Provider
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.widgets import Footer, Header

from pmcockpit.core.i18n import _
from pmcockpit.core.sla_clock import TicketClocks
from pmcockpit.screens.base import ScreenKeyCommands, key_commands
from pmcockpit.screens.checklist_note import NoteDialog
from pmcockpit.screens.queue_access import GrantDialog, GrantRequest
from pmcockpit.screens.queue_dialogs import ChangePreviewDialog, CommentDialog
from pmcockpit.screens.queue_push import PushDialog
from pmcockpit.services import tickets
from pmcockpit.services.access_request import grant_access, preview_grant
from pmcockpit.services.canned import load_replies
from pmcockpit.services.outbox import Delivered, Delivery
from pmcockpit.services.ticket_preview import ChangeKind, ChangePreview, preview_change
from pmcockpit.services.ticket_push import push_local
from pmcockpit.services.workspace import Workspace
from pmcockpit.storage.queries.tickets import TicketDetail, TicketNotFound, ticket_detail
from pmcockpit.widgets.queue_detail import TicketPane

Change = Callable[[Workspace], Awaitable[Delivered | list[Delivered]]]


class TicketLoaded(Message):
    def __init__(self, detail: TicketDetail | None) -> None:
        super().__init__()
        self.detail = detail


class ChangePlanned(Message):
    """The dry run of a change is back: show it, send on a yes."""

    def __init__(self, preview: ChangePreview, make: Change) -> None:
        super().__init__()
        self.preview = preview
        self.make = make


class TicketChanged(Message):
    """A change came back from the outbox: sent, queued, failed or in doubt."""

    def __init__(self, results: list[Delivered]) -> None:
        super().__init__()
        self.results = results


def say(delivered: Delivered) -> tuple[str, SeverityLevel]:
    """(message, severity) for a notification."""
    if delivered.delivery is Delivery.SENT and delivered.audit_id is None:
        return _("{key}: {what}").format(key=delivered.ticket_key,
                                         what=delivered.message), "information"
    if delivered.delivery is Delivery.SENT:
        return _("{key}: done (audit #{audit})").format(
            key=delivered.ticket_key, audit=delivered.audit_id), "information"
    if delivered.delivery is Delivery.QUEUED:
        return _("{key}: kept in the outbox, sent when the tool answers ({why})").format(
            key=delivered.ticket_key, why=delivered.message), "warning"
    return _("{key}: {why}").format(key=delivered.ticket_key, why=delivered.message), "error"


class TicketKeyCommands(ScreenKeyCommands):
    """The ticket screen's keys in the palette ("rm#12: Comment")."""

    def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        screen = self.screen
        return key_commands(screen) if isinstance(screen, TicketScreen) else []


class TicketScreen(Screen[None]):
    CSS_PATH = "queue.tcss"
    COMMANDS: ClassVar[set[type[Provider] | Callable[[], type[Provider]]]] = {
        TicketKeyCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", _("Back"), id="ticket.back",
                tooltip=_("Back to the queue")),
        Binding("c", "comment", _("Comment"), id="ticket.comment",
                tooltip=_("Write a comment or choose a canned reply")),
        Binding("m", "take", _("Take it"), id="ticket.take",
                tooltip=_("Assign the ticket to yourself")),
        Binding("o", "assign", _("Assign"), show=False, id="ticket.assign",
                tooltip=_("Assign the ticket to someone else")),
        Binding("s", "status", _("Status"), id="ticket.status",
                tooltip=_("Change the ticket's status (or Jira transition)")),
        Binding("d", "resolve", _("Resolve"), id="ticket.resolve",
                tooltip=_("Resolve the ticket with a closing note")),
        Binding("g", "grant", _("Grant access"), id="ticket.grant",
                tooltip=_("An access request: add a membership, a group, or unlock, "
                          "audited, and tell the ticket")),
        Binding("p", "push", _("Push to a tool"), show=False, id="ticket.push",
                tooltip=_("Create this request (recorded here) in a tool, linked")),
    ]

    def __init__(self, workspace: Workspace, key: str, *, requester: str = "",
                 clocks: TicketClocks | None = None) -> None:
        super().__init__()
        self.workspace = workspace
        self.key = key
        self.requester = requester
        self.clocks = clocks
        self.sub_title = key

    def compose(self) -> ComposeResult:
        yield Header()
        yield TicketPane(id="ticket-full")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.read_ticket()

    def copy_target(self) -> tuple[str, str] | None:
        return _("ticket key"), self.key

    @work(thread=True, exclusive=True, exit_on_error=False, group="ticket",
          description=_("Reading the ticket"))
    def read_ticket(self) -> None:
        with self.workspace.db.session() as session:
            try:
                detail: TicketDetail | None = ticket_detail(session, self.key)
            except TicketNotFound:
                detail = None
        self.post_message(TicketLoaded(detail))

    @on(TicketLoaded)
    def show_ticket(self, message: TicketLoaded) -> None:
        self.query_one(TicketPane).show(message.detail, self.clocks)

    def action_comment(self) -> None:
        dialog = CommentDialog(_("Comment on {key}").format(key=self.key), load_replies(),
                               requester=self.requester, key=self.key,
                               admin=self.workspace.settings.operator)
        self.app.push_screen(dialog, self._comment_typed)

    def _comment_typed(self, text: str | None) -> None:
        if text:
            self.change(lambda ws: tickets.comment(ws, self.key, text))

    def action_take(self) -> None:
        self.propose(ChangeKind.ASSIGN, "me", lambda ws: tickets.assign(ws, self.key, "me"))

    def action_assign(self) -> None:
        self.app.push_screen(NoteDialog(_("Assign {key}").format(key=self.key), _(
            "To whom? A login, an account id, or 'nobody'.")), self._assignee_typed)

    def _assignee_typed(self, who: str | None) -> None:
        if who and who.strip():
            self.propose(ChangeKind.ASSIGN, who,
                         lambda ws: tickets.assign(ws, self.key, who))

    def action_status(self) -> None:
        self.app.push_screen(NoteDialog(_("Status of {key}").format(key=self.key), _(
            "The new status (Redmine), transition target (Jira) or opened/closed "
            "(GitLab).")), self._status_typed)

    def _status_typed(self, status: str | None) -> None:
        if status and status.strip():
            self.propose(ChangeKind.STATUS, status,
                         lambda ws: tickets.set_status(ws, self.key, status))

    def action_resolve(self) -> None:
        dialog = CommentDialog(_("Resolve {key}: the closing note").format(key=self.key),
                               load_replies(), requester=self.requester, key=self.key,
                               admin=self.workspace.settings.operator)
        self.app.push_screen(dialog, self._closing_note)

    def _closing_note(self, note: str | None) -> None:
        if note:
            self.propose(ChangeKind.RESOLVE, note,
                         lambda ws: tickets.resolve(ws, self.key, note))

    def action_grant(self) -> None:
        self.app.push_screen(GrantDialog(self.workspace, self.key, self.requester),
                             self._grant_asked)

    def _grant_asked(self, request: GrantRequest | None) -> None:
        if request is not None:
            self.propose_grant(request)

    @work(exclusive=True, exit_on_error=False, group="ticket-preview",
          description=_("Planning the change"))
    async def propose_grant(self, request: GrantRequest) -> None:
        """The names resolved and the calls planned (a dry run); sent once confirmed."""
        try:
            preview = await preview_grant(self.workspace, self.key, request.grant,
                                          user=request.user, target=request.target,
                                          roles=request.roles)
        except tickets.TicketError as error:
            self.notify(str(error), title=_("Nothing granted"), severity="error", timeout=10)
            return

        def answered(send: bool | None) -> None:
            if send:
                self.grant(request)

        self.app.push_screen(ChangePreviewDialog(preview), answered)

    @work(exit_on_error=False, group="ticket-change", description=_("Granting access"))
    async def grant(self, request: GrantRequest) -> None:
        try:
            granted = await grant_access(self.workspace, self.key, request.grant,
                                         user=request.user, target=request.target,
                                         roles=request.roles)
        except tickets.TicketError as error:
            self.notify(str(error), severity="error")
            return
        self.notify(_("{key}: access granted (audit #{audit})").format(
            key=self.key, audit=granted.audit_id))
        self.post_message(TicketChanged([granted.answer]))

    def action_push(self) -> None:
        self.app.push_screen(PushDialog(self.workspace, self.key), self._push_typed)

    def _push_typed(self, where: tuple[str, str] | None) -> None:
        if where is not None:
            self.push(*where)

    @work(exit_on_error=False, group="ticket-change", description=_("Pushing the request"))
    async def push(self, tool: str, project: str) -> None:
        try:
            pushed = await push_local(self.workspace, self.key, tool, project)
        except tickets.TicketError as error:
            self.notify(str(error), severity="error")
            return
        self.notify(_("{local} is now {key} (audit #{audit})").format(
            local=pushed.local_key, key=pushed.key, audit=pushed.audit_id))
        self.key = self.sub_title = pushed.key
        self.read_ticket()

    @work(exclusive=True, exit_on_error=False, group="ticket-preview",
          description=_("Planning the change"))
    async def propose(self, kind: ChangeKind, value: str, make: Change) -> None:
        """Show what the change will do (a dry run); it is sent once confirmed."""
        try:
            preview = await preview_change(self.workspace, self.key, kind, value)
        except tickets.TicketError as error:
            self.notify(str(error), severity="error")
            return
        self.post_message(ChangePlanned(preview, make))

    @on(ChangePlanned)
    def confirm(self, message: ChangePlanned) -> None:
        def answered(send: bool | None) -> None:
            if send:
                self.change(message.make)

        self.app.push_screen(ChangePreviewDialog(message.preview), answered)

    @work(exclusive=False, exit_on_error=False, group="ticket-change",
          description=_("Changing the ticket"))
    async def change(self, make: Change) -> None:
        try:
            done = await make(self.workspace)
        except tickets.TicketError as error:
            self.notify(str(error), severity="error")
            return
        self.post_message(TicketChanged(done if isinstance(done, list) else [done]))

    @on(TicketChanged)
    def changed(self, message: TicketChanged) -> None:
        for delivered in message.results:
            text, severity = say(delivered)
            self.notify(text, severity=severity)
        self.read_ticket()
