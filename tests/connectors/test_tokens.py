"""TokenStore: environment first, then the keyring; clear advice when there is none."""

from __future__ import annotations

import keyring
import keyring.errors
import pytest
from keyring.backends import chainer, fail, null

from pmcockpit.connectors.tokens import (
    SERVICE,
    KeyringUnavailable,
    TokenMissing,
    TokenStore,
    env_token_name,
)
from tests.keyring_backend import MemoryKeyring

CANARY = "canary-5e1f0c1d2b3a"


class BrokenKeyring(MemoryKeyring):
    """A backend that is installed but cannot be used (a locked or absent D-Bus service)."""

    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.KeyringError("the Secret Service is locked")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.PasswordSetError(f"could not store {password}")


def test_env_name_upper_cases_and_replaces_dashes() -> None:
    assert env_token_name("redmine-prod") == "PMCOCKPIT_TOKEN_REDMINE_PROD"
    assert env_token_name("jira.cloud") == "PMCOCKPIT_TOKEN_JIRA_CLOUD"


def test_environment_takes_precedence_over_keyring(memory_keyring: MemoryKeyring) -> None:
    memory_keyring.set_password(SERVICE, "redmine-prod", "from-keyring")
    store = TokenStore(environ={"PMCOCKPIT_TOKEN_REDMINE_PROD": "from-env"})
    assert store.get("redmine-prod") == "from-env"
    assert store.source("redmine-prod") == "environment"


def test_environment_works_without_any_keyring() -> None:
    store = TokenStore(environ={"PMCOCKPIT_TOKEN_CI": "t"}, backend=fail.Keyring())
    assert store.get("ci") == "t"
    assert store.source("ci") == "environment"


def test_keyring_round_trip(memory_keyring: MemoryKeyring) -> None:
    store = TokenStore(environ={})
    assert store.source("redmine-prod") is None
    store.set("redmine-prod", "secret-1")
    assert memory_keyring.passwords == {(SERVICE, "redmine-prod"): "secret-1"}
    assert store.get("redmine-prod") == "secret-1"
    assert store.source("redmine-prod") == "keyring"
    assert store.delete("redmine-prod") is True
    assert store.delete("redmine-prod") is False
    assert store.source("redmine-prod") is None


def test_uses_the_default_keyring_when_none_given(memory_keyring: MemoryKeyring) -> None:
    TokenStore(environ={}).set("x", "y")
    assert memory_keyring.passwords[(SERVICE, "x")] == "y"


def test_empty_token_is_not_stored(memory_keyring: MemoryKeyring) -> None:
    with pytest.raises(ValueError, match="empty"):
        TokenStore(environ={}).set("x", "  ")
    assert memory_keyring.passwords == {}


def test_missing_token_says_how_to_fix(memory_keyring: MemoryKeyring) -> None:
    with pytest.raises(TokenMissing) as caught:
        TokenStore(environ={}).get("redmine-prod")
    text = str(caught.value)
    assert "redmine-prod" in text
    assert "pmcockpit connect add" in text
    assert "PMCOCKPIT_TOKEN_REDMINE_PROD" in text


def _assert_keyring_advice(error: KeyringUnavailable, name: str) -> None:
    text = str(error)
    for advice in ("Secret Service", "macOS Keychain", "Windows Credential Locker",
                   "PYTHON_KEYRING_BACKEND=keyrings.cryptfile.cryptfile.CryptFileKeyring",
                   "pip install 'pmcockpit[headless]'", env_token_name(name),
                   "never stored"):
        assert advice in text, advice


@pytest.mark.parametrize("backend", [fail.Keyring(), null.Keyring()],
                         ids=["fail", "null"])
def test_unusable_backend_gives_advice(backend: keyring.backend.KeyringBackend) -> None:
    store = TokenStore(environ={}, backend=backend)
    with pytest.raises(KeyringUnavailable) as caught:
        store.get("redmine-prod")
    _assert_keyring_advice(caught.value, "redmine-prod")
    with pytest.raises(KeyringUnavailable):
        store.set("redmine-prod", "t")
    with pytest.raises(KeyringUnavailable):
        store.delete("redmine-prod")


def test_fail_backend_chosen_by_keyring_itself() -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        with pytest.raises(KeyringUnavailable) as caught:
            TokenStore(environ={}).get("ops")
    finally:
        keyring.set_keyring(previous)
    assert "keyring.backends.fail.Keyring" in str(caught.value)


def test_empty_chainer_is_unusable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [])
    with pytest.raises(KeyringUnavailable):
        TokenStore(environ={}, backend=chainer.ChainerBackend()).get("ops")


def test_backend_errors_become_keyring_unavailable_without_the_token() -> None:
    store = TokenStore(environ={}, backend=BrokenKeyring())
    with pytest.raises(KeyringUnavailable) as caught:
        store.get("ops")
    assert "the Secret Service is locked" in str(caught.value)
    _assert_keyring_advice(caught.value, "ops")
    with pytest.raises(KeyringUnavailable) as caught:
        store.set("ops", CANARY)
    assert CANARY not in str(caught.value)
    assert CANARY not in repr(caught.value)


def test_source_is_none_when_the_keyring_is_unusable() -> None:
    assert TokenStore(environ={}, backend=fail.Keyring()).source("ops") is None


def test_repr_shows_no_token(memory_keyring: MemoryKeyring) -> None:
    store = TokenStore(environ={"PMCOCKPIT_TOKEN_OPS": CANARY})
    assert CANARY not in repr(store)


def test_backend_that_cannot_be_loaded(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing_module() -> None:
        raise ModuleNotFoundError("No module named 'keyrings'")

    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyrings.cryptfile.cryptfile.CryptFileKeyring")
    monkeypatch.setattr(keyring, "get_keyring", missing_module)
    with pytest.raises(KeyringUnavailable) as caught:
        TokenStore(environ={}).get("ops")
    assert "keyrings.cryptfile.cryptfile.CryptFileKeyring could not be loaded" in str(caught.value)
    assert "No module named 'keyrings'" in str(caught.value)
    _assert_keyring_advice(caught.value, "ops")
