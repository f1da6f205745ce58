"""Access requests: a ticket asking for access ("add me to project X", "my account is
locked") answered by a permission action -- a membership with a role, an unlock, a
group -- run through the audited action runner like the permission review's, with the
ticket as its reason; the result is then commented back on the ticket
("access granted by …; audit #N") through the outbox."""

from __future__ import annotations

import asyncio
import enum
from dataclasses import dataclass

from pmcockpit.connectors.errors import ConnectorError
from pmcockpit.core.actions import Action, ActionKind
from pmcockpit.core.i18n import _
from pmcockpit.services.access_names import Kind, Named, refusal, resolve, resolve_roles
from pmcockpit.services.actions import ActionRunner
from pmcockpit.services.outbox import Delivered
from pmcockpit.services.ticket_preview import DRY_RUN_SECONDS, ChangePreview
from pmcockpit.services.tickets import TicketError, comment, ticket
from pmcockpit.services.workspace import Workspace
from pmcockpit.storage.queries.tickets import TicketRef


class Grant(enum.StrEnum):
    MEMBERSHIP = "membership"
    """``target`` a project (identifier, key, path, name or id), with ``roles`` (names or
    ids, comma-separated)."""
    UNLOCK = "unlock"
    """The user's account is unlocked; no ``target``."""
    GROUP = "group"
    """``target`` a group (name, path or id)."""


KINDS = {Grant.MEMBERSHIP: ActionKind.ADD_MEMBERSHIP, Grant.UNLOCK: ActionKind.UNLOCK_USER,
         Grant.GROUP: ActionKind.ADD_GROUP_MEMBER}


@dataclass(frozen=True, slots=True)
class Granted:
    key: str
    audit_id: int | None
    answer: Delivered
    """The comment on the ticket: sent, or waiting in the outbox."""


async def grant_access(workspace: Workspace, key: str, grant: Grant, *, user: str,
                       target: str = "", roles: str = "", tool: str = "") -> Granted:
    """Grant what ticket ``key`` asks for to ``user`` (a login, e-mail or account id) in
    ``tool`` (the ticket's own by default); then say so on the ticket. Names are resolved
    as :mod:`.access_names` says. Raises TicketError, and then nothing has changed."""
    ref, action, words = await plan_grant(workspace, key, grant, user=user, target=target,
                                          roles=roles, tool=tool)
    where = action.connection
    async with ActionRunner(workspace) as runner:
        [result] = await runner.run([action], confirmed=True)
    if not result.ok:
        raise TicketError(_("{tool} refused: {error} (audit #{audit}); nothing was said on "
                            "{key}").format(tool=where, error=result.error,
                                            audit=result.audit_id, key=ref.key))
    note = _("Access granted by {admin}: {what}; audit #{audit}.").format(
        admin=workspace.settings.operator, what=words, audit=result.audit_id)
    return Granted(ref.key, result.audit_id, await comment(workspace, ref.key, note))


async def plan_grant(workspace: Workspace, key: str, grant: Grant, *, user: str,
                     target: str = "", roles: str = "", tool: str = ""
                     ) -> tuple[TicketRef, Action, str]:
    """The ticket, the action granting it (names resolved) and what it does in words
    ("wang added to pm-support as Developer in rm"). Raises TicketError."""
    ref = await asyncio.to_thread(ticket, workspace, key)
    where = tool.strip() or ref.connection
    await refusal(workspace, where, KINDS[grant])
    who = await resolve(workspace, where, Kind.USER, user)
    action, words = await _action(workspace, grant, where, who, target.strip(), roles,
                                  reason=_("access request {key}").format(key=ref.key))
    return ref, action, words


async def preview_grant(workspace: Workspace, key: str, grant: Grant, *, user: str,
                        target: str = "", roles: str = "", tool: str = "") -> ChangePreview:
    """What the grant will do, names resolved, and the calls the tool will get (a dry
    run). Raises TicketError for a name the tool does not know, before anything is sent."""
    ref, action, words = await plan_grant(workspace, key, grant, user=user, target=target,
                                          roles=roles, tool=tool)
    lines = (words,
             _("then a comment on {key}: access granted by {admin}; audit #…").format(
                 key=ref.key, admin=workspace.settings.operator))
    try:
        async with ActionRunner(workspace) as runner:
            previews = await asyncio.wait_for(runner.preview([action]), DRY_RUN_SECONDS)
    except (ConnectorError, LookupError, TimeoutError) as error:
        return ChangePreview(ref.key, action.connection, lines, problem=_(
            "{tool} cannot plan it now: {error}").format(tool=action.connection,
                                                         error=error or _("no answer")))
    return ChangePreview(ref.key, action.connection, lines, tuple(previews))


async def _action(workspace: Workspace, grant: Grant, tool: str, who: Named, target: str,
                  roles: str, *, reason: str) -> tuple[Action, str]:
    login = who.label.split(" (")[0]
    if grant is Grant.UNLOCK:
        return (Action(ActionKind.UNLOCK_USER, tool, who.remote_id, login, reason=reason),
                _("{user}'s account unlocked in {tool}").format(user=login, tool=tool))
    if not target:
        raise TicketError(_("which {what}? Name it or give its id").format(
            what=_("project") if grant is Grant.MEMBERSHIP else _("group")))
    if grant is Grant.GROUP:
        group = await resolve(workspace, tool, Kind.GROUP, target)
        return (Action(ActionKind.ADD_GROUP_MEMBER, tool, group.remote_id, group.label,
                       {"user_id": who.remote_id}, reason=reason),
                _("{user} added to group {group} in {tool}").format(
                    user=login, group=group.label, tool=tool))
    project = await resolve(workspace, tool, Kind.PROJECT, target)
    named = await resolve_roles(workspace, tool, roles)
    ids = [r.remote_id for r in named]
    role_ids: list[int] | list[str] = [int(r) for r in ids] if all(
        r.isdigit() for r in ids) else ids
    return (Action(ActionKind.ADD_MEMBERSHIP, tool, project.remote_id, project.label,
                   {"principal_id": who.remote_id, "role_ids": role_ids}, reason=reason),
            _("{user} added to {project} as {roles} in {tool}").format(
                user=login, project=project.label, roles=", ".join(r.label for r in named),
                tool=tool))
