"""What the review screen offers on a person's accounts: the single actions (lock,
unlock, remove admin rights, a membership or a group) and the downgrade targets."""

from __future__ import annotations

from collections.abc import Sequence

from pmcockpit.core.actions import Action, ActionKind
from pmcockpit.core.i18n import _
from pmcockpit.screens.review_dialogs import Target
from pmcockpit.storage.queries.permissions import LiveAccount
from pmcockpit.storage.queries.review import AccountLine


def downgrade_targets(lines: Sequence[AccountLine]) -> list[Target]:
    """Each membership and group of these accounts, as something a downgrade removes."""
    found = []
    for line in lines:
        if line.is_admin:
            found.append(Target(_("{tool} {login}: admin rights").format(
                tool=line.connection, login=line.login), line.item_id, "admin"))
        for membership in line.access.get("memberships", []):
            roles = ", ".join(membership["roles"]) or "-"
            found.append(Target(_("{tool} {login}: project {project} ({roles})").format(
                tool=line.connection, login=line.login, project=membership["project"],
                roles=roles), line.item_id, f"membership:{membership['id']}"))
        for group in line.access.get("groups", []):
            found.append(Target(_("{tool} {login}: group {group}").format(
                tool=line.connection, login=line.login, group=group["name"]),
                line.item_id, f"group:{group['id']}"))
    return found


def account_actions(account: LiveAccount) -> list[tuple[str, Action]]:
    """(label, action) for every single action on one account: lock or unlock, remove
    the admin rights, a membership or a group."""
    where = _("{login} on {tool}").format(login=account.login, tool=account.connection)
    user = (account.connection, account.remote_id, account.login)
    choices = [(_("Unlock {where}").format(where=where), Action(ActionKind.UNLOCK_USER, *user))
               if account.status == "locked" else
               (_("Lock {where}").format(where=where), Action(ActionKind.LOCK_USER, *user))]
    if account.is_admin:
        choices.append((_("Remove the admin rights of {where}").format(where=where),
                        Action(ActionKind.REMOVE_ADMIN, *user)))
    for membership_id, project in account.memberships:
        choices.append((
            _("Remove {where} from project {project}").format(where=where, project=project),
            Action(ActionKind.REMOVE_MEMBERSHIP, account.connection, membership_id,
                   _("{login} in {project}").format(login=account.login, project=project))))
    for group_id, group in account.groups:
        choices.append((
            _("Remove {where} from group {group}").format(where=where, group=group),
            Action(ActionKind.REMOVE_GROUP_MEMBER, account.connection, group_id,
                   _("{login} from {group}").format(login=account.login, group=group),
                   {"user_id": account.remote_id})))
    return choices


def as_live(line: AccountLine) -> LiveAccount:
    """A review's account line as the single actions see it."""
    return LiveAccount(
        line.connection, line.remote_id, line.login, line.name, None, line.status,
        line.is_admin,
        tuple((str(m["id"]), str(m["project"])) for m in line.access.get("memberships", [])),
        tuple((str(g["id"]), str(g["name"])) for g in line.access.get("groups", [])))


def single_actions(lines: Sequence[AccountLine]) -> list[tuple[str, Action]]:
    """(label, action) for every single action on these accounts: the accounts with a
    finding first (a leaver's open account), so Enter, Enter locks the one that matters."""
    ordered = sorted(lines, key=lambda line: not line.findings)  # stable: tool order kept
    return [choice for line in ordered for choice in account_actions(as_live(line))]
