"""``pmcockpit review``: the permission review from the command line, the screen's twin.

Both read :mod:`pmcockpit.storage.queries.review` (a review's frozen snapshot) and
:mod:`pmcockpit.storage.queries.permissions` (today's synced state).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from pmcockpit.commands.context import CliContext, pad, pass_cli
from pmcockpit.commands.review_apply import apply
from pmcockpit.core.clock import utcnow
from pmcockpit.core.i18n import _, ngettext
from pmcockpit.core.review import EXPORT_FORMATS, Decision, Exemption
from pmcockpit.core.risk import RULE_LABELS, Rule, Severity

if TYPE_CHECKING:  # the services load when a command runs, not for --help
    from pmcockpit.services.workspace import Workspace
    from pmcockpit.storage.queries.review import (
        ReviewFilter,
    )


@click.group(help=_("Permission reviews: start one (a frozen snapshot of every account), "
                    "decide keep, revoke or downgrade with a justification, apply through "
                    "the audited action path, sign off, export the evidence."))
def review() -> None:
    pass


review.add_command(apply)


def _rule_label(rule: str) -> str:
    try:
        return _(RULE_LABELS[Rule(rule)])
    except ValueError:
        return rule


@review.command(help=_("Start a review: read every project's members again (they have no "
                       "change marker, so a re-sync keeps them), freeze every synced account, "
                       "judged against the latest roster, and show the drift since the last "
                       "signed-off review."))
@click.option("--tool", "tools", multiple=True, help=_("Only this connection (repeatable)."))
@click.option("--no-refresh", is_flag=True,
              help=_("Freeze the memberships as stored; the review's scope says how old."))
@pass_cli
def start(cli: CliContext, tools: tuple[str, ...], no_refresh: bool) -> None:
    from pmcockpit.services import review as reviews
    from pmcockpit.services.opener import real_workspace
    from pmcockpit.storage.queries.review import progress

    workspace = real_workspace(cli.settings, cli.open_db())
    if not no_refresh:
        _refresh_memberships(workspace, list(tools) or None)
    review_id = reviews.start_review(workspace, connections=list(tools) or None)
    with workspace.db.session() as session:
        total = progress(session, review_id)[1]
    click.echo(ngettext("Review {id} started: {count} account to decide.",
                        "Review {id} started: {count} accounts to decide.",
                        total).format(id=review_id, count=total))
    drift = reviews.review_drift(workspace, review_id)
    if drift is None:
        click.echo(_("No earlier signed-off review: no drift to show."))
        return
    click.echo(_("Since the last review: {new} new accounts, {admins} new admins, "
                 "{added} access added, {removed} removed.").format(
        new=len(drift.new_accounts), admins=len(drift.new_admins),
        added=len(drift.access_added), removed=len(drift.access_removed)))
    for connection, login in drift.new_admins:
        click.echo(_("  new admin: {login} on {connection}").format(login=login,
                                                                    connection=connection))


def _refresh_memberships(workspace: Workspace, names: list[str] | None) -> None:
    import asyncio

    from pmcockpit.services.sync_review import refresh_for_review

    for report in asyncio.run(refresh_for_review(workspace, names)):
        if not report.ok:
            click.echo(_("{name}: memberships not refreshed: {error} (the review uses the "
                         "stored ones; its scope says how old)").format(
                name=report.connection, error=report.error), err=True)


@review.command("list", help=_("List the reviews, newest first."))
@click.option("--json", "as_json", is_flag=True, help=_("One JSON object per line."))
@pass_cli
def list_command(cli: CliContext, as_json: bool) -> None:
    from pmcockpit.storage.queries.review import list_reviews

    with cli.open_db().session() as session:
        rows = list_reviews(session)
    if not rows:
        click.echo(_("No review yet: start one with `pmcockpit review start`."))
    for row in rows:
        state = _("signed off {when} by {who}").format(
            when=f"{row.signed_off_at:%Y-%m-%d}", who=row.signed_off_by) \
            if row.signed_off_at else _("open")
        if as_json:
            click.echo(json.dumps({"id": row.id, "started_at": row.started_at.isoformat(),
                                   "operator": row.operator, "scope": row.scope,
                                   "signed_off": row.signed_off_at is not None,
                                   "accounts": row.accounts, "with_findings": row.with_findings,
                                   "decided": row.decided}, ensure_ascii=False))
            continue
        click.echo(_("{id}  {when}  {who}  {decided}/{total} decided  "
                     "{state}").format(id=f"{row.id:>4}", when=f"{row.started_at:%Y-%m-%d %H:%M}",
                                       who=row.operator,
                                       decided=row.decided, total=row.with_findings,
                                       state=state))


def _filter(text: str, rule: str, severity: str, tool: str, decision: str) -> ReviewFilter:
    from pmcockpit.storage.queries.review import ReviewFilter

    level = Severity[severity.upper()].value if severity else 0
    return ReviewFilter(text=text, min_severity=level, tool=tool, rule=rule, decision=decision)


_SEVERITIES = click.Choice([s.name.lower() for s in Severity])
_RULES = click.Choice([r.value for r in Rule])
_DECISIONS = click.Choice(["undecided", "decided", *[d.value for d in Decision]])


@review.command(help=_("Show a review's people, most severe first, with each account."))
@click.argument("review_id", type=int)
@click.option("--filter", "text", default="", help=_("Text in the login, name or e-mail."))
@click.option("--rule", type=_RULES, default=None, help=_("Only accounts breaking this rule."))
@click.option("--severity", type=_SEVERITIES, default=None, help=_("At least this severity."))
@click.option("--tool", default="", help=_("Only this connection."))
@click.option("--decision", type=_DECISIONS, default=None, help=_("Decision state."))
@click.option("--json", "as_json", is_flag=True, help=_("One JSON object per account."))
@pass_cli
def show(cli: CliContext, review_id: int, text: str, rule: str | None, severity: str | None,
         tool: str, decision: str | None, as_json: bool) -> None:
    from pmcockpit.storage.queries.review import matching_accounts, people, progress

    wanted = _filter(text, rule or "", severity or "", tool, decision or "")
    with cli.open_db().session() as session:
        lines = matching_accounts(session, review_id, wanted)
        page = people(session, review_id, wanted, limit=1)
        decided, total = progress(session, review_id)
    for line in lines:
        if as_json:
            click.echo(json.dumps({
                "id": line.item_id, "connection": line.connection, "login": line.login,
                "person": line.person, "status": line.status, "admin": line.is_admin,
                "findings": list(line.findings), "exempt": line.exempt,
                "decision": line.decision, "target": line.target,
                "justification": line.justification, "applied": line.applied,
                "audit_id": line.audit_id}, ensure_ascii=False))
            continue
        rules = ", ".join(_rule_label(f["rule"]) for f in line.findings)
        verdict = line.decision or "-"
        click.echo(f"{line.item_id:>6} {pad(line.connection, 9)} {pad(line.login, 16)} "
                   f"{pad(line.person, 28)} {pad(verdict, 9)} {rules}".rstrip())
    if not as_json:
        click.echo(_("{people} people; {decided} of {total} accounts with findings decided.")
                   .format(people=page.total, decided=decided, total=total))


@review.command(help=_("Decide on accounts of a review (ACCOUNT: connection:login, a login, "
                       "an e-mail or the id `review show` prints), with a justification."))
@click.argument("review_id", type=int)
@click.argument("accounts", nargs=-1)
@click.option("--keep", "decision", flag_value=Decision.KEEP.value, help=_("Keep the access."))
@click.option("--revoke", "decision", flag_value=Decision.REVOKE.value,
              help=_("Lock, block, deactivate or suspend the account."))
@click.option("--downgrade", "target", default=None, metavar="admin|membership:ID|group:ID",
              help=_("Remove the admin rights, one membership or one group."))
@click.option("--rule", type=_RULES, default=None,
              help=_("Every account breaking this rule (instead of ACCOUNT...)."))
@click.option("--reason", required=True, help=_("The justification (required)."))
@pass_cli
def decide(cli: CliContext, review_id: int, accounts: tuple[str, ...], decision: str | None,
           target: str | None, rule: str | None, reason: str) -> None:
    from pmcockpit.services import review as reviews
    from pmcockpit.services.opener import real_workspace
    from pmcockpit.storage.queries.review import ReviewFilter, find_account, matching_accounts

    chosen = Decision.DOWNGRADE if target else Decision(decision) if decision else None
    if chosen is None:
        raise click.UsageError(_("say --keep, --revoke or --downgrade TARGET"))
    workspace = real_workspace(cli.settings, cli.open_db())
    with workspace.db.session() as session:
        if rule:
            found = matching_accounts(session, review_id, ReviewFilter(rule=rule))
        else:
            found = [line for text in accounts for line in find_account(session, review_id, text)]
    if not found:
        raise click.UsageError(_("no account of review {id} matches").format(id=review_id))
    try:
        changed = reviews.decide(workspace, [line.item_id for line in found], chosen, reason,
                                 target)
    except ValueError as error:
        raise click.UsageError(str(error)) from error
    click.echo(ngettext("{decision}: {count} account.", "{decision}: {count} accounts.",
                        changed).format(decision=chosen.value, count=changed))


@review.command(help=_("Exempt a service or bot account: shown as exempt, not flagged, "
                       "until the date given."))
@click.argument("connection")
@click.argument("login")
@click.option("--owner", required=True, help=_("Who answers for the account."))
@click.option("--reason", required=True, help=_("What the account is for."))
@click.option("--until", "until", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help=_("Expiry date (YYYY-MM-DD); none: until removed."))
@pass_cli
def exempt(cli: CliContext, connection: str, login: str, owner: str, reason: str,
           until: datetime | None) -> None:
    from pmcockpit.services import review as reviews
    from pmcockpit.services.opener import real_workspace

    workspace = real_workspace(cli.settings, cli.open_db())
    try:
        reviews.exempt(workspace, connection, login,
                       Exemption(owner, reason, until.date() if until else None))
    except ValueError as error:
        raise click.UsageError(str(error)) from error
    click.echo(_("{login} on {connection} is exempt; the next review shows it so.").format(
        login=login, connection=connection))


@review.command("sign-off", help=_("Close the review; the audit chain's head is kept with it."))
@click.argument("review_id", type=int)
@pass_cli
def sign_off(cli: CliContext, review_id: int) -> None:
    from pmcockpit.services import review as reviews
    from pmcockpit.services.opener import real_workspace
    from pmcockpit.storage.queries.review import progress

    workspace = real_workspace(cli.settings, cli.open_db())
    with workspace.db.session() as session:
        decided, total = progress(session, review_id)
    if decided < total:
        click.echo(_("Note: {count} accounts with findings have no decision.").format(
            count=total - decided), err=True)
    head = reviews.sign_off(workspace, review_id, now=utcnow())
    click.echo(_("Review {id} signed off; audit head {head}").format(id=review_id, head=head))


@review.command("export", help=_("Write the review's evidence as CSV, Markdown or JSON."))
@click.argument("review_id", type=int)
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), default="csv",
              show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help=_("Write to this file instead of the terminal."))
@pass_cli
def export_command(cli: CliContext, review_id: int, fmt: str, output: Path | None) -> None:
    from pmcockpit.services.opener import real_workspace
    from pmcockpit.services.review_export import ExportError, export

    workspace = real_workspace(cli.settings, cli.open_db())
    try:
        text = export(workspace, review_id, fmt)
    except ExportError as error:
        raise click.ClickException(str(error)) from error
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(_("Wrote {file}.").format(file=output))


@review.command("accounts", help=_("Today's synced accounts that break a review rule, most "
                                   "severe first (no review needed)."))
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
