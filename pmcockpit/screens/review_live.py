"""The Permissions screen without an open review: the single actions (lock, unlock,
remove admin rights, a membership or a group) on the account under the cursor, the
leaver sweep of its owner, and the sweep of everyone the roster says left. Each goes
through the action dialog (preview, reason, confirmation, results, undo)."""

from __future__ import annotations

from textual import on, work
from textual.widgets import DataTable

from pmcockpit.core.actions import Action
from pmcockpit.core.i18n import _
from pmcockpit.screens.action_dialog import ActionDialog
from pmcockpit.screens.review_actions import ReviewActions
from pmcockpit.screens.review_choices import account_actions
from pmcockpit.screens.review_dialogs import ActionPicker
from pmcockpit.storage.queries.permissions import AccountReview, LiveAccount, live_account


class LiveActions(ReviewActions):
    """Acts on today's accounts when no review is open; the review's own keys otherwise."""

    live_rows: list[AccountReview]

    def live_row(self) -> AccountReview | None:
        table = self.query_one("#review-table", DataTable)
        rows: list[AccountReview] = getattr(self, "live_rows", [])
        if not table.display or not 0 <= table.cursor_row < len(rows):
            return None
        return rows[table.cursor_row]

    @on(DataTable.RowSelected, "#review-table")
    def account_chosen(self) -> None:
        self.action_act()

    def action_act(self) -> None:
        if self.view is not None:
            super().action_act()
            return
        row = self.live_row()
        if row is not None:
            self.read_account(row.connection, row.login, sweep=False)

    def action_sweep(self) -> None:
        if self.view is not None:
            super().action_sweep()
            return
        row = self.live_row()
        if row is not None:
            self.read_account(row.connection, row.login, sweep=True)

    def action_sweep_departed(self) -> None:
        self.prepare_sweep(None)

    @work(thread=True, exclusive=True, exit_on_error=False, group="permissions-account",
          description=_("Reading the account"))
    def read_account(self, connection: str, login: str, *, sweep: bool) -> None:
        with self.workspace.db.session() as session:
            account = live_account(session, connection, login)
        self.app.call_from_thread(self._account_read, connection, login, account, sweep)

    def _account_read(self, connection: str, login: str, account: LiveAccount | None,
                      sweep: bool) -> None:
        if account is None:
            self.notify(_("{login} is no longer in {tool}'s synced accounts: sync again.")
                        .format(login=login, tool=connection), severity="warning")
            return
        if sweep:
            self.prepare_sweep(account.email or account.login)
            return

        def picked(action: Action | None) -> None:
            if action is not None:
                self.app.push_screen(ActionDialog(self.workspace, [action]))

        self.app.push_screen(ActionPicker(_("Act on {login} ({tool})").format(
            login=login, tool=connection), account_actions(account)), picked)
