"""``pmcockpit ticket``: the support queue for scripts and the on-call engineer.

Changes go through the outbox like the screen's: a tool that cannot be reached gets
them later (said so, exit 0), sent by the next ``sync``, ``outbox send`` or app start.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import click

from pmcockpit.commands.context import EXIT_FAILED, CliContext, pad, pass_cli
from pmcockpit.core.clock import to_local, utcnow
from pmcockpit.core.i18n import _
from pmcockpit.core.queue_filter import SLA_STATES, QueueFilter
from pmcockpit.core.sla_words import clock_json, clock_text

if TYPE_CHECKING:  # the services load when a command runs, not for --help
    from pmcockpit.services.outbox import Delivered
    from pmcockpit.services.ticket_preview import ChangePreview
    from pmcockpit.services.workspace import Workspace
    from pmcockpit.storage.queries.queue_list import QueueRow


@click.group(help=_("The support queue: list, read and answer tickets from every tool."))
def ticket() -> None:
    pass


def _workspace(cli: CliContext) -> Workspace:
    from pmcockpit.services.opener import real_workspace

    return real_workspace(cli.settings, cli.open_db())


def _row_json(row: QueueRow) -> dict[str, Any]:
    return {"key": row.key, "tool": row.connection, "subject": row.subject,
            "priority": row.priority, "status": row.status, "assignee": row.assignee,
            "requester": row.requester, "created_at": row.created_at.isoformat(),
            "response": clock_json(row.clocks.response),
            "resolution": clock_json(row.clocks.resolution), "pending": row.pending}


@ticket.command("list", help=_("Open tickets, most urgent first, with both service-level "
                               "clocks."))
@click.option("--text", default="", help=_("Only tickets whose subject, key or text has it."))
@click.option("--status", default="", help=_("Only this status."))
@click.option("--priority", default="", help=_("Only this priority."))
@click.option("--tool", default="", help=_("Only this connection."))
@click.option("--assignee", default="", help=_("Only tickets assigned to this login or name."))
@click.option("--sla", type=click.Choice(SLA_STATES),
              default=None, help=_("Only tickets with a clock in this state."))
@click.option("--limit", default=200, show_default=True, help=_("At most this many."))
@click.option("--json", "as_json", is_flag=True, help=_("Machine-readable output."))
@pass_cli
def list_tickets(cli: CliContext, text: str, status: str, priority: str, tool: str,
                 assignee: str, sla: str | None, limit: int, as_json: bool) -> None:
    from pmcockpit.services.queue import CalendarError, sla_policy
    from pmcockpit.storage.queries.queue_list import queue_rows

    try:
        policy = sla_policy(cli.settings)
    except CalendarError as error:
        raise click.ClickException(str(error)) from error
    db = cli.open_db()
    wanted = QueueFilter(text, status, priority, tool, assignee, sla or "")
    with db.session() as session:
        rows, _total = queue_rows(session, utcnow(), policy, wanted)
    for row in rows[:limit]:
        if as_json:
            click.echo(json.dumps(_row_json(row), ensure_ascii=False))
            continue
        click.echo(f"{pad(row.key, 16)} {pad(clock_text(row.clocks.response), 16)} "
                   f"{pad(clock_text(row.clocks.resolution), 18)} {pad(row.priority, 8)} "
                   f"{row.subject}")
    if not rows and not as_json:
        click.echo(_("No open tickets match."))


@ticket.command(help=_("One ticket: its description, the whole conversation and what waits "
                       "in the outbox for it."))
@click.argument("key")
@click.option("--json", "as_json", is_flag=True, help=_("Machine-readable output."))
@pass_cli
def show(cli: CliContext, key: str, as_json: bool) -> None:
    from pmcockpit.storage.queries.tickets import TicketNotFound, ticket_detail

    db = cli.open_db()
    with db.session() as session:
        try:
            detail = ticket_detail(session, key)
        except TicketNotFound as error:
            raise click.ClickException(_("no ticket {key} in the queue").format(
                key=error)) from error
    if as_json:
        click.echo(json.dumps({
            "key": detail.ref.key, "tool": detail.ref.connection, "subject": detail.ref.subject,
            "status": detail.status, "priority": detail.priority,
            "description": detail.description,
            "comments": [{"author": c.author, "at": c.created_at.isoformat(), "body": c.body}
                         for c in detail.comments],
            "pending": [{"id": p.id, "kind": p.kind, "state": p.state, "text": p.text}
                        for p in detail.pending]}, ensure_ascii=False))
        return
    click.echo(f"{detail.ref.key}  {detail.ref.subject}")
    click.echo(_("{status} · {priority} · {tool}").format(
        status=detail.status, priority=detail.priority, tool=detail.ref.connection))
    click.echo("")
    click.echo(detail.description or _("(no description)"))
    for comment in detail.comments:
        click.echo("")
        click.echo(f"— {comment.author}, {to_local(comment.created_at):%Y-%m-%d %H:%M}")
        click.echo(comment.body)
    for item in detail.pending:
        click.echo(_("pending in the outbox [{id}]: {kind} {text}").format(
            id=item.id, kind=item.kind, text=item.text))


@ticket.command(help=_("Record a request that came by phone or chat."))
@click.option("--subject", required=True, help=_("What it is about."))
@click.option("--requester", required=True, help=_("Who asked."))
@click.option("--priority", default="Normal", show_default=True, help=_("Its priority."))
@click.option("--description", default="", help=_("More detail."))
@pass_cli
def add(cli: CliContext, subject: str, requester: str, priority: str, description: str
        ) -> None:
    from pmcockpit.services import tickets

    workspace = _workspace(cli)
    try:
        key = tickets.add_local(workspace, subject=subject, requester=requester,
                                priority=priority, description=description)
    except tickets.TicketError as error:
        raise click.UsageError(str(error)) from error
    click.echo(_("Recorded {key}.").format(key=key))


def report_deliveries(done: Sequence[Delivered]) -> None:
    from pmcockpit.services.outbox import Delivery

    failed = False
    for delivered in done:
        if delivered.delivery is Delivery.SENT and delivered.audit_id is None:
            click.echo(_("{key}: {what}").format(key=delivered.ticket_key,
                                                 what=delivered.message))
        elif delivered.delivery is Delivery.SENT:
            click.echo(_("{key}: sent (audit #{audit})").format(key=delivered.ticket_key,
                                                                 audit=delivered.audit_id))
        elif delivered.delivery is Delivery.QUEUED:
            click.echo(_("{key}: queued in the outbox [{id}]: {why}").format(
                key=delivered.ticket_key, id=delivered.item_id, why=delivered.message))
        else:
            failed = True
            click.echo(_("{key}: {state}: {why}").format(
                key=delivered.ticket_key, state=delivered.delivery.value,
                why=delivered.message), err=True)
    if failed:
        raise SystemExit(EXIT_FAILED)


def _change(cli: CliContext, make: Any) -> None:
    from pmcockpit.services import tickets

    workspace = _workspace(cli)
    try:
        result = asyncio.run(make(workspace))
    except tickets.TicketError as error:
        raise click.ClickException(str(error)) from error
    report_deliveries(result if isinstance(result, list) else [result])


@ticket.command(help=_("Add a comment to KEY (sent to the tool as a note or comment)."))
@click.argument("key")
@click.option("--text", required=True, help=_("The comment."))
@pass_cli
def comment(cli: CliContext, key: str, text: str) -> None:
    from pmcockpit.services import tickets

    _change(cli, lambda ws: tickets.comment(ws, key, text))


@ticket.command(help=_("Assign KEY to someone: 'me', a login or an account id; "
                       "'nobody' unassigns."))
@click.argument("key")
@click.option("--to", "who", required=True, help=_("Who takes it."))
@pass_cli
def assign(cli: CliContext, key: str, who: str) -> None:
    from pmcockpit.services import tickets

    _change(cli, lambda ws: tickets.assign(ws, key, who))


@ticket.command(help=_("Change the status of KEY (a Redmine status, a Jira transition's "
                       "target, or GitLab's opened/closed)."))
@click.argument("key")
@click.argument("status")
@pass_cli
def status(cli: CliContext, key: str, status: str) -> None:
    from pmcockpit.services import tickets

    _change(cli, lambda ws: tickets.set_status(ws, key, status))


@ticket.command(help=_("Resolve KEY: add the closing note, then move it to the tool's "
                       "resolved status."))
@click.argument("key")
@click.option("--note", default="", help=_("The closing note."))
@pass_cli
def resolve(cli: CliContext, key: str, note: str) -> None:
    from pmcockpit.services import tickets

    _change(cli, lambda ws: tickets.resolve(ws, key, note))


@ticket.command(help=_("Push a request recorded here (local#N) to a tool: it becomes that "
                       "tool's ticket, linked to the request."))
@click.argument("key")
@click.option("--to", "tool", required=True, help=_("The connection to create it in."))
@click.option("--project", default="", help=_("The project: identifier, key, path, name or "
                                                "id (default: the queue's project)."))
@click.option("--json", "as_json", is_flag=True, help=_("Machine-readable output."))
@pass_cli
def push(cli: CliContext, key: str, tool: str, project: str, as_json: bool) -> None:
    from pmcockpit.services import tickets
    from pmcockpit.services.ticket_push import push_local

    workspace = _workspace(cli)
    try:
        pushed = asyncio.run(push_local(workspace, key, tool, project))
    except tickets.TicketError as error:
        raise click.ClickException(str(error)) from error
    if as_json:
        click.echo(json.dumps({"local": pushed.local_key, "key": pushed.key,
                               "audit_id": pushed.audit_id}))
        return
    click.echo(_("{local} is now {key} (audit #{audit}).").format(
        local=pushed.local_key, key=pushed.key, audit=pushed.audit_id))


@ticket.command(help=_("Grant what an access request asks for, through the audited path, "
                       "and say so on the ticket."))
@click.argument("key")
@click.option("--user", required=True, help=_("Who gets access: a login, e-mail or account id."))
@click.option("--membership", "project", default="",
              help=_("Add a membership in this project (identifier, key, path, "
                     "name or id), with --roles."))
@click.option("--roles", default="", help=_("Roles for the membership, by name or id, e.g. "
                                           "Developer,Reporter (GitLab: one access level)."))
@click.option("--group", default="", help=_("Add the user to this group (name, path or id)."))
@click.option("--unlock", is_flag=True, help=_("Unlock the user's account."))
@click.option("--tool", default="", help=_("The connection (default: the ticket's)."))
@click.option("--dry-run", is_flag=True,
              help=_("Resolve the names and print the calls it would make; change nothing."))
@pass_cli
def grant(cli: CliContext, key: str, user: str, project: str, roles: str, group: str,
          unlock: bool, tool: str, dry_run: bool) -> None:
    from pmcockpit.services import tickets
    from pmcockpit.services.access_request import Grant, grant_access, preview_grant

    chosen = [g for g, on in ((Grant.MEMBERSHIP, project), (Grant.GROUP, group),
                              (Grant.UNLOCK, unlock)) if on]
    if len(chosen) != 1:
        raise click.UsageError(_("give exactly one of --membership, --group, --unlock"))
    workspace = _workspace(cli)
    asked = {"user": user, "target": project or group, "roles": roles, "tool": tool}
    try:
        if dry_run:
            _print_preview(asyncio.run(preview_grant(workspace, key, chosen[0], **asked)))
            return
        granted = asyncio.run(grant_access(workspace, key, chosen[0], **asked))
    except tickets.TicketError as error:
        raise click.ClickException(str(error)) from error
    click.echo(_("{key}: access granted (audit #{audit}).").format(
        key=granted.key, audit=granted.audit_id))
    report_deliveries([granted.answer])


def _print_preview(preview: ChangePreview) -> None:
    for line in preview.lines:
        click.echo(_("would: {what}").format(what=line))
    for planned in preview.previews:
        for call in planned.calls:
            click.echo(f"  {call}")
        if planned.refusal:
            click.echo(_("  refused: {reason}").format(reason=planned.refusal), err=True)
    if preview.problem:
        click.echo(preview.problem, err=True)
    if preview.problem or any(p.refusal for p in preview.previews):
        raise SystemExit(EXIT_FAILED)
