"""Loading templates: the built-ins, the administrator's overrides and additions, and
malformed files reported with file and line without stopping the others."""

from __future__ import annotations

from pathlib import Path

import pytest

from pmcockpit.config import Settings
from pmcockpit.core.checklist import RecurrenceKind, TemplateError
from pmcockpit.services.templates import (
    BUILT_IN,
    BrokenTemplate,
    UnknownTemplate,
    demo_daily_inspection,
    load_templates,
    read_template,
)

BUILT_INS = ["daily-inspection", "weekly-cleanup", "monthly-version-report",
             "quarterly-satisfaction-survey"]
MINIMAL = 'name = "{name}"\nrecurrence = "{kind}"\n\n[[steps]]\ntitle = "a"\nguidance = "b"\n'


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    path = tmp_path / "checklists"
    path.mkdir()
    return path


def settings_for(folder: Path) -> Settings:
    return Settings(templates_dir=str(folder))


def test_built_ins_load_in_order_of_frequency(tmp_path: Path) -> None:
    templates = load_templates(settings_for(tmp_path / "absent"))
    assert list(templates.templates) == BUILT_INS
    assert [t.recurrence.kind for t in templates.templates.values()] == [
        kind for kind in RecurrenceKind if kind is not RecurrenceKind.ONCE]
    assert set(templates.origins.values()) == {BUILT_IN}
    assert not templates.problems


def test_the_administrators_files_override_by_key_and_add(folder: Path) -> None:
    (folder / "daily-inspection.toml").write_text(MINIMAL.format(name="Our morning round",
                                                                 kind="daily"))
    (folder / "release-check.toml").write_text(MINIMAL.format(name="Release check",
                                                              kind="weekly"))
    (folder / "notes.txt").write_text("not a template")
    templates = load_templates(settings_for(folder))
    assert templates.get("daily-inspection").name == "Our morning round"
    assert templates.origins["daily-inspection"] == str(folder / "daily-inspection.toml")
    assert templates.get("release-check").recurrence.kind is RecurrenceKind.WEEKLY
    assert len(templates.templates) == 5


def test_a_malformed_file_is_reported_and_the_rest_still_load(folder: Path) -> None:
    (folder / "broken.toml").write_text('name = "Broken"\nrecurrence = "daily"\n\n[[steps]]\n'
                                        'title = "x"\ncheck = "backup-age"\n')
    (folder / "bad-syntax.toml").write_text('name = "x\n')
    templates = load_templates(settings_for(folder))
    assert list(templates.templates) == BUILT_INS
    [unknown_check] = templates.problems["broken"]
    assert str(unknown_check).startswith(f"{folder / 'broken.toml'}:6: step 1 (\"x\"): "
                                         "unknown check 'backup-age'")
    [syntax] = templates.problems["bad-syntax"]
    assert syntax.line == 1 and "invalid TOML" in syntax.message
    with pytest.raises(BrokenTemplate) as caught:
        templates.get("broken")
    assert "broken.toml:6" in str(caught.value)


def test_a_broken_override_is_not_silently_replaced_by_the_built_in(folder: Path) -> None:
    (folder / "weekly-cleanup.toml").write_text('name = "Ours"\nrecurrence = "weekly"\n')
    templates = load_templates(settings_for(folder))
    assert "weekly-cleanup" not in templates.templates
    with pytest.raises(BrokenTemplate, match="missing steps"):
        templates.get("weekly-cleanup")


def test_an_unknown_template_lists_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(UnknownTemplate) as caught:
        load_templates(settings_for(tmp_path)).get("dayly")
    assert "no checklist template 'dayly'" in str(caught.value)
    assert "daily-inspection" in str(caught.value)


def test_unreadable_files_and_folders_are_problems(tmp_path: Path, folder: Path) -> None:
    (folder / "latin1.toml").write_bytes('name = "Caf\xe9"\n'.encode("latin-1"))
    [problem] = load_templates(settings_for(folder)).problems["latin1"]
    assert problem.line == 1 and "save it as UTF-8" in problem.message
    a_file = tmp_path / "file-not-folder"
    a_file.write_text("")
    problems = load_templates(settings_for(a_file)).all_problems
    assert len(problems) == 1 and "is a file" in problems[0].message


def test_read_template_uses_the_stem_as_key(folder: Path) -> None:
    path = folder / "month-end.toml"
    path.write_text(MINIMAL.format(name="Month end", kind="monthly"))
    assert read_template(path).key == "month-end"
    with pytest.raises(TemplateError):
        read_template(folder / "missing.toml")


def test_the_demo_daily_inspection_points_at_the_demo_backup_and_mail_server(
        tmp_path: Path) -> None:
    text = demo_daily_inspection(tmp_path / "backups", "127.0.0.1", 2525)
    (tmp_path / "daily-inspection.toml").write_text(text, encoding="utf-8")
    template = load_templates(settings_for(tmp_path)).get("daily-inspection")
    assert template.step("backup").params["path"] == str(tmp_path / "backups")
    assert (template.step("mail-server").params["host"],
            template.step("mail-server").params["port"]) == ("127.0.0.1", 2525)
    assert [s.id for s in template.steps] == [s.id for s in load_templates(
        settings_for(tmp_path / "none")).get("daily-inspection").steps]


def test_a_scheduled_checklist_cannot_be_once(folder: Path) -> None:
    (folder / "survey.toml").write_text(
        'name = "Survey"\nrecurrence = "once"\n\n[[steps]]\ntitle = "Ask"\n'
        'guidance = "Send the form."\n', encoding="utf-8")
    templates = load_templates(settings_for(folder))
    assert "survey" not in templates.templates
    assert "is for upgrade checklists" in str(templates.problems["survey"][0])
    assert templates.linked["pre-upgrade"].recurrence.kind is RecurrenceKind.ONCE
