"""How the action dialog words actions: their preview (planned calls or refusal) and results.

Plain functions returning Content, so every screen that runs actions says the same
things the same way. Text from the tools goes in as plain text, never as markup.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content

from pmcockpit.core.actions import Action
from pmcockpit.core.i18n import _, ngettext
from pmcockpit.services.actions import ActionResult, Outcome, Preview

_OUTCOME_MARK = {
    Outcome.SUCCEEDED: (_("✓ done    "), "$text-success"),
    Outcome.FAILED: (_("✗ failed  "), "$text-error"),
    Outcome.REFUSED: (_("– refused "), "$text-warning"),
}
WAITING_MARK = (_("○ waiting "), "$text-muted")


def _heading(action: Action) -> Content:
    heading = Content.styled(action.describe(), "bold")
    if action.destructive:
        heading = Content.assemble(heading, ("  " + _("destructive"), "$text-error"))
    return heading


def preview_text(previews: Sequence[Preview]) -> Content:
    """Each action, then the calls it would make (or why it would not run)."""
    lines: list[Content] = []
    for preview in previews:
        lines.append(_heading(preview.action))
        if preview.refusal:
            lines.append(Content.styled(
                _("  ✗ refused: {reason}").format(reason=preview.refusal), "$text-error"))
        elif not preview.calls:
            lines.append(Content.styled(_("  (no call needed)"), "$text-muted"))
        lines += [Content.styled(f"  {call}", "$text-muted") for call in preview.calls]
    return Content("\n").join(lines)


def results_text(actions: Sequence[Action], results: Sequence[ActionResult]) -> Content:
    """One line per action, in order: its outcome (or waiting), then its error if any."""
    lines: list[Content] = []
    for index, action in enumerate(actions):
        if index >= len(results):
            lines.append(Content.assemble(WAITING_MARK, action.describe()))
            continue
        result = results[index]
        audit = _("  (audit #{id})").format(id=result.audit_id) \
            if result.audit_id is not None else ""
        lines.append(Content.assemble(_OUTCOME_MARK[result.outcome], action.describe(),
                                      (audit, "$text-muted")))
        if result.error:
            lines.append(Content.styled(f"          {result.error}", "$text-error"))
    return Content("\n").join(lines)


def results_summary(results: Sequence[ActionResult], total: int) -> Content:
    """"2 done, 1 failed" while running and after; failures in colour."""
    counts = {outcome: sum(r.outcome is outcome for r in results) for outcome in Outcome}
    parts: list[Content] = []
    if counts[Outcome.SUCCEEDED]:
        parts.append(Content.styled(_("{n} done").format(n=f"{counts[Outcome.SUCCEEDED]:,}"),
                                    "$text-success"))
    if counts[Outcome.FAILED]:
        parts.append(Content.styled(_("{n} failed").format(n=f"{counts[Outcome.FAILED]:,}"),
                                    "$text-error"))
    if counts[Outcome.REFUSED]:
        parts.append(Content.styled(_("{n} refused").format(n=f"{counts[Outcome.REFUSED]:,}"),
                                    "$text-warning"))
    if len(results) < total:
        parts.append(Content(_("{n} to go").format(n=f"{total - len(results):,}")))
    return Content(", ").join(parts) if parts else Content(_("Running…"))


def preview_summary(previews: Sequence[Preview]) -> Content:
    """"3 actions, 2 destructive; 1 would be refused"."""
    destructive = sum(p.action.destructive for p in previews)
    refused = sum(p.refusal is not None for p in previews)
    text = Content(ngettext("{n} action", "{n} actions", len(previews)).format(
        n=f"{len(previews):,}"))
    if destructive:
        text = Content.assemble(text, ", ", (_("{n} destructive").format(
            n=f"{destructive:,}"), "$text-error"))
    if refused:
        text = Content.assemble(text, "; ", (_("{n} would be refused").format(
            n=f"{refused:,}"), "$text-warning"))
    return Content.assemble(text, (_(" · a dry run: nothing has changed yet"), "$text-muted"))
