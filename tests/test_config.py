"""Settings: defaults, the TOML file, PMCOCKPIT_* overrides and clear errors."""

from __future__ import annotations

import getpass
import os
from pathlib import Path

import pytest

from pmcockpit.config import ConfigError, Settings, config_path, load_settings


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No PMCOCKPIT_* variable of the developer's shell, and platformdirs inside tmp_path."""
    for name in [n for n in os.environ if n.startswith("PMCOCKPIT_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    return tmp_path


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    return tmp_path / "config.toml"


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


FULL_FILE = """\
db = "sqlite:////srv/pmcockpit/state.db"
operator = "ada"
read_only = true
theme = "nord"
inactive_days = 30
templates_dir = "/srv/pmcockpit/checklists"

[keymap]
"app.home" = "h"

[sla_hours]
Urgent = 1
High = 2
"""


def test_defaults_without_a_file(config_file: Path) -> None:
    settings = load_settings(config_file, environ={})
    assert settings == Settings()
    assert settings.db is None
    assert settings.read_only is False
    assert settings.theme == "textual-dark"
    assert settings.inactive_days == 90
    assert settings.keymap == {}
    assert settings.sla_hours == {"Urgent": 4, "High": 8, "Normal": 24, "Low": 72}
    assert settings.operator == getpass.getuser()
    assert not config_file.exists(), "loading settings must not create the file"


def test_default_templates_folder_is_in_the_config_folder(
    isolated_env: Path, config_file: Path
) -> None:
    settings = load_settings(config_file, environ={})
    assert settings.checklist_dir == isolated_env / "xdg-config" / "pmcockpit" / "checklists"
    assert Settings(templates_dir="/x/y").checklist_dir == Path("/x/y")


def test_values_from_the_file(config_file: Path) -> None:
    settings = load_settings(_write(config_file, FULL_FILE), environ={})
    assert settings == Settings(
        db="sqlite:////srv/pmcockpit/state.db",
        operator="ada",
        read_only=True,
        theme="nord",
        inactive_days=30,
        templates_dir="/srv/pmcockpit/checklists",
        keymap={"app.home": "h"},
        sla_hours={"Urgent": 1, "High": 2},
    )


def test_environment_overrides_the_file(config_file: Path) -> None:
    _write(config_file, 'db = "sqlite:///file.db"\nread_only = false\ninactive_days = 30\n')
    environ = {
        "PMCOCKPIT_DB": "sqlite:///env.db",
        "PMCOCKPIT_READ_ONLY": "1",
        "PMCOCKPIT_INACTIVE_DAYS": "120",
        "PMCOCKPIT_OPERATOR": "grace",
        "PMCOCKPIT_THEME": "gruvbox",
        "UNRELATED": "x",
    }
    settings = load_settings(config_file, environ=environ)
    assert settings.db == "sqlite:///env.db"
    assert settings.read_only is True
    assert settings.inactive_days == 120
    assert settings.operator == "grace"
    assert settings.theme == "gruvbox"


def test_the_process_environment_is_read_by_default(
    config_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PMCOCKPIT_READ_ONLY", "yes")
    monkeypatch.setenv("PMCOCKPIT_DB", "sqlite:///from-env.db")
    settings = load_settings(config_file)
    assert settings.read_only is True
    assert settings.db == "sqlite:///from-env.db"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", True),
        ("true", True),
        ("TRUE", True),
        ("yes", True),
        ("on", True),
        (" 1 ", True),
        ("0", False),
        ("false", False),
        ("no", False),
        ("off", False),
        ("", False),
    ],
)
def test_read_only_from_the_environment(config_file: Path, raw: str, expected: bool) -> None:
    assert load_settings(config_file, environ={"PMCOCKPIT_READ_ONLY": raw}).read_only is expected


def test_an_environment_value_of_the_wrong_type_is_named(config_file: Path) -> None:
    with pytest.raises(ConfigError, match="PMCOCKPIT_READ_ONLY") as raised:
        load_settings(config_file, environ={"PMCOCKPIT_READ_ONLY": "maybe"})
    assert "environment" in str(raised.value)
    with pytest.raises(ConfigError, match="PMCOCKPIT_INACTIVE_DAYS"):
        load_settings(config_file, environ={"PMCOCKPIT_INACTIVE_DAYS": "ninety"})


def test_explicit_overrides_win_over_environment_and_file(config_file: Path) -> None:
    _write(config_file, 'db = "sqlite:///file.db"\nread_only = true\n')
    environ = {"PMCOCKPIT_DB": "sqlite:///env.db", "PMCOCKPIT_READ_ONLY": "1"}
    settings = load_settings(
        config_file, environ=environ, db="sqlite:///flag.db", read_only=False, inactive_days=7
    )
    assert (settings.db, settings.read_only, settings.inactive_days) == (
        "sqlite:///flag.db",
        False,
        7,
    )


def test_an_override_of_none_means_not_given(config_file: Path) -> None:
    _write(config_file, 'db = "sqlite:///file.db"\n')
    settings = load_settings(
        config_file, environ={"PMCOCKPIT_READ_ONLY": "1"}, db=None, read_only=None
    )
    assert (settings.db, settings.read_only) == ("sqlite:///file.db", True)


def test_bad_toml_names_the_file(config_file: Path) -> None:
    _write(config_file, 'db = "sqlite:///unterminated\n')
    with pytest.raises(ConfigError) as raised:
        load_settings(config_file, environ={})
    assert str(config_file) in str(raised.value)


def test_a_file_that_is_not_utf8_names_the_file(config_file: Path) -> None:
    config_file.write_bytes(b'theme = "caf\xe9"\n')
    with pytest.raises(ConfigError) as raised:
        load_settings(config_file, environ={})
    assert str(config_file) in str(raised.value)


def test_a_folder_in_place_of_the_file_names_it(config_file: Path) -> None:
    config_file.mkdir()
    with pytest.raises(ConfigError) as raised:
        load_settings(config_file, environ={})
    assert str(config_file) in str(raised.value)


def test_an_unknown_setting_is_named(config_file: Path) -> None:
    _write(config_file, 'colour = "blue"\n')
    with pytest.raises(ConfigError, match="'colour'") as raised:
        load_settings(config_file, environ={})
    message = str(raised.value)
    assert str(config_file) in message
    assert "inactive_days" in message, "the message lists the known settings"


@pytest.mark.parametrize(
    ("line", "setting"),
    [
        ("db = 5", "db"),
        ("templates_dir = false", "templates_dir"),
        ("read_only = 3", "read_only"),
        ('read_only = "perhaps"', "read_only"),
        ("inactive_days = true", "inactive_days"),
        ("inactive_days = 1.5", "inactive_days"),
        ('inactive_days = "ninety"', "inactive_days"),
        ('theme = ["a"]', "theme"),
        ('keymap = "h"', "keymap"),
        ("sla_hours = 4", "sla_hours"),
    ],
)
def test_a_value_of_the_wrong_type_is_named(config_file: Path, line: str, setting: str) -> None:
    _write(config_file, line + "\n")
    with pytest.raises(ConfigError, match=setting) as raised:
        load_settings(config_file, environ={})
    assert str(config_file) in str(raised.value)


@pytest.mark.parametrize(
    "table",
    [
        '[sla_hours]\nUrgent = "soon"\n',
        "[sla_hours]\nUrgent = true\n",
        '[keymap]\n"app.home" = 5\n',
    ],
)
def test_a_table_entry_of_the_wrong_type_is_named(config_file: Path, table: str) -> None:
    """sla_hours maps priorities to whole hours and keymap binding ids to keys; a
    wrong entry must fail at load time, not later inside a screen."""
    _write(config_file, table)
    with pytest.raises(ConfigError) as raised:
        load_settings(config_file, environ={})
    assert str(config_file) in str(raised.value)


def test_config_location_defaults_to_the_platform_config_folder(isolated_env: Path) -> None:
    assert config_path() == isolated_env / "xdg-config" / "pmcockpit" / "config.toml"


def test_pmcockpit_config_moves_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    elsewhere = _write(tmp_path / "elsewhere.toml", 'theme = "monokai"\ninactive_days = 14\n')
    monkeypatch.setenv("PMCOCKPIT_CONFIG", str(elsewhere))
    assert config_path() == elsewhere
    settings = load_settings()
    assert (settings.theme, settings.inactive_days) == ("monokai", 14)


def test_pmcockpit_config_pointing_at_a_missing_file_gives_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PMCOCKPIT_CONFIG", str(tmp_path / "none.toml"))
    assert load_settings() == Settings()


def test_the_config_file_knows_every_setting() -> None:
    from dataclasses import fields

    from pmcockpit.config import _FILE_FIELDS, Settings

    assert set(_FILE_FIELDS) == {f.name for f in fields(Settings)}


def test_request_limits_and_drop_share_from_file_and_environment(config_file: Path) -> None:
    config_file.write_text("request_timeout = 5\nmax_account_drop = 0.5\n")
    settings = load_settings(config_file, environ={"PMCOCKPIT_REQUEST_DEADLINE": "12.5"})
    assert (settings.request_timeout, settings.request_deadline,
            settings.max_account_drop) == (5.0, 12.5, 0.5)
    assert Settings().max_account_drop == 0.3


@pytest.mark.parametrize(("line", "message"), [
    ("max_account_drop = 1.5", "max_account_drop must be between 0 and 1, not 1.5"),
    ("request_timeout = 0", "request_timeout must be between 0.1 and 3600"),
    ('request_deadline = "soon"', "request_deadline must be float"),
])
def test_out_of_range_numbers_are_named(config_file: Path, line: str, message: str) -> None:
    config_file.write_text(line + "\n")
    with pytest.raises(ConfigError, match=message):
        load_settings(config_file, environ={})
