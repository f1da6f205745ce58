"""The layers under the UI import no Textual; ``core`` imports no I/O library either.

A static check cannot tell a module-scope import from one deferred into the function
that needs it, so (like harlequin's ``tests/unit_tests/test_import_hygiene.py``) each
check imports the real modules in a fresh interpreter and looks at ``sys.modules``.
Modules are discovered from the files on disk, so a module added tomorrow (or a folder
without ``__init__.py``, which ``pkgutil`` would skip) is checked without editing this file.
"""

from __future__ import annotations

import importlib.util
import json
import pkgutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

SUBPROCESS_TIMEOUT_S = 300.0

_spec = importlib.util.find_spec("pmcockpit")
assert _spec is not None and _spec.origin is not None
PACKAGE_DIR = Path(_spec.origin).parent

HEADLESS_PACKAGES = ("pmcockpit.core", "pmcockpit.storage", "pmcockpit.connectors", "pmcockpit.sim")
TUI = ("textual",)
CORE_FORBIDDEN = ("textual", "sqlalchemy", "httpx")

NOT_IMPORTABLE_ALONE = {
    # Alembic's env script reads ``alembic.context.config``, which exists only while a
    # migration command runs; db.upgrade runs it that way (tests/storage covers it).
    "pmcockpit.storage.migrations.env",
}

# Imports every module named on stdin, one after the other, and reports which one first
# brought in each forbidden top-level module, and which ones failed to import at all.
PROBE = """
import importlib, json, sys, traceback
request = json.load(sys.stdin)
errors, leaks = {}, {}
for name in request["modules"]:
    already = {f for f in request["forbidden"] if f in sys.modules}
    try:
        importlib.import_module(name)
    except BaseException:
        errors[name] = traceback.format_exc(limit=3)
    for forbidden in request["forbidden"]:
        if forbidden in sys.modules and forbidden not in already:
            leaks[forbidden] = name
json.dump({"errors": errors, "leaks": leaks,
           "loaded": sorted(f for f in request["forbidden"] if f in sys.modules)}, sys.stdout)
"""


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def discover(package: str) -> list[str]:
    """Every module of ``package`` on disk: files and subfolders, namespace or not."""
    root = PACKAGE_DIR.parent.joinpath(*package.split("."))
    found = {_module_name(path) for path in root.rglob("*.py") if "__pycache__" not in path.parts}
    # pkgutil as well, so an extension module or an unusual loader is not missed.
    if (root / "__init__.py").exists():
        found.add(package)
        found.update(m.name for m in pkgutil.walk_packages([str(root)], prefix=f"{package}."))
    return sorted(found - NOT_IMPORTABLE_ALONE)


def _probe(modules: list[str], forbidden: tuple[str, ...]) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        input=json.dumps({"modules": modules, "forbidden": list(forbidden)}),
        capture_output=True,
        text=True,
        timeout=SUBPROCESS_TIMEOUT_S,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report: dict[str, Any] = json.loads(done.stdout)
    return report


def _assert_clean(report: dict[str, Any], what: str) -> None:
    assert not report["errors"], "modules that fail to import:\n" + "\n".join(
        f"{name}:\n{trace}" for name, trace in report["errors"].items()
    )
    assert not report["leaks"], ", ".join(
        f"{module} imported {forbidden}" for forbidden, module in sorted(report["leaks"].items())
    )
    assert report["loaded"] == [], f"{what} loaded {report['loaded']}"


def test_discovery_finds_known_modules() -> None:
    storage = discover("pmcockpit.storage")
    assert {"pmcockpit.storage", "pmcockpit.storage.db", "pmcockpit.storage.models"} <= set(storage)
    assert "pmcockpit.storage.migrations.env" not in storage
    assert "pmcockpit.core.records" in discover("pmcockpit.core")


@pytest.mark.parametrize("package", HEADLESS_PACKAGES)
def test_headless_package_does_not_import_textual(package: str) -> None:
    modules = discover(package)
    assert package in modules
    _assert_clean(_probe(modules, TUI), package)


def test_core_imports_no_textual_sqlalchemy_or_httpx() -> None:
    modules = discover("pmcockpit.core")
    _assert_clean(_probe(modules, CORE_FORBIDDEN), "pmcockpit.core")
