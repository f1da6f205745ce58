"""The mutable state of one simulated tool, and the rules that keep it consistent.

Write calls mutate it for as long as it lives. Group inheritance follows
Redmine: a group's membership of a project gives each of its users the same
roles, marked as inherited from that group membership; adding or removing a user
to or from the group, or changing or deleting the group's membership, cascades.

One re-entrant lock guards it because the loopback server is threaded: hold
``state.lock`` around anything that reads several records or writes.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from pmcockpit.core.records import AccountKind
from pmcockpit.sim.models import (
    USER_ACTIVE,
    Grant,
    Group,
    Issue,
    IssueStatus,
    Journal,
    JournalDetail,
    Member,
    Priority,
    Project,
    Role,
    Tracker,
    User,
)

if TYPE_CHECKING:
    from pmcockpit.sim.org import Organisation

DEFAULT_TOKEN = "pmcockpit-sim-admin-token"
ADMIN_LOGIN = "admin"


def utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


class ToolState:
    """Users, groups, roles, projects, memberships and issues of one simulated tool."""

    def __init__(self, tool: str = "redmine", token: str = DEFAULT_TOKEN,
                 clock: Callable[[], datetime] = utc_now) -> None:
        self.tool = tool
        self.token = token
        self.clock = clock
        """When writes happen: real time unless a test pins it."""
        self.lock = threading.RLock()
        self.revision = 0
        """Bumped by every write call (see :meth:`changed`)."""
        self.read_cache: dict[tuple[str, ...], list[Any]] = {}
        """Answers worth keeping between the pages of one listing; emptied on writes."""
        self.org: Organisation | None = None
        """The organisation this state was built from (``from_org``), for dialects that need
        facts the Redmine-shaped records drop, such as a project's department."""
        self.extras: dict[str, Any] = {}
        """Records a dialect keeps beside the shared ones, by dialect name (GitLab's
        deactivated users, access levels of group members); kept across writes."""
        self.users: dict[int, User] = {}
        self.groups: dict[int, Group] = {}
        self.roles: dict[int, Role] = {}
        self.projects: dict[int, Project] = {}
        self.members: dict[int, Member] = {}
        self.issues: dict[int, Issue] = {}
        self.statuses: dict[int, IssueStatus] = {}
        self.trackers: dict[int, Tracker] = {}
        self.priorities: dict[int, Priority] = {}
        self._sequences: dict[str, int] = {}
        self._by_login: dict[str, int] = {}
        self._by_key: dict[str, int] = {}
        self._member_of: dict[tuple[int, int], int] = {}
        self._members_of_project: dict[int, set[int]] = {}
        self._members_of_principal: dict[int, set[int]] = {}
        self._groups_of_user: dict[int, set[int]] = {}

    @classmethod
    def from_org(cls, org: Organisation, tool: str = "redmine", token: str = DEFAULT_TOKEN,
                 clock: Callable[[], datetime] = utc_now) -> ToolState:
        """The tool's state as ``org`` left it: only people with an account on ``tool``."""
        from pmcockpit.sim.org import bulk_build
        from pmcockpit.sim.seeding import populate  # seeding imports this module

        state = cls(tool, token, clock)
        with bulk_build():
            populate(state, org)
        state.org = org
        return state

    def changed(self) -> None:
        """Note a change: cached listings are stale. The dialects call it after every write
        call; call it yourself after editing records' attributes directly."""
        self.revision += 1
        self.read_cache.clear()

    # Sequences ----------------------------------------------------------------------

    def next_id(self, sequence: str) -> int:
        """The next id of ``sequence``; in Redmine users and groups share "principal"."""
        value = self._sequences.get(sequence, 0) + 1
        self._sequences[sequence] = value
        return value

    def skip_ids(self, sequence: str, count: int) -> None:
        self._sequences[sequence] = self._sequences.get(sequence, 0) + count

    def api_key_for(self, login: str) -> str:
        """A user's API key: the sim's token for ``admin``, derived from it otherwise."""
        if login == ADMIN_LOGIN:
            return self.token
        return hashlib.sha1(f"{self.token}:{login}".encode()).hexdigest()

    # Users and groups ---------------------------------------------------------------

    def add_user(self, *, login: str, firstname: str, lastname: str, mail: str,
                 admin: bool = False, status: int = USER_ACTIVE,
                 created_on: datetime | None = None, last_login_on: datetime | None = None,
                 kind: AccountKind = AccountKind.PERSON) -> User:
        created = created_on or self.clock()
        user = User(
            id=self.next_id("principal"), login=login, firstname=firstname, lastname=lastname,
            mail=mail, admin=admin, status=status, created_on=created, updated_on=created,
            last_login_on=last_login_on, passwd_changed_on=created if last_login_on else None,
            api_key=self.api_key_for(login), kind=kind,
        )
        self.users[user.id] = user
        self._by_login[login.lower()] = user.id
        self._by_key[user.api_key] = user.id
        self.changed()
        return user

    def user_by_login(self, login: str) -> User | None:
        user_id = self._by_login.get(login.lower())
        return None if user_id is None else self.users[user_id]

    def user_by_api_key(self, key: str) -> User | None:
        user_id = self._by_key.get(key)
        return None if user_id is None else self.users.get(user_id)

    def set_user_status(self, user: User, status: int) -> None:
        if user.status != status:
            user.status = status
            user.updated_on = self.clock()
            self.changed()

    def rename_login(self, user: User, login: str) -> None:
        del self._by_login[user.login.lower()]
        user.login = login
        self._by_login[login.lower()] = user.id
        self.changed()

    def delete_user(self, user_id: int) -> None:
        for group_id in list(self._groups_of_user.get(user_id, ())):
            self.remove_group_user(group_id, user_id)
        for member_id in list(self._members_of_principal.get(user_id, ())):
            self._drop_member(self.members[member_id])
        for issue in self.issues.values():
            if issue.assigned_to_id == user_id:
                issue.assigned_to_id = None
        user = self.users.pop(user_id)
        self._by_login.pop(user.login.lower(), None)
        self._by_key.pop(user.api_key, None)
        self.changed()

    def add_group(self, name: str, builtin: str | None = None) -> Group:
        group = Group(id=self.next_id("principal"), name=name, builtin=builtin)
        self.groups[group.id] = group
        return group

    def groups_of(self, user_id: int) -> list[Group]:
        return [self.groups[g] for g in sorted(self._groups_of_user.get(user_id, ()))]

    def add_group_user(self, group_id: int, user_id: int) -> bool:
        """Add a user to a group; the group's project roles reach the user, inherited."""
        group = self.groups[group_id]
        groups_of_user = self._groups_of_user.setdefault(user_id, set())
        if group_id in groups_of_user:  # the set, not the group's list: O(1) for big groups
            return False
        group.user_ids.append(user_id)
        groups_of_user.add(group_id)
        for group_member in self.memberships_of_principal(group_id):
            self._grant_inherited(group_member, user_id, group_member.direct_role_ids)
        return True

    def remove_group_user(self, group_id: int, user_id: int) -> bool:
        group = self.groups[group_id]
        if user_id not in group.user_ids:
            return False
        group.user_ids.remove(user_id)
        self._groups_of_user.get(user_id, set()).discard(group_id)
        for group_member in self.memberships_of_principal(group_id):
            self._revoke_inherited(group_member, user_id)
        return True

    def delete_group(self, group_id: int) -> None:
        for member in self.memberships_of_principal(group_id):
            self.delete_member(member.id)
        for user_id in list(self.groups[group_id].user_ids):
            self._groups_of_user.get(user_id, set()).discard(group_id)
        del self.groups[group_id]

    # Projects and memberships -------------------------------------------------------

    def add_project(self, project: Project) -> Project:
        self.projects[project.id] = project
        self.changed()
        return project

    def project_by_ref(self, ref: str) -> Project | None:
        """A project by its numeric id or its identifier."""
        if ref.isdigit():
            return self.projects.get(int(ref))
        return next((p for p in self.projects.values() if p.identifier == ref), None)

    def member_of(self, project_id: int, principal_id: int) -> Member | None:
        member_id = self._member_of.get((project_id, principal_id))
        return None if member_id is None else self.members[member_id]

    def memberships_of_project(self, project_id: int) -> list[Member]:
        return [self.members[m] for m in sorted(self._members_of_project.get(project_id, ()))]

    def memberships_of_principal(self, principal_id: int) -> list[Member]:
        ids = sorted(self._members_of_principal.get(principal_id, ()))
        return [self.members[m] for m in ids]

    def add_membership(self, project_id: int, principal_id: int,
                       role_ids: Iterable[int]) -> Member:
        """Give direct roles; for a group, its users inherit them.

        A principal who already holds inherited roles in the project keeps one
        membership that then holds both, as in Redmine.
        """
        member = self.member_of(project_id, principal_id)
        if member is None:
            member = self._new_member(project_id, principal_id)
        direct = set(member.direct_role_ids)
        added = [r for r in dict.fromkeys(role_ids) if r not in direct]
        member.grants = [g for g in member.grants if g.inherited_from is None] + [
            Grant(r) for r in added] + [g for g in member.grants if g.inherited_from is not None]
        group = self.groups.get(principal_id)
        if group is not None:
            for user_id in group.user_ids:
                self._grant_inherited(member, user_id, added)
        return member

    def set_member_roles(self, member_id: int, role_ids: Iterable[int]) -> None:
        """Replace the direct roles; inherited ones stay. A group's users follow."""
        member = self.members[member_id]
        wanted = list(dict.fromkeys(role_ids))
        before = set(member.direct_role_ids)
        inherited = [g for g in member.grants if g.inherited_from is not None]
        member.grants = [Grant(r) for r in wanted] + inherited
        group = self.groups.get(member.principal_id)
        if group is None:
            return
        removed = before - set(wanted)
        added = [r for r in wanted if r not in before]
        for user_id in group.user_ids:
            self._revoke_inherited(member, user_id, removed)
            self._grant_inherited(member, user_id, added)

    def delete_member(self, member_id: int) -> None:
        """Delete a membership; a group's deletion takes its users' inherited roles."""
        member = self.members[member_id]
        group = self.groups.get(member.principal_id)
        if group is not None:
            for user_id in group.user_ids:
                self._revoke_inherited(member, user_id)
        self._drop_member(member)

    def _new_member(self, project_id: int, principal_id: int) -> Member:
        member = Member(self.next_id("member"), project_id, principal_id)
        self.members[member.id] = member
        self._member_of[(project_id, principal_id)] = member.id
        self._members_of_project.setdefault(project_id, set()).add(member.id)
        self._members_of_principal.setdefault(principal_id, set()).add(member.id)
        return member

    def _drop_member(self, member: Member) -> None:
        self.members.pop(member.id, None)
        self._member_of.pop((member.project_id, member.principal_id), None)
        self._members_of_project.get(member.project_id, set()).discard(member.id)
        self._members_of_principal.get(member.principal_id, set()).discard(member.id)

    def _grant_inherited(self, group_member: Member, user_id: int,
                         role_ids: Iterable[int]) -> None:
        role_ids = list(role_ids)
        if not role_ids:
            return
        member = self.member_of(group_member.project_id, user_id)
        if member is None:
            member = self._new_member(group_member.project_id, user_id)
        present = {(g.role_id, g.inherited_from) for g in member.grants}
        member.grants += [Grant(r, group_member.id) for r in role_ids
                          if (r, group_member.id) not in present]

    def _revoke_inherited(self, group_member: Member, user_id: int,
                          role_ids: Iterable[int] | None = None) -> None:
        member = self.member_of(group_member.project_id, user_id)
        if member is None:
            return
        only = None if role_ids is None else set(role_ids)
        member.grants = [g for g in member.grants if not (
            g.inherited_from == group_member.id and (only is None or g.role_id in only))]
        if not member.grants:
            self._drop_member(member)

    # Issues -------------------------------------------------------------------------

    def add_issue(self, issue: Issue) -> Issue:
        self.issues[issue.id] = issue
        self._sequences["issue"] = max(self._sequences.get("issue", 0), issue.id)
        self.changed()
        return issue

    def update_issue(self, issue: Issue, user_id: int, notes: str,
                     changes: dict[str, int | str | None]) -> Journal | None:
        """Apply attribute changes and notes; a journal records them, as in Redmine."""
        now = self.clock()
        details = []
        for name, value in changes.items():
            old = getattr(issue, name)
            if old == value:
                continue
            details.append(JournalDetail("attr", name, _text(old), _text(value)))
            setattr(issue, name, value)
            if name == "status_id" and isinstance(value, int):
                was_closed = self.statuses[int(old)].is_closed if old is not None else False
                if self.statuses[value].is_closed and not was_closed:
                    issue.closed_on = now
        if not details and not notes:
            return None
        journal = Journal(self.next_id("journal"), user_id, notes, now, details)
        issue.journals.append(journal)
        issue.updated_on = now
        self.changed()
        return journal


def _text(value: int | str | None) -> str | None:
    return None if value is None else str(value)
