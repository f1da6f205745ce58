"""Today's accounts that break a review rule, when no review is open: severity, account,
tool, why (and the name when wide). The reasons take the width the others leave, so
they end at the right edge instead of running off it."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import DataTable

from pmcockpit.core.i18n import _
from pmcockpit.core.risk import RULE_LABELS
from pmcockpit.storage.queries.permissions import AccountReview
from pmcockpit.widgets.review_people import fitted, severity_cell


class AccountsTable(DataTable[object]):
    """One row per account; ``rows_shown`` are the accounts in row order."""

    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.zebra_stripes = True
        self.rows_shown: list[AccountReview] = []
        self.fitted_to = -1
        self._columns()

    def _widths(self) -> dict[str, int]:
        wide = self.size.width >= 120
        roomy = self.size.width >= 76
        widths = {"severity": 8, "account": 20 if wide else 14,
                  "tool": 14 if wide else 12 if roomy else 8}
        if wide:
            widths["name"] = 22
        return {**widths, "why": fitted(self.size.width, list(widths.values()))}

    def _columns(self) -> None:
        self.fitted_to = self.size.width
        labels = {"severity": _("Severity"), "account": _("Account"), "tool": _("Tool"),
                  "name": _("Name"), "why": _("Why")}
        for key, width in self._widths().items():
            self.add_column(labels[key], width=width, key=key)

    def on_resize(self) -> None:
        self.call_after_refresh(self.refit)

    def refit(self) -> None:
        """Widths for the table's width now (it may have been hidden when first laid out)."""
        if self.size.width and self.size.width != self.fitted_to:
            self.clear(columns=True)
            self._columns()
            self.show(self.rows_shown)

    def show(self, rows: Sequence[AccountReview]) -> None:
        self.rows_shown = list(rows)
        if self.size.width and self.size.width != self.fitted_to:
            self.clear(columns=True)
            self._columns()
        keys = [str(column.key.value) for column in self.columns.values()]
        with self.app.batch_update():
            self.clear()
            for review in rows:
                why = _(", ").join(_(RULE_LABELS[finding.rule]) for finding in review.findings)
                cells = {"severity": severity_cell(int(review.severity)),
                         "account": Text(review.login, no_wrap=True, overflow="ellipsis"),
                         "tool": Text(review.connection, no_wrap=True, overflow="ellipsis"),
                         "name": Text(review.name, no_wrap=True, overflow="ellipsis"),
                         "why": Text(why, no_wrap=True, overflow="ellipsis")}
                self.add_row(*(cells[key] for key in keys))
