"""The audit log's head, kept outside the database, and signed checkpoints.

After every append the head (how many entries, the last id and its hash) is written,
signed with the chain key, to a small file next to the database file. Someone who
cuts the newest entries from the database (and resets its AUTOINCREMENT counter)
cannot make that file agree without the key. A *checkpoint* is the same signed head
printed for an auditor to keep elsewhere; ``verify`` with it proves that nothing up
to that entry changed since.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from pmcockpit.core.clock import utcnow
from pmcockpit.core.i18n import _
from pmcockpit.storage import audit
from pmcockpit.storage.audit import ChainKey, ChainProblem

HEAD_SUFFIX = ".audit-head"
CHECKPOINT_FORMAT = "pmcockpit-audit-checkpoint/1"


@dataclass(frozen=True, slots=True)
class Head:
    count: int
    last_id: int
    last_hash: str
    at: str = ""
    mac: str = ""

    def message(self) -> str:
        return f"{CHECKPOINT_FORMAT}:{self.count}:{self.last_id}:{self.last_hash}:{self.at}"

    def signed(self, key: ChainKey) -> Head:
        unsigned = Head(self.count, self.last_id, self.last_hash, self.at)
        return Head(self.count, self.last_id, self.last_hash, self.at,
                    key.sign(unsigned.message()))

    def valid(self, key: ChainKey) -> bool:
        return bool(self.mac) and self.signed(key).mac == self.mac

    def to_text(self) -> str:
        return json.dumps({"format": CHECKPOINT_FORMAT, **asdict(self)}, indent=2)

    @classmethod
    def from_text(cls, text: str) -> Head:
        """Raises ValueError when ``text`` is not a head or checkpoint."""
        try:
            data: Any = json.loads(text)
            if data.get("format") != CHECKPOINT_FORMAT:
                raise ValueError("not a pmcockpit audit checkpoint")
            return cls(int(data["count"]), int(data["last_id"]), str(data["last_hash"]),
                       str(data.get("at", "")), str(data["mac"]))
        except (AttributeError, KeyError, TypeError, json.JSONDecodeError) as error:
            raise ValueError(f"not a pmcockpit audit checkpoint ({error})") from None


def head_path(engine: Engine) -> Path | None:
    """The head file beside a file database; None for an in-memory or server database."""
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return None
    return Path(str(engine.url.database)).expanduser().with_name(
        Path(str(engine.url.database)).name + HEAD_SUFFIX)


def current_head(session: Session, key: ChainKey) -> Head:
    walked = audit.walk(session, key)
    at = utcnow().isoformat(timespec="seconds")
    return Head(walked.count, walked.last_id, walked.last_hash, at).signed(key)


def record_head(session: Session, key: ChainKey, path: Path | None) -> None:
    """Write the head after an append; never moves it backwards (two writers race)."""
    if path is None:
        return
    last = audit.entries(session, limit=1)
    if not last:
        return
    newest = last[0]
    previous = read_head(path)
    if previous is not None and previous.last_id > newest.id:
        return
    head = Head(audit.count_up_to(session, newest.id), newest.id, newest.entry_hash,
                utcnow().isoformat(timespec="seconds")).signed(key)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(head.to_text(), encoding="utf-8")
    os.replace(temporary, path)


def read_head(path: Path) -> Head | None:
    """The recorded head; None when there is none. An unreadable file is a bad head."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    try:
        return Head.from_text(text)
    except ValueError:
        return Head(-1, -1, "", mac="")


def check_against(session: Session, key: ChainKey, head: Head, what: str
                  ) -> list[ChainProblem]:
    """Problems showing the log no longer holds what ``head`` recorded; ``what`` names
    the head ("the checkpoint")."""
    if not head.valid(key):
        return [ChainProblem(None, _("{what} was edited or was not signed with this "
                                     "installation's key").format(what=what))]
    if audit.hash_of(session, head.last_id) != head.last_hash:
        return [ChainProblem(head.last_id, _(
            "entry {id} is not what {what} recorded: entries were cut or replaced").format(
                id=head.last_id, what=what))]
    if audit.count_up_to(session, head.last_id) != head.count:
        return [ChainProblem(head.last_id, _(
            "{what} recorded {count} entries up to {id}: entries were deleted").format(
                what=what, count=head.count, id=head.last_id))]
    return []


def head_problems(session: Session, key: ChainKey, path: Path | None, walked: audit.ChainWalk,
                  *, sealed: bool = False) -> list[ChainProblem]:
    """What the head file beside the database says is wrong. ``sealed``: the installation
    remembers this log holding keyed entries, so it must have a head and keyed entries."""
    if path is None:
        return []
    problems = []
    if sealed and walked.count and walked.count == walked.legacy:
        problems.append(ChainProblem(None, _(
            "every entry is unkeyed, but this log held keyed entries: it was rewritten "
            "without the key")))
    head = read_head(path)
    if head is None:
        if sealed or walked.count > walked.legacy:
            problems.append(ChainProblem(None, _(
                "the head file {path} is missing: the newest entries may have been "
                "cut").format(path=path)))
        return problems
    problems += check_against(session, key, head, _("the head file {path}").format(path=path))
    if not problems and head.count > walked.count:
        problems.append(ChainProblem(None, _(
            "the head file recorded {recorded} entries, the log has {count}").format(
                recorded=head.count, count=walked.count)))
    return problems
