"""The checklist domain stays importable without the UI, the database or the network."""

from __future__ import annotations

import subprocess
import sys

FORBIDDEN = ("textual", "sqlalchemy", "httpx")


def test_checklist_imports_no_textual_sqlalchemy_or_httpx() -> None:
    script = (
        "import sys, pmcockpit.core.checklist, pmcockpit.core.checklist.evaluation\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r}))"
    )
    output = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            check=True).stdout.strip()
    assert output == "[]"
