"""The tools' own words shown through translated labels: priority and status names as
Redmine, Jira, GitLab send them, account states. The stored data, filters and SLA
settings keep the words as they came; only the screen shows the label. An unknown word,
or one the language leaves as it is, is shown as it came."""

from __future__ import annotations

from pmcockpit.core.i18n import N_, _

# Keyed by the word in lower case; marked with N_, translated when shown.
_WORDS = {
    # priorities
    "lowest": N_("Lowest"),
    "low": N_("Low"),
    "normal": N_("Normal"),
    "medium": N_("Medium"),
    "high": N_("High"),
    "highest": N_("Highest"),
    "urgent": N_("Urgent"),
    "immediate": N_("Immediate"),
    "critical": N_("Critical"),
    # ticket statuses
    "new": N_("New"),
    "open": N_("Open"),
    "opened": N_("Opened"),
    "to do": N_("To Do"),
    "in progress": N_("In Progress"),
    "feedback": N_("Feedback"),
    "pending": N_("Pending"),
    "resolved": N_("Resolved"),
    "done": N_("Done"),
    "closed": N_("Closed"),
    "rejected": N_("Rejected"),
    # account states
    "active": N_("active"),
    "locked": N_("locked"),
    "disabled": N_("disabled"),
    "blocked": N_("blocked"),
    "deactivated": N_("deactivated"),
    "registered": N_("registered"),
    "resigned": N_("resigned"),
}


def tool_word(word: str) -> str:
    """The label of a tool's word ("Normal", "In Progress", "locked"); the word itself
    when it is not a well-known one or the language keeps it (English shows it as is)."""
    label = _WORDS.get(word.strip().lower())
    if label is None:
        return word
    shown = _(label)
    return word if shown == label else shown
