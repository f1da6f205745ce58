"""The ``pmcockpit`` command: the cockpit itself, plus subcommands for scripts and cron.

Commands load lazily, so ``pmcockpit --help``, ``--version`` and ``pmcockpit X --help``
answer at once: a command's module is imported only when that command runs or shows its
help, and the top-level help lists the commands from the table below without importing
them. Register a command (or a group) with ONE line in :data:`COMMANDS`::

    "roster": ("pmcockpit.commands.roster:roster", N_("The HR roster: what it says, ...")),

that is: the name typed on the command line, ``module:attribute`` of the click command,
and its short help for ``pmcockpit --help`` (a sentence, marked with ``N_``). A command
module keeps its top level light (click, pmcockpit.core, the context): SQLAlchemy,
alembic, httpx, keyring, Textual and the services are imported inside the command
functions. ``tests/test_cli_imports.py`` checks both for every command in the table.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, MutableMapping

import click

from pmcockpit import __version__
from pmcockpit.commands.context import CliContext, database_failure, pass_cli
from pmcockpit.core.i18n import N_, _, ngettext

COMMANDS: dict[str, tuple[str, str]] = {
    "open": ("pmcockpit.cli:open_cockpit",
             N_("Open the cockpit on your database (the default command).")),
    "demo": ("pmcockpit.commands.demo:demo",
             N_("Open the cockpit on a throwaway database connected to simulated tools.")),
    "connect": ("pmcockpit.commands.connect:connect", N_("Connect pmcockpit to your tools.")),
    "sync": ("pmcockpit.commands.sync:sync",
             N_("Sync the connected tools' users, projects and tickets into the database.")),
    "act": ("pmcockpit.commands.act:act",
            N_("Run an action on targets in a connection, through the audited runner.")),
    "undo": ("pmcockpit.commands.act:undo", N_("Reverse an action taken earlier.")),
    "checklist": ("pmcockpit.commands.checklist:checklist",
                  N_("The routine checklists: daily inspection, weekly clean-up and more.")),
    "report": ("pmcockpit.commands.report:report",
               N_("Reports for the people the tools serve.")),
    "review": ("pmcockpit.commands.review:review",
               N_("Permission reviews: start, decide, apply, sign off, export the evidence.")),
    "roster": ("pmcockpit.commands.roster:roster",
               N_("The HR roster the review checks accounts against: import it, show it.")),
    "sweep": ("pmcockpit.commands.review_apply:sweep",
              N_("One plan that closes every account of a person who left, in every tool.")),
    "rollout": ("pmcockpit.commands.rollout:rollout",
                N_("Rollouts of tools, upgrades and templates: phases, gates, waves, adoption.")),
    "ticket": ("pmcockpit.commands.ticket:ticket",
               N_("The support queue's tickets: list, show, add, push, comment, grant, resolve.")),
    "outbox": ("pmcockpit.commands.outbox:outbox",
               N_("Changes waiting for a tool that could not be reached.")),
    "alert": ("pmcockpit.commands.alert:alert",
              N_("Alerts to the team's chat or mailbox: Feishu, DingTalk, Slack, e-mail.")),
    "audit": ("pmcockpit.commands.audit:audit",
              N_("The append-only log of every action pmcockpit took in a tool.")),
    "db": ("pmcockpit.commands.db:db",
           N_("Inspect, upgrade and copy pmcockpit's database.")),
    "serve": ("pmcockpit.commands.serve:serve",
              N_("Serve the cockpit in a web browser; every tab runs its own.")),
    "config": ("pmcockpit.commands.config:config",
               N_("The config file: where it is, and the settings in effect.")),
    "sim": ("pmcockpit.commands.sim:sim",
            N_("Simulated project-management tool: a seeded organisation behind a REST API.")),
}


CLICK_WORDS = (
    N_("Usage:"), N_("Options"), N_("Commands"), N_("Show this message and exit."),
    N_("Show the version and exit."), N_("required"), N_("default: {default}"),
    N_("env var: {var}"), N_("Aborted!"), N_("Missing command."),
    N_("Try '{command} {option}' for help."), N_("Invalid value: {message}"),
    N_("Invalid value for {param_hint}: {message}"), N_("Missing argument"),
    N_("Missing option"), N_("Missing parameter"), N_("No such option {name!r}."),
    N_("No such command {name!r}."), N_("Do you want to continue?"),
    N_("Confirm the action without prompting."))
"""Click's own words in its help and errors, for the catalog: click looks each up with
``gettext`` when it shows it, through the ``_`` of its modules, which
:func:`speak_click` points at pmcockpit's translation."""


def speak_click() -> None:
    """Click's own words (Usage:, Options, Missing argument...) in the chosen language."""
    from click import core, decorators, exceptions, formatting, parser, termui, types

    for module in (core, decorators, exceptions, formatting, parser, termui, types):
        module._ = _  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext  # type: ignore[attr-defined]


speak_click()


def load_command(name: str) -> click.Command:
    """Import the module of the command registered as ``name`` and return the command."""
    module, _sep, attribute = COMMANDS[name][0].partition(":")
    command = getattr(importlib.import_module(module), attribute)
    assert isinstance(command, click.Command), f"{name}: {module}:{attribute} is no command"
    return command


class LazyCommands(MutableMapping[str, click.Command]):
    """The group's ``commands`` mapping: names from the table, a command loaded on first
    access. Commands added at run time (tests) are kept as given."""

    def __init__(self) -> None:
        self.loaded: dict[str, click.Command] = {}
        self.names: list[str] = list(COMMANDS)

    def __getitem__(self, name: str) -> click.Command:
        if name not in self.loaded:
            if name not in self.names:
                raise KeyError(name)
            self.loaded[name] = load_command(name)
        return self.loaded[name]

    def __setitem__(self, name: str, command: click.Command) -> None:
        if name not in self.names:
            self.names.append(name)
        self.loaded[name] = command

    def __delitem__(self, name: str) -> None:
        self.names.remove(name)
        self.loaded.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def __len__(self) -> int:
        return len(self.names)


class LazyGroup(click.Group):
    """A click group whose subcommands are imported only when used (see the docstring)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.commands: MutableMapping[str, click.Command] = LazyCommands()

    def invoke(self, ctx: click.Context) -> object:
        """Run the command; a database that cannot be reached is a message, not a traceback."""
        try:
            return super().invoke(ctx)
        except Exception as error:
            message = database_failure(error)
            if message is None:
                raise
            raise click.ClickException(message) from error

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list from the table, so ``--help`` imports no command module."""
        rows = []
        for name in self.list_commands(ctx):
            if name in COMMANDS:
                rows.append((name, _(COMMANDS[name][1])))
            else:
                rows.append((name, self.commands[name].get_short_help_str()))
        if rows:
            with formatter.section(_("Commands")):
                formatter.write_dl(rows)


# Help texts are translated at import: the language is to be chosen before this module
# is imported (see pmcockpit.core.i18n). Click rewraps each paragraph to the terminal.
@click.group(cls=LazyGroup, invoke_without_command=True,
             context_settings={"help_option_names": ["-h", "--help"]},
             help=_("pmcockpit: the administrator's cockpit for project-management tools.\n\n"
                    "Without a subcommand, opens the cockpit on your database: daily checklist, "
                    "permission review, support queue and rollout tracker for the connected "
                    "tools. Try `pmcockpit demo` to see every workflow on a simulated "
                    "organisation."))
@click.version_option(__version__, prog_name="pmcockpit")
@click.option("--db", metavar="PATH|URL", envvar="PMCOCKPIT_DB",
              help=_("Database file, or any SQLAlchemy URL (sqlite:///x.db, postgresql://…). "
                     "Default: SQLite in the user data folder."))
@click.option("--read-only", is_flag=True, default=None,
              help=_("Refuse every write to a connected tool."))
@click.option("--lang", metavar="LANG", default=None, expose_value=True,
              help=_("Language: en or zh-CN (default: the config's language, then "
                     "PMCOCKPIT_LANG, then LC_ALL/LANG)."))
@click.option("--write-for", metavar="DURATION",
              help=_("Open the cockpit read-only but with write mode armed for DURATION "
                     "(30m, 2h), then read-only again; needs --reason, kept in the audit "
                     "log."))
@click.option("--reason", metavar="TEXT", help=_("Why write mode is armed (with --write-for)."))
@click.pass_context
def main(ctx: click.Context, db: str | None, read_only: bool | None, lang: str | None,
         write_for: str | None, reason: str | None) -> None:
    from pmcockpit.config import ConfigError, load_settings

    grant = None
    if write_for is not None:
        if not (reason or "").strip():
            raise click.UsageError(_("--write-for needs --reason: the audit log keeps why."))
        from pmcockpit.services.write_mode import WriteModeError, parse_duration

        try:
            grant = (parse_duration(write_for), (reason or "").strip())
        except WriteModeError as error:
            raise click.UsageError(f"--write-for: {error}") from error
        read_only = True
    elif reason is not None:
        raise click.UsageError(_("--reason goes with --write-for."))
    try:
        settings = load_settings(db=db, read_only=read_only, language=lang)
    except ConfigError as error:
        raise click.ClickException(str(error)) from error
    ctx.obj = CliContext(settings, write_for=grant)
    if ctx.invoked_subcommand is None:
        ctx.invoke(open_cockpit)


@click.command("open", help=_("Open the cockpit on your database (the default command)."))
@pass_cli
def open_cockpit(cli: CliContext) -> None:
    from pmcockpit.app import run_cockpit

    run_cockpit(cli.settings, write_for=cli.write_for)
