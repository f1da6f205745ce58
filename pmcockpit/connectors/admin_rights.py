"""Taking a user's administrator rights away (and giving them back, for undo): the
checks and the words every tool that can do it shares."""

from __future__ import annotations

from pmcockpit.connectors.base import PlannedCall, Prepared
from pmcockpit.connectors.errors import Rejected
from pmcockpit.core.actions import Action, ActionKind
from pmcockpit.core.i18n import _


def admin_change(action: Action, *, login: str, is_admin: bool, own_account: bool,
                 method: str, path: str, body: dict[str, object]) -> Prepared:
    """The one call that sets the admin flag, refused when it would change nothing
    (undoing a no-op would flip it the other way) or demote the token's own account."""
    grant = action.kind is ActionKind.GRANT_ADMIN
    if not grant and own_account:
        raise Rejected(_("refusing to remove the admin rights of {login}: it is the account "
                         "pmcockpit's token belongs to; you would lose API access").format(
                             login=login))
    if is_admin == grant:
        raise Rejected((_("{login} is already an administrator") if grant
                        else _("{login} is not an administrator")).format(login=login))
    note = (_("make {login} an administrator again") if grant
            else _("remove the admin rights of {login}")).format(login=login)
    return Prepared([PlannedCall(method, path, body, note)],
                    {"admin": is_admin, "login": login})
