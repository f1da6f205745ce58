"""The installation's secret that keys the audit chain.

Kept in the keyring beside the connection tokens (service ``pmcockpit-audit``), made
on first use. With no usable keyring it lives in a key file readable only by its
owner in the user data folder, and ``audit verify`` says so: whoever can read that
file can rewrite the log. The demo uses a key of its own session only. Read once per
process and keyring.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import keyring
import platformdirs

from pmcockpit.connectors.tokens import KeyringUnavailable, TokenMissing, TokenStore
from pmcockpit.core.i18n import _
from pmcockpit.storage.audit import ChainKey

KEY_SERVICE = "pmcockpit-audit"
KEY_NAME = "chain-key"
KEY_FILE = "audit-chain.key"

_cache: dict[int, tuple[object, ChainKey]] = {}
_demo_key = ChainKey(secrets.token_bytes(32), _("a key of this demo session only"))


def key_file() -> Path:
    return Path(platformdirs.user_data_dir("pmcockpit", appauthor=False)) / KEY_FILE


def chain_key(*, demo: bool = False) -> ChainKey:
    """The key for this installation (made and stored the first time)."""
    if demo:
        return _demo_key
    backend = keyring.get_keyring()
    cached = _cache.get(id(backend))
    if cached is not None and cached[0] is backend:
        return cached[1]
    try:
        key = _from_keyring(TokenStore(service=KEY_SERVICE))
    except KeyringUnavailable:
        key = _from_file(key_file())
    _cache[id(backend)] = (backend, key)
    return key


def _from_keyring(store: TokenStore) -> ChainKey:
    try:
        secret = store.get(KEY_NAME)
    except TokenMissing:
        secret = secrets.token_hex(32)
        store.set(KEY_NAME, secret)
    return ChainKey(bytes.fromhex(secret), _("the keyring"))


def _from_file(path: Path) -> ChainKey:
    source = _("the key file {path} (no usable keyring: anyone who can read it can "
               "rewrite the log)").format(path=path)
    try:
        return ChainKey(bytes.fromhex(path.read_text(encoding="ascii").strip()), source)
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_hex(32)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first: use theirs
        return ChainKey(bytes.fromhex(path.read_text(encoding="ascii").strip()), source)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(secret)
    return ChainKey(bytes.fromhex(secret), source)
