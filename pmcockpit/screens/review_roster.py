"""The Permissions screen's roster and ordering keys: import the HR roster from a file
or a Feishu connection, link an account nobody could place to a person, and sort the
people by a column (the header, or a key that steps through the columns)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual import on, work
from textual.widgets import DataTable

from pmcockpit.core.i18n import _, ngettext
from pmcockpit.screens.base import LiveAreaScreen
from pmcockpit.screens.review_dialogs import TextDialog
from pmcockpit.services.actions import ConnectorError
from pmcockpit.services.feishu_roster import import_feishu_roster
from pmcockpit.services.review import RosterError, import_roster
from pmcockpit.services.review_links import NoSuchPerson, link_accounts
from pmcockpit.storage.queries.permissions import feishu_connections
from pmcockpit.storage.queries.review import SORTS, AccountLine, ReviewFilter


class RosterActions(LiveAreaScreen):
    """Roster import, explicit links and sorting; :class:`PermissionsScreen` shows."""

    wanted: ReviewFilter
    person_lines: list[AccountLine]
    lines_person: str | None

    def read(self) -> object:
        raise NotImplementedError

    def _refilter(self, **changes: object) -> None:
        raise NotImplementedError

    def linkable(self) -> list[tuple[str, str]]:
        """The (connection, login) a link would cover: the person's or the row's."""
        raise NotImplementedError

    # --- sort -------------------------------------------------------------------------

    def action_sort(self) -> None:
        following = SORTS[(SORTS.index(self.wanted.sort) + 1) % len(SORTS)] \
            if self.wanted.sort in SORTS else SORTS[0]
        self._refilter(sort=following, reverse=False)

    @on(DataTable.HeaderSelected, "#review-people")
    def header_clicked(self, event: DataTable.HeaderSelected) -> None:
        column = str(event.column_key.value)
        if column not in SORTS:
            return
        same = self.wanted.sort == column
        self._refilter(sort=column, reverse=same and not self.wanted.reverse)

    # --- roster import ------------------------------------------------------------------

    def action_import_roster(self) -> None:
        def answered(text: str | None) -> None:
            if text:
                self.import_roster(text)

        self.app.push_screen(TextDialog(
            _("Import the HR roster"),
            _("A CSV file (UTF-8 or GBK, English or Chinese headers), or the name of a Feishu "
              "connection to read its directory. The rules use the latest import."),
            placeholder=_("~/hr/roster.csv or a Feishu connection"), confirm=_("Import")),
            answered)

    @work(exclusive=True, exit_on_error=False, group="review-roster",
          description=_("Importing the roster"))
    async def import_roster(self, text: str) -> None:
        def feishu() -> list[str]:
            with self.workspace.db.session() as session:
                return feishu_connections(session)

        try:
            if text in await asyncio.to_thread(feishu):
                facts, parsed = await import_feishu_roster(self.workspace, text)
            else:
                done = await asyncio.to_thread(
                    lambda: import_roster(self.workspace, Path(text).expanduser()))
                facts, parsed = done.facts, done.parsed
        except (RosterError, OSError, ConnectorError, LookupError) as error:
            self.notify(_("{source}: {error}").format(source=text, error=error),
                        title=_("Roster not imported"), severity="error", timeout=10)
            return
        message = ngettext("Roster imported: {count} person from {source}.",
                           "Roster imported: {count} people from {source}.",
                           facts.imported).format(count=facts.imported, source=facts.filename)
        if parsed.problems:
            lines = [_("line {line}: {reason}").format(line=p.line, reason=p.reason)
                     for p in parsed.problems[:5]]
            message = "\n".join([message, *lines])
        self.notify(message, severity="warning" if parsed.problems else "information",
                    timeout=10)
        self.notify(_("Start a new review (n, after sign-off) to judge against it."))

    # --- explicit links -----------------------------------------------------------------

    def action_link(self) -> None:
        accounts = self.linkable()
        if not accounts:
            self.notify(_("Put the cursor on an account or a person first."), severity="warning")
            return
        logins = ", ".join(f"{c}:{login}" for c, login in accounts)

        def answered(text: str | None) -> None:
            if text:
                self.link(accounts, text)

        self.app.push_screen(TextDialog(
            _("Link to a person"),
            _("Whose are {accounts}? A roster login, e-mail or name, or an e-mail address. "
              "Kept for later reviews.").format(accounts=logins),
            placeholder=_("li.lei@example.com or Li Lei"), confirm=_("Link")), answered)

    @work(thread=True, exclusive=True, exit_on_error=False, group="review-write",
          description=_("Linking the accounts"))
    def link(self, accounts: list[tuple[str, str]], person: str) -> None:
        try:
            key = link_accounts(self.workspace, accounts, person, now=self.clock())
        except NoSuchPerson as error:
            self.app.call_from_thread(self.notify, str(error), severity="warning")
            return
        self.app.call_from_thread(self.notify, ngettext(
            "Linked {count} account to {person}.", "Linked {count} accounts to {person}.",
            len(accounts)).format(count=len(accounts), person=key))
        self.app.call_from_thread(self.read)
