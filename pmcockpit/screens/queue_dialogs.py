"""Dialogs of the queue: a comment (typed, or a canned reply filled in), a request that
came by phone or chat, and the preview of a change. They only collect text and a yes;
the services act on it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from pmcockpit.core.i18n import _
from pmcockpit.services.canned import CannedReply
from pmcockpit.services.ticket_preview import ChangePreview
from pmcockpit.widgets.action_items import preview_text


class CommentDialog(ModalScreen[str | None]):
    """Dismissed with the comment (ctrl+s), or None (Escape). A canned reply chosen from
    the list fills the text, which can still be edited."""

    CSS_PATH = "queue_dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "send", _("Send"), id="queue_comment.send",
                tooltip=_("Send the comment to the ticket's tool")),
        Binding("escape", "cancel", _("Cancel"), id="queue_comment.cancel",
                tooltip=_("Close without sending anything")),
    ]

    def __init__(self, title: str, replies: list[CannedReply], *, requester: str, key: str,
                 admin: str, note: str = "") -> None:
        super().__init__()
        self.dialog_title = title
        self.replies = replies
        self.fill = {"requester": requester, "key": key, "admin": admin}
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical(id="comment-dialog") as dialog:
            dialog.border_title = self.dialog_title
            dialog.border_subtitle = _("ctrl+s to send · Escape to cancel")
            if self.replies:
                yield Static(_("Canned replies (Enter fills the text):"), classes="hint")
                yield OptionList(*(Option(r.name, id=str(i))
                                   for i, r in enumerate(self.replies)), id="canned")
            yield TextArea(self.note, id="comment-text")

    def on_mount(self) -> None:
        self.query_one("#canned" if self.replies else "#comment-text").focus()

    @on(OptionList.OptionSelected, "#canned")
    def use_reply(self, event: OptionList.OptionSelected) -> None:
        reply = self.replies[int(event.option.id or 0)]
        text = self.query_one("#comment-text", TextArea)
        text.text = reply.fill(**self.fill)
        text.focus()

    def action_send(self) -> None:
        text = self.query_one("#comment-text", TextArea).text
        if text.strip():
            self.dismiss(text)
        else:
            self.notify(_("Type a comment, or choose a canned reply."), severity="warning")

    def action_cancel(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True, slots=True)
class NewRequest:
    subject: str
    requester: str
    priority: str


class AddTicketDialog(ModalScreen[NewRequest | None]):
    """A request that came by phone or chat: subject, requester, priority."""

    CSS_PATH = "queue_dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", _("Cancel"), id="queue_add.cancel",
                tooltip=_("Close without recording anything")),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="add-dialog") as dialog:
            dialog.border_title = _("A request by phone or chat")
            dialog.border_subtitle = _("Enter in the last field to record · Escape to cancel")
            yield Input(placeholder=_("Subject"), id="add-subject")
            yield Input(placeholder=_("Requester"), id="add-requester")
            yield Input("Normal", placeholder=_("Priority"), id="add-priority")

    @on(Input.Submitted)
    def next_or_save(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id != "add-priority":
            self.focus_next()
            return
        subject = self.query_one("#add-subject", Input).value.strip()
        requester = self.query_one("#add-requester", Input).value.strip()
        if not subject or not requester:
            self.notify(_("A request needs a subject and a requester."), severity="warning")
            return
        self.dismiss(NewRequest(subject, requester, event.value.strip() or "Normal"))

    def action_cancel(self) -> None:
        self.dismiss(None)


class ChangePreviewDialog(ModalScreen[bool]):
    """A ticket change before it is sent: before and after, and the tool's calls.
    Dismissed with True (ctrl+s: send) or False (Escape)."""

    CSS_PATH = "queue_dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "send", _("Send"), id="queue_preview.send",
                tooltip=_("Send the change (through the outbox, audited)")),
        Binding("escape", "cancel", _("Cancel"), id="queue_preview.cancel",
                tooltip=_("Close without changing anything")),
    ]

    def __init__(self, preview: ChangePreview) -> None:
        super().__init__()
        self.preview = preview

    def compose(self) -> ComposeResult:
        preview = self.preview
        with Vertical(id="preview-dialog") as dialog:
            dialog.border_title = (_("{key} in {tool}: what will change").format(
                key=preview.key, tool=preview.tool) if preview.tool else
                _("{key}: what will change").format(key=preview.key))
            dialog.border_subtitle = _("ctrl+s to send · Escape to cancel")
            yield Static("\n".join(preview.lines), id="preview-lines", markup=False)
            if preview.problem:
                yield Static(preview.problem, id="preview-problem", markup=False)
            elif preview.previews:
                with VerticalScroll(id="preview-calls"):
                    yield Static(preview_text(preview.previews))

    def action_send(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)
