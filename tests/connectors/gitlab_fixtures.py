"""The GitLab example payloads of ``fixtures/gitlab`` (sources in its README), and helpers
for GitLab connector tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pmcockpit.connectors.base import ConnectionConfig
from pmcockpit.connectors.gitlab import TOKEN_HEADER, GitLabConnector
from pmcockpit.connectors.http import ToolClient
from pmcockpit.sim.tool import SimTool
from tests.connectors.conftest import SleepRecorder

FIXTURES = Path(__file__).parent / "fixtures" / "gitlab"


def payload(name: str) -> Any:
    """The example response kept in ``fixtures/gitlab/<name>.json``."""
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def sim_connector(sim: SimTool, sleeps: SleepRecorder, token: str | None = None,
                  name: str = "gl") -> GitLabConnector:
    """A connector on the simulated GitLab's in-process transport, with recorded sleeps."""
    config = ConnectionConfig(name, "gitlab", sim.url, token or sim.token)
    client = ToolClient(name, f"{sim.url}/api/v4", auth_headers={TOKEN_HEADER: config.token},
                        transport=sim.transport(), sleep=sleeps)
    return GitLabConnector(config, client=client)
