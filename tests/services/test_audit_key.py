"""The chain key: made once in the keyring, or in a 0600 key file when there is none."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from pmcockpit.services.audit_key import (
    KEY_NAME,
    KEY_SERVICE,
    chain_key,
    installation,
    key_file,
)
from tests.keyring_backend import MemoryKeyring


def test_the_key_is_made_once_in_the_keyring(
        memory_keyring_for_every_test: MemoryKeyring) -> None:
    first = chain_key()
    assert first.source == "the keyring"
    stored = json.loads(memory_keyring_for_every_test.passwords[(KEY_SERVICE, KEY_NAME)])
    assert bytes.fromhex(stored["key"]) == first.secret and len(first.secret) == 32
    assert chain_key() == first
    assert stored["key"] not in repr(first)


def test_a_key_in_the_first_format_still_reads(
        memory_keyring_for_every_test: MemoryKeyring) -> None:
    memory_keyring_for_every_test.set_password(KEY_SERVICE, KEY_NAME, "ab" * 32)
    assert chain_key().secret == bytes.fromhex("ab" * 32)


def test_without_a_keyring_the_key_lives_in_a_private_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    # No keyring (the autouse fixture restores the previous one afterwards).
    keyring.set_keyring(fail.Keyring())
    key = chain_key()
    path = key_file()
    assert path.is_relative_to(tmp_path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert str(path) in key.source and "no usable keyring" in key.source
    installation().seal("/some/pmcockpit.db")  # the file is rewritten, still private
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    # As a new process: the file is read, not made again.
    keyring.set_keyring(fail.Keyring())
    assert chain_key().secret == key.secret
    assert installation().sealed == {"/some/pmcockpit.db"}


def test_the_demo_never_touches_the_keyring(
        memory_keyring_for_every_test: MemoryKeyring) -> None:
    assert chain_key(demo=True).source == "a key of this demo session only"
    assert memory_keyring_for_every_test.passwords == {}
