"""The review's evidence for an auditor: scope, snapshot time, reviewer, every account
with its findings, decision, justification, applied result and audit id, and the
audit chain's head at sign-off. CSV, Markdown or JSON."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from pmcockpit.core.i18n import _
from pmcockpit.core.review import EXPORT_FORMATS
from pmcockpit.services.workspace import Workspace
from pmcockpit.storage.queries.review import (
    AccountLine,
    ReviewFilter,
    ReviewRow,
    get_review,
    matching_accounts,
)

FORMATS = EXPORT_FORMATS
COLUMNS = ("connection", "login", "name", "person", "department", "status", "admin",
           "rules", "findings", "exempt", "decision", "target", "justification", "decided_by",
           "applied", "error", "audit_id")


class ExportError(LookupError):
    pass


def _row(line: AccountLine) -> dict[str, Any]:
    return {
        "connection": line.connection, "login": line.login, "name": line.name,
        "person": line.person, "department": line.department, "status": line.status,
        "admin": line.is_admin, "rules": " ".join(f["rule"] for f in line.findings),
        "findings": " ".join(f["message"] for f in line.findings), "exempt": line.exempt or "",
        "decision": line.decision or "", "target": line.target or "",
        "justification": line.justification, "decided_by": line.decided_by or "",
        "applied": line.applied or "", "error": line.applied_error or "",
        "audit_id": line.audit_id,
    }


def _header(review: ReviewRow) -> dict[str, Any]:
    return {
        "review": review.id, "scope": review.scope, "snapshot_at": review.started_at.isoformat(),
        "reviewer": review.operator, "previous_review": review.previous_id,
        "signed_off_at": review.signed_off_at.isoformat() if review.signed_off_at else None,
        "signed_off_by": review.signed_off_by, "audit_head": review.audit_head,
        "accounts": review.accounts, "with_findings": review.with_findings,
        "decided": review.decided,
    }


def export(workspace: Workspace, review_id: int, fmt: str) -> str:
    with workspace.db.session() as session:
        review = get_review(session, review_id)
        if review is None:
            raise ExportError(_("no review {id}").format(id=review_id))
        rows = [_row(line) for line in matching_accounts(session, review_id, ReviewFilter())]
    header = _header(review)
    if fmt == "json":
        return json.dumps({**header, "items": rows}, ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        return _csv(header, rows)
    return _markdown(header, rows)


def _csv(header: dict[str, Any], rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    for key, value in header.items():  # the evidence's frame, as "# key,value" lines
        writer.writerow([f"# {key}", "" if value is None else value])
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(["" if row[c] is None else row[c] for c in COLUMNS])
    return out.getvalue()


def _cell(value: Any) -> str:
    return ("" if value is None else str(value)).replace("|", "\\|").replace("\n", " ")


def _markdown(header: dict[str, Any], rows: list[dict[str, Any]]) -> str:
    lines = [_("# Permission review {id}").format(id=header["review"]), ""]
    lines += [f"- **{key}**: {_cell(value)}" for key, value in header.items() if key != "review"]
    lines += ["", "| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(_cell(row[c]) for c in COLUMNS) + " |" for row in rows]
    return "\n".join(lines) + "\n"
