"""The daily inspection's targets: what is missing, what is accepted, the first-start note."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pmcockpit.config import Settings
from pmcockpit.services.check_targets import (
    TargetError,
    first_start_note,
    save_targets,
    unset_targets,
)
from pmcockpit.services.checklist import open_current_run
from pmcockpit.services.templates import load_templates
from pmcockpit.services.workspace import Workspace
from pmcockpit.storage.db import Database, open_database
from tests.databases import database_url


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = open_database(database_url(tmp_path / "cockpit.db"))
    yield database
    database.dispose()


def workspace(db: Database, tmp_path: Path, backup_path: str | None = None,
              mail_host: str | None = None) -> Workspace:
    def no_tool(name: str) -> object:
        raise AssertionError(name)

    return Workspace(Settings(templates_dir=str(tmp_path / "none"), backup_path=backup_path,
                              mail_host=mail_host), db,
                     no_tool)  # type: ignore[arg-type]


def daily(space: Workspace) -> list[str]:
    template = load_templates(space.settings).get("daily-inspection")
    return unset_targets(template.steps, space)


def test_the_daily_inspection_needs_both_until_they_are_set(db: Database,
                                                            tmp_path: Path) -> None:
    assert daily(workspace(db, tmp_path)) == ["backup_path", "mail_host"]
    assert daily(workspace(db, tmp_path, mail_host="mx")) == ["backup_path"]


@pytest.mark.parametrize(("backup", "host", "words"), [
    ("relative/dir", "", "full path"),
    ("/no/such/folder/here", "", "Nothing is at"),
    ("", "mx.example.org:587", "name only"),
    ("", "bad host!", "not a host name"),
    ("", " ", "Nothing to save"),
])
def test_wrong_targets_are_refused_with_the_fix(db: Database, tmp_path: Path, backup: str,
                                                host: str, words: str) -> None:
    config = tmp_path / "config.toml"
    with pytest.raises(TargetError, match=words):
        save_targets(workspace(db, tmp_path), backup, host, config)
    assert not config.exists()


def test_saved_targets_are_used_at_once(db: Database, tmp_path: Path) -> None:
    space = workspace(db, tmp_path)
    save_targets(space, str(tmp_path), "mail.example.org", tmp_path / "config.toml")
    assert daily(space) == []
    space2 = workspace(db, tmp_path, backup_path="/srv")
    save_targets(space2, "", "[::1]", tmp_path / "config.toml")  # a blank field is kept
    assert (space2.settings.backup_path, space2.settings.mail_host) == ("/srv", "[::1]")


def test_the_first_start_note_only_while_unset_and_never_run(db: Database,
                                                            tmp_path: Path) -> None:
    space = workspace(db, tmp_path)
    assert "press 2" in (first_start_note(space) or "")
    assert first_start_note(workspace(db, tmp_path, backup_path="/b", mail_host="m")) is None
    space.demo = True
    assert first_start_note(space) is None
    space.demo = False
    open_current_run(space, "daily-inspection")
    assert first_start_note(space) is None
