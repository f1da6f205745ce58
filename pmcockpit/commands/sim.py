"""``pmcockpit sim``: run the simulated tool on loopback, or write its HR roster."""

from __future__ import annotations

import secrets
import sys
from pathlib import Path

import click

from pmcockpit.core.i18n import _, ngettext
from pmcockpit.sim.dialects import KNOWN, get_dialect

SEED_HELP = _("Seed of the simulated organisation: the same seed gives the same people.")
SCALE_HELP = _("Number of simulated people (10 to 50000 and more).")


def _print_request(line: str) -> None:
    click.echo(line, err=True)


@click.group(help=_("Simulated project-management tool: a seeded organisation behind a REST "
                    "API.\n\nUse it to try pmcockpit, or to test scripts, without touching a "
                    "real Redmine: `pmcockpit sim serve` answers like Redmine 5.0 on a local "
                    "port, and `pmcockpit sim roster` writes the matching HR roster for the "
                    "access review."))
def sim() -> None:
    pass


@sim.command(help=_("Serve the simulated tool on HOST:PORT until Ctrl+C.\n\nPrints the URL "
                    "and the API token to connect with, e.g. `pmcockpit connect add sim --kind "
                    "redmine --url <URL> --token-stdin`. Writes made through the API (locking "
                    "users, changing memberships, commenting tickets) last until the server "
                    "stops."))
@click.option("--port", type=click.IntRange(0, 65535), default=3000, show_default=True,
              help=_("Port to listen on; 0 picks a free one."))
@click.option("--host", default="127.0.0.1", show_default=True,
              help=_("Address to listen on. Keep the loopback default unless you need others "
                     "to reach it: the simulated tool has no real security."))
@click.option("--dialect", type=click.Choice(KNOWN), default="redmine", show_default=True,
              help=_("Which tool's REST API to speak."))
@click.option("--seed", type=int, default=7, show_default=True, help=SEED_HELP)
@click.option("--scale", type=click.IntRange(min=10), default=150, show_default=True,
              help=SCALE_HELP)
@click.option("--token", help=_("API token the admin account accepts. Default: a random one, "
                                "printed at start."))
@click.option("--latency-ms", type=click.FloatRange(min=0), default=0, show_default=True,
              help=_("Delay added to every answer, to feel a slow server."))
@click.option("--roster", "roster_path", type=click.Path(dir_okay=False, path_type=Path),
              help=_("Also write the organisation's HR roster CSV to this file."))
@click.option("--quiet", is_flag=True, help=_("Do not print a line per request."))
def serve(port: int, host: str, dialect: str, seed: int, scale: int, token: str | None,
          latency_ms: float, roster_path: Path | None, quiet: bool) -> None:
    from pmcockpit.sim.org import write_roster
    from pmcockpit.sim.server import serve_forever
    from pmcockpit.sim.tool import SimTool

    api_token = token or secrets.token_hex(20)
    tool = SimTool(dialect=dialect, seed=seed, scale=scale, token=api_token,
                   latency_ms=latency_ms)
    if roster_path is not None:
        write_roster(tool.org, roster_path)

    def announce(url: str) -> None:
        product = get_dialect(dialect).product
        click.echo(ngettext("Simulated {product} ({count} person, seed {seed}) at {url}",
                            "Simulated {product} ({count} people, seed {seed}) at {url}",
                            scale).format(product=product, count=scale, seed=seed, url=url))
        click.echo(_("API token (admin): {token}").format(token=api_token))
        hook = tool.dialect.connector_options
        options = dict(hook(tool.state, url)) if hook else {}
        admin_key = options.pop("admin_api_key", None)  # a secret: never an --option
        command = f"pmcockpit connect add sim-{dialect} --kind {dialect} --url {url}"
        command += "".join(f" --option {key}={value}" for key, value in options.items())
        command += " --admin-key" if admin_key else ""
        click.echo(_("Connect to it: {command}").format(command=command))
        if admin_key:
            click.echo(_("Admin API key: {key}").format(key=admin_key))
        if roster_path is not None:
            click.echo(_("HR roster written to {file}").format(file=roster_path))
        click.echo(_("Press Ctrl+C to stop."))

    try:
        serve_forever(tool, host, port, on_ready=announce,
                      log=None if quiet else _print_request)
    except OSError as error:
        raise click.ClickException(_("cannot listen on {host}:{port}: {reason}").format(
            host=host, port=port, reason=error.strerror)) from error
    except KeyboardInterrupt:
        click.echo(_("Stopped."), err=True)
        sys.exit(0)


@sim.command(help=_("Write the simulated organisation's HR roster to FILE (CSV).\n\nColumns: "
                    "employee_id, login, name, email, department, team, status (employed or "
                    "left) and left_on. Use the same --seed and --scale as `sim serve` so the "
                    "roster matches the served accounts."))
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--seed", type=int, default=7, show_default=True, help=SEED_HELP)
@click.option("--scale", type=click.IntRange(min=10), default=150, show_default=True,
              help=SCALE_HELP)
def roster(file: Path, seed: int, scale: int) -> None:
    from pmcockpit.sim.org import build_org, write_roster

    org = build_org(seed=seed, scale=scale)
    write_roster(org, file)
    people = len(org.employees)
    left = sum(1 for p in org.employees if p.has_left)
    click.echo(ngettext("Wrote {count} person ({left} who left) to {file}",
                        "Wrote {count} people ({left} who left) to {file}", people).format(
        count=people, left=left, file=file))


if __name__ == "__main__":
    sim()
