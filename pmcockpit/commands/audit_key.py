"""``pmcockpit audit key``: share the audit key among a team's operators.

The key that signs the audit chain never goes into the database: each operator of a
shared (PostgreSQL) database imports the team's key into their own keyring.
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from pmcockpit.core.i18n import _


@click.group(help=_("Export and import the key that signs the audit log, for a team sharing "
                    "one database."))
def key() -> None:
    pass


@key.command("export", help=_("Write this installation's audit key (a secret: whoever holds "
                              "it can rewrite the log) to FILE, or print it."))
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False), required=False)
def export_key(file: Path | None) -> None:
    from pmcockpit.services.audit_key import export_text

    text = export_text()
    if file is None:
        click.echo(text, nl=False)
        return
    try:
        descriptor = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise click.ClickException(_("{file} exists: not overwritten").format(file=file)
                                   ) from None
    except OSError as error:
        raise click.ClickException(_("cannot write {file}: {error}").format(
            file=file, error=error.strerror)) from None
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(text)
    click.echo(_("The audit key is in {file} (readable by you only). Give it to the other "
                 "operators over a safe channel; each runs `pmcockpit audit key import`.")
               .format(file=file))


@key.command("import", help=_("Make the team's audit key (from FILE, or - for standard input) "
                              "this installation's."))
@click.argument("file", type=click.File("r", encoding="ascii"))
@click.option("--replace", is_flag=True,
              help=_("Replace a key that already signed logs here (they stop verifying)."))
def import_key(file: click.utils.LazyFile, replace: bool) -> None:
    from pmcockpit.services.audit_key import KeyImportError, import_text

    try:
        found = import_text(file.read(), replace=replace)
    except KeyImportError as error:
        raise click.ClickException(str(error)) from error
    except UnicodeDecodeError:
        raise click.ClickException(_("not a pmcockpit audit key (expected what `pmcockpit "
                                     "audit key export` writes)")) from None
    click.echo(_("Imported: this installation now signs and verifies with the team's key "
                 "(kept in {store}).").format(store=found.key.source))
