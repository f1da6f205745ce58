"""One person's accounts in Redmine, ZenTao, Feishu, Jira and GitLab are joined by e-mail."""

from __future__ import annotations

from pmcockpit.config import Settings
from pmcockpit.services.demo import open_demo
from pmcockpit.storage.db import Database
from pmcockpit.storage.queries.permissions import identities, in_several_tools


def test_the_demo_people_are_joined_across_the_five_tools(database: Database) -> None:
    with open_demo(database, Settings()) as workspace, workspace.db.session() as session:
        everyone = identities(session)
        several = in_several_tools(everyone)
        engineer = next(p for p in several if len(p.connections) == 5)
        again = identities(session, email=engineer.key.upper())
    assert {a.connection for a in engineer.accounts} == {"feishu", "gitlab", "jira", "redmine",
                                                         "zentao"}
    assert [p.key for p in again] == [engineer.key]
    # Everyone with an account in another tool also has one in Redmine in the demo.
    assert all("redmine" in p.connections for p in several)
    assert len(everyone) < sum(len(p.accounts) for p in everyone)
