"""``pmcockpit roster``: import HR's staff list, and show the one the review rules use."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from pmcockpit.commands.context import CliContext, pad, pass_cli
from pmcockpit.core.i18n import _, ngettext

if TYPE_CHECKING:  # the services load when a command runs, not for --help
    pass


@click.group(help=_("HR's staff list: who works here and who left, for the permission review."))
def roster() -> None:
    pass


@roster.command("import", help=_(
    "Import a roster CSV (UTF-8, UTF-8 with BOM, or GB18030/GBK; English or Chinese "
    "headers such as 姓名, 工号, 邮箱, 部门, 在职状态, 离职日期), or read it from a Feishu "
    "connection's directory (--from-feishu). Bad rows are reported by line; the good ones "
    "are imported. The latest import is the one the rules use."))
@click.argument("file", required=False,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--from-feishu", "feishu", metavar="CONNECTION", default=None,
              help=_("Read the roster from this Feishu connection instead of a file."))
@click.option("--json", "as_json", is_flag=True, help=_("Print the result as JSON."))
@pass_cli
def import_file(cli: CliContext, file: Path | None, feishu: str | None, as_json: bool) -> None:
    from pmcockpit.services.actions import ConnectorError
    from pmcockpit.services.feishu_roster import import_feishu_roster
    from pmcockpit.services.opener import real_workspace
    from pmcockpit.services.review import RosterError, import_roster

    if (file is None) == (feishu is None):
        raise click.UsageError(_("give a roster FILE or --from-feishu CONNECTION"))
    workspace = real_workspace(cli.settings, cli.open_db())
    source = str(file) if file is not None else f"feishu:{feishu}"
    try:
        if file is not None:
            done = import_roster(workspace, file)
            facts, problems = done.facts, done.parsed.problems
        else:
            facts, parsed = asyncio.run(import_feishu_roster(workspace, str(feishu)))
            problems = parsed.problems
    except (RosterError, OSError, ConnectorError, LookupError) as error:
        raise click.ClickException(_("{file}: {error}").format(file=source, error=error)) \
            from error
    if as_json:
        click.echo(json.dumps({
            "id": facts.id, "file": facts.filename, "sha256": facts.sha256,
            "encoding": facts.encoding, "imported": facts.imported, "rejected": facts.rejected,
            "problems": [{"line": p.line, "reason": p.reason} for p in problems]},
            ensure_ascii=False))
        return
    for problem in problems:
        click.echo(_("line {line}: {reason}").format(line=problem.line, reason=problem.reason),
                   err=True)
    click.echo(ngettext("Imported {count} person from {file} ({encoding}, sha256 {hash}).",
                        "Imported {count} people from {file} ({encoding}, sha256 {hash}).",
                        facts.imported).format(count=facts.imported, file=facts.filename,
                                               encoding=facts.encoding, hash=facts.sha256[:12]))
    if problems:
        click.echo(ngettext("{count} row was left out: see above.",
                            "{count} rows were left out: see above.",
                            len(problems)).format(count=len(problems)))


@roster.command(help=_("Say that accounts belong to a person (ACCOUNT: connection:login; "
                       "PERSON: a roster login, e-mail or name, or an e-mail address). Kept "
                       "for later reviews; the open review moves them to that person."))
@click.argument("accounts", nargs=-1, required=True, metavar="ACCOUNT...")
@click.option("--to", "person", required=True, help=_("Whose accounts these are."))
@pass_cli
def link(cli: CliContext, accounts: tuple[str, ...], person: str) -> None:
    from pmcockpit.services.opener import real_workspace
    from pmcockpit.services.review_links import NoSuchPerson, link_accounts

    pairs = []
    for account in accounts:
        connection, sep, login = account.partition(":")
        if not sep or not connection or not login:
            raise click.UsageError(_("{account!r}: write an account as connection:login")
                                   .format(account=account))
        pairs.append((connection, login))
    workspace = real_workspace(cli.settings, cli.open_db())
    try:
        key = link_accounts(workspace, pairs, person)
    except NoSuchPerson as error:
        raise click.ClickException(str(error)) from error
    click.echo(ngettext("Linked {count} account to {person}.",
                        "Linked {count} accounts to {person}.", len(pairs)).format(
                            count=len(pairs), person=key))


@roster.command(help=_("Show the latest roster (the one the review rules use) and past "
                       "imports."))
@click.option("--left", is_flag=True, help=_("Only the people who left."))
@click.option("--json", "as_json", is_flag=True, help=_("One JSON object per line."))
@pass_cli
def show(cli: CliContext, left: bool, as_json: bool) -> None:
    from pmcockpit.storage import roster as roster_store

    with cli.open_db().session() as session:
        imports = roster_store.imports(session)
        staff = roster_store.staff(session)
    if not imports:
        click.echo(_("No roster yet: import one with `pmcockpit roster import FILE.csv`."))
        return
    latest = imports[-1]
    for person in staff:
        if left and not person.has_left:
            continue
        if as_json:
            click.echo(json.dumps({
                "email": person.email, "login": person.login, "name": person.name,
                "department": person.department, "status": person.status.value,
                "left_on": person.left_on.isoformat() if person.left_on else None},
                ensure_ascii=False))
            continue
        gone = person.left_on.isoformat() if person.left_on else ""
        click.echo(f"{pad(person.name, 22)} {pad(person.login, 14)} {pad(person.email, 30)} "
                   f"{pad(person.department, 14)} {pad(person.status.value, 7)} {gone}".rstrip())
    if not as_json:
        click.echo(_("Roster {id}: {file}, imported {when} by {who}; "
                     "{count} imported, {rejected} rejected ({total} imports in all).").format(
            id=latest.id, file=latest.filename, when=f"{latest.imported_at:%Y-%m-%d %H:%M}",
            who=latest.operator,
            count=latest.imported, rejected=latest.rejected, total=len(imports)))
