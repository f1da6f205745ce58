"""Settings: a TOML file at the platform's config path, overridden by PMCOCKPIT_* variables.

Never a token here: tokens live in the keyring or in PMCOCKPIT_TOKEN_<NAME>.
"""

from __future__ import annotations

import contextlib
import getpass
import json
import os
import re
import shutil
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import platformdirs

from pmcockpit.core.alerts import NOTIFIER_KINDS, NOTIFIER_OPTIONS
from pmcockpit.core.i18n import LANGUAGES, N_, _, choose_language, locale_name

ENV_PREFIX = "PMCOCKPIT_"


class ConfigError(Exception):
    """The config file cannot be used; the message names the file and the fix."""


def config_dir() -> Path:
    return Path(platformdirs.user_config_dir("pmcockpit", appauthor=False))


def config_path() -> Path:
    """``PMCOCKPIT_CONFIG`` overrides the file's location (tests use it)."""
    override = os.environ.get(f"{ENV_PREFIX}CONFIG")
    return Path(override) if override else config_dir() / "config.toml"


def database_url(value: str, base: Path | None = None) -> str:
    """A database setting as a URL: a URL as given (``sqlite:///…``, ``postgresql://…``), a
    plain path as the SQLite file there (``~`` expanded, relative to ``base`` or the
    current folder)."""
    if "://" in value:
        return value
    path = Path(value).expanduser()
    if not path.is_absolute():
        path = (base or Path.cwd()) / path
    return f"sqlite:///{path.resolve()}"


def _default_operator() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "operator"


@dataclass(frozen=True)
class Settings:
    db: str | None = None
    """SQLAlchemy URL of the database (a plain path in the file or ``--db`` becomes the
    SQLite file there); default: SQLite in the user data directory."""
    operator: str = field(default_factory=_default_operator)
    """Who is acting, as recorded in the audit log."""
    read_only: bool = False
    """Refuse every write to a connected tool."""
    theme: str = "textual-dark"
    """Textual theme name."""
    inactive_days: int = 90
    """An account not logged in for this many days counts as inactive."""
    never_logged_in_days: int = 14
    """A new account never logged in (or activated) is flagged once this many days old."""
    templates_dir: str | None = None
    """Folder of the administrator's own checklist templates; default: config dir/checklists."""
    keymap: dict[str, str] = field(default_factory=dict)
    """Binding id -> keys, to remap any key (e.g. ``"app.home" = "h"``)."""
    sla_hours: dict[str, int] = field(
        default_factory=lambda: {"Urgent": 4, "High": 8, "Normal": 24, "Low": 72}
    )
    """First-response service level per ticket priority, in hours."""
    sla_resolution_hours: dict[str, int] = field(
        default_factory=lambda: {"Urgent": 16, "High": 40, "Normal": 80, "Low": 160}
    )
    """Time-to-resolution service level per ticket priority, in hours."""
    sla_business_hours: bool = False
    """Count service levels in the working hours of ``sla_calendar`` (else calendar hours)."""
    sla_calendar: dict[str, Any] = field(default_factory=dict)
    """Working time: ``time_zone``, ``days`` ("Mon-Fri"), ``hours`` ("09:00-18:00"),
    ``lunch`` ("12:00-13:00" or ""), ``country`` (public holidays, e.g. "CN"),
    ``holidays`` and ``workdays`` (the admin's own dates, "2026-05-06")."""
    pause_statuses: dict[str, list[str]] = field(default_factory=lambda: {
        "redmine": ["Feedback"], "jira": ["Waiting for customer"], "gitlab": []})
    """Per tool kind, the statuses in which a ticket waits for its requester: its
    resolution clock pauses."""
    request_timeout: float = 10.0
    """Seconds one try of a request to a tool may take (connecting and reading)."""
    request_deadline: float = 30.0
    """Seconds one request may take in all, every retry included."""
    backup_path: str | None = None
    """The folder (or file) the backup job writes: the daily inspection checks its age."""
    mail_host: str | None = None
    """The mail relay the tools send through: the daily inspection checks it answers."""
    max_account_drop: float = 0.3
    """Largest share of a connection's accounts one sync may remove; more is refused
    unless forced (``pmcockpit sync --accept-drop``): it is more often a fault than
    a mass departure."""
    language: str | None = None
    """``en`` or ``zh-CN``; unset: ``PMCOCKPIT_LANG``, then ``LC_ALL``/``LANG``."""
    alert_reminder_hours: float = 24.0
    """An alert about a problem that has not changed is sent again after this many hours."""
    alerts: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Notifiers declared in the file, ``[alerts.NAME]``: ``kind`` and, for e-mail, ``to``,
    ``smtp_host``, ``smtp_port``, ``sender``, ``username``. Their webhook URL and secrets
    stay in the keyring (``pmcockpit alert add NAME ...`` puts them there)."""

    @property
    def checklist_dir(self) -> Path:
        return Path(self.templates_dir) if self.templates_dir else config_dir() / "checklists"


_ENV_FIELDS = {"db": str, "operator": str, "read_only": bool, "theme": str, "inactive_days": int,
               "never_logged_in_days": int, "request_timeout": float, "request_deadline": float,
               "max_account_drop": float, "alert_reminder_hours": float, "backup_path": str,
               "mail_host": str}
"""Settings a PMCOCKPIT_<NAME> variable can override, with their types."""
_FILE_FIELDS: dict[str, type] = {**_ENV_FIELDS, "templates_dir": str, "keymap": dict,
                                 "sla_hours": dict, "sla_resolution_hours": dict,
                                 "sla_business_hours": bool, "sla_calendar": dict,
                                 "pause_statuses": dict, "language": str,
                                 "alerts": dict}
"""Every setting the config file may hold, with its type."""


_TABLE_ENTRIES: dict[str, type] = {"keymap": str, "sla_hours": int, "sla_resolution_hours": int,
                                   "pause_statuses": list}
_RANGES: dict[str, tuple[float, float]] = {
    "request_timeout": (0.1, 3600.0), "request_deadline": (0.1, 86400.0),
    "max_account_drop": (0.0, 1.0), "alert_reminder_hours": (0.0, 8760.0)}
"""Numeric settings that only make sense between two bounds (inclusive)."""


def _check_ranges(values: Mapping[str, Any]) -> None:
    for name, (low, high) in _RANGES.items():
        if name in values and not low <= values[name] <= high:
            raise ConfigError(_("{name} must be between {low} and {high}, not {value}").format(
                name=name, low=f"{low:g}", high=f"{high:g}", value=repr(values[name])))


def _coerce(name: str, value: Any, expected: type, source: str) -> Any:
    if expected is bool and isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off", ""}:
            return False
    elif expected in (int, float) and isinstance(value, str):
        try:
            return expected(value)
        except ValueError:
            pass
    elif expected is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, expected) and not (expected is int and isinstance(value, bool)):
        return value
    raise ConfigError(_("{source}: {name} must be {type}, not {value}").format(
        source=source, name=name, type=expected.__name__, value=repr(value)))


def _file_values(path: Path) -> dict[str, Any]:
    """The settings in the file at ``path``, checked; {} when there is no file."""
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(_("{path}: {error}; fix the file or move it away").format(
            path=path, error=error)) from error
    except OSError as error:
        raise ConfigError(_("{path}: cannot read it ({error}); fix it or point "
                            "PMCOCKPIT_CONFIG at another file").format(
            path=path, error=error.strerror)) from error
    values: dict[str, Any] = {}
    for name, value in data.items():
        if name not in _FILE_FIELDS:
            raise ConfigError(_("{path}: unknown setting {name}; known: {known}").format(
                path=path, name=repr(name), known=", ".join(_FILE_FIELDS)))
        values[name] = _coerce(name, value, _FILE_FIELDS[name], str(path))
        _check_entries(path, name, value)
    if "alerts" in values:
        _check_alerts(path, values["alerts"])
    if values.get("db"):  # a path in the file is read from the file's folder
        values["db"] = database_url(values["db"], path.parent)
    return values


def load_settings(
    path: Path | None = None, environ: Mapping[str, str] | None = None, **overrides: Any
) -> Settings:
    """The settings from the file, then the environment, then explicit overrides."""
    environ = os.environ if environ is None else environ
    values = _file_values(path or config_path())
    for name, expected in _ENV_FIELDS.items():
        env_name = f"{ENV_PREFIX}{name.upper()}"
        if env_name in environ:
            # Translators: where a setting came from, as in "environment: X must be int".
            values[name] = _coerce(env_name, environ[env_name], expected, _("environment"))
    values.update({k: v for k, v in overrides.items() if v is not None})
    if values.get("db"):
        values["db"] = database_url(values["db"])
    _check_ranges(values)
    _check_language(values.get("language"))
    return replace(Settings(), **values)


def _check_entries(path: Path, name: str, table: Any) -> None:
    """The entries of a table setting (``sla_hours``...) have the type it takes."""
    entry_type = _TABLE_ENTRIES.get(name)
    if entry_type is None:
        return
    for key, item in table.items():
        if not isinstance(item, entry_type) or isinstance(item, bool):
            raise ConfigError(_("{path}: {name}.{key} must be {type}, not {value}").format(
                path=path, name=name, key=key, type=entry_type.__name__, value=repr(item)))


def _check_alerts(path: Path, table: dict[str, Any]) -> None:
    """``[alerts.NAME]`` tables: a known kind, known options, and never a secret."""
    for name, notifier in table.items():
        if not isinstance(notifier, dict):
            raise ConfigError(_("{path}: alerts.{name} must be a table ([alerts.{name}])")
                              .format(path=path, name=name))
        for key in notifier:
            if key not in NOTIFIER_OPTIONS:
                raise ConfigError(_(
                    "{path}: alerts.{name}.{key} is not a notifier setting (known: {known}); "
                    "webhook URLs and secrets go to the keyring: pmcockpit alert add {name} "
                    "--url URL --secret-stdin").format(path=path, name=name, key=key,
                                                       known=", ".join(NOTIFIER_OPTIONS)))
        if notifier.get("kind") not in NOTIFIER_KINDS:
            raise ConfigError(_("{path}: alerts.{name}.kind must be one of {kinds}, not "
                                "{value}").format(path=path, name=name,
                                                  kinds=", ".join(NOTIFIER_KINDS),
                                                  value=repr(notifier.get("kind"))))


def _check_language(language: str | None) -> None:
    if language is not None and locale_name(language) not in {locale_name(x) for x in LANGUAGES}:
        raise ConfigError(_("language must be one of {languages}, not {value}").format(
            languages=", ".join(LANGUAGES), value=repr(language)))


def startup_language(argv: Sequence[str], environ: Mapping[str, str] | None = None,
                     path: Path | None = None) -> str:
    """The language to speak from the start: ``--lang X`` on the command line, else the
    config file's ``language``, else the environment (:func:`choose_language`). A broken
    config file is reported later, by :func:`load_settings`."""
    for index, arg in enumerate(argv):
        if arg == "--lang" and index + 1 < len(argv):
            return argv[index + 1]
        if arg.startswith("--lang="):
            return arg.partition("=")[2]
    environ = os.environ if environ is None else environ
    configured = None
    with contextlib.suppress(ConfigError):
        configured = _file_values(path or config_path()).get("language")
    return choose_language(configured, environ)


# --- writing ------------------------------------------------------------------------------

_SETTING_LINE = re.compile(r'^\s*"?([A-Za-z0-9_-]+)"?\s*=')
_TABLE_LINE = re.compile(r"^\s*\[")
_NEW_FILE = N_("# pmcockpit's settings; `pmcockpit config show` lists every one in effect.\n")


def _set_lines(lines: list[str], values: Mapping[str, str]) -> list[str]:
    """``lines`` with each setting's line above the first table replaced, and the
    settings not found there added just above it."""
    lines = list(lines)
    todo = dict(values)
    end = next((i for i, line in enumerate(lines) if _TABLE_LINE.match(line)), len(lines))
    for index in range(end):
        found = _SETTING_LINE.match(lines[index])
        if found and found.group(1) in todo:
            name = found.group(1)
            lines[index] = f"{name} = {json.dumps(todo.pop(name), ensure_ascii=False)}\n"
    added = [f"{name} = {json.dumps(value, ensure_ascii=False)}\n"
             for name, value in todo.items()]
    if added and end and not lines[end - 1].endswith("\n"):
        lines[end - 1] += "\n"
    lines[end:end] = added + (["\n"] if added and end < len(lines) else [])
    return lines


def save_settings(values: Mapping[str, str], path: Path | None = None) -> Path:
    """Set top-level text settings (``backup_path``, ``mail_host``...) in the config file,
    keeping every other line as it was: comments, other settings, tables. The file is
    made when missing. It is written (atomically) only when the result reads back as the
    old settings plus these; otherwise ConfigError says why and the file is untouched."""
    path = path or config_path()
    for name in values:
        if _FILE_FIELDS.get(name) is not str:
            raise ValueError(f"{name!r} is not a text setting")
    _file_values(path)  # a broken file is reported, not overwritten
    old = path.read_text(encoding="utf-8") if path.exists() else _(_NEW_FILE)
    text = "".join(_set_lines(old.splitlines(keepends=True), values))
    try:
        same = tomllib.loads(text) == {**tomllib.loads(old), **values}
    except tomllib.TOMLDecodeError:
        same = False
    if not same:
        raise ConfigError(_("{path}: cannot set {names} without changing other lines (a "
                            "value over several lines?); edit the file by hand").format(
            path=path, names=", ".join(values)))
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.new")
    draft.write_text(text, encoding="utf-8")
    if path.exists():
        shutil.copymode(path, draft)
    os.replace(draft, path)
    return path
