"""Permissions: the permission review, from the roster's findings to the signed-off evidence.

With a review open, one line per person (most severe first), filtered in SQL, a detail
pane per person, decisions with a justification, apply through the action dialog, a
leaver sweep on one key, single actions on an account, and sign-off. With none open,
today's accounts that break a rule, and `n` to start a review.
"""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Container
from textual.message import Message
from textual.widgets import DataTable, Input, Static

from pmcockpit.core.i18n import _, ngettext
from pmcockpit.core.review import Decision, Drift
from pmcockpit.messages import AccountsToReviewLoaded
from pmcockpit.screens.base import LiveAreaScreen
from pmcockpit.screens.review_filters import PAGE_SIZE, ReviewFilters
from pmcockpit.screens.review_live import LiveActions
from pmcockpit.screens.review_roster import RosterActions
from pmcockpit.screens.review_state import (
    DriftRead,
    ReviewLoaded,
    ReviewView,
    filter_words,
    read_drift,
    read_review,
)
from pmcockpit.storage.queries.permissions import (
    AccountReview,
    accounts_to_review,
    count_accounts,
)
from pmcockpit.storage.queries.review import AccountLine, ReviewFilter, accounts_of
from pmcockpit.widgets.after_paint import after_paint
from pmcockpit.widgets.empty_state import EmptyState
from pmcockpit.widgets.filter_box import FilterBox
from pmcockpit.widgets.line_update import update_line
from pmcockpit.widgets.review_accounts import AccountsTable
from pmcockpit.widgets.review_detail import PersonDetail
from pmcockpit.widgets.review_people import PeopleTable

_REVIEW_ACTIONS = frozenset({"filter", "decide", "apply", "select", "select_all", "cycle",
                             "sign_off", "sort"})


class PersonRead(Message):
    def __init__(self, person: str, lines: list[AccountLine]) -> None:
        super().__init__()
        self.person, self.lines = person, lines


def _key(key: str, action: str, description: str, binding_id: str, tooltip: str,
         show: bool = False) -> Binding:
    return Binding(key, action, description, show=show, id=f"review.{binding_id}",
                   tooltip=tooltip)


class PermissionsScreen(ReviewFilters, RosterActions, LiveActions, LiveAreaScreen):
    CSS_PATH = "permissions.tcss"
    # Textual declares it on Screen as an instance variable: no ClassVar here.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (130, "-wide")]  # noqa: RUF012

    BINDINGS: ClassVar[list[BindingType]] = [
        _key("slash", "filter", _("Filter"), "filter", _("Filter by login, name or e-mail"),
             True),
        _key("k", "decide('keep')", _("Keep"), "keep", _("Keep the access, with a reason"),
             True),
        _key("x", "decide('revoke')", _("Revoke"), "revoke",
             _("Lock, block or deactivate the selected accounts, with a reason"), True),
        _key("w", "decide('downgrade')", _("Downgrade"), "downgrade",
             _("Remove admin rights, one project membership or a group, with a reason")),
        _key("a", "apply", _("Apply"), "apply",
             _("Preview, confirm and run the decisions in the tools"), True),
        _key("l", "sweep", _("Sweep leaver"), "sweep",
             _("Lock every open account of this person, in every tool"), True),
        _key("L", "sweep_departed", _("Sweep all leavers"), "sweep_departed",
             _("Lock every open account of everyone the roster says left")),
        _key("enter", "act", _("Act on an account"), "act",
             _("Lock, unlock, remove admin rights, a membership or a group of one account")),
        _key("space", "select", _("Select"), "select", _("Select or unselect this person")),
        _key("asterisk", "select_all", _("Select all in filter"), "select_all",
             _("Select every person the filter shows, or clear the selection")),
        _key("v", "cycle('severity')", _("Severity filter"), "severity",
             _("Show only this severity and worse")),
        _key("t", "cycle('tool')", _("Tool filter"), "tool", _("Show only one tool")),
        _key("g", "cycle('rule')", _("Rule filter"), "rule", _("Show only one rule")),
        _key("p", "cycle('department')", _("Department filter"), "department",
             _("Show only one department")),
        _key("z", "cycle('decision')", _("Decision filter"), "decision",
             _("Undecided, decided, keep, revoke or downgrade")),
        _key("S", "sort", _("Sort"), "sort",
             _("Order the people by the next column (or click a column's header; again "
               "reverses)")),
        _key("i", "import_roster", _("Import roster"), "import_roster",
             _("Import the HR roster from a CSV file or a Feishu connection")),
        _key("e", "link", _("Link to person"), "link",
             _("Say whose account this is: a person on the roster, or an e-mail address")),
        _key("n", "start", _("Start review"), "start",
             _("Freeze today's accounts into a new review")),
        _key("o", "sign_off", _("Sign off"), "sign_off",
             _("Close the review; the audit head is kept with it")),
    ]

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.view: ReviewView | None = None
        self.wanted = ReviewFilter()
        self.shown: ReviewFilter | None = None
        """The filter of the people on screen (``wanted`` once its read is in)."""
        self.selected: set[str] = set()
        self.person_lines: list[AccountLine] = []
        self.live_rows: list[AccountReview] = []
        self.lines_person: str | None = None
        """Whose accounts ``person_lines`` are (the cursor may be ahead of the read)."""
        self.limit = PAGE_SIZE
        self.part = ""
        """What the screen shows: "review", "live" or "empty"."""
        self.said: dict[str, str] = {}
        self.generation = 0
        """Counts the reads shown: one person's accounts are read once per read."""
        self.asked: tuple[str | None, int] = (None, -1)
        self.drifts: dict[int, Drift | None] = {}
        """Per review, the drift since the one before (read once: it compares snapshots)."""

    def compose_body(self) -> ComposeResult:
        yield Static(id="review-lead")
        yield Static(id="review-filters")
        box = FilterBox(placeholder=_("Filter: login, name or e-mail (Escape clears)"),
                    id="review-filter")
        # Hidden until `/`: until then it must not take the keys (1-7, n, x...).
        box.can_focus = False
        yield box
        with Container(id="review-main"):
            yield PeopleTable(id="review-people")
            yield PersonDetail(id="review-detail")
        yield AccountsTable(id="review-table")
        with Container(id="review-empty-holder", classes="empty-holder"):
            yield EmptyState(_("Reading the accounts…"), id="review-empty")

    def on_mount(self) -> None:
        self._show("empty")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The review's keys only while a review is open; start only while none is."""
        if action == "start":
            return self.view is None
        if action in _REVIEW_ACTIONS:
            return self.view is not None
        if action in ("act", "sweep", "sweep_departed", "link"):
            return self.part in ("review", "live")  # nothing to act on otherwise
        return True

    def _show(self, part: str) -> None:
        """One of "review", "live" or "empty"."""
        self.query_one("#review-filters").display = part == "review" and bool(
            filter_words(self.wanted))
        if part == self.part:
            return  # a repaint of the same part: the keys and focus stay as they are
        self.part = part
        self.query_one("#review-lead").display = part != "empty"
        self.query_one("#review-main").display = part == "review"
        self.query_one("#review-table").display = part == "live"
        self.query_one("#review-empty-holder").display = part == "empty"
        self.refresh_bindings()
        focused = self.focused
        if part != "empty" and (focused is None or not focused.display
                                or not isinstance(focused, Input)):
            self.query_one(PeopleTable if part == "review" else "#review-table").focus()

    # --- reading ------------------------------------------------------------------------

    def load(self) -> None:
        self.read()

    @work(thread=True, exclusive=True, exit_on_error=False, group="permissions",
          description=_("Reading the review"))
    def read(self, people_only: bool = False) -> None:
        wanted = self.wanted
        with self.workspace.db.session() as session:
            view = read_review(session, wanted, limit=self.limit, known=self.view,
                               people_only=people_only)
            if view is not None:
                self.post_message(ReviewLoaded(view, wanted, people_only))
                return
            page = accounts_to_review(
                session, self.clock(), inactive_days=self.workspace.settings.inactive_days,
                limit=PAGE_SIZE)
            total = count_accounts(session)
        self.post_message(AccountsToReviewLoaded(page, total))

    @on(ReviewLoaded)
    def show_review(self, message: ReviewLoaded) -> None:
        if message.wanted != self.wanted:  # read for a filter typed over since
            if not message.people_only:
                self.generation += 1  # decisions or links may have changed the accounts
            return  # the read of the filter typed since follows
        view = message.view
        if not view.drift_known and view.review.id in self.drifts:
            view = replace(view, drift=self.drifts[view.review.id], drift_known=True)
        elif not view.drift_known:
            self.read_drift(view.review.id)
        self.view = view
        self._say("#review-lead", view.lead())
        self._say("#review-filters", " · ".join(filter_words(self.wanted)))
        people = self.query_one(PeopleTable)
        people.show(view.page.rows, self.selected)
        self.shown = message.wanted
        self._show("review")
        if not message.people_only:
            self.generation += 1  # decisions or links may have changed the accounts
        if not view.page.rows:
            self.asked = (None, -1)  # the pane no longer shows anyone's accounts
            self.query_one(PersonDetail).show(_("Nobody matches the filter."), [])
        # The pane follows once the people are painted: its read would slow their frame.
        after_paint(self, self.read_current_person)

    def read_current_person(self) -> None:
        self.read_person(self.query_one(PeopleTable).current_person())

    def _say(self, where: str, text: str) -> None:
        """Update a line only when its text changed, laid out again only when it takes
        more or fewer rows than before."""
        before = self.said.get(where)
        if before != text:
            self.said[where] = text
            update_line(self.query_one(where, Static), before, text,
                        "$text-accent" if where == "#review-filters" else "")

    @work(thread=True, exclusive=True, exit_on_error=False, group="permissions-drift",
          description=_("Comparing with the last review"))
    def read_drift(self, review_id: int) -> None:
        with self.workspace.db.session() as session:
            self.post_message(read_drift(session, review_id))

    @on(DriftRead)
    def show_drift(self, message: DriftRead) -> None:
        self.drifts[message.review_id] = message.drift
        if self.view is None or self.view.review.id != message.review_id:
            return
        self.view = replace(self.view, drift=message.drift, drift_known=True)
        self._say("#review-lead", self.view.lead())
        self.generation += 1
        self.read_person(self.query_one(PeopleTable).current_person())

    @on(DataTable.RowHighlighted, "#review-people")
    def person_highlighted(self, event: DataTable.RowHighlighted) -> None:
        people = self.query_one(PeopleTable)
        after_paint(self, self.read_current_person)  # the cursor's frame first
        shown = people.row_count
        if (self.view is not None and event.cursor_row >= shown - 1
                and shown < self.view.page.total and self.limit <= shown):
            self.limit += PAGE_SIZE  # the cursor reached the last line read: read more
            self.read(people_only=True)

    @on(DataTable.RowSelected, "#review-people")
    def person_chosen(self) -> None:
        # Enter on a person's line: the table takes the key, so the screen's binding is
        # for the palette and help; this is what Enter does.
        self.action_act()

    def read_person(self, person: str | None) -> None:
        """Read the person's accounts, once per read of the review."""
        if person is None or self.view is None or self.asked == (person, self.generation):
            return
        self.asked = (person, self.generation)
        self.read_accounts(person)

    @work(thread=True, exclusive=True, exit_on_error=False, group="permissions-person",
          description=_("Reading the person's accounts"))
    def read_accounts(self, person: str) -> None:
        if self.view is None:
            return
        with self.workspace.db.session() as session:
            lines = accounts_of(session, self.view.review.id, [person])
        self.post_message(PersonRead(person, lines))

    @on(PersonRead)
    def show_person(self, message: PersonRead) -> None:
        if message.person != self.query_one(PeopleTable).current_person():
            return  # the cursor moved on meanwhile
        self.person_lines = message.lines
        self.lines_person = message.person
        title = message.lines[0].name if message.lines else message.person
        if message.lines and message.lines[0].department:
            title = _("{name}, {department}").format(name=title,
                                                     department=message.lines[0].department)
        self.query_one(PersonDetail).show(
            _("{title} <{person}>").format(title=title, person=message.person), message.lines,
            self.view.drift if self.view is not None else None)

    @on(AccountsToReviewLoaded)
    def show_accounts(self, message: AccountsToReviewLoaded) -> None:
        self.view = None
        page, total = message.page, message.accounts_total
        empty = self.query_one(EmptyState)
        if not total:
            empty.say(
                _("No accounts synced yet."),
                _("Connect a tool (`pmcockpit connect add`), then run `pmcockpit sync`: its "
                  "accounts, groups and rights appear here for review."),
            )
            self._show("empty")
            return
        if not page.total:
            empty.say(ngettext("All {count:,} account pass the review rules.",
                               "All {count:,} accounts pass the review rules.",
                               total).format(count=total),
                      _("Nothing to review today. Press n to start a review anyway."))
            self._show("empty")
            return
        lead = ngettext("{count:,} of {total:,} account to review; no review open: "
                        "press n to start one",
                        "{count:,} of {total:,} accounts to review; no review open: "
                        "press n to start one", total).format(count=page.total, total=total)
        self._say("#review-lead", lead)
        self.live_rows = list(page.rows)
        self.query_one(AccountsTable).show(page.rows)
        self._show("live")

    # --- selection ----------------------------------------------------------------------

    def action_select(self) -> None:
        person = self.query_one(PeopleTable).current_person()
        if person is None:
            return
        self.selected.symmetric_difference_update({person})
        self.query_one(PeopleTable).mark(person, person in self.selected)
        self.query_one(PeopleTable).action_cursor_down()
        self._say_selection()

    def action_select_all(self) -> None:
        if self.view is None:
            return
        if self.selected:
            self.selected.clear()
            self.read()
            self._say_selection()
            return
        self.select_all()

    @work(thread=True, exclusive=True, exit_on_error=False, group="permissions-select",
          description=_("Selecting everyone in the filter"))
    def select_all(self) -> None:
        if self.view is None:
            return
        persons = self.matching_persons(self.view.review.id)
        self.selected = persons
        self.app.call_from_thread(self.read)
        self.app.call_from_thread(self._say_selection)

    def _say_selection(self) -> None:
        self.notify(ngettext("{count} person selected.", "{count} people selected.",
                             len(self.selected)).format(count=len(self.selected)))

    def copy_target(self) -> tuple[str, str] | None:
        """The login of the account under the cursor (the person's first account)."""
        if self.view is None:
            row = self.live_row()
            return None if row is None else (_("account login"), row.login)
        person = self.query_one(PeopleTable).current_person()
        if person is None or person != self.lines_person or not self.person_lines:
            return None
        return _("account login"), self.person_lines[0].login

    def linkable(self) -> list[tuple[str, str]]:
        if self.view is None:
            row = self.live_row()
            return [] if row is None else [(row.connection, row.login)]
        person = self.query_one(PeopleTable).current_person()
        if person is None or person != self.lines_person:
            return []
        return [(line.connection, line.login) for line in self.person_lines]

    def chosen_persons(self) -> list[str]:
        """The selection, or the person under the cursor."""
        if self.selected:
            return sorted(self.selected)
        person = self.query_one(PeopleTable).current_person()
        return [] if person is None else [person]

    def decision_done(self, count: int, decision: Decision) -> None:
        self.selected.clear()
        self.notify(ngettext("{decision}: {count} account.", "{decision}: {count} accounts.",
                             count).format(decision=decision.value, count=count))
        self.read()
