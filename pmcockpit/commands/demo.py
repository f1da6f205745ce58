"""``pmcockpit demo``: every workflow on a simulated organisation, touching nothing real."""

from __future__ import annotations

import click

from pmcockpit.commands.context import CliContext, pass_cli
from pmcockpit.core.i18n import _


@click.command(help=_("Open the cockpit on a throwaway database connected to simulated tools."
                      "\n\nNeeds no network, no keyring and no config; your own database and "
                      "keyring are not touched."))
@click.option("--seed", default=7, show_default=True,
              help=_("Seed of the simulated organisation."))
@click.option("--scale", default=150, show_default=True, help=_("Number of simulated people."))
@click.option("--lang", metavar="LANG", default=None,
              help=_("Language of the demo: en or zh-CN (chosen at start: see pmcockpit "
                     "--help)."))
@click.option("--read-only", "read_only", is_flag=True,
              help=_("Show the demo read-only, as a cautious installation runs: w arms write "
                     "mode for a while."))
@pass_cli
def demo(cli: CliContext, seed: int, scale: int, lang: str | None, read_only: bool) -> None:
    from pmcockpit.core.i18n import use_language

    if lang:  # before the cockpit's modules build their translated strings
        use_language(lang)
    from pmcockpit.app import run_demo

    run_demo(cli.settings, seed=seed, scale=scale,
             read_only=read_only or cli.settings.read_only)
