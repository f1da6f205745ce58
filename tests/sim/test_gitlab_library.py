"""An administrator's script on GitLab's own client library (python-gitlab) against the
simulated GitLab over loopback: the calls GitLab's REST docs describe, answered as the
product answers them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from pmcockpit.sim.dialects.gitlab import gitlab_facts
from pmcockpit.sim.dialects.gitlab.facts import project_path
from pmcockpit.sim.models import USER_ACTIVE, Journal
from pmcockpit.sim.server import serve
from pmcockpit.sim.tool import SimTool

gitlab = pytest.importorskip("gitlab")


@pytest.fixture
def served() -> Iterator[tuple[SimTool, Any]]:
    tool = SimTool(dialect="gitlab", seed=7, scale=60)
    with serve(tool) as running:
        yield tool, gitlab.Gitlab(running.url, private_token=tool.token)


def _busiest_path(tool: SimTool) -> str:
    counts = Counter(i.project_id for i in tool.state.issues.values())
    project = tool.state.projects[counts.most_common(1)[0][0]]
    return project_path(gitlab_facts(tool.state), project)


def _someone(tool: SimTool) -> int:
    return next(u.id for u in sorted(tool.state.users.values(), key=lambda u: u.id)
                if u.status == USER_ACTIVE and not u.admin and tool.state.groups_of(u.id))


def test_labels_notes_and_discussions(served: tuple[SimTool, Any]) -> None:
    tool, gl = served
    project = gl.projects.get(_busiest_path(tool))  # by its namespaced path
    issue = project.issues.list(get_all=False, per_page=1, state="opened")[0]
    before = len(issue.notes.list(get_all=True))
    issue.labels = ["security", "audit"]
    issue.save()
    project.issues.update(issue.iid, {"add_labels": "q3", "remove_labels": "audit"})
    again = project.issues.get(issue.iid)
    assert {"security", "q3"} <= set(again.labels) and "audit" not in again.labels
    assert len(again.notes.list(get_all=True)) == before  # label changes are not notes
    events = [(e.action, e.label["name"]) for e in again.resourcelabelevents.list(get_all=True)]
    assert events == [("add", "security"), ("add", "audit"), ("remove", "audit"),
                      ("add", "q3")]
    assert project.issues.list(labels="q3", get_all=True)[0].iid == issue.iid
    assert {"security", "q3"} <= {label.name for label in project.labels.list(get_all=True)}
    internal = again.notes.create({"body": "Checked the access log.", "internal": True})
    assert internal.internal is True
    assert again.notes.get(internal.id).body == "Checked the access log."
    thread = again.discussions.create({"body": "Who approved this?"})
    assert thread.individual_note and thread.attributes["notes"][0]["body"] == "Who approved this?"
    assert again.discussions.get(thread.id).id == thread.id
    assert len(again.discussions.list(get_all=True)) == len(again.notes.list(get_all=True))


def test_every_seeded_note_has_an_author(served: tuple[SimTool, Any]) -> None:
    tool, gl = served
    issue = next(i for i in tool.state.issues.values() if i.journals)
    issue.journals.append(Journal(10**6, 10**6, "From someone long gone.", issue.updated_on))
    facts = gitlab_facts(tool.state)
    project = gl.projects.get(issue.project_id)
    notes = project.issues.get(facts.iid(issue)).notes.list(get_all=True)
    assert all(note.author["username"] for note in notes)
    assert any(note.author["username"] == "ghost" for note in notes)


def test_groups_users_tokens_and_audit(served: tuple[SimTool, Any]) -> None:
    tool, gl = served
    group = next(g for g in gl.groups.list(get_all=True) if g.projects.list(get_all=True))
    assert gl.groups.get(group.full_path).id == group.id  # a group by its path too
    assert group.subgroups.list(get_all=True) == []
    user = gl.users.get(_someone(tool))
    memberships = user.memberships.list(get_all=True)
    assert {m.source_type for m in memberships} <= {"Project", "Namespace"} and memberships
    user.ban()
    assert gl.users.get(user.id).state == "banned"
    with pytest.raises(gitlab.exceptions.GitlabBanError):
        user.ban()
    user.unban()
    assert gl.users.get(user.id).state == "active"
    token = gl.personal_access_tokens.list(user_id=user.id, get_all=True)[0]
    assert token.user_id == user.id and token.active
    gl.personal_access_tokens.delete(token.id)
    assert gl.personal_access_tokens.get(token.id).revoked
    events = [e.details["custom_message"] for e in gl.audit_events.list(get_all=True)]
    assert events[:3] == [f"Revoked personal access token with id {token.id}",
                          "Unbanned user", "Banned user"]


def test_a_revoked_token_is_refused(served: tuple[SimTool, Any]) -> None:
    tool, gl = served
    user = tool.state.users[_someone(tool)]
    gl.personal_access_tokens.delete(user.id)
    theirs = gitlab.Gitlab(gl.url, private_token=user.api_key)
    with pytest.raises(gitlab.exceptions.GitlabAuthenticationError):
        theirs.auth()
