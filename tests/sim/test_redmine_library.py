"""An administrator's script on python-redmine against the simulated Redmine over
loopback, and the details where the simulator follows Redmine 5.0.4's own views
(app/views/projects/index.api.rsb, show.api.rsb) and controllers (``head`` for errors
without a body, ``render_validation_errors`` listing every problem)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from pmcockpit.sim.models import USER_ACTIVE, USER_LOCKED
from pmcockpit.sim.server import serve
from pmcockpit.sim.tool import SimTool

redminelib = pytest.importorskip("redminelib")


@pytest.fixture
def served() -> Iterator[tuple[SimTool, str]]:
    tool = SimTool(dialect="redmine", seed=7, scale=60)
    with serve(tool) as running:
        yield tool, running.url


def test_admin_script_on_python_redmine(served: tuple[SimTool, str]) -> None:
    tool, url = served
    redmine: Any = redminelib.Redmine(url, key=tool.token)
    users = list(redmine.user.all())  # it asks for every status (``status=``)
    assert len(users) == len(tool.state.users)
    project = next(iter(redmine.project.all()))
    memberships = list(redmine.project_membership.filter(project_id=project.identifier))
    assert memberships and {r.name for m in memberships for r in m.roles}
    assert {g.name for g in redmine.group.all()} and {r.name for r in redmine.role.all()}
    issue = redmine.issue.create(project_id=project.id, subject="Access review Q3")
    assert redmine.issue.get(issue.id).description is None  # never given: null
    redmine.issue.update(issue.id, notes="Reviewed.", description="All accounts checked.")
    again = redmine.issue.get(issue.id, include=["journals"])
    assert again.description == "All accounts checked."
    assert [j.notes for j in again.journals] == ["Reviewed."]
    someone = next(u for u in users if u.id != redmine.user.get("current").id
                   and tool.state.users[u.id].status == USER_ACTIVE)
    redmine.user.update(someone.id, status=USER_LOCKED)
    assert tool.state.users[someone.id].status == USER_LOCKED
    with pytest.raises(redminelib.exceptions.ValidationError) as refused:
        redmine.issue.create(project_id=project.id, subject="", assigned_to_id=10**6)
    assert str(refused.value) == "Subject cannot be blank, Assignee is invalid"


def test_projects_list_as_redmine_does(served: tuple[SimTool, str]) -> None:
    tool, url = served
    headers = {"X-Redmine-API-Key": tool.token}
    listed = httpx.get(f"{url}/projects.json", headers=headers).json()["projects"]
    assert listed and all("homepage" not in p for p in listed)
    shown = httpx.get(f"{url}/projects/{listed[0]['id']}.json", headers=headers).json()
    assert list(shown["project"])[:5] == ["id", "name", "identifier", "description",
                                          "homepage"]


def test_errors_are_json(served: tuple[SimTool, str]) -> None:
    tool, url = served
    headers = {"X-Redmine-API-Key": tool.token}
    refused = httpx.post(f"{url}/issues.json", headers=headers, json={"issue": {}})
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/json")
    assert refused.json() == {"errors": ["Subject cannot be blank", "Project cannot be blank",
                                         "Tracker cannot be blank", "Status cannot be blank"]}
    for answer in (httpx.get(f"{url}/issues/999999.json", headers=headers),
                   httpx.get(f"{url}/users.json")):
        assert answer.status_code in (401, 404) and answer.content == b""
        assert answer.headers["content-type"] == "application/json"
