"""Canned replies: text files in the config directory's ``replies`` folder.

Each ``*.txt`` file is one reply; its name (without ``.txt``) is what the list shows.
``{requester}``, ``{key}`` and ``{admin}`` are filled in: the requester's name, the
ticket's key and the administrator's name. Other braces are left as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pmcockpit.config import config_path

PLACEHOLDERS = ("requester", "key", "admin")


@dataclass(frozen=True, slots=True)
class CannedReply:
    name: str
    text: str

    def fill(self, *, requester: str, key: str, admin: str) -> str:
        values = {"requester": requester, "key": key, "admin": admin}
        text = self.text
        for name in PLACEHOLDERS:
            text = text.replace("{" + name + "}", values[name])
        return text


def replies_dir() -> Path:
    """Next to the config file (``PMCOCKPIT_CONFIG`` moves both)."""
    return config_path().parent / "replies"


def load_replies(directory: Path | None = None) -> list[CannedReply]:
    """The replies in ``directory``, by name; a file that cannot be read is left out."""
    folder = directory or replies_dir()
    replies = []
    for path in sorted(folder.glob("*.txt")) if folder.is_dir() else []:
        try:
            replies.append(CannedReply(path.stem, path.read_text(encoding="utf-8").strip()))
        except (OSError, UnicodeDecodeError):
            continue
    return replies
