"""How the action dialog words actions: their preview (planned calls or refusal) and results.

Plain functions returning Content, so every screen that runs actions says the same
things the same way. Text from the tools goes in as plain text, never as markup.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content

from pmcockpit.core.actions import Action
from pmcockpit.core.wording import plural
from pmcockpit.services.actions import ActionResult, Outcome, Preview

_OUTCOME_MARK = {
    Outcome.SUCCEEDED: ("✓ done    ", "$text-success"),
    Outcome.FAILED: ("✗ failed  ", "$text-error"),
    Outcome.REFUSED: ("– refused ", "$text-warning"),
}
WAITING_MARK = ("○ waiting ", "$text-muted")


def _heading(action: Action) -> Content:
    heading = Content.styled(action.describe(), "bold")
    if action.destructive:
        heading = Content.assemble(heading, ("  destructive", "$text-error"))
    return heading


def preview_text(previews: Sequence[Preview]) -> Content:
    """Each action, then the calls it would make (or why it would not run)."""
    lines: list[Content] = []
    for preview in previews:
        lines.append(_heading(preview.action))
        if preview.refusal:
            lines.append(Content.styled(f"  ✗ refused: {preview.refusal}", "$text-error"))
        elif not preview.calls:
            lines.append(Content.styled("  (no call needed)", "$text-muted"))
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
        audit = f"  (audit #{result.audit_id})" if result.audit_id is not None else ""
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
        parts.append(Content.styled(f"{counts[Outcome.SUCCEEDED]:,} done", "$text-success"))
    if counts[Outcome.FAILED]:
        parts.append(Content.styled(f"{counts[Outcome.FAILED]:,} failed", "$text-error"))
    if counts[Outcome.REFUSED]:
        parts.append(Content.styled(f"{counts[Outcome.REFUSED]:,} refused", "$text-warning"))
    if len(results) < total:
        parts.append(Content(f"{total - len(results):,} to go"))
    return Content(", ").join(parts) if parts else Content("Running…")


def preview_summary(previews: Sequence[Preview]) -> Content:
    """"3 actions, 2 destructive; 1 would be refused"."""
    destructive = sum(p.action.destructive for p in previews)
    refused = sum(p.refusal is not None for p in previews)
    text = Content(plural(len(previews), "action"))
    if destructive:
        text = Content.assemble(text, ", ", (f"{destructive:,} destructive", "$text-error"))
    if refused:
        text = Content.assemble(text, "; ", (f"{refused:,} would be refused", "$text-warning"))
    return Content.assemble(text, (" · a dry run: nothing has changed yet", "$text-muted"))
