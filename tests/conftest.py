"""Suite-wide fixtures: no test ever reads or writes the machine's own keyring."""

from __future__ import annotations

from collections.abc import Iterator

import keyring
import pytest
from keyring.backend import KeyringBackend

from tests.keyring_backend import MemoryKeyring


@pytest.fixture(autouse=True)
def memory_keyring_for_every_test() -> Iterator[MemoryKeyring]:
    """An empty in-memory keyring; a test wanting another backend sets its own on top."""
    previous: KeyringBackend = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)
