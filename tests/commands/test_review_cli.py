"""``pmcockpit review``: the permission review's CLI twin reads the same query as the screen."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from pmcockpit.cli import main
from pmcockpit.storage.db import open_database
from pmcockpit.storage.queries.permissions import accounts_to_review
from tests.app.data import FIXED_NOW, populate


@pytest.fixture
def db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("PMCOCKPIT_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setattr("pmcockpit.commands.review.utcnow", lambda: FIXED_NOW)
    url = f"sqlite:///{tmp_path / 'cockpit.db'}"
    db = open_database(url)
    populate(db)
    db.dispose()
    return url


def _run(url: str, *args: str) -> Result:
    return CliRunner().invoke(main, ["--db", url, "review", *args], prog_name="pmcockpit")


def test_the_list_matches_the_screens_query(db_url: str) -> None:
    result = _run(db_url, "accounts")
    assert result.exit_code == 0, result.output
    db = open_database(db_url)
    with db.session() as session:
        page = accounts_to_review(session, FIXED_NOW, inactive_days=90, limit=50)
    db.dispose()
    *rows, last = result.output.splitlines()
    assert [row.split()[2] for row in rows] == [r.login for r in page.rows]
    assert rows[0].split()[:3] == ["high", "redmine-prod", "ci-bot"]
    assert last == "4 of 7 accounts to review."


def test_the_list_as_json_names_rules_and_severity(db_url: str) -> None:
    result = _run(db_url, "accounts", "--json", "--limit", "1")
    assert result.exit_code == 0, result.output
    (line,) = result.output.splitlines()
    first = json.loads(line)
    assert (first["login"], first["severity"]) == ("ci-bot", "high")
    assert first["findings"][0]["rule"] == "service-admin"


def test_one_persons_accounts(db_url: str) -> None:
    result = _run(db_url, "person", "ALICE@example.org")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].endswith("<alice@example.org>")
    assert lines[1].split()[:2] == ["redmine-prod", "alice"]
    missing = _run(db_url, "person", "nobody@example.org")
    assert missing.exit_code == 1
    assert "No account has the e-mail nobody@example.org." in missing.output
