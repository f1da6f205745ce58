"""The review's people: one line per person, most severe first, selection marked; the
findings take the width the other columns leave."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.content import Content
from textual.widgets import DataTable

from pmcockpit.core.i18n import _
from pmcockpit.core.risk import RULE_LABELS, Rule, Severity
from pmcockpit.storage.queries.review import PersonLine
from pmcockpit.widgets.rows_in_place import put_rows

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
        self.shown_selected: set[str] = set()
        """The persons marked on screen (``selected`` is the screen's own set)."""
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
            lines, self.lines = self.lines, []  # the rows went with the columns
            self.show(lines, self.selected)

    def show(self, lines: Sequence[PersonLine], selected: set[str]) -> None:
        """Show ``lines`` in place of the rows (only the cells that differ change),
        keeping the cursor on the same person where they still are."""
        lines = list(lines)
        if lines == self.lines and selected == self.shown_selected \
                and self.size.width == self.fitted_to:
            return  # the same read again: nothing to repaint
        current = self.current_person()
        self.lines, self.selected = lines, selected
        self.shown_selected = set(selected)
        if self.size.width and self.size.width != self.fitted_to:
            self.clear(columns=True)
            self._columns()
        put_rows(self, [self._cells(line) for line in lines])
        persons = [line.person for line in lines]
        row = persons.index(current) if current in persons else 0
        if lines and row != self.cursor_row:
            self.move_cursor(row=row, animate=False)

    def _cells(self, line: PersonLine) -> tuple[object, ...]:
        return ("✓" if line.person in self.selected else "", severity_cell(line.severity),
                Text(line.name or line.person, no_wrap=True, overflow="ellipsis"),
                f"{line.decided}/{line.accounts}", str(len(line.tools)),
                Text(short_rules(line.rules), no_wrap=True, overflow="ellipsis"))

    def mark(self, person: str, selected: bool) -> None:
        persons = [line.person for line in self.lines]
        if person in persons:
            self.shown_selected.symmetric_difference_update({person})
            self.update_cell(str(persons.index(person)), "mark", "✓" if selected else "")

    def current_person(self) -> str | None:
        row = self.cursor_row
        if not self.row_count or not 0 <= row < len(self.lines):
            return None
        return self.lines[row].person
