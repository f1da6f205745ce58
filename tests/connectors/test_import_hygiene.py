"""The connectors import neither Textual nor SQLAlchemy (checked in a fresh interpreter)."""

from __future__ import annotations

import subprocess
import sys

MODULES = ("pmcockpit.connectors.registry", "pmcockpit.connectors.tokens",
           "pmcockpit.connectors.redmine")
FORBIDDEN = ("textual", "sqlalchemy", "alembic")


def test_connectors_import_no_ui_or_database() -> None:
    code = (f"import sys\nfor m in {MODULES!r}: __import__(m)\n"
            f"print(sorted({{n.split('.')[0] for n in sys.modules}} & set({FORBIDDEN!r})))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"
