"""Help: every key of the screen it was opened on, from that screen's active bindings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from pmcockpit.core.i18n import N_, _

# Group names, translated where shown (they also order the rows).
THIS_SCREEN, EVERYWHERE, MOVING_AROUND = N_("This screen"), N_("Everywhere"), N_("Moving around")
GROUP_ORDER = (THIS_SCREEN, EVERYWHERE, MOVING_AROUND)


@dataclass(frozen=True, slots=True)
class KeyHelp:
    keys: str
    """Every key doing this, as the footer shows them ("q, ^c")."""
    description: str
    where: str
    """One of :data:`GROUP_ORDER`."""
    binding_id: str = ""
    """What to write in the config's keymap to remap it; empty for Textual's own keys."""


TEXTUAL_WORDS = (
    N_("Focus Next"), N_("Focus Previous"), N_("Cursor up"), N_("Cursor down"),
    N_("Cursor left"), N_("Cursor right"), N_("Page up"), N_("Page down"), N_("Page Up"),
    N_("Page Down"), N_("Page Left"), N_("Page Right"), N_("Top"), N_("Bottom"), N_("Home"),
    N_("End"), N_("First"), N_("Last"), N_("Up"), N_("Down"), N_("Select"), N_("Submit"),
    N_("Scroll Up"), N_("Scroll Down"), N_("Scroll Left"), N_("Scroll Right"),
    N_("Scroll Home"), N_("Scroll End"), N_("Select all"), N_("Copy selected text"),
    N_("Cut selected text"), N_("Paste text from the clipboard"), N_("Go to start"),
    N_("Go to end"), N_("Delete character left"), N_("Delete character right"),
    N_("Move cursor left"), N_("Move cursor left a word"), N_("Delete all to the right"))
"""The descriptions of Textual's own keys, English in Textual: translated where shown."""


def keys_of(screen: Screen[object]) -> list[KeyHelp]:
    """The described keys active on ``screen``: its own (and its focused widget's) first."""
    app = screen.app
    grouped: dict[tuple[str, str, str, str], list[str]] = {}
    for node, binding, _enabled, tooltip in screen.active_bindings.values():
        if not binding.description:
            continue
        if isinstance(node, App):
            where = EVERYWHERE
        else:
            # Our keys carry ids; Textual's own (a table's cursor keys) do not.
            where = THIS_SCREEN if binding.id else MOVING_AROUND
        description = _(binding.description)  # Textual's own keys: see TEXTUAL_WORDS
        if tooltip or binding.tooltip:
            # Translators: a key's short description, then its tooltip.
            description = _("{description}: {tooltip}").format(
                description=description, tooltip=tooltip or binding.tooltip)
        grouped.setdefault((where, binding.action, description, binding.id or ""), []).append(
            app.get_key_display(binding)
        )
    rows = [KeyHelp(", ".join(keys), description, where, binding_id)
            for (where, _action, description, binding_id), keys in grouped.items()]
    return sorted(rows, key=lambda row: GROUP_ORDER.index(row.where))


def key_table(keys: list[KeyHelp]) -> Table:
    """The keys as a table that wraps its descriptions to the width it is given."""
    table = Table(box=None, expand=True, padding=(0, 1), show_edge=False)
    table.add_column(_("Key"), no_wrap=True, style="bold")
    table.add_column(_("Does"), ratio=1)
    table.add_column(_("Id (to remap)"), no_wrap=True, style="dim")
    where = None
    for row in keys:
        if row.where != where:
            where = row.where
            table.add_row("", Text(_(where), style="bold underline"), "")
        table.add_row(Text(row.keys), Text(row.description), Text(row.binding_id))
    return table


class HelpScreen(ModalScreen[None]):
    """A list of keys over the screen it describes; Escape, ? or q closes it."""

    CSS_PATH = "help.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "dismiss", _("Close help"), id="help.close"),
        # A modal hides the app's keys; ctrl+c still quits from here.
        Binding("ctrl+c", "app.quit", _("Quit"), show=False, id="help.quit"),
    ]

    def __init__(self, title: str, keys: list[KeyHelp]) -> None:
        super().__init__()
        self.help_title = title
        self.keys = keys

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-dialog") as dialog:
            dialog.border_title = _("Keys: {area}").format(area=self.help_title)
            dialog.border_subtitle = _("Escape, ? or q to close")
            yield Static(key_table(self.keys), id="help-keys")
            yield Static(
                _("Every command is also in the palette (ctrl+p). To remap a key, add its id "
                  "to the config file: [keymap] \"app.queue\" = \"w\"."),
                id="help-note",
                markup=False,
            )
