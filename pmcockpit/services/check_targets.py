"""The daily inspection's targets on this machine: the backup folder (``backup_path``) and
the mail server (``mail_host``). Which of them a checklist needs and lacks, setting them
from the cockpit (written to the config file, the rest of it kept), and the note on a
real workspace's first start while they are unset."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from sqlalchemy import func, select

from pmcockpit.config import save_settings
from pmcockpit.core.checklist.template import TemplateStep
from pmcockpit.core.i18n import _
from pmcockpit.services.checks import CONFIG_PREFIX
from pmcockpit.services.workspace import Workspace
from pmcockpit.storage.models import ChecklistRun

TARGETS = ("backup_path", "mail_host")
"""The settings the built-in checks read (``config:NAME`` in a step's parameters)."""

_HOST = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$|^\[[0-9A-Fa-f:.]+\]$")


class TargetError(ValueError):
    """What was typed cannot be a target; the message says what to type."""


def unset_targets(steps: Iterable[TemplateStep], workspace: Workspace) -> list[str]:
    """The settings these steps' checks read that are not set, in step order."""
    wanted: list[str] = []
    for step in steps:
        for value in step.params.values():
            name = value.removeprefix(CONFIG_PREFIX) if isinstance(value, str) \
                and value.startswith(CONFIG_PREFIX) else None
            if name and not getattr(workspace.settings, name, None) and name not in wanted:
                wanted.append(name)
    return wanted


def _checked(backup_path: str, mail_host: str) -> dict[str, str]:
    values: dict[str, str] = {}
    if backup_path.strip():
        path = Path(backup_path.strip()).expanduser()
        if not path.is_absolute():
            raise TargetError(_("The backup folder must be a full path, such as "
                                "/var/backups/redmine, not {path}.").format(path=backup_path))
        if not path.exists():
            raise TargetError(_("Nothing is at {path} on this machine: give the folder (or "
                                "file) the backup job writes.").format(path=path))
        values["backup_path"] = str(path)
    host = mail_host.strip()
    if host:
        if ":" in host and not host.startswith("["):
            raise TargetError(_("Give the mail server's name only ({host}): the "
                                "inspection asks on port 25.").format(host=host.split(":")[0]))
        if not _HOST.match(host):
            raise TargetError(_("{host} is not a host name: type it as mail.example.org or "
                                "an address.").format(host=host))
        values["mail_host"] = host
    if not values:
        raise TargetError(_("Nothing to save: type the backup folder, the mail server or "
                            "both."))
    return values


def save_targets(workspace: Workspace, backup_path: str, mail_host: str,
                 path: Path | None = None) -> Path:
    """Check what was typed, write it to the config file and use it from now on. A blank
    field leaves its setting as it was. Raises TargetError or ConfigError with the
    reason; nothing is written then."""
    values = _checked(backup_path, mail_host)
    written = save_settings(values, path)
    workspace.settings = replace(
        workspace.settings, backup_path=values.get("backup_path", workspace.settings.backup_path),
        mail_host=values.get("mail_host", workspace.settings.mail_host))
    return written


def first_start_note(workspace: Workspace) -> str | None:
    """On a real workspace where no checklist has ever run and a target is unset: where
    to set them. None otherwise (the demo has its own)."""
    if workspace.demo or all(getattr(workspace.settings, name) for name in TARGETS):
        return None
    with workspace.db.session() as session:
        if session.scalar(select(func.count(ChecklistRun.id))):
            return None
    return _("The daily inspection checks a backup folder and a mail server, not set yet: "
             "press 2, open the inspection and press c to set them.")
