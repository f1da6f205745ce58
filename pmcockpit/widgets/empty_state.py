"""What a screen shows when it has nothing yet: what this is, and what to do first."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static


class EmptyState(Static):
    """A centred message: a bold headline, then the first thing to do."""

    DEFAULT_CSS = """
    EmptyState {
        width: 1fr;
        max-width: 72;
        height: auto;
        margin: 1 2;
        padding: 1 2;
        border: round $foreground 40%;
        text-align: center;
        color: $text-muted;
    }
    """

    def __init__(self, headline: str = "", hint: str = "", *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.say(headline, hint)

    def say(self, headline: str, hint: str = "") -> None:
        """Change the message, e.g. once data shows that a different first step applies."""
        text = Content.styled(headline, "bold $text")
        if hint:
            text = Content.assemble(text, "\n\n", hint)
        self.update(text)
