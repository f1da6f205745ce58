"""The review's people: one line per person, most severe first, selection marked; the
findings take the width the other columns leave."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.content import Content
from textual.widgets import DataTable
from textual.widgets.data_table import CellDoesNotExist

from pmcockpit.core.i18n import _
from pmcockpit.core.risk import RULE_LABELS, Rule, Severity
from pmcockpit.storage.queries.review import PersonLine

SEVERITY_STYLE = {
    Severity.CRITICAL: "bold $text-error",
    Severity.HIGH: "$text-error",
    Severity.MEDIUM: "$text-warning",
    Severity.LOW: "$foreground-muted",
}


def severity_cell(level: int) -> Content:
    if not level:
        return Content.styled(_("ok"), "$text-success")
    severity = Severity(level)
    return Content.styled(severity.label, SEVERITY_STYLE[severity])


def rule_words(rules: Sequence[str]) -> str:
    words = []
    for rule in rules:
        try:
            words.append(_(RULE_LABELS[Rule(rule)]))
        except ValueError:
            words.append(rule)
    return _(", ").join(words)


def short_rules(rules: Sequence[str], shown: int = 2) -> str:
    """The worst rules by name, the rest counted: the column stays narrow at 80 columns."""
    words = rule_words(rules[:shown])
    more = len(rules) - shown
    return _("{rules} +{more}").format(rules=words, more=more) if more > 0 else words


def fitted(total: int, fixed: Sequence[int], *, least: int = 10) -> int:
    """The width left for the one flexible column of a table ``total`` cells wide, with
    ``fixed`` the other columns' widths (each cell has one cell of padding either side, and
    the vertical scrollbar takes two)."""
    padding = 2 * (len(fixed) + 1)
    return max(least, total - sum(fixed) - padding - 2)


class PeopleTable(DataTable[object]):
    """People of a review; the row key is the person's key (an e-mail, or tool:login).
    The findings take the width the other columns leave, so nothing runs off the edge."""

    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.zebra_stripes = True
        self.lines: list[PersonLine] = []
        self.selected: set[str] = set()
        self.fitted_to = -1
        self._columns()

    def _widths(self) -> dict[str, int]:
        person = 24 if self.size.width >= 120 else 18 if self.size.width >= 76 else 12
        # Styled cells are not measured by the table: every column gets a fixed width.
        widths = {"mark": 1, "severity": 8, "person": person, "decided": 7, "tools": 5}
        return {**widths, "findings": fitted(self.size.width, list(widths.values()))}

    def _columns(self) -> None:
        self.fitted_to = self.size.width
        widths = self._widths()
        labels = {"mark": " ", "severity": _("Severity"), "person": _("Person"),
                  "decided": _("Decided"), "tools": _("Tools"), "findings": _("Findings")}
        for key in ("mark", "severity", "person", "decided", "tools", "findings"):
            self.add_column(labels[key], width=widths[key], key=key)

    def on_resize(self) -> None:
        self.call_after_refresh(self.refit)

    def refit(self) -> None:
        """Widths for the table's width now (it may have been hidden when first laid out)."""
        if self.size.width and self.size.width != self.fitted_to:
            self.clear(columns=True)
            self._columns()
            self.show(self.lines, self.selected)

    def show(self, lines: Sequence[PersonLine], selected: set[str]) -> None:
        """Replace the rows, keeping the cursor on the same person where it still is."""
        self.lines, self.selected = list(lines), selected
        if self.size.width and self.size.width != self.fitted_to:
            self.clear(columns=True)
            self._columns()
        current = self.current_person()
        with self.app.batch_update():
            self.clear()
            for line in lines:
                name = line.name or line.person
                self.add_row(
                    "✓" if line.person in selected else "", severity_cell(line.severity),
                    Text(name, no_wrap=True, overflow="ellipsis"),
                    f"{line.decided}/{line.accounts}", str(len(line.tools)),
                    Text(short_rules(line.rules), no_wrap=True, overflow="ellipsis"),
                    key=line.person)
            if current is not None and current in self.rows:
                self.move_cursor(row=self.get_row_index(current))

    def mark(self, person: str, selected: bool) -> None:
        if person in self.rows:
            self.update_cell(person, "mark", "✓" if selected else "")

    def current_person(self) -> str | None:
        if not self.row_count:
            return None
        try:
            key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key
        except CellDoesNotExist:
            return None
        return None if key.value is None else str(key.value)
