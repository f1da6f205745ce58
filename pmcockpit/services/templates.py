"""Checklist templates: the built-in ones, then the administrator's own.

The administrator's folder (``Settings.checklist_dir``) holds ``*.toml`` files;
each one's stem is its key, so ``daily-inspection.toml`` there replaces the
built-in daily inspection and any other name adds a checklist. A file with
mistakes is left out and its problems are kept (with file and line) for the
screen and the CLI to show; it never stops the others from loading.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from pmcockpit.config import Settings
from pmcockpit.core.checklist import (
    ChecklistTemplate,
    RecurrenceKind,
    TemplateError,
    TemplateProblem,
    parse_template,
)
from pmcockpit.core.i18n import _, current_locale

BUILT_IN = "built-in"
LINKED_FOLDER = "upgrade-checklists"
LINKED_FOLDER_BUILT_IN = "upgrades"
_KIND_ORDER = {kind: index for index, kind in enumerate(RecurrenceKind)}


class UnknownTemplate(LookupError):
    def __init__(self, key: str, known: list[str]) -> None:
        message = (_("no checklist template {key}; known templates: {known}") if known
                   else _("no checklist template {key}; known templates: none"))
        super().__init__(message.format(key=repr(key), known=", ".join(known)))
        self.key = key
        self.known = known


class BrokenTemplate(ValueError):
    """The template exists but its file has mistakes; ``problems`` say where and what."""

    def __init__(self, key: str, problems: tuple[TemplateProblem, ...]) -> None:
        details = "\n".join(f"  {problem}" for problem in problems)
        super().__init__(_("checklist template {key} cannot be used:\n{details}").format(
            key=repr(key), details=details))
        self.key = key
        self.problems = problems


@dataclass(frozen=True, slots=True)
class TemplateSet:
    templates: Mapping[str, ChecklistTemplate] = field(default_factory=dict)
    """Usable templates by key: daily ones first, then weekly, monthly, quarterly."""
    problems: Mapping[str, tuple[TemplateProblem, ...]] = field(default_factory=dict)
    """Templates left out because of mistakes, by key (or by folder for an unreadable one)."""
    origins: Mapping[str, str] = field(default_factory=dict)
    """Where each template came from: :data:`BUILT_IN` or the file's path."""
    linked: Mapping[str, ChecklistTemplate] = field(default_factory=dict)
    """Templates run on demand, not on a schedule: the upgrade checklists a rollout opens
    (one run per rollout). Not in :attr:`templates`, so they are never due by the calendar."""

    def get(self, key: str) -> ChecklistTemplate:
        """The template ``key``; raises :class:`UnknownTemplate` or :class:`BrokenTemplate`."""
        found = self.find(key)
        if found is not None:
            return found
        if key in self.problems:
            raise BrokenTemplate(key, self.problems[key])
        raise UnknownTemplate(key, sorted([*self.templates, *self.linked, *self.problems]))

    def find(self, key: str) -> ChecklistTemplate | None:
        """The usable template ``key``, scheduled or linked; None when unknown or broken."""
        return self.templates.get(key) or self.linked.get(key)

    @property
    def all_problems(self) -> list[TemplateProblem]:
        return [problem for problems in self.problems.values() for problem in problems]


def read_template(path: Path) -> ChecklistTemplate:
    """Parse one template file; an unreadable file is reported like any other problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        message = _("cannot read the file: {reason}; save it as UTF-8 text").format(reason=reason)
        raise TemplateError([TemplateProblem(str(path), 1, message)]) from error
    return parse_template(text, str(path), key=path.stem)


def _built_in(name: str, kind: str = "checklists") -> Traversable:
    """A built-in template file, in the language spoken when it has its own
    (``checklists/zh_CN/NAME``: same step ids, checks and parameters)."""
    folder = resources.files("pmcockpit.templates") / kind
    own = folder / current_locale() / name
    return own if own.is_file() else folder / name


def _built_in_files(kind: str = "checklists") -> list[Traversable]:
    folder = resources.files("pmcockpit.templates") / kind
    names = sorted(item.name for item in folder.iterdir() if item.name.endswith(".toml"))
    return [_built_in(name, kind) for name in names]


def _custom_files(folder: Path) -> tuple[list[Path], TemplateProblem | None]:
    if not folder.exists():
        return [], None
    if not folder.is_dir():
        return [], TemplateProblem(str(folder), 1, _("the checklist folder is a file; move it "
                                                     "away or set templates_dir to a folder"))
    try:
        return sorted(folder.glob("*.toml")), None
    except OSError as error:
        return [], TemplateProblem(str(folder), 1,
                                   _("cannot list the folder: {error}").format(error=error))


def load_templates(settings: Settings) -> TemplateSet:
    """The built-in templates overridden and extended by the administrator's folder."""
    found: dict[str, ChecklistTemplate] = {}
    problems: dict[str, tuple[TemplateProblem, ...]] = {}
    origins: dict[str, str] = {}
    for item in _built_in_files():
        key = item.name.removesuffix(".toml")
        found[key] = parse_template(item.read_text(encoding="utf-8"), f"{BUILT_IN}/{item.name}",
                                    key=key)
        origins[key] = BUILT_IN
    files, folder_problem = _custom_files(settings.checklist_dir)
    if folder_problem is not None:
        problems[str(settings.checklist_dir)] = (folder_problem,)
    for path in files:
        # The administrator's file decides, even when broken: quietly running the
        # built-in instead would hide that their version is not in use.
        found.pop(path.stem, None)
        origins[path.stem] = str(path)
        try:
            found[path.stem] = read_template(path)
        except TemplateError as error:
            problems[path.stem] = tuple(error.problems)
    linked = _linked_templates(settings, problems, origins)
    for key in [k for k, t in found.items()
                if t.recurrence.kind is RecurrenceKind.ONCE and k not in linked]:
        # A scheduled checklist that never recurs would never be due: "once" is for the
        # checklists a rollout opens.
        problems[key] = (TemplateProblem(origins[key], 1, _(
            'recurrence "once" is for upgrade checklists, opened from a rollout: move the '
            "file to {folder} or give it a schedule such as \"weekly\"").format(
                folder=linked_dir(settings))),)
        found.pop(key)
    ordered = sorted(found.values(), key=lambda t: (_KIND_ORDER[t.recurrence.kind], t.name))
    return TemplateSet({t.key: t for t in ordered if t.key not in linked}, problems, origins,
                       linked)


def linked_dir(settings: Settings) -> Path:
    """The administrator's upgrade checklists, beside their rollout phase plans."""
    return settings.checklist_dir.parent / "rollouts" / LINKED_FOLDER


def _linked_templates(settings: Settings, problems: dict[str, tuple[TemplateProblem, ...]],
                      origins: dict[str, str]) -> dict[str, ChecklistTemplate]:
    """The upgrade checklists: built-in ones overridden and extended by the administrator's
    ``rollouts/upgrade-checklists`` folder (theirs decides, even broken)."""
    found: dict[str, ChecklistTemplate] = {}
    for item in _built_in_files(LINKED_FOLDER_BUILT_IN):
        key = item.name.removesuffix(".toml")
        found[key] = parse_template(item.read_text(encoding="utf-8"),
                                    f"{BUILT_IN}/{LINKED_FOLDER_BUILT_IN}/{item.name}", key=key)
        origins[key] = BUILT_IN
    files, folder_problem = _custom_files(linked_dir(settings))
    if folder_problem is not None:
        problems[str(linked_dir(settings))] = (folder_problem,)
    for path in files:
        found.pop(path.stem, None)
        origins[path.stem] = str(path)
        try:
            found[path.stem] = read_template(path)
        except TemplateError as error:
            problems[path.stem] = tuple(error.problems)
    return found


def demo_daily_inspection(backup_dir: Path, smtp_host: str, smtp_port: int) -> str:
    """The built-in daily inspection's text, its backup and mail checks pointed at the
    demo's folder and its loopback mail server; save it as ``daily-inspection.toml`` in
    the demo's checklist folder. Raises ValueError if the built-in no longer matches."""
    text = _built_in("daily-inspection.toml").read_text(encoding="utf-8")
    text = text.replace('path = "config:backup_path"', f"path = {json.dumps(str(backup_dir))}")
    text = text.replace('host = "config:mail_host"\nport = 25',
                        f"host = {json.dumps(smtp_host)}\nport = {smtp_port}")
    demo = parse_template(text, "demo/daily-inspection.toml", key="daily-inspection")
    if demo.step("backup").params.get("path") != str(backup_dir) or \
            demo.step("mail-server").params.get("port") != smtp_port:
        raise ValueError("the built-in daily inspection changed: update demo_daily_inspection")
    return text
