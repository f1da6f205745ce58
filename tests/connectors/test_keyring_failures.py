"""Keyring failures give one clear message each, never a traceback, and never read stdin.

The encrypted file keyring is the real keyrings.cryptfile (the ``[headless]`` extra)
on a file in ``tmp_path``.
"""

from __future__ import annotations

import io
from pathlib import Path

import keyring.errors
import pytest

from pmcockpit.connectors.tokens import PASSWORD_VARIABLE, KeyringUnavailable, TokenStore
from tests.keyring_backend import MemoryKeyring

cryptfile = pytest.importorskip("keyrings.cryptfile.cryptfile")


def file_keyring(tmp_path: Path) -> keyring.backend.KeyringBackend:
    backend = cryptfile.CryptFileKeyring()
    backend.file_path = str(tmp_path / "cryptfile_pass.cfg")
    chosen: keyring.backend.KeyringBackend = backend
    return chosen


def store(backend: keyring.backend.KeyringBackend, password: str | None = None, *,
          terminal: bool = False) -> TokenStore:
    environ = {PASSWORD_VARIABLE: password} if password else {}
    return TokenStore(environ=environ, backend=backend, terminal=lambda: terminal)


def test_the_password_from_the_environment_opens_the_file(tmp_path: Path) -> None:
    store(file_keyring(tmp_path), "right").set("rm", "tok-1")
    assert store(file_keyring(tmp_path), "right").get("rm") == "tok-1"


def test_a_wrong_password_is_one_clear_message(tmp_path: Path) -> None:
    store(file_keyring(tmp_path), "right").set("rm", "tok-1")
    with pytest.raises(KeyringUnavailable) as raised:
        store(file_keyring(tmp_path), "wrong").get("rm")
    assert str(raised.value).startswith(
        "the encrypted keyring did not open for rm: wrong password (give its password in "
        "KEYRING_CRYPTFILE_PASSWORD or at the terminal prompt; if it is lost, move ")
    assert "MAC" not in str(raised.value)


def test_without_a_password_or_terminal_stdin_is_never_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store(file_keyring(tmp_path), "right").set("rm", "tok-1")
    stdin = io.StringIO("the-token-line\n")
    monkeypatch.setattr("sys.stdin", stdin)
    with pytest.raises(KeyringUnavailable, match="needs its password for rm and there is no "
                                                 "terminal to ask it on"):
        store(file_keyring(tmp_path)).get("rm")
    assert stdin.read() == "the-token-line\n"  # untouched
    # source() answers "not found here" rather than failing, as for any unusable keyring
    assert store(file_keyring(tmp_path)).source("rm") is None


class LockedKeyring(MemoryKeyring):
    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.KeyringLocked("Failed to unlock the collection!")


def test_a_locked_keyring_says_to_unlock_it() -> None:
    with pytest.raises(KeyringUnavailable) as raised:
        TokenStore(environ={}, backend=LockedKeyring()).get("rm")
    message = str(raised.value)
    assert "is locked and was not unlocked for rm" in message
    assert "unlock it" in message and "PMCOCKPIT_TOKEN_RM" in message


def test_the_overview_says_unreadable_not_missing(tmp_path: Path) -> None:
    from pmcockpit.services.connection_setup import overview
    from pmcockpit.storage import connections
    from pmcockpit.storage.db import open_database

    db = open_database(f"sqlite:///{tmp_path / 'db.sqlite'}")
    with db.session() as session:
        connections.add(session, "rm", "redmine", "https://rm.example.org")
    store(file_keyring(tmp_path), "right").set("rm", "tok-1")
    [row] = overview(db, tokens=store(file_keyring(tmp_path), "wrong"))
    assert row.token == "unreadable"
