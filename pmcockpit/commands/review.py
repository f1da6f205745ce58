"""``pmcockpit review``: the permission review from the command line, the screen's twin.

Both read :mod:`pmcockpit.storage.queries.permissions`, so the screen and a script
see the same accounts in the same order.
"""

from __future__ import annotations

import json

import click

from pmcockpit.commands.context import CliContext, pass_cli
from pmcockpit.core.clock import utcnow
from pmcockpit.core.i18n import _, ngettext
from pmcockpit.core.risk import RULE_LABELS


@click.group(help=_("Accounts that break a review rule, and one person's accounts across "
                    "the tools."))
def review() -> None:
    pass


@review.command("list", help=_("List the accounts to review, most severe first, with the "
                                "rules they break."))
@click.option("--limit", default=50, show_default=True, help=_("How many, most severe first."))
@click.option("--json", "as_json", is_flag=True, help=_("One JSON object per line."))
@pass_cli
def list_accounts(cli: CliContext, limit: int, as_json: bool) -> None:
    from pmcockpit.storage.queries.permissions import accounts_to_review, count_accounts

    with cli.open_db().session() as session:
        page = accounts_to_review(session, utcnow(), inactive_days=cli.settings.inactive_days,
                                  limit=limit)
        total = count_accounts(session)
    for row in page.rows:
        if as_json:
            click.echo(json.dumps({
                "connection": row.connection, "login": row.login, "name": row.name,
                "severity": row.severity.name.lower(),
                "findings": [{"rule": f.rule.value, "message": f.message}
                             for f in row.findings],
            }, ensure_ascii=False))
            continue
        why = ", ".join(_(RULE_LABELS[finding.rule]) for finding in row.findings)
        click.echo(f"{row.severity.label:<7} {row.connection:<10} {row.login:<20} {why}")
    if not as_json:
        click.echo(ngettext("{count:,} of {total:,} account to review.",
                            "{count:,} of {total:,} accounts to review.",
                            total).format(count=page.total, total=total))


@review.command(help=_("Show the accounts of the person with EMAIL in every connected tool."))
@click.argument("email")
@pass_cli
def person(cli: CliContext, email: str) -> None:
    from pmcockpit.storage.queries.permissions import identities

    with cli.open_db().session() as session:
        found = identities(session, email=email)
    if not found:
        raise click.ClickException(_("No account has the e-mail {email}.").format(email=email))
    for identity in found:
        click.echo(_("{name} <{email}>").format(name=identity.name, email=identity.key))
        for account in identity.accounts:
            admin = _("administrator") if account.is_admin else ""
            click.echo(f"  {account.connection:<10} {account.login:<20} {account.status:<12} "
                       f"{admin}".rstrip())
