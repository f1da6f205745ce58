"""The Jira payloads of Atlassian's published reference (see fixtures/jira/README.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parent / "fixtures" / "jira"
URL = "https://your-domain.atlassian.net"
MIA = "5b10a2844c20165700ede21g"
EMMA = "5b10ac8d82e05b22cc7d4ef5"
DEVELOPERS_GROUP = "952d12c3-5b5b-4d04-bb32-44d383afc4b2"


def load(name: str) -> Any:
    """The example response stored as ``fixtures/jira/<name>.json``."""
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
