"""Writing settings into the config file: its other lines stay as they were."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from pmcockpit.config import ConfigError, load_settings, save_settings


def test_a_missing_file_is_made_with_the_settings(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "config.toml"
    assert save_settings({"mail_host": "mail.example.org"}, path) == path
    assert load_settings(path, environ={}).mail_host == "mail.example.org"
    assert path.read_text(encoding="utf-8").startswith("# ")


def test_comments_other_settings_and_tables_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('# mine\nmail_host = "old"  # the relay\nread_only = true\n\n'
                    '[sla_hours]\nhigh = 4\n', encoding="utf-8")
    save_settings({"mail_host": "smtp.example.org", "backup_path": "/srv/bak \"x\""}, path)
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[:3] == ["# mine", 'mail_host = "smtp.example.org"',
                                     "read_only = true"]
    assert tomllib.loads(text) == {"mail_host": "smtp.example.org", "read_only": True,
                                   "backup_path": '/srv/bak "x"', "sla_hours": {"high": 4}}


def test_a_value_it_cannot_replace_safely_leaves_the_file_alone(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    original = 'mail_host = """\nold"""\n'
    path.write_text(original, encoding="utf-8")
    with pytest.raises(ConfigError, match="edit the file by hand"):
        save_settings({"mail_host": "new"}, path)
    assert path.read_text(encoding="utf-8") == original


def test_a_broken_file_is_reported_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("mail_host = \n", encoding="utf-8")
    with pytest.raises(ConfigError):
        save_settings({"mail_host": "new"}, path)
    assert path.read_text(encoding="utf-8") == "mail_host = \n"
    with pytest.raises(ValueError, match="not a text setting"):
        save_settings({"read_only": "yes"}, tmp_path / "other.toml")
