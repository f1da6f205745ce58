"""The Permissions screen's filters: the text box (`/`, a page read per keystroke),
and the keys that step through severity, tool, rule, department and decision state."""

from __future__ import annotations

from dataclasses import replace

from textual import on
from textual.widgets import Input

from pmcockpit.core.risk import Rule, Severity
from pmcockpit.screens.base import LiveAreaScreen
from pmcockpit.screens.review_state import ReviewView
from pmcockpit.storage.queries.review import ReviewFilter
from pmcockpit.widgets.review_people import PeopleTable

PAGE_SIZE = 60
"""People read at once, more as the cursor reaches the last: the table holds about what
is on screen, so it stays quick at tens of thousands of accounts."""
DECISION_STATES = ("", "undecided", "decided", "keep", "revoke", "downgrade")


class ReviewFilters(LiveAreaScreen):
    """Filtering the review's people; :class:`PermissionsScreen` shows them."""

    view: ReviewView | None
    wanted: ReviewFilter
    limit: int

    def read(self, people_only: bool = False) -> object:
        raise NotImplementedError

    # --- filters ------------------------------------------------------------------------

    def action_filter(self) -> None:
        if self.view is None:
            return
        self.set_class(True, "-filtering")
        box = self.query_one("#review-filter", Input)
        box.can_focus = True
        box.focus()

    @on(Input.Changed, "#review-filter")
    def filter_typed(self, event: Input.Changed) -> None:
        # A read per keystroke (a page, by index: milliseconds); a read overtaken by the
        # next keystroke is dropped when it comes in (see PermissionsScreen.show_review).
        text = event.value.strip()
        if text != self.wanted.text:
            self._refilter(text=text)

    @on(Input.Submitted, "#review-filter")
    def filter_done(self, event: Input.Submitted) -> None:
        self.query_one(PeopleTable).focus()
        if event.value.strip() != self.wanted.text:
            self._refilter(text=event.value.strip())

    def key_escape(self) -> None:
        if self.has_class("-filtering"):
            self.set_class(False, "-filtering")
            box = self.query_one("#review-filter", Input)
            box.value = ""
            box.can_focus = False
            self.query_one(PeopleTable).focus()
            self._refilter(text="")

    def _refilter(self, **changes: object) -> None:
        self.wanted = replace(self.wanted, **changes)  # type: ignore[arg-type]
        self.limit = PAGE_SIZE
        self.read(people_only=True)

    def action_cycle(self, what: str) -> None:
        if self.view is None:
            return
        options: dict[str, list[object]] = {
            "severity": [0, *[int(s) for s in Severity]],
            "tool": ["", *self.view.tools],
            "rule": ["", *[r.value for r in Rule]],
            "department": ["", *self.view.departments],
            "decision": list(DECISION_STATES),
        }
        field = "min_severity" if what == "severity" else what
        values = options[what]
        current = getattr(self.wanted, field)
        following = values[(values.index(current) + 1) % len(values)] \
            if current in values else values[0]
        self._refilter(**{field: following})
