"""One ticket, readable at 80x24: subject (wrapped), both clocks, the description and the
whole conversation, and what waits in the outbox for it."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from pmcockpit.core.clock import to_local
from pmcockpit.core.i18n import _, ngettext
from pmcockpit.core.sla_clock import TicketClocks
from pmcockpit.core.sla_words import clock_text
from pmcockpit.core.tool_words import tool_word
from pmcockpit.storage.queries.tickets import TicketDetail


def detail_text(detail: TicketDetail, clocks: TicketClocks | None) -> Text:
    ref = detail.ref
    text = Text()
    text.append(f"{ref.key}  ", style="bold")
    text.append(f"{ref.subject}\n", style="bold")
    text.append(_("{status} · {priority} · {tool}").format(
        status=tool_word(detail.status), priority=tool_word(detail.priority),
        tool=ref.connection) + "\n")
    if clocks is not None:
        text.append(_("First response: {clock}").format(clock=clock_text(clocks.response))
                    + "\n")
        text.append(_("Resolution: {clock}").format(clock=clock_text(clocks.resolution))
                    + "\n")
    for item in detail.pending:
        text.append(_("⏳ waiting in the outbox: {kind} {text} ({state})").format(
            kind=item.kind, text=item.text, state=item.state) + "\n", style="italic")
    text.append("\n")
    text.append(detail.description.strip() or _("(no description)"))
    text.append("\n")
    count = len(detail.comments)
    text.append("\n" + ngettext("{count} comment", "{count} comments", count).format(
        count=count) + "\n", style="dim")
    for comment in detail.comments:
        text.append(f"\n— {comment.author}, {to_local(comment.created_at):%Y-%m-%d %H:%M}\n",
                    style="bold")
        text.append(comment.body.strip() + "\n")
    return text


class TicketPane(VerticalScroll):
    """The detail of the ticket under the cursor (or opened full-screen)."""

    def compose(self) -> ComposeResult:
        yield Static(_("Choose a ticket to read it."), id="ticket-text")

    def show(self, detail: TicketDetail | None, clocks: TicketClocks | None) -> None:
        body = self.query_one("#ticket-text", Static)
        if detail is None:
            body.update(_("Choose a ticket to read it."))
            return
        body.update(detail_text(detail, clocks))
        self.scroll_home(animate=False)
