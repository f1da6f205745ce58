"""The review's people: one line per person, most severe first, selection marked."""

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
    Severity.LOW: "$text-muted",
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


class PeopleTable(DataTable[object]):
    """People of a review; the row key is the person's key (an e-mail, or tool:login)."""

    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.zebra_stripes = True
        # Styled cells are not measured by the table: their columns get fixed widths.
        self.add_column(" ", width=1, key="mark")
        self.add_column(_("Severity"), width=8, key="severity")
        self.add_column(_("Person"), width=18, key="person")
        self.add_column(_("Decided"), width=7, key="decided")
        self.add_column(_("Findings"), key="findings")
        self.add_column(_("Tools"), key="tools")

    def show(self, lines: Sequence[PersonLine], selected: set[str]) -> None:
        """Replace the rows, keeping the cursor on the same person where it still is."""
        current = self.current_person()
        with self.app.batch_update():
            self.clear()
            for line in lines:
                name = line.name or line.person
                self.add_row(
                    "✓" if line.person in selected else "", severity_cell(line.severity),
                    Text(name), f"{line.decided}/{line.accounts}", short_rules(line.rules),
                    Text(" ".join(line.tools)), key=line.person)
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
