"""Suite-wide fixtures: no test ever reads or writes the machine's own keyring.

The suite speaks English whatever the machine's LANG, unless PMCOCKPIT_TEST_LANGUAGE
names another language (tests/app/test_zh_layout.py runs the zh-CN snapshots so): it is
chosen here, before any module builds its translated strings at import.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import keyring
import pytest
from keyring.backend import KeyringBackend

from pmcockpit.core.i18n import use_language
from tests.keyring_backend import MemoryKeyring

use_language(os.environ.get("PMCOCKPIT_TEST_LANGUAGE", "en"))


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
