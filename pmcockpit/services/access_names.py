"""Names as the administrator knows them, turned into the ids a tool's API takes: a user
by login or e-mail, a role by name (Redmine's "Developer", GitLab's access levels
Guest...Owner, Jira's project roles), a group by name or path, a project by its
identifier, key, path or name. Ids are still accepted.

Names are looked up in the synced data, case-insensitive; a tool never synced is read
through its connector. An unknown or ambiguous name is refused with the candidates.
"""

from __future__ import annotations

import asyncio
import difflib
import enum
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select

from pmcockpit.connectors.base import Connector
from pmcockpit.core.actions import SPECS, ActionKind
from pmcockpit.core.i18n import N_, _
from pmcockpit.services.tickets import TicketError
from pmcockpit.services.workspace import Workspace
from pmcockpit.storage.models import Account, Connection, Group, Project, Role

SHOWN = 8
"""Candidates named in a refusal."""


class Kind(enum.StrEnum):
    USER = "user"
    ROLE = "role"
    GROUP = "group"
    PROJECT = "project"


WHAT = {Kind.USER: N_("account"), Kind.ROLE: N_("role"), Kind.GROUP: N_("group"),
        Kind.PROJECT: N_("project")}
WHATS = {Kind.USER: N_("accounts"), Kind.ROLE: N_("roles"), Kind.GROUP: N_("groups"),
         Kind.PROJECT: N_("projects")}


@dataclass(frozen=True, slots=True)
class Candidate:
    remote_id: str
    label: str
    """As a pick list and a refusal show it."""
    keys: tuple[str, ...]
    """Login, e-mail, identifier, key or path: matched before the display name."""
    name: str = ""


@dataclass(frozen=True, slots=True)
class Named:
    remote_id: str
    label: str


def _slug(text: str) -> str:
    """A GitLab path as it makes one from a name ("Platform / Back End" -> platform/back-end)."""
    parts = [re.sub(r"[^0-9a-z_.]+", "-", p.strip().casefold()).strip("-")
             for p in text.split("/")]
    return "/".join(parts)


def _group(remote_id: str, name: str, path: str) -> Candidate:
    """A group by its path (GitLab's, which need not follow its name), or by the path its
    name would make."""
    keys = (path, name.replace(" / ", "/"), _slug(name))
    return Candidate(remote_id, f"{name} ({path})" if path and path != _slug(name) else name,
                     tuple(k for k in keys if k), name)


def synced(workspace: Workspace, connection: str, kind: Kind) -> list[Candidate]:
    """The candidates the last sync of ``connection`` knows, sorted by label."""
    with workspace.db.session() as session:
        conn = select(Connection.id).where(Connection.name == connection).scalar_subquery()
        if kind is Kind.USER:
            found = [Candidate(a.remote_id, f"{a.login} ({a.email})" if a.email else a.login,
                               (a.login, a.email or ""), a.name)
                     for a in session.scalars(select(Account).where(
                         Account.connection_id == conn))]
        elif kind is Kind.ROLE:
            found = [Candidate(r.remote_id, r.name, (), r.name)
                     for r in session.scalars(select(Role).where(Role.connection_id == conn))]
        elif kind is Kind.GROUP:
            found = [_group(g.remote_id, g.name, g.path)
                     for g in session.scalars(select(Group).where(Group.connection_id == conn))]
        else:
            found = [Candidate(p.remote_id, f"{p.key} ({p.name})" if p.key != p.name
                               else p.key, (p.key,), p.name)
                     for p in session.scalars(select(Project).where(
                         Project.connection_id == conn))]
    return sorted(found, key=lambda c: c.label.casefold())


async def listed(connector: Connector, kind: Kind) -> list[Candidate]:
    """The candidates read from the tool itself (a connection never synced)."""
    if kind is Kind.USER:
        return [Candidate(a.remote_id, a.login, (a.login, a.email or ""), a.name)
                for a in await connector.list_accounts()]
    if kind is Kind.ROLE:
        return [Candidate(r.remote_id, r.name, (), r.name)
                for r in await connector.list_roles()]
    if kind is Kind.GROUP:
        return [_group(g.remote_id, g.name, g.path)
                for g in await connector.list_groups(members=False)]
    return [Candidate(p.remote_id, p.key, (p.key,), p.name)
            for p in await connector.list_projects()]


async def candidates(workspace: Workspace, connection: str, kind: Kind) -> list[Candidate]:
    """Synced data first; the tool's own lists when the sync brought none."""
    found = await asyncio.to_thread(synced, workspace, connection, kind)
    if found:
        return found
    connector = workspace.open_connector(connection)
    try:
        return await listed(connector, kind)
    except Exception as error:
        raise TicketError(_("{tool}: cannot read its {what} ({error}); sync it first or "
                            "give the id").format(tool=connection, what=_(WHATS[kind]),
                                                  error=error)) from None
    finally:
        await connector.aclose()


def pick(found: Sequence[Candidate], text: str, *, tool: str, kind: Kind) -> Named:
    """The one candidate ``text`` names: an id, then a login/e-mail/key/path, then a name
    (each case-insensitive). Raises TicketError naming the candidates."""
    wanted = text.strip()
    folded = wanted.casefold()
    tiers: list[list[Candidate]] = [
        [c for c in found if c.remote_id == wanted],
        [c for c in found if folded in (k.casefold() for k in c.keys if k)],
        [c for c in found if c.name.casefold() == folded],
    ]
    for tier in tiers:
        unique = list({c.remote_id: c for c in tier}.values())
        if len(unique) == 1:
            return Named(unique[0].remote_id, unique[0].label)
        if unique:
            raise TicketError(_("{text!r} names several {what} in {tool}: {names}; give one "
                                "of these (or its id)").format(
                                    text=wanted, what=_(WHATS[kind]), tool=tool,
                                    names=_listing(unique, len(unique))))
    raise TicketError(_("{tool} has no {what} {text!r}; {known}").format(
        tool=tool, what=_(WHAT[kind]), text=wanted, known=_suggest(found, wanted)))


def _listing(found: Iterable[Candidate], total: int) -> str:
    shown = [f"{c.label} [{c.remote_id}]" for c in list(found)[:SHOWN]]
    more = total - len(shown)
    return ", ".join(shown) + (_(" and {count} more").format(count=more) if more > 0 else "")


def _suggest(found: Sequence[Candidate], text: str) -> str:
    if not found:
        return _("none is known (sync the tool, or give the id)")
    words = {k.casefold(): c for c in found for k in (*c.keys, c.name, c.label) if k}
    close = difflib.get_close_matches(text.casefold(), list(words), n=SHOWN, cutoff=0.5)
    near = list({words[w].remote_id: words[w] for w in close}.values())
    if near:
        return _("did you mean: {names}").format(names=_listing(near, len(near)))
    return _("known: {names}").format(names=_listing(found, len(found)))


async def resolve(workspace: Workspace, connection: str, kind: Kind, text: str) -> Named:
    """What ``text`` names among ``connection``'s ``kind``s. Raises TicketError."""
    return pick(await candidates(workspace, connection, kind), text, tool=connection,
                kind=kind)


async def resolve_roles(workspace: Workspace, connection: str, text: str) -> list[Named]:
    """Roles separated by commas, each by name or id ("Developer, Reporter", "3,4")."""
    words = [w.strip() for w in text.split(",") if w.strip()]
    if not words:
        raise TicketError(_("which role? Name it (e.g. --roles Developer) or give its id"))
    found = await candidates(workspace, connection, Kind.ROLE)
    return [pick(found, w, tool=connection, kind=Kind.ROLE) for w in words]


async def refusal(workspace: Workspace, connection: str, kind: ActionKind) -> None:
    """Raise TicketError with the tool's reason when ``connection`` cannot do ``kind``
    (ZenTao's API has no team call, Feishu is a directory...), before any name is read."""
    try:
        connector = workspace.open_connector(connection)
    except Exception as error:
        raise TicketError(_("cannot open {tool}: {error}").format(tool=connection,
                                                                  error=error)) from None
    try:
        capability = SPECS[kind].capability
        if capability in connector.capabilities():
            return
        reason = connector.unsupported_reason(capability) or \
            _("cannot {what}").format(what=capability.label)
        raise TicketError(_("{name} ({kind}) {reason}").format(
            name=connection, kind=connector.kind, reason=reason))
    finally:
        await connector.aclose()


def choices(workspace: Workspace, connection: str, kind: Kind) -> list[str]:
    """The synced names a pick list offers (empty when the sync brought none)."""
    return [c.keys[0] if kind is Kind.PROJECT and c.keys else
            (c.name or c.label) for c in synced(workspace, connection, kind)]
