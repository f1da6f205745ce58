"""A connection's version as the rollouts see it, for the screens that list connections:
a marker on its version cell and a line for its detail."""

from __future__ import annotations

from rich.text import Text
from textual.content import Content

from pmcockpit.core.i18n import _
from pmcockpit.core.rollout import Drift, drift_label
from pmcockpit.storage.queries.rollout_versions import VersionNote

DRIFT_MARK = "⚠ "


def version_cell(version: str, note: VersionNote | None) -> Text:
    """The version the tool reported, marked in front (a cut cell keeps the mark) when it
    drifted from its plan."""
    cell = Text(version)
    if note is not None and note.drifted:
        cell = Text.assemble((DRIFT_MARK, "bold yellow"), cell)
    return cell


def drift_lines(note: VersionNote | None) -> list[Content]:
    """"Upgrade GitLab 17.8: 17.3.6 → 17.8.2; runs 17.5.1: drift: the tool moved off the
    plan", and a version move no upgrade planned."""
    if note is None:
        return []
    lines = []
    version = note.version
    if version is not None:
        said = _("Upgrade {rollout}: {planned} → {target}; runs {seen}: {drift}").format(
            rollout=note.upgrade, planned=version.planned_current or "?",
            target=version.target or "?", seen=version.observed or "?",
            drift=drift_label(version.drift))
        lines.append(Content.styled(said, "$text-warning" if version.drift is Drift.OFF_PLAN
                                    else "$text-muted"))
    if note.move is not None:
        lines.append(Content.styled(_(
            "Moved from {before} to {after} on {day} without a planned upgrade").format(
            before=note.move.before, after=note.move.after, day=f"{note.move.at:%Y-%m-%d}"),
            "$text-warning"))
    return lines
