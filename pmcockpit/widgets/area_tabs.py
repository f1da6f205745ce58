"""The tab line under the header: every area with its key, the current one marked.

"1 Home  2 Checklist (1)  3 Permissions (8)  …": names shorten as the width demands
(full, short, initial), counts that need the user (overdue, to review, breached) show
where they fit. The current area is bold and reversed and between brackets, so it
reads without colour too. A click on an area opens it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.cells import cell_len
from textual.content import Content
from textual.widget import Widget

from pmcockpit.core.i18n import _

if TYPE_CHECKING:
    from pmcockpit.storage.queries.home import HomeSummary

SEPARATOR = "  "


@dataclass(frozen=True, slots=True)
class Tab:
    mode: str
    key: str
    title: str
    short: str


def _label(tab: Tab, level: int, count: int | None) -> str:
    """Level 0: the title; 1: the short name; 2: the initial, no count."""
    if level >= 2:
        return f"{tab.key}{tab.short[:1]}"
    label = f"{tab.key} {tab.title if level == 0 else tab.short}"
    return f"{label} ({count})" if count else label


def _width(labels: Sequence[str], separator: str, current: str) -> int:
    return sum(cell_len(label) for label in labels) + \
        cell_len(separator) * (len(labels) - 1) + (2 if current else 0)


def fit(tabs: Sequence[Tab], width: int, counts: Mapping[str, int],
        current: str) -> tuple[list[tuple[Tab, str]], str]:
    """Each tab's label and the separator: the longest names shortened first until the
    line fits ``width`` cells (brackets around the current one included); then with one
    space between; then without counts; then initials."""
    for shown, separator in ((counts, SEPARATOR), (counts, " "), ({}, SEPARATOR), ({}, " ")):
        levels = [0] * len(tabs)
        while True:
            labels = [_label(tab, level, shown.get(tab.mode))
                      for tab, level in zip(tabs, levels, strict=True)]
            if _width(labels, separator, current) <= width:
                return list(zip(tabs, labels, strict=True)), separator
            longer = [(cell_len(label), place) for place, label in enumerate(labels)
                      if levels[place] == 0 and tabs[place].short != tabs[place].title]
            if not longer:
                break
            levels[max(longer)[1]] = 1
    return [(tab, _label(tab, 2, None)) for tab in tabs], " "


class AreaTabs(Widget):
    """One line naming each area with its key; the app gives tabs, counts and the current."""

    DEFAULT_CSS = """
    AreaTabs {
        height: 1;
        width: 1fr;
        background: $panel;
        color: $text;
    }
    """

    def __init__(self, tabs: Sequence[Tab], current: str, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.tabs = list(tabs)
        self.current = current
        self.counts: dict[str, int] = {}
        self.reading = False
        """The screen's data is still being read: "Loading…" at the line's end."""
        self.tooltip = _("Press a number to open its area; (n): what waits there "
                         "(overdue runs, accounts to review, tickets past due, tools failing)")

    def on_mount(self) -> None:
        if not self.current:  # a screen pushed on an area (a run, a history): that area
            self.current = getattr(self.app, "current_mode", "") or ""
        if hasattr(self.app, "area_counts"):
            self.watch(self.app, "area_counts", self.show_counts)

    def show_counts(self, counts: Mapping[str, int]) -> None:
        self.counts = dict(counts)
        self.refresh()

    def show_loading(self, loading: bool) -> None:
        if loading != self.reading:
            self.reading = loading
            self.refresh()

    def render(self) -> Content:
        marker = f" {_('Loading…')}" if self.reading else ""
        width = self.size.width - cell_len(marker)
        labels, separator = fit(self.tabs, width, self.counts, self.current)
        parts: list[Content] = []
        for tab, label in labels:
            action = f"@click=app.go({tab.mode!r})"
            if tab.mode == self.current:
                parts.append(Content.styled(f"[{label}]", f"bold reverse {action}"))
            else:
                parts.append(Content.styled(label, action))
        line = Content(separator).join(parts)
        if not marker:
            return line
        gap = " " * max(0, width - line.cell_length)
        return Content.assemble(line, gap, (marker, "bold"))


def area_counts(summary: HomeSummary) -> dict[str, int]:
    """What waits in each area, from the home summary: overdue runs, accounts to review,
    tickets past their first-response time, tools down."""
    runs = summary.checklist_runs or ()
    return {"checklist": sum(run.overdue for run in runs),
            "permissions": summary.accounts_to_review,
            "queue": summary.sla_breached,
            "connections": sum(tool.down or bool(tool.last_sync_error)
                               for tool in summary.tools)}
