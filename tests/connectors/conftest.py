"""Connector test fixtures: an in-memory keyring, and no real sleeping."""

from __future__ import annotations

import pytest

from tests.keyring_backend import MemoryKeyring


@pytest.fixture
def memory_keyring(memory_keyring_for_every_test: MemoryKeyring) -> MemoryKeyring:
    """The empty in-memory keyring every test runs on, for tests that look inside it."""
    return memory_keyring_for_every_test


class SleepRecorder:
    """An injectable ``sleep`` that records the delays instead of waiting."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()
