"""The connection overview, one read model for the Connections screen and `connect list`."""

from __future__ import annotations

from pathlib import Path

import pytest

from pmcockpit.connectors.tokens import TokenStore
from pmcockpit.services.connection_setup import overview
from pmcockpit.storage import connections
from pmcockpit.storage.connections import HealthFacts
from pmcockpit.storage.db import open_database
from pmcockpit.storage.queries.connections import shown_url
from tests.databases import database_url
from tests.keyring_backend import MemoryKeyring


@pytest.mark.parametrize(("url", "shown"), [
    ("https://admin:PW@host.example.org/redmine?key=K", "https://host.example.org/redmine"),
    ("http://127.0.0.1:3000", "http://127.0.0.1:3000"),
    ("https://[::1]:8443/x", "https://[::1]:8443/x"),
])
def test_a_url_is_shown_without_credentials(url: str, shown: str) -> None:
    assert shown_url(url) == shown


def test_overview_joins_sync_health_and_token_source(tmp_path: Path) -> None:
    db = open_database(database_url(tmp_path / 'db.sqlite'))
    with db.session() as session:
        connections.add(session, "old", "redmine", "https://u:PW@old.example.org/?key=K")
        connections.add(session, "env", "gitlab", "https://gitlab.example.org")
        connections.record_health(session, "env", HealthFacts(True, True, True, 12.0))
        connections.record_sync(session, "env", seconds=1.5, error=None)
    backend = MemoryKeyring()
    backend.set_password("pmcockpit", "old", "tok")
    tokens = TokenStore(environ={"PMCOCKPIT_TOKEN_ENV": "t"}, backend=backend)
    rows = {row.name: row for row in overview(db, tokens=tokens)}
    assert rows["old"].url == "https://old.example.org/"
    assert (rows["old"].token, rows["old"].health, rows["old"].last_sync_at) == (
        "keyring", None, None)
    assert rows["env"].token == "environment"
    assert rows["env"].health is not None and rows["env"].health.latency_ms == 12.0
    assert rows["env"].last_sync_seconds == 1.5
    assert {row.token for row in overview(db, simulated=True)} == {"simulated"}
