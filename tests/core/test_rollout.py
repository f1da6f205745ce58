"""The rollout tracker's rules: gates, the rollback-plan rule, versions, adoption, health."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from importlib import resources

import pytest

from pmcockpit.core.checklist import TemplateError
from pmcockpit.core.rollout import (
    AccountActivity,
    Drift,
    GateFacts,
    GateSpec,
    GateTick,
    Health,
    HealthFacts,
    RolloutKind,
    TeamFigures,
    Version,
    WaveStatus,
    break_in_end,
    can_enter,
    can_leave,
    derive_health,
    evaluate,
    gitlab_upgrade_path,
    monthly_cohorts,
    parse_plan,
    parse_version,
    sparkline,
    team_figures,
    version_drift,
)
from pmcockpit.core.rollout.versions import GITLAB_REQUIRED_STOPS

NOW = datetime(2025, 3, 10, 9, 0)
ADOPTION = GateSpec("pilot-adoption", "80% active", check="adoption",
                    params={"min_percent": 80, "window_days": 30})


def v(text: str) -> Version:
    version = parse_version(text)
    assert version is not None
    return version


FEEDBACK = GateSpec("feedback", "Feedback collected", guidance="Link the notes.")


def test_automatic_adoption_gate_fails_below_and_passes_at_the_threshold() -> None:
    low = GateFacts(adoption=[TeamFigures("Finance", 10, 9, 5, 7)])
    states = evaluate([ADOPTION], {}, low)
    assert not states[0].met
    assert "70%" in states[0].detail
    verdict = can_leave(states)
    assert not verdict.ok and "80% active" in verdict.reasons[0]
    enough = GateFacts(adoption=[TeamFigures("Finance", 10, 9, 5, 7),
                                 TeamFigures("PMO", 10, 10, 8, 10)])
    assert evaluate([ADOPTION], {}, enough)[0].met  # 17 of 20 = 85%


def test_manual_gate_needs_a_tick_with_evidence() -> None:
    assert not can_leave(evaluate([FEEDBACK], {}, GateFacts())).ok
    tick = GateTick("feedback", "Review notes in the wiki, 3 March", "admin", NOW)
    states = evaluate([FEEDBACK], {"feedback": tick}, GateFacts())
    assert states[0].met and states[0].detail.startswith("Review notes")
    assert can_leave(states).ok


def test_adoption_gate_with_no_live_team_is_not_met() -> None:
    state = evaluate([ADOPTION], {}, GateFacts())[0]
    assert not state.met and state.detail == "no live team measured yet"


def test_waves_live_and_version_checks() -> None:
    waves = GateSpec("waves", "All live", check="waves-live")
    version = GateSpec("v", "Target", check="version-reached")
    facts = GateFacts(waves=[WaveStatus.LIVE, WaveStatus.STRUGGLING],
                      observed_version="17.5.1-ee", target_version="17.8.0")
    states = evaluate([waves, version], {}, facts)
    assert [s.met for s in states] == [False, False]
    facts = GateFacts(waves=[WaveStatus.LIVE], observed_version="17.8.2",
                      target_version="17.8.0")
    assert all(s.met for s in evaluate([waves, version], {}, facts))


def test_rollback_plan_rule_refuses_with_the_reason() -> None:
    refused = can_enter(True, "  tbd ")
    assert not refused.ok
    assert "rollback plan" in refused.reasons[0]
    assert can_enter(True, "Restore last night's snapshot of the VM, then the DB dump.").ok
    assert can_enter(False, "").ok


def test_gitlab_upgrade_path_goes_through_the_required_stops() -> None:
    path = gitlab_upgrade_path(v("16.5.3-ee"), v("17.8.1"))
    assert [str(step) for step in path] == [
        "16.7.z", "16.11.z", "17.1.z", "17.3.z", "17.5.z", "17.8.z"]
    assert path[-1].required_stop
    short = gitlab_upgrade_path(v("17.5.6"), v("17.6.0"))
    assert [(str(s), s.required_stop) for s in short] == [("17.6.z", False)]
    assert gitlab_upgrade_path(v("17.6.0"), v("17.5.0")) == []


def test_gitlab_stops_match_the_documented_upgrade_path() -> None:
    """doc/update/upgrade_paths.md: the required versions of GitLab 15, 16 and 17 with the
    patch each names, the conditional ones, and 18.2, 18.5, 18.8, 18.11."""
    documented = {
        "15.0.5": None, "15.1.6": "multiple web nodes", "15.4.6": None, "15.11.13": None,
        "16.0.10": "lots of users", "16.1.8": "NPM packages", "16.2.11": "pipeline variables",
        "16.3.9": None, "16.7.10": None, "16.11.10": None,
        "17.1.8": "ci_pipeline_messages", "17.3.7": None, "17.5.5": None, "17.8.7": None,
        "17.11.7": None, "18.2.0": None, "18.5.0": None, "18.8.0": None, "18.11.0": None}
    stops = {f"{s.major}.{s.minor}.{s.patch}": s.condition for s in GITLAB_REQUIRED_STOPS}
    assert list(stops) == list(documented)
    for version, condition in documented.items():
        found = stops[version]
        assert (found is None) if condition is None else (condition in str(found)), version


def test_gitlab_path_from_15_to_18_names_patches_and_conditions() -> None:
    path = gitlab_upgrade_path(v("15.2.1"), v("18.1.0"))
    assert [str(step) for step in path] == [
        "15.4.z", "15.11.z", "16.0.z", "16.1.z", "16.2.z", "16.3.z", "16.7.z", "16.11.z",
        "17.1.z", "17.3.z", "17.5.z", "17.8.z", "17.11.z", "18.1.z"]
    assert path[0].describe() == "15.4.z (≥ 15.4.6)"
    assert path[2].describe().startswith("16.0.z? (≥ 16.0.10; only for instances with lots")
    assert path[-1].describe() == "18.1.z" and not path[-1].required_stop
    # On a stop's series below the patch the page names: its latest patch comes first.
    behind = gitlab_upgrade_path(v("16.11.2"), v("17.3.0"))
    assert [s.describe() for s in behind] == [
        "16.11.z (≥ 16.11.10)", "17.1.z? (≥ 17.1.8; only for instances with large "
        "ci_pipeline_messages tables)", "17.3.z (≥ 17.3.7)"]
    assert [str(s) for s in gitlab_upgrade_path(v("16.11.10"), v("17.0.1"))] == ["17.0.z"]


def test_gitlab_path_past_the_documented_list_uses_the_schedule() -> None:
    path = gitlab_upgrade_path(v("18.10.0"), v("19.6.0"))
    assert [str(step) for step in path] == ["18.11.z", "19.2.z", "19.5.z", "19.6.z"]


def test_version_drift() -> None:
    assert version_drift("17.5.1", "17.5.1-ee", "17.8.0") is Drift.NONE
    assert version_drift("17.3.0", "17.5.1-ee", "17.8.0") is Drift.OFF_PLAN
    assert version_drift("17.5.1", "17.8.0", "17.8.0") is Drift.REACHED
    assert version_drift("5.0.8", None, "5.1.0") is Drift.UNKNOWN


def test_rolling_windows_and_break_in() -> None:
    accounts = [AccountActivity(None, NOW - timedelta(days=d)) for d in (1, 6.9, 7.1, 29, 31)]
    accounts.append(AccountActivity(None, None))
    figures = team_figures("Finance", 8, accounts, NOW)
    assert (figures.expected, figures.accounts, figures.active_7, figures.active_30) == \
        (8, 6, 2, 4)
    assert figures.share(30) == 0.5
    assert break_in_end(date(2025, 1, 31)) == date(2025, 7, 30)
    assert break_in_end(date(2025, 3, 1), 3) == date(2025, 5, 31)


def test_monthly_cohorts() -> None:
    created = {"a": "2025-01", "b": "2025-01", "c": "2025-02"}
    active = {"a": {"2025-01", "2025-02", "2025-03"}, "b": {"2025-01"}, "c": {"2025-03"}}
    cohorts = monthly_cohorts(created, active, NOW)
    assert [(c.month, c.size, c.shares) for c in cohorts] == [
        ("2025-01", 2, (1.0, 0.5, 0.5)), ("2025-02", 1, (0.0, 1.0))]
    assert sparkline([0.0, 0.5, 1.0, None]) == "▁▅█ "


@pytest.mark.parametrize(("facts", "health"), [
    (HealthFacts(date(2025, 3, 10), False, date(2025, 4, 30), 2, 0), Health.ON_TRACK),
    (HealthFacts(date(2025, 3, 10), False, date(2025, 3, 14), 1, 0), Health.AT_RISK),
    (HealthFacts(date(2025, 3, 10), False, date(2025, 3, 14), 0, 0), Health.ON_TRACK),
    (HealthFacts(date(2025, 3, 10), False, date(2025, 3, 9), 0, 0), Health.LATE),
    (HealthFacts(date(2025, 3, 10), False, date(2025, 4, 9), 0, 1), Health.LATE),
    (HealthFacts(date(2025, 3, 10), False, None, 0, 0,
                 waves=(WaveStatus.LIVE, WaveStatus.STRUGGLING)), Health.AT_RISK),
    (HealthFacts(date(2025, 3, 10), False, None, 0, 0, live_share=0.4), Health.AT_RISK),
    (HealthFacts(date(2025, 3, 10), True, date(2025, 3, 1), 3, 2), Health.DONE),
])
def test_health(facts: HealthFacts, health: Health) -> None:
    assert derive_health(facts).health is health


def test_built_in_plans_parse() -> None:
    folder = resources.files("pmcockpit.templates") / "rollouts"
    plans = {item.name: parse_plan(item.read_text(encoding="utf-8"), item.name,
                                   item.name.removesuffix(".toml"))
             for item in folder.iterdir() if item.name.endswith(".toml")}
    adoption = plans["adoption.toml"]
    assert [p.id for p in adoption.phases] == ["pilot", "standardise", "full-rollout",
                                               "optimise"]
    upgrade = plans["upgrade.toml"]
    assert upgrade.kind is RolloutKind.UPGRADE
    assert [p.id for p in upgrade.phases if p.needs_rollback_plan] == ["roll-out"]


BROKEN = """\
name = "Broken"
kind = "upgrad"

[[phases]]
title = "Plan"
weeks = 0

[[phases.gates]]
title = "Adoption"
check = "adoptoin"

[[phases]]
title = "Test"
colour = "red"
[[phases.gates]]
title = "Usage"
check = "adoption"
[phases.gates.params]
min_pct = 80
"""


def test_plan_problems_name_their_lines() -> None:
    with pytest.raises(TemplateError) as caught:
        parse_plan(BROKEN, "mine.toml", "mine")
    shown = [str(problem) for problem in caught.value.problems]
    assert shown[0].startswith("mine.toml:2: kind must be one of") and "'upgrade'" in shown[0]
    assert shown[1].startswith("mine.toml:6: phase 1: weeks")
    assert shown[2].startswith("mine.toml:10: phase 1: gate 1: unknown check")
    assert "'adoption'" in shown[2]
    assert shown[3].startswith("mine.toml:14: unknown key 'colour' in phase 2")
    assert shown[4].startswith("mine.toml:19: phase 2: gate 1: adoption takes no parameter")


def test_upgrade_plan_without_a_rollback_phase_is_refused() -> None:
    text = 'name = "U"\nkind = "upgrade"\n[[phases]]\ntitle = "Go"\n' \
           '[[phases.gates]]\ntitle = "Done"\n'
    with pytest.raises(TemplateError, match="needs_rollback_plan"):
        parse_plan(text, "u.toml", "u")
