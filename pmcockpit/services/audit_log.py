"""The audit log as the faces use it: append (with the head), verify, checkpoint.

Both the CLI (``pmcockpit audit ...``) and the Audit screen go through here, so they
check the same things under the same key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pmcockpit.core.i18n import _
from pmcockpit.services.audit_key import installation
from pmcockpit.services.workspace import Workspace
from pmcockpit.storage import audit, audit_head
from pmcockpit.storage.audit import ChainKey, ChainProblem


class CheckpointError(Exception):
    """A checkpoint file that cannot be read."""


@dataclass(frozen=True, slots=True)
class Verification:
    problems: list[ChainProblem]
    entries: int
    legacy: int
    in_doubt: list[int] = field(default_factory=list)
    key_source: str = ""
    checkpoint: int | None = None
    """The last entry a given checkpoint vouched for, when it held."""

    @property
    def intact(self) -> bool:
        return not self.problems


def key_for(workspace: Workspace) -> ChainKey:
    return installation(demo=workspace.demo).key


def head_path(workspace: Workspace) -> Path | None:
    return audit_head.head_path(workspace.db.engine)


def _log_name(workspace: Workspace) -> str | None:
    """How the installation names this log: its database file, resolved."""
    path = head_path(workspace)
    return str(path.resolve()) if path is not None else None


def append(workspace: Workspace, record: audit.AuditRecord, key: ChainKey) -> int:
    """Commit one entry, then move the head outside the database to it."""
    with workspace.db.session() as session:
        entry_id = audit.append(session, record, key).id
    with workspace.db.session() as session:
        audit_head.record_head(session, key, head_path(workspace))
    name = _log_name(workspace)
    if name is not None:
        installation(demo=workspace.demo).seal(name)
    return entry_id


def verify(workspace: Workspace, checkpoint_text: str | None = None) -> Verification:
    """Every place the log fails its chain, its head or the checkpoint given."""
    key = key_for(workspace)
    with workspace.db.session() as session:
        walked = audit.walk(session, key)
        problems = list(walked.problems)
        problems += audit_head.head_problems(
            session, key, head_path(workspace), walked,
            sealed=_log_name(workspace) in installation(demo=workspace.demo).sealed)
        vouched = None
        if checkpoint_text is not None:
            try:
                checkpoint = audit_head.Head.from_text(checkpoint_text)
            except ValueError as error:
                raise CheckpointError(str(error)) from None
            found = audit_head.check_against(session, key, checkpoint, _("the checkpoint"))
            problems += found
            # It vouches for the entries up to it only if they also verify one by one.
            broken_before = any(p.entry_id is not None and p.entry_id <= checkpoint.last_id
                                for p in walked.problems)
            vouched = None if found or broken_before else checkpoint.last_id
        doubtful = [entry.id for entry in audit.in_doubt(session)]
    return Verification(problems, walked.count, walked.legacy, doubtful, key.source, vouched)


def checkpoint(workspace: Workspace) -> str:
    """The signed head as text, for an auditor to keep elsewhere."""
    key = key_for(workspace)
    with workspace.db.session() as session:
        return audit_head.current_head(session, key).to_text()


def broken_reason(workspace: Workspace) -> str | None:
    """Why the log cannot be trusted now (its first problem); None when it verifies."""
    result = verify(workspace)
    if result.intact:
        return None
    return result.problems[0].message
