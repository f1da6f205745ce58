"""``pmcockpit roster``: import HR's staff list, and show the one the review rules use."""

from __future__ import annotations

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
    "headers such as 姓名, 工号, 邮箱, 部门, 在职状态, 离职日期). Bad rows are reported "
    "by line; the good ones are imported. The latest import is the one the rules use."))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help=_("Print the result as JSON."))
@pass_cli
def import_file(cli: CliContext, file: Path, as_json: bool) -> None:
    from pmcockpit.services.opener import real_workspace
    from pmcockpit.services.review import RosterError, import_roster

    workspace = real_workspace(cli.settings, cli.open_db())
    try:
        done = import_roster(workspace, file)
    except (RosterError, OSError) as error:
        raise click.ClickException(_("{file}: {error}").format(file=file, error=error)) \
            from error
    facts, problems = done.facts, done.parsed.problems
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


@roster.command("feishu", help=_(
    "Import the people of a Feishu connection as the roster: who resigned in Feishu has "
    "left (dated today: Feishu does not say when), with department and employee number. "
    "The latest import is the one the rules use."))
@click.argument("connection")
@pass_cli
def import_feishu(cli: CliContext, connection: str) -> None:
    import asyncio

    from pmcockpit.services.actions import ConnectorError
    from pmcockpit.services.feishu_roster import import_feishu_roster
    from pmcockpit.services.opener import real_workspace

    workspace = real_workspace(cli.settings, cli.open_db())
    try:
        facts = asyncio.run(import_feishu_roster(workspace, connection))
    except ConnectorError as error:
        raise click.ClickException(_("{name}: {error}").format(name=connection, error=error)) \
            from error
    click.echo(ngettext("Imported {count} person from {file}.",
                        "Imported {count} people from {file}.",
                        facts.imported).format(count=facts.imported, file=facts.filename))


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
