"""``pmcockpit serve``: the cockpit in a browser tab, through textual-serve.

Each tab that opens the page gets its own pmcockpit process (with ``--demo``, its own
fresh simulated organisation), so a class can click along without stepping on each
other. textual-serve has no login: it binds to loopback unless told otherwise.
"""

from __future__ import annotations

import ipaddress
import shlex
import sys

import click

from pmcockpit.commands.context import CliContext, pass_cli
from pmcockpit.core.i18n import _


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def app_command(cli: CliContext, *, demo: bool) -> str:
    """The shell command each browser tab runs."""
    words = [sys.executable, "-m", "pmcockpit"]
    if cli.settings.read_only:
        words.append("--read-only")
    if demo:
        words.append("demo")
    elif cli.settings.db:
        words += ["--db", cli.settings.db]
    return shlex.join(words)


@click.command(help=_("Serve the cockpit in a web browser (textual-serve): every tab runs its "
                      "own cockpit. No login: keep it on loopback and reach it through an SSH "
                      "tunnel."))
@click.option("--demo", is_flag=True,
              help=_("Each tab gets its own fresh simulated organisation (for training)."))
@click.option("--host", default="127.0.0.1", show_default=True,
              help=_("The address to listen on."))
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535),
              help=_("The port to listen on."))
@click.option("--public", is_flag=True,
              help=_("Allow an address other than loopback (anyone who reaches it gets the "
                     "cockpit: there is no login)."))
@pass_cli
def serve(cli: CliContext, demo: bool, host: str, port: int, public: bool) -> None:
    try:
        from textual_serve.server import Server
    except ImportError:
        raise click.ClickException(_("serving in a browser needs textual-serve: pip install "
                                     "'pmcockpit[browser]'")) from None
    if not is_loopback(host):
        if not public:
            raise click.UsageError(_(
                "{host} is not a loopback address, and textual-serve has no login: anyone "
                "who reaches it gets the cockpit. Add --public to serve there anyway, or keep "
                "127.0.0.1 and use an SSH tunnel (ssh -L 8000:127.0.0.1:8000 HOST).").format(
                    host=host))
        click.echo(_("Warning: serving on {host} with no login: anyone who can reach "
                     "{host}:{port} gets the cockpit.").format(host=host, port=port), err=True)
    Server(app_command(cli, demo=demo), host=host, port=port, title="pmcockpit").serve()
