"""One person's accounts across tools, joined by e-mail.

Tools name people differently (a Redmine login, a Jira accountId, a GitLab
username); the e-mail address is what they share, where the tool shows it.
Accounts without one stay on their own: a guess would join the wrong people.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pmcockpit.storage.models import Account, Connection


@dataclass(frozen=True, slots=True)
class ToolAccount:
    connection: str
    login: str
    status: str
    is_admin: bool


@dataclass(frozen=True, slots=True)
class Identity:
    key: str
    """The lower-cased e-mail, or ``connection:login`` for an account without one."""
    name: str
    accounts: tuple[ToolAccount, ...]

    @property
    def connections(self) -> list[str]:
        return sorted({a.connection for a in self.accounts})


def identities(session: Session, *, email: str | None = None) -> list[Identity]:
    """Everyone, or the person with ``email``, with their accounts in every connection."""
    key = func.lower(Account.email)
    query = (select(key, Account.name, Connection.name, Account.login, Account.status,
                    Account.is_admin)
             .join(Connection, Account.connection_id == Connection.id)
             .order_by(key, Connection.name))
    if email is not None:
        query = query.where(key == email.strip().lower())
    grouped: dict[str, tuple[str, list[ToolAccount]]] = {}
    for mail, name, connection, login, status, is_admin in session.execute(query):
        identity = mail or f"{connection}:{login}"
        grouped.setdefault(identity, (name, []))[1].append(
            ToolAccount(connection, login, status, is_admin))
    return [Identity(k, name, tuple(accounts)) for k, (name, accounts) in grouped.items()]


def in_several_tools(people: Sequence[Identity]) -> list[Identity]:
    return [p for p in people if len(p.connections) > 1]
