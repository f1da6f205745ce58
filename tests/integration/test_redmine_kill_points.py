"""kill -9 in the middle of ``pmcockpit act`` against the real Redmine: at every step
the log names the action (or nothing was done), verify says what is in doubt, and
reconcile records the truth read back from Redmine."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
import pytest

from pmcockpit.connectors.redmine import API_KEY_HEADER
from tests.integration.conftest import RedmineServer, ok
from tests.killpoints import POINTS, Pm, run_case


@pytest.mark.parametrize("point", POINTS)
def test_kill_at_each_step_against_redmine(redmine_server: RedmineServer, tmp_path: Path,
                                           point: str) -> None:
    headers = {API_KEY_HEADER: redmine_server.api_key}
    with httpx.Client(base_url=redmine_server.url, headers=headers, timeout=30) as api:
        login = f"kill-{uuid.uuid4().hex[:8]}"
        body = {"user": {"login": login, "firstname": "Kill", "lastname": "Point",
                         "mail": f"{login}@example.test", "password": "Password-12345"}}
        user_id = ok(api.post("/users.json", json=body), 201)["user"]["id"]

        def locked() -> bool:
            return bool(ok(api.get(f"/users/{user_id}.json"), 200)["user"]["status"] == 3)

        pm = Pm(tmp_path / "home", "it", redmine_server.api_key)
        added = pm("connect", "add", "it", "--kind", "redmine", "--url", redmine_server.url)
        assert added.returncode == 0, added.stdout + added.stderr
        result = run_case(pm, point, ["it", "lock-user", str(user_id), "--reason", "left",
                                      "--yes"], locked)
        print(result.row())
