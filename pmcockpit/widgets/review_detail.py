"""One person's accounts in a review: per tool the status, admin flag, last login,
created, groups, project roles (inherited ones marked), findings and decision.
Text wraps: a long reason stays readable at 80 columns."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from pmcockpit.core.i18n import _
from pmcockpit.core.review import DECISION_LABELS, Decision, Drift
from pmcockpit.core.tool_words import tool_word
from pmcockpit.storage.queries.review import AccountLine
from pmcockpit.widgets.review_people import SEVERITY_STYLE, severity_cell


def _day(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d") if moment else _("never")


def _memberships(line: AccountLine) -> list[str]:
    found = []
    for membership in line.access.get("memberships", []):
        roles = list(membership["roles"]) + [
            _("{role} (inherited)").format(role=role) for role in membership["inherited"]]
        found.append(_("{project}: {roles}").format(project=membership["project"],
                                                    roles=", ".join(roles) or "-"))
    return found


def _decision(line: AccountLine) -> Content:
    if not line.decision:
        return Content.styled(_("no decision yet"), "$text-muted")
    word = _(DECISION_LABELS[Decision(line.decision)])
    text = _("Decision: {decision} {target}— {why}").format(
        decision=word, target=f"{line.target} " if line.target else "",
        why=line.justification)
    if line.applied:
        text = _("{text} [applied: {outcome}]").format(text=text, outcome=line.applied)
    style = "$text-error" if line.applied in ("failed", "refused") else "$text-accent"
    return Content.styled(text, style)


def account_drift(drift: Drift | None, line: AccountLine) -> list[str]:
    """What changed on this account since the last review, one phrase each."""
    if drift is None:
        return []
    key = (line.connection, line.login)
    found = []
    if key in drift.new_accounts:
        found.append(_("new since the last review"))
    if key in drift.new_admins and key not in drift.new_accounts:
        found.append(_("made an administrator since the last review"))
    found += [_("+ {what}").format(what=what) for *who, what in drift.access_added
              if tuple(who) == key]
    found += [_("- {what}").format(what=what) for *who, what in drift.access_removed
              if tuple(who) == key]
    return found


def account_block(line: AccountLine, drift: Drift | None = None) -> Content:
    status = tool_word(line.status) + (_(", administrator") if line.is_admin else "")
    head = Content.assemble(
        Content.styled(f"{line.connection} ", "bold"), Content(line.login), "  ",
        Content.styled(status, "$text-warning" if line.is_admin else "$text-muted"))
    parts: list[Content | str] = [head, "\n", _("last login {login}, created {created}").format(
        login=_day(line.last_login_at), created=_day(line.created_at))]
    groups = ", ".join(g["name"] for g in line.access.get("groups", []))
    if groups:
        parts += ["\n", _("groups: {groups}").format(groups=groups)]
    for membership in _memberships(line):
        parts += ["\n", _("project {membership}").format(membership=membership)]
    if line.exempt:
        parts += ["\n", Content.styled(_("exempt: {why}").format(why=line.exempt),
                                       "$text-success")]
    for finding in line.findings:
        parts += ["\n", severity_cell(finding["severity"]), " ",
                  Content.styled(finding["message"], SEVERITY_STYLE.get(
                      finding["severity"], "$text-muted") if not line.exempt else "$text-muted")]
    changes = account_drift(drift, line)
    if changes:
        parts += ["\n", Content.styled(_("since the last review: {changes}").format(
            changes="; ".join(changes)), "$text-warning")]
    parts += ["\n", _decision(line)]
    return Content.assemble(*parts)


class PersonDetail(VerticalScroll):
    """The accounts of the person under the cursor."""

    def compose(self) -> ComposeResult:
        yield Static(id="review-detail-text")

    def show(self, title: str, lines: Sequence[AccountLine], drift: Drift | None = None
             ) -> None:
        blocks: list[Content | str] = [Content.styled(title, "bold")]
        for line in lines:
            blocks += ["\n\n", account_block(line, drift)]
        self.query_one("#review-detail-text", Static).update(Content.assemble(*blocks))
        self.scroll_home(animate=False)
