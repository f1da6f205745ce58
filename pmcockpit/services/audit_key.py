"""The installation's secret that keys the audit chain, and the logs it has sealed.

Kept in the keyring beside the connection tokens (service ``pmcockpit-audit``), made
on first use. With no usable keyring it lives in a key file readable only by its
owner in the user data folder, and ``audit verify`` says so: whoever can read that
file can rewrite the log. The demo uses a key of its own session only. Read once per
process and keyring.

Beside the key it keeps which database files hold keyed entries ("sealed" logs): a
sealed log must have its head file, and cannot turn back into an unkeyed one, so
deleting the head file after rewriting or emptying the log is caught without a
checkpoint.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

import keyring
import platformdirs

from pmcockpit.connectors.tokens import KeyringUnavailable, TokenMissing, TokenStore
from pmcockpit.core.i18n import _, ngettext
from pmcockpit.storage.audit import ChainKey

KEY_SERVICE = "pmcockpit-audit"
KEY_NAME = "chain-key"
KEY_FILE = "audit-chain.key"


@dataclass
class Installation:
    """The key and the sealed logs, and where they are kept."""

    key: ChainKey
    sealed: set[str] = field(default_factory=set)
    store: TokenStore | Path | None = None
    """The keyring, the key file, or nothing (the demo)."""

    def text(self) -> str:
        return json.dumps({"key": self.key.secret.hex(), "sealed": sorted(self.sealed)})

    def seal(self, log: str) -> None:
        """Remember that ``log`` (a database file) holds keyed entries."""
        if log in self.sealed:
            return
        self.sealed.add(log)
        if isinstance(self.store, TokenStore):
            self.store.set(KEY_NAME, self.text())
        elif isinstance(self.store, Path):
            _write_private(self.store, self.text(), replace=True)


_cache: dict[int, tuple[object, Installation]] = {}
_demo = Installation(ChainKey(secrets.token_bytes(32), _("a key of this demo session only")))


def key_file() -> Path:
    return Path(platformdirs.user_data_dir("pmcockpit", appauthor=False)) / KEY_FILE


def installation(*, demo: bool = False) -> Installation:
    """The key for this installation (made and stored the first time)."""
    if demo:
        return _demo
    backend = keyring.get_keyring()
    cached = _cache.get(id(backend))
    if cached is not None and cached[0] is backend:
        return cached[1]
    try:
        found = _from_keyring(TokenStore(service=KEY_SERVICE))
    except KeyringUnavailable:
        found = _from_file(key_file())
    _cache[id(backend)] = (backend, found)
    return found


def chain_key(*, demo: bool = False) -> ChainKey:
    return installation(demo=demo).key


def _parse(text: str, source: str, store: TokenStore | Path) -> Installation:
    text = text.strip()
    if not text.startswith("{"):  # the first format: the key alone
        return Installation(ChainKey(bytes.fromhex(text), source), set(), store)
    data = json.loads(text)
    return Installation(ChainKey(bytes.fromhex(data["key"]), source),
                        set(data.get("sealed", [])), store)


def _from_keyring(store: TokenStore) -> Installation:
    source = _("the keyring")
    try:
        return _parse(store.get(KEY_NAME), source, store)
    except TokenMissing:
        made = Installation(ChainKey(secrets.token_bytes(32), source), set(), store)
        store.set(KEY_NAME, made.text())
        return made


def _from_file(path: Path) -> Installation:
    source = _("the key file {path} (no usable keyring: anyone who can read it can "
               "rewrite the log)").format(path=path)
    try:
        return _parse(path.read_text(encoding="ascii"), source, path)
    except FileNotFoundError:
        pass
    made = Installation(ChainKey(secrets.token_bytes(32), source), set(), path)
    if not _write_private(path, made.text(), replace=False):
        # Another process made it first: use theirs.
        return _parse(path.read_text(encoding="ascii"), source, path)
    return made


def _write_private(path: Path, text: str, *, replace: bool) -> bool:
    """Write ``text`` readable by its owner only; False when it exists and not ``replace``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    target = path.with_name(path.name + ".tmp") if replace else path
    try:
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        if not replace:
            return False
        target.unlink()
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(text)
    if replace:
        os.replace(target, path)
    return True


KEY_FORMAT = "pmcockpit-audit-key/1"


class KeyImportError(Exception):
    """A key text that cannot be imported, with what to do."""


def export_text(*, demo: bool = False) -> str:
    """This installation's key as text for the team's other operators (a secret)."""
    return json.dumps({"format": KEY_FORMAT, "key": installation(demo=demo).key.secret.hex()},
                      indent=2) + "\n"


def import_text(text: str, *, replace: bool = False) -> Installation:
    """Make the key in ``text`` this installation's (keyring, or key file), so this operator
    appends to and verifies the team's shared log. Refused when this installation already
    signs with another key, unless ``replace`` (its own logs then no longer verify)."""
    try:
        data = json.loads(text)
        if data.get("format") != KEY_FORMAT:
            raise ValueError(data.get("format"))
        secret = bytes.fromhex(data["key"])
    except (ValueError, KeyError, TypeError, AttributeError):
        raise KeyImportError(_("not a pmcockpit audit key (expected what `pmcockpit audit key "
                               "export` writes)")) from None
    if len(secret) < 32:
        raise KeyImportError(_("the key is too short: it was cut when copied"))
    current = installation()
    if current.key.secret == secret:
        return current
    if current.sealed and not replace:
        raise KeyImportError(ngettext(
            "this installation already signs {count} log with another key: importing would "
            "leave it unverifiable. Add --replace to import anyway.",
            "this installation already signs {count} logs with another key: importing would "
            "leave them unverifiable. Add --replace to import anyway.",
            len(current.sealed)).format(count=len(current.sealed)))
    current.key = ChainKey(secret, current.key.source)
    if isinstance(current.store, TokenStore):
        current.store.set(KEY_NAME, current.text())
    elif isinstance(current.store, Path):
        _write_private(current.store, current.text(), replace=True)
    return current
