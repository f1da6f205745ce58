"""Turn what a person types (a login, "#123", "alice@apollo", role names) into an Action.

Names are looked up in the synced state; a plain number is taken as the tool's
own id, so an action works before the first sync too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from pmcockpit.core.actions import SPECS, Action, ActionKind, JSONValue, tool_params
from pmcockpit.core.i18n import N_, _
from pmcockpit.storage import connections
from pmcockpit.storage.db import Database
from pmcockpit.storage.models import Account, Group, Membership, Project, Role, Ticket


class TargetError(ValueError):
    """What was typed names nothing pmcockpit knows; the message says what to type."""


# By what ``_named`` looks for: the label of a bare id, and the refusal of an unknown name.
_NAMED = {
    "group": (N_("group {id}"),
              N_("no group {text} in the synced state: sync first, or give its id")),
    "project": (N_("project {id}"),
                N_("no project {text} in the synced state: sync first, or give its id")),
}


def _account(session: Session, connection_id: int, text: str) -> tuple[str, str]:
    row = session.execute(select(Account.remote_id, Account.login).where(
        Account.connection_id == connection_id,
        or_(Account.login == text, Account.remote_id == text, Account.email == text),
    )).first()
    if row:
        return row[0], row[1]
    if text.isdigit():
        return text, _("user {id}").format(id=text)
    raise TargetError(_("no user {text} in the synced state: sync first, or give its id")
                      .format(text=repr(text)))


def _named(session: Session, model: type[Group] | type[Project], connection_id: int,
           text: str, what: str) -> tuple[str, str]:
    names = [model.name, model.remote_id] + ([Project.key] if model is Project else [])
    row = session.execute(select(model.remote_id, model.name).where(
        model.connection_id == connection_id, or_(*(column == text for column in names))
    )).first()
    if row:
        return row[0], row[1]
    label, unknown = _NAMED[what]
    if text.isdigit():
        return text, _(label).format(id=text)
    raise TargetError(_(unknown).format(text=repr(text)))


def _membership(session: Session, connection_id: int, text: str) -> tuple[str, str]:
    """A membership by the tool's id, or as PRINCIPAL@PROJECT (login or group name)."""
    principal, at, project_text = text.rpartition("@")
    if not at:
        if text.isdigit() or session.scalar(select(Membership.id).where(
                Membership.connection_id == connection_id, Membership.remote_id == text)):
            return text, _("membership {id}").format(id=text)
        raise TargetError(_("membership {text}: give its id or LOGIN@PROJECT").format(
            text=repr(text)))
    project_id, project_name = _named(session, Project, connection_id, project_text, "project")
    query = (select(Membership.remote_id).join(Project, Membership.project_id == Project.id)
             .where(Membership.connection_id == connection_id, Project.remote_id == project_id))
    account = session.scalar(select(Account.id).where(
        Account.connection_id == connection_id, Account.login == principal))
    if account is not None:
        query = query.where(Membership.account_id == account)
    else:
        group = session.scalar(select(Group.id).where(
            Group.connection_id == connection_id, Group.name == principal))
        if group is None:
            raise TargetError(_("no user or group {principal} in the synced state").format(
                principal=repr(principal)))
        query = query.where(Membership.group_id == group)
    remote_id = session.scalar(query)
    if remote_id is None:
        raise TargetError(_("{principal} has no membership in {project}").format(
            principal=principal, project=project_name))
    # Translators: a membership as a person calls it, "alice in Apollo".
    return remote_id, _("{principal} in {project}").format(principal=principal,
                                                           project=project_name)


def _ticket(session: Session, connection_id: int, text: str) -> tuple[str, str]:
    bare = text.lstrip("#")
    row = session.execute(select(Ticket.remote_id, Ticket.key).where(
        Ticket.connection_id == connection_id,
        or_(Ticket.remote_id == bare, Ticket.key == text, Ticket.key == f"#{bare}"),
    )).first()
    if row:
        return row[0], row[1]
    if bare.isdigit():
        return bare, f"#{bare}"
    raise TargetError(_("no ticket {text} in the synced state: sync first, or give its id")
                      .format(text=repr(text)))


def _role_ids(session: Session, connection_id: int, text: str) -> list[str]:
    ids = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        found = session.scalar(select(Role.remote_id).where(
            Role.connection_id == connection_id, or_(Role.name == part, Role.remote_id == part)))
        if found is None and not part.isdigit():
            raise TargetError(_("no role {role} in the synced state").format(role=repr(part)))
        ids.append(found or part)
    return ids


def resolve_action(
    db: Database, connection: str, kind: ActionKind, target: str,
    params: Mapping[str, str], reason: str,
) -> Action:
    spec = SPECS[kind]
    accepted = (*spec.params, *tool_params(kind))
    unknown = set(params) - set(accepted)
    if unknown:
        message = (_("{kind} takes no parameter {unknown} (parameters: {expected})")
                   if accepted else
                   _("{kind} takes no parameter {unknown} (parameters: none)"))
        raise TargetError(message.format(kind=kind.value, unknown=", ".join(sorted(unknown)),
                                         expected=", ".join(accepted)))
    with db.session() as session:
        try:
            row = connections.get(session, connection)
        except connections.UnknownConnection as error:
            raise TargetError(str(error)) from error
        connection_id, tool = row.id, row.kind
        finders: dict[str, Callable[[Session, int, str], tuple[str, str]]] = {
            "user": _account, "membership": _membership, "ticket": _ticket,
            "group": lambda s, c, t: _named(s, Group, c, t, "group"),
            "project": lambda s, c, t: _named(s, Project, c, t, "project")}
        target_id, label = finders[spec.target](session, connection_id, target)
        values: dict[str, JSONValue] = {}
        for key, text in params.items():
            if key == "role_ids":
                values[key] = _role_ids(session, connection_id, text)
            elif key in ("user_id", "assignee_id", "principal_id") and text:
                values[key] = _account(session, connection_id, text)[0]
            else:
                values[key] = text
    return Action(kind, connection, target_id, label, values, reason, tool)
