"""Permissions: the accounts that break a review rule, most severe first."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Container
from textual.content import Content
from textual.widgets import DataTable, Static

from pmcockpit.core.i18n import _, ngettext
from pmcockpit.core.risk import RULE_LABELS, Severity
from pmcockpit.messages import AccountsToReviewLoaded
from pmcockpit.screens.base import LiveAreaScreen
from pmcockpit.storage.queries.permissions import accounts_to_review, count_accounts
from pmcockpit.widgets.empty_state import EmptyState

PAGE_SIZE = 300
"""Rows read at once: the table stays quick at tens of thousands of accounts."""

_SEVERITY_STYLE = {
    Severity.HIGH: "$text-error",
    Severity.MEDIUM: "$text-warning",
    Severity.LOW: "$text-muted",
}


class PermissionsScreen(LiveAreaScreen):
    CSS_PATH = "permissions.tcss"

    def compose_body(self) -> ComposeResult:
        yield Static(id="review-lead")
        yield DataTable(id="review-table", cursor_type="row", zebra_stripes=True)
        with Container(id="review-empty-holder", classes="empty-holder"):
            yield EmptyState(_("Reading the accounts…"), id="review-empty")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        # Styled cells are not measured by the table: their column gets a fixed width.
        table.add_column(_("Severity"), width=8)
        table.add_columns(_("Account"), _("Tool"), _("Why"), _("Name"))
        self._show_table(False)

    def _show_table(self, shown: bool) -> None:
        self.query_one("#review-lead").display = shown
        self.query_one(DataTable).display = shown
        self.query_one("#review-empty-holder").display = not shown

    def load(self) -> None:
        self.read_accounts()

    @work(thread=True, exclusive=True, exit_on_error=False, group="permissions",
          description=_("Reading the accounts to review"))
    def read_accounts(self) -> None:
        now = self.clock()
        with self.workspace.db.session() as session:
            page = accounts_to_review(
                session, now, inactive_days=self.workspace.settings.inactive_days,
                limit=PAGE_SIZE)
            total = count_accounts(session)
        self.post_message(AccountsToReviewLoaded(page, total))

    @on(AccountsToReviewLoaded)
    def show_accounts(self, message: AccountsToReviewLoaded) -> None:
        page, total = message.page, message.accounts_total
        empty = self.query_one(EmptyState)
        if not total:
            empty.say(
                _("No accounts synced yet."),
                _("Connect a tool (`pmcockpit connect add`), then run `pmcockpit sync`: its "
                  "accounts, groups and rights appear here for review."),
            )
            self._show_table(False)
            return
        if not page.total:
            empty.say(ngettext("All {count:,} account pass the review rules.",
                               "All {count:,} accounts pass the review rules.",
                               total).format(count=total),
                      _("Nothing to review today."))
            self._show_table(False)
            return
        lead = ngettext("{count:,} of {total:,} account to review",
                        "{count:,} of {total:,} accounts to review",
                        total).format(count=page.total, total=total)
        if page.total > len(page.rows):
            lead = _("{lead}; the {shown:,} most severe shown").format(
                lead=lead, shown=len(page.rows))
        self.query_one("#review-lead", Static).update(lead)
        table = self.query_one(DataTable)
        with self.app.batch_update():
            table.clear()
            for review in page.rows:
                severity = review.severity
                why = ", ".join(_(RULE_LABELS[finding.rule]) for finding in review.findings)
                # Text, not str: the table would read brackets in names as markup.
                table.add_row(
                    Content.styled(severity.label, _SEVERITY_STYLE[severity]),
                    Text(review.login), Text(review.connection), why, Text(review.name),
                )
        self._show_table(True)
