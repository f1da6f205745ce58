"""Template parsing: the built-ins, a custom template, and every kind of mistake,
each reported with its file, its line and what to fix."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from pmcockpit.core.checklist.checks import CHECKS
from pmcockpit.core.checklist.recurrence import RecurrenceKind
from pmcockpit.core.checklist.template import (
    TemplateError,
    TemplateProblem,
    parse_template,
)

BUILT_INS = Path(__file__).parents[2] / "pmcockpit" / "templates" / "checklists"
SOURCE = "custom.toml"


def problems_of(text: str) -> list[TemplateProblem]:
    with pytest.raises(TemplateError) as caught:
        parse_template(text, SOURCE)
    assert all(problem.source == SOURCE for problem in caught.value.problems)
    return caught.value.problems


def only_problem(text: str) -> TemplateProblem:
    problems = problems_of(text)
    assert len(problems) == 1, problems
    return problems[0]


HEAD = 'name = "Custom"\nrecurrence = "daily"\n'


# --- the built-in templates -------------------------------------------------


def test_there_are_four_built_in_templates() -> None:
    assert sorted(path.stem for path in BUILT_INS.glob("*.toml")) == [
        "daily-inspection", "monthly-version-report", "quarterly-satisfaction-survey",
        "weekly-cleanup",
    ]


@pytest.mark.parametrize("path", sorted(BUILT_INS.glob("*.toml")), ids=lambda p: p.stem)
def test_each_built_in_parses(path: Path) -> None:
    template = parse_template(path.read_text(encoding="utf-8"), str(path), key=path.stem)
    assert template.key == path.stem
    assert template.name and template.description
    assert template.steps
    assert len({step.id for step in template.steps}) == len(template.steps)
    for step in template.steps:
        assert step.guidance, f"{step.id} should say what to do"
        assert step.check is None or step.check in CHECKS


def test_daily_inspection_is_short_and_checks_what_the_sop_lists() -> None:
    path = BUILT_INS / "daily-inspection.toml"
    template = parse_template(path.read_text(encoding="utf-8"), str(path), key=path.stem)
    assert template.recurrence.kind is RecurrenceKind.DAILY
    assert template.due_time == time(10, 0)
    assert 6 <= len(template.steps) <= 8
    checks = {step.check for step in template.steps}
    assert {"tool-reachable", "tls-expiry", "recent-file", "smtp", "sync-age",
            "inactive-accounts"} <= checks
    assert template.step("backup").params["path"] == "config:backup_path"
    assert template.step("mail-server").params == {"host": "config:mail_host", "port": 25,
                                                   "timeout_s": 5}
    assert not template.step("test-notification").automated
    assert template.step("absent-three-days").params["days"] == 3


def test_weekly_cleanup_runs_on_mondays() -> None:
    path = BUILT_INS / "weekly-cleanup.toml"
    template = parse_template(path.read_text(encoding="utf-8"), str(path), key=path.stem)
    assert template.recurrence.kind is RecurrenceKind.WEEKLY
    assert template.recurrence.weekday == 0
    checks = [step.check for step in template.steps]
    for check in ("stale-tickets", "unarchived-projects", "inactive-accounts", "admin-count"):
        assert check in checks
    assert template.step("inactive-accounts").params["days"] == 90
    assert not template.step("temporary-tasks").automated


def test_monthly_and_quarterly_built_ins() -> None:
    monthly = BUILT_INS / "monthly-version-report.toml"
    report = parse_template(monthly.read_text(encoding="utf-8"), str(monthly))
    assert report.key == "monthly-version-report"  # the name's slug when no key is given
    assert (report.recurrence.kind, report.recurrence.day) == (RecurrenceKind.MONTHLY, 1)
    assert report.step("record-versions").check == "tool-reachable"
    assert "problems solved" in report.step("operations-bulletin").guidance
    chinese = BUILT_INS / "zh_CN" / "monthly-version-report.toml"
    bulletin = parse_template(chinese.read_text(encoding="utf-8"), str(chinese))
    assert bulletin.name == "每月版本对比报告"
    assert "《运维简报》" in bulletin.step("operations-bulletin").guidance
    quarterly = BUILT_INS / "quarterly-satisfaction-survey.toml"
    survey = parse_template(quarterly.read_text(encoding="utf-8"), str(quarterly))
    assert survey.recurrence.kind is RecurrenceKind.QUARTERLY
    assert survey.steps[0].id == "send-survey"


# --- a custom, valid template ------------------------------------------------

CUSTOM = '''\
name = "Release day"
description = "What to do when a tool is upgraded."
recurrence = { kind = "monthly", day = 31 }
due_time = 09:30:00

[[steps]]
title = "Backups exist"
check = "recent-file"
guidance = "If it fails, run the backup by hand before upgrading."
[steps.params]
path = "/srv/backups"

[[steps]]
title = "Tell users"
guidance = "Post in the announcements channel."

[[steps]]
title = "Tell users"
guidance = "And by mail."

[[steps]]
id = "tools"
title = "Tools answer"
check = "tool-reachable"
params = { connection = "redmine" }
'''


def test_custom_template_with_derived_ids_and_defaults() -> None:
    template = parse_template(CUSTOM, SOURCE)
    assert template.key == "release-day"
    assert template.source == SOURCE
    assert template.description == "What to do when a tool is upgraded."
    assert template.due_time == time(9, 30)
    assert (template.recurrence.kind, template.recurrence.day) == (RecurrenceKind.MONTHLY, 31)
    assert [step.id for step in template.steps] == [
        "backups-exist", "tell-users", "tell-users-2", "tools"]
    backups = template.steps[0]
    assert backups.automated and backups.guidance.startswith("If it fails")
    assert backups.params == {"path": "/srv/backups", "max_age_hours": 26}
    assert template.step("tools").params == {"connection": "redmine", "max_latency_ms": 2000}


def test_key_from_caller_and_weekday_spellings() -> None:
    text = ('name = "Wochen-Check"\nrecurrence = { kind = "Weekly", weekday = "Fri" }\n'
            '[[steps]]\ntitle = "检查"\nguidance = "x"\n')
    template = parse_template(text, "team.toml", key="team")
    assert template.key == "team"
    assert template.recurrence.weekday == 4
    assert template.steps[0].id == "step-1"  # a title with no ASCII letters


def test_string_recurrences_use_defaults() -> None:
    for kind in ("daily", "weekly", "monthly", "quarterly"):
        template = parse_template(f'name = "x"\nrecurrence = "{kind}"\n'
                                  '[[steps]]\ntitle = "a"\nguidance = "b"\n', SOURCE)
        assert template.recurrence.kind == kind
        assert (template.recurrence.weekday, template.recurrence.day) == (0, 1)
        assert template.due_time is None


# --- mistakes, with their lines ---------------------------------------------


def test_bad_toml_names_file_line_and_column() -> None:
    problem = only_problem(HEAD + '[[steps]]\ntitle = "a"\nguidance = \n')
    assert problem.line == 5
    assert "invalid TOML at column" in problem.message
    assert str(problem).startswith("custom.toml:5: ")


def test_bad_toml_at_the_end_of_the_file() -> None:
    problem = only_problem(HEAD + 'steps = [\n  { title = "a" },\n')
    assert problem.line == 4
    assert "end of the file" in problem.message


def test_unknown_check_suggests_the_closest_and_lists_the_known_ones() -> None:
    text = HEAD + ('[[steps]]\ntitle = "Mail"\nguidance = "x"\n\n'
                   '[[steps]]\ntitle = "Backups"\n# the nightly dump\ncheck = "recent-fle"\n')
    problem = only_problem(text)
    assert problem.line == 10
    assert "step 2 (\"Backups\")" in problem.message
    assert "unknown check 'recent-fle'; did you mean 'recent-file'?" in problem.message
    assert "known checks: admin-count, command, inactive-accounts" in problem.message


def test_missing_fields() -> None:
    problems = problems_of('description = "no name, no recurrence, no steps"\n')
    assert [(p.line, p.message.split(":")[0]) for p in problems] == [
        (1, "missing name"), (1, "missing recurrence"), (1, "missing steps")]
    problem = only_problem(HEAD + '[[steps]]\ntitle = "a"\nguidance = "b"\n\n'
                                  '[[steps]]\nguidance = "no title"\n')
    assert (problem.line, problem.message) == (
        7, 'step 2: missing title: add title = "What to do"')


def test_step_with_neither_guidance_nor_check_points_at_its_header() -> None:
    problem = only_problem(HEAD + '[[steps]]\ntitle = "a"\nguidance = "b"\n'
                                  '[[steps]]\ntitle = "Think"\n')
    assert problem.line == 6
    assert "needs guidance (a manual step) or a check" in problem.message


def test_wrong_types() -> None:
    text = ('name = 42\nrecurrence = { kind = "monthly", day = "first" }\n'
            '[[steps]]\ntitle = ["a"]\nguidance = "b"\n')
    problems = problems_of(text)
    assert [(p.line, p.message) for p in problems] == [
        (1, "name must be a string in quotes, not an integer (42)"),
        (2, 'recurrence day must be a whole number from 1 to 31, not a string ("first")'),
        (4, "step 1: title must be a string in quotes, not a list"),
    ]


def test_unknown_weekday_with_suggestion() -> None:
    text = 'name = "x"\n[recurrence]\nkind = "weekly"\nweekday = "wensday"\n'
    text += '[[steps]]\ntitle = "a"\nguidance = "b"\n'
    problem = only_problem(text)
    assert problem.line == 4
    assert "unknown weekday 'wensday'; did you mean 'wednesday'?" in problem.message


def test_weekday_and_day_only_where_they_apply() -> None:
    text = ('name = "x"\nrecurrence = { kind = "monthly", weekday = "monday" }\n'
            '[[steps]]\ntitle = "a"\nguidance = "b"\n')
    assert "weekday only applies to weekly" in only_problem(text).message
    text = text.replace('kind = "monthly", weekday = "monday"', 'kind = "daily", day = 3')
    assert "day only applies to monthly and quarterly" in only_problem(text).message
    text = text.replace('kind = "daily", day = 3', 'kind = "monthly", day = 32')
    assert "from 1 to 31" in only_problem(text).message


def test_due_within_days_sets_the_due_window() -> None:
    steps = '[[steps]]\ntitle = "a"\nguidance = "b"\n'
    default = parse_template(HEAD + steps, SOURCE)
    assert default.recurrence.due_within_days is None and default.recurrence.due_offset == 0
    text = 'name = "Q"\nrecurrence = "quarterly"\ndue_within_days = 10\n' + steps
    assert parse_template(text, SOURCE).recurrence.due_offset == 10


@pytest.mark.parametrize("value", ["-1", "1.5", '"3"', "true"])
def test_bad_due_within_days_names_its_line(value: str) -> None:
    text = HEAD + f'due_within_days = {value}\n[[steps]]\ntitle = "a"\nguidance = "b"\n'
    problem = only_problem(text)
    assert problem.line == 3
    assert "due_within_days must be a whole number of days from 0" in problem.message


def test_unknown_recurrence_and_due_time() -> None:
    text = 'name = "x"\nrecurrence = "fortnightly"\ndue_time = "9am"\n'
    text += '[[steps]]\ntitle = "a"\nguidance = "b"\n'
    problems = problems_of(text)
    assert [p.line for p in problems] == [2, 3]
    assert "unknown recurrence 'fortnightly'" in problems[0].message
    assert 'due_time must be a 24-hour time in quotes such as "10:00"' in problems[1].message


def test_bad_params_each_on_its_own_line() -> None:
    text = HEAD + ('[[steps]]\ntitle = "Mail"\ncheck = "smtp"\n\n[steps.params]\n'
                   'prot = 25\ntimeout_s = "5"\n\n'
                   '[[steps]]\ntitle = "Accounts"\ncheck = "inactive-accounts"\n'
                   'params = { days = 0 }\n')
    problems = problems_of(text)
    assert [(p.line, p.message) for p in problems] == [
        (7, 'step 1 ("Mail"): smtp needs the parameter \'host\' (Mail server host name)'),
        (8, "step 1 (\"Mail\"): unknown parameter 'prot' for smtp; did you mean 'port'? "
            "(it takes: host, port, timeout_s)"),
        (9, 'step 1 ("Mail"): parameter \'timeout_s\' of smtp must be a number, '
            'not a string ("5")'),
        (14, "step 2 (\"Accounts\"): parameter 'days' of inactive-accounts must be at "
             "least 1, not 0"),
    ]


def test_missing_required_param_without_params_table_points_at_the_check() -> None:
    problem = only_problem(HEAD + '[[steps]]\ntitle = "Backups"\ncheck = "recent-file"\n')
    assert problem.line == 5
    assert "recent-file needs the parameter 'path'" in problem.message


def test_params_on_a_manual_step() -> None:
    problem = only_problem(HEAD + '[[steps]]\ntitle = "a"\nguidance = "b"\n'
                                  '[steps.params]\ndays = 3\n')
    assert problem.line == 6
    assert "params only apply to a check" in problem.message


def test_unknown_keys_and_ids() -> None:
    text = HEAD + ('colour = "red"\n[[steps]]\nid = "Check Backups"\ntitle = "a"\n'
                   'guidance = "b"\n[[steps]]\nid = "same"\ntitle = "c"\nguidence = "d"\n'
                   '[[steps]]\nid = "same"\ntitle = "e"\nguidance = "f"\n')
    problems = problems_of(text)
    assert [p.line for p in problems] == [3, 5, 8, 11, 13]
    assert "unknown key 'colour' at the top level" in problems[0].message
    assert "id must be a slug" in problems[1].message
    assert "step 2 (\"c\") needs guidance" in problems[2].message
    assert "unknown key 'guidence' in step 2 (\"c\"); did you mean 'guidance'?" in \
        problems[3].message
    assert "step 3 (\"e\"): id 'same' is already used" in problems[4].message


def test_multiline_strings_do_not_confuse_the_lines() -> None:
    text = HEAD + ('[[steps]]\ntitle = "a"\nguidance = """\n[[steps]]\ncheck = "x"\n"""\n'
                   '[[steps]]\ntitle = "b"\ncheck = "smtpp"\n')
    problem = only_problem(text)  # the """ string's [[steps]] is not a third step
    assert problem.line == 11
    assert "step 2" in problem.message and "did you mean 'smtp'?" in problem.message


def test_all_problems_are_collected_and_sorted_by_line() -> None:
    text = ('recurrence = "hourly"\n[[steps]]\ntitle = "a"\ncheck = "ping"\n'
            '[[steps]]\ntitle = "b"\ncheck = "command"\n')
    with pytest.raises(TemplateError) as caught:
        parse_template(text, "ops/team.toml")
    lines = [problem.line for problem in caught.value.problems]
    assert lines == sorted(lines) == [1, 1, 4, 7]
    message = str(caught.value)
    assert message.startswith("4 problems in ops/team.toml:\n")
    assert "ops/team.toml:7: step 2 (\"b\"): command needs the parameter 'run'" in message


DEEP = {
    "array": "x = " + "[" * 5000 + "]" * 5000,
    "inline table": "x = " + "{a = " * 5000 + "1" + "}" * 5000,
}


@pytest.mark.parametrize("nesting", DEEP.values(), ids=DEEP.keys())
def test_deep_nesting_is_a_problem_not_a_crash(nesting: str) -> None:
    text = f'name = "Deep"\nrecurrence = "daily"\n{nesting}\n'
    with pytest.raises(TemplateError) as raised:
        parse_template(text, SOURCE)
    assert raised.value.problems == [TemplateProblem(
        SOURCE, 3, "brackets are nested more than 16 deep; a template needs far fewer")]


def test_brackets_in_strings_and_comments_do_not_count() -> None:
    text = ('name = "' + "[" * 40 + '"\nrecurrence = "daily"  # ' + "{" * 40 + "\n"
            "[[steps]]\ntitle = '" + "[" * 40 + "'\nguidance = \"\"\"\n" + "{" * 40
            + '\n"""\n')
    assert parse_template(text, SOURCE).steps[0].title == "[" * 40


def test_a_huge_file_is_refused_before_parsing() -> None:
    text = 'name = "Big"\nrecurrence = "daily"\n# ' + "x" * 300_000 + "\n"
    with pytest.raises(TemplateError, match="the file has 300037 characters; a template may "
                                            "have at most 256000"):
        parse_template(text, SOURCE)
