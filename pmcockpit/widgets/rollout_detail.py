"""What the Rollout screen says about one rollout: gate, waves, adoption, changes, version.

Plain renderables (Rich text and tables) built from the read module's view
model; text from the administrator (titles, evidence, reasons) is never parsed
as markup.
"""

from __future__ import annotations

from datetime import date

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from pmcockpit.core.i18n import _, ngettext
from pmcockpit.core.rollout import (
    Decision,
    Drift,
    Health,
    WaveStatus,
    decision_label,
    drift_label,
    health_label,
    kind_label,
    level_label,
    reason_label,
    sparkline,
    wave_label,
)
from pmcockpit.storage.queries.rollout import RolloutDetail

HEALTH_STYLE = {Health.ON_TRACK: "green", Health.AT_RISK: "yellow", Health.LATE: "bold red",
                Health.DONE: "dim"}
WAVE_STYLE = {WaveStatus.NOT_STARTED: "dim", WaveStatus.TRAINED: "cyan",
              WaveStatus.LIVE: "green", WaveStatus.STRUGGLING: "bold red"}


def heading(text: str) -> Text:
    return Text(text, style="bold underline")


def health_text(view: RolloutDetail) -> Text:
    health = view.health.health
    return Text(health_label(health), style=HEALTH_STYLE[health])


def summary_text(view: RolloutDetail, today: date) -> Text:
    """"Version upgrade · plan Version upgrade · owner admin · Test (day 3 of 14) · at risk"."""
    text = Text(f"{view.name}  ", style="bold")
    text.append(kind_label(view.kind) + " · ")
    current = view.current
    if current is None:
        text.append(_("every phase done") + " · ")
    else:
        started = current.actual_start or current.planned_start
        days = (current.planned_end - current.planned_start).days + 1
        text.append(_("{phase}, day {day} of {days}").format(
            phase=current.title, day=(today - started).days + 1, days=days) + " · ")
    text.append_text(health_text(view))
    for reason in view.health.reasons:
        text.append("\n  " + reason_label(reason), style="yellow")
    return text


def gate_text(view: RolloutDetail) -> RenderableType:
    current = view.current
    if current is None:
        return Text(_("Every phase is done."), style="dim")
    lines = [heading(_("Gate to leave {phase}").format(phase=current.title))]
    for item in view.gate:
        line = Text("✓ " if item.met else "✗ ", style="green" if item.met else "red")
        line.append(item.spec.title)
        if item.detail:
            line.append(f"\n    {item.detail}", style="dim")
        elif not item.spec.automatic:
            line.append("\n    " + _("manual: tick it with evidence (t)"), style="dim")
        lines.append(line)
    following = view.next_phase
    if following is not None and following.needs_rollback_plan and \
            len(view.rollback_plan.strip()) < 20:
        lines.append(Text(_("{phase} needs a rollback plan before it starts (b)").format(
            phase=following.title), style="bold red"))
    return Group(*lines)


def waves_text(view: RolloutDetail) -> RenderableType:
    if not view.waves:
        return Text(_("No waves yet."), style="dim")
    table = Table(box=None, pad_edge=False, expand=False, title_justify="left")
    for column in (_("Wave"), _("Status"), _("Live since"), _("Break-in until"), _("Teams")):
        table.add_column(column, style="" if column != _("Teams") else "dim",
                         overflow="fold")
    for wave in view.waves:
        table.add_row(wave.name, Text(wave_label(wave.status), style=WAVE_STYLE[wave.status]),
                      wave.go_live.isoformat() if wave.go_live else "–",
                      wave.break_in_end.isoformat() if wave.break_in_end else "–",
                      ", ".join(wave.teams) or "–")
    trained = [Text(_("Training {day} {team}: {attended} of {invited} attended").format(
        day=f"{t.held_on:%m-%d}", team=t.team, attended=t.attended, invited=t.invited),
        style="dim") for t in view.training[-3:]]
    return Group(heading(_("Waves")), table, *trained)


def adoption_text(view: RolloutDetail) -> RenderableType:
    measured = [row for row in view.adoption if row.figures is not None]
    if not measured:
        return Group(heading(_("Adoption")), Text(
            _("Not measured yet: teams drawn from a synced group are measured at each sync."),
            style="dim"))
    table = Table(box=None, pad_edge=False)
    table.add_column(_("Team"), overflow="ellipsis", max_width=18)
    table.add_column(_("Wave"), overflow="ellipsis", max_width=10)
    for column in (_("Expected"), _("Accounts"), _("7 days"), _("30 days")):
        table.add_column(column, justify="right")
    table.add_column(_("Trend"))
    for row in measured:
        figures = row.figures
        assert figures is not None
        share = figures.share(30)
        style = "red" if share is not None and share < 0.6 else ""
        table.add_row(row.team, row.wave, str(figures.expected), str(figures.accounts),
                      str(figures.active_7),
                      Text(f"{figures.active_30} ({share or 0:.0%})", style=style),
                      Text(sparkline(row.trend, 8), style="cyan"))
    return Group(heading(_("Adoption")), table)


def _percent(share: float | None) -> str:
    return "–" if share is None else f"{share:.0%}"


def kpi_text(view: RolloutDetail) -> RenderableType | None:
    """Tickets created and closed per team, completion and late rates (30 days)."""
    rows = [kpis for kpis in view.kpis if not kpis.empty]
    if not rows:
        return None
    table = Table(box=None, pad_edge=False)
    table.add_column(_("Team"), overflow="ellipsis", max_width=18)
    for column in (_("Created"), _("Closed"), _("Open"), _("Done"), _("Late")):
        table.add_column(column, justify="right")
    table.add_column(_("Trend"))
    for kpis in rows:
        late = kpis.late_share
        table.add_row(kpis.team, str(kpis.created), str(kpis.closed), str(kpis.open),
                      _percent(kpis.completion),
                      Text(_percent(late), style="red" if late is not None and late > 0.5
                           else ""), Text(sparkline(kpis.trend, 8), style="cyan"))
    return Group(heading(_("Tickets, last 30 days")), table, Text(
        _("Done: closed of closed and open. Late: open longer than 30 days. "
          "Trend: done at each sync."),
        style="dim"))


def changes_text(view: RolloutDetail) -> RenderableType:
    lines = [heading(_("Change requests and risks"))]
    for change in view.changes:
        line = Text(f"#{change.id} ", style="bold")
        pending = change.decision is Decision.PENDING
        line.append(decision_label(change.decision), style="yellow" if pending else "dim")
        line.append(" " + change.title)
        line.append("  " + _("impact {impact}, priority {priority}").format(
            impact=level_label(change.impact), priority=level_label(change.priority)),
            style="dim")
        if not pending:
            line.append("\n    " + _("{who}: {why}").format(who=change.decided_by,
                                                          why=change.reason), style="dim")
        lines.append(line)
    for risk in view.risks:
        lines.append(Text(_("risk ({impact}): {title}").format(
            impact=level_label(risk.impact), title=risk.title), style="yellow"))
    if len(lines) == 1:
        lines.append(Text(_("None."), style="dim"))
    return Group(*lines)


def version_text(view: RolloutDetail) -> RenderableType | None:
    version = view.version
    if version is None:
        return None
    observed = version.observed or "?"
    source = _("reported by the tool") if version.reported_by_tool else (
        _("entered by hand") if version.observed else
        _("{kind} does not report its version over its API: enter it (v)").format(
            kind=version.tool_kind or version.connection))
    line = Text(_("{connection} runs {observed} ({source}); plan {planned} → {target}").format(
        connection=version.connection, observed=observed, source=source,
        planned=version.planned_current or "?", target=version.target or "?"))
    drift = Text(drift_label(version.drift),
                 style="bold red" if version.drift is Drift.OFF_PLAN else "dim")
    lines: list[RenderableType] = [heading(_("Version")), line, drift]
    if version.path:
        stops = sum(1 for step in version.path if step.required_stop)
        lines.append(Text(ngettext("Upgrade path ({count} required stop): {path}",
                                   "Upgrade path ({count} required stops): {path}", stops)
                          .format(count=stops, path=" → ".join(
                              step.describe() for step in version.path))))
    plan = view.rollback_plan.strip()
    lines.append(Text(_("Rollback plan: {plan}").format(plan=plan) if plan else
                      _("Rollback plan: not written (b)"), style="" if plan else "red"))
    return Group(*lines)
