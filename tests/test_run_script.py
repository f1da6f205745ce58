"""run.py, the README's two set-up commands: what it installs when, and its usage."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import run


def stamp(tmp_path: Path, project: str, extras: list[str]) -> Path:
    path = tmp_path / "stamp.json"
    path.write_text(json.dumps({"pyproject": project, "extras": extras}), encoding="utf-8")
    return path


def test_a_new_environment_installs_what_is_asked(tmp_path: Path) -> None:
    assert run.wanted(tmp_path / "none.json", "h1", {"test"}) == {"test"}
    assert run.wanted(tmp_path / "none.json", "h1", set()) == set()


def test_nothing_is_installed_again_while_pyproject_is_unchanged(tmp_path: Path) -> None:
    tested = stamp(tmp_path, "h1", ["test"])
    assert run.wanted(tested, "h1", {"test"}) is None
    assert run.wanted(tested, "h1", set()) is None  # the demo needs a subset


def test_a_changed_pyproject_or_a_new_extra_installs_again(tmp_path: Path) -> None:
    demo = stamp(tmp_path, "h1", [])
    assert run.wanted(demo, "h2", set()) == set()
    assert run.wanted(demo, "h1", {"test"}) == {"test"}
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    assert run.wanted(broken, "h1", set()) == set()


def test_an_unknown_word_prints_the_usage(capsys: pytest.CaptureFixture[str]) -> None:
    assert run.main([]) == 2
    assert run.main(["--help"]) == 0
    assert run.main(["install"]) == 2
    assert "python3 run.py demo" in capsys.readouterr().err


def test_the_readme_and_ci_use_the_same_two_commands() -> None:
    readme = (run.ROOT / "README.md").read_text(encoding="utf-8")
    setup = readme[readme.index("## Set up"):]
    commands = [block.split("```", 1)[0].strip()
                for block in setup.split("```sh\n")[1:3]]
    assert commands == ["python3 run.py demo", "python3 run.py test"]
    assert "python3 run.py test " in (run.ROOT / ".ci" / "run").read_text(encoding="utf-8")
