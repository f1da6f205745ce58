"""The base of every area screen, and the palette commands each one gets for free."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.screen import Screen
from textual.widgets import Footer, Header
from textual.worker import Worker, WorkerState

from pmcockpit.core.i18n import _
from pmcockpit.widgets.area_tabs import AreaTabs

if TYPE_CHECKING:
    from pmcockpit.services.workspace import Workspace

Clock = Callable[[], datetime]
"""Gives "now" as naive UTC; tests pass a fixed one so screens render the same every run."""


def key_commands(screen: Screen[Any]) -> list[tuple[str, str, Callable[[], object]]]:
    """(title, help, run) for every described key of ``screen`` itself, titled with its
    sub-title ("Queue: Open")."""
    commands: dict[str, tuple[str, str, Callable[[], object]]] = {}
    for node, binding, enabled, _tooltip in screen.active_bindings.values():
        # Our own bindings all carry an id; Textual's focus and copy keys do not.
        # A namespaced action (Textual's copy) is no command of the area.
        if node is screen and enabled and binding.id and binding.description \
                and "." not in binding.action:
            # Translators: a palette command, "Checklist: History".
            title = _("{area}: {action}").format(area=screen.sub_title,
                                                 action=binding.description)
            run = partial(screen.run_action, binding.action)
            commands.setdefault(binding.action, (title, binding.tooltip, run))
    return list(commands.values())


class ScreenKeyCommands(Provider):
    """"<Area>: <action>" for every key of the calling area screen, so the palette reaches them."""

    def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        screen = self.screen
        if not isinstance(screen, AreaScreen):
            return []
        return key_commands(screen)

    async def discover(self) -> Hits:
        for title, help_text, run in self._commands():
            yield DiscoveryHit(title, run, help=help_text or None)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, run in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), run, text=title,
                          help=help_text or None)


class AreaScreen(Screen[None]):
    """The base screen of one area of the cockpit (one app mode).

    Subclasses fill the space between the header and the footer with :meth:`compose_body`.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        # Textual's own ctrl+c copy of selected text (mouse); with nothing selected it passes
        # on to quit. Not a palette command (``y`` copies the row's key).
        Binding("ctrl+c,super+c", "screen.copy_text", _("Copy the selected text"),
                show=False, id="area.copy"),
    ]

    COMMANDS: ClassVar[set[type[Provider] | Callable[[], type[Provider]]]] = {
        ScreenKeyCommands
    }

    def __init__(self, workspace: Workspace, *, clock: Clock, title: str) -> None:
        super().__init__()
        self.workspace = workspace
        self.clock = clock
        self.sub_title = title

    def compose(self) -> ComposeResult:
        from pmcockpit.screens.areas import AREAS, area_of

        yield Header()
        area = area_of(type(self))
        yield AreaTabs([a.tab for a in AREAS], area.mode if area else "", id="area-tabs")
        yield from self.compose_body()
        yield Footer(compact=True)

    def compose_body(self) -> ComposeResult:
        raise NotImplementedError

    def on_resize(self) -> None:
        # Below 80 columns the screen's own keys need the room: ctrl+p stays, unnamed.
        self.query_one(Footer).show_command_palette = self.size.width >= 80

    def copy_target(self) -> tuple[str, str] | None:
        """What ``y`` copies here: (what it is, the text), e.g. (_("ticket key"),
        "PROJ-12"); None when nothing is selected. Area screens override it."""
        return None


class LiveAreaScreen(AreaScreen):
    """An area screen showing data read from the database, again each time it is shown."""

    BINDINGS: ClassVar[list[BindingType]] = [
        # Off the footer, which must fit 80 columns; help and the palette list it.
        Binding("r", "reload", _("Refresh"), show=False, id="area.refresh",
                tooltip=_("Read the database again")),
    ]

    _reading: frozenset[Worker[Any]] = frozenset()
    """The workers :meth:`load` started and that have not finished: "Loading…" till then."""

    def load(self) -> None:
        """Start the thread worker that reads this screen's data."""
        raise NotImplementedError

    def on_screen_resume(self) -> None:
        self._load_saying_so()

    def action_reload(self) -> None:
        self._load_saying_so()

    def _load_saying_so(self) -> None:
        """:meth:`load`, with "Loading…" on the tab line from the first frame until the
        workers it started are done."""
        before = set(self.app.workers)
        self.load()
        started = {worker for worker in self.app.workers
                   if worker.node is self and worker not in before and not worker.is_finished}
        self._reading = frozenset(self._reading | started)
        self._show_reading()

    def _show_reading(self) -> None:
        for tabs in self.query(AreaTabs):
            tabs.show_loading(bool(self._reading))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place a failed read becomes something the user sees."""
        worker = event.worker
        if self._reading:  # a cancelled one may leave without its own event
            alive = set(self.app.workers)
            self._reading = frozenset(read for read in self._reading
                                      if read in alive and not read.is_finished)
            self._show_reading()
        if event.state == WorkerState.ERROR:
            self.log.error(worker, worker.error)
            # Descriptions are marked with N_ where the workers are declared; _("") would
            # be the catalog's header.
            task = _(worker.description) if worker.description else worker.description
            # Translators: {task} is a worker's description, "Reading the checklists".
            self.notify(f"{worker.error}", title=_("{task} failed").format(task=task),
                        severity="error", timeout=10)
