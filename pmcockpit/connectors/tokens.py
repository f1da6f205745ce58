"""Where API tokens live: the environment first, then the system keyring.

``PMCOCKPIT_TOKEN_<NAME>`` wins over the keyring (service ``pmcockpit``, username
the connection's name) so automation can inject a token that is never stored. A
machine with no usable keyring gets :class:`KeyringUnavailable` saying exactly how
to get one, instead of keyring's silent fail backend.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from typing import Literal, TypeVar

import keyring
import keyring.errors
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail, null

from pmcockpit.connectors.errors import ConnectorError

SERVICE = "pmcockpit"
ENV_PREFIX = "PMCOCKPIT_TOKEN_"
TokenSource = Literal["environment", "keyring"]
T = TypeVar("T")

# Errors meaning "there is no working keyring", not "this entry is missing".
_UNUSABLE_ERRORS = (keyring.errors.NoKeyringError, keyring.errors.InitError,
                    keyring.errors.KeyringError)


class KeyringUnavailable(ConnectorError):
    title = "No keyring"


class TokenMissing(ConnectorError):
    title = "No token"


def env_token_name(name: str) -> str:
    """``PMCOCKPIT_TOKEN_<NAME>``: upper-cased, anything but letters and digits as ``_``."""
    return ENV_PREFIX + re.sub(r"[^A-Z0-9]", "_", name.upper())


def keyring_advice(name: str) -> str:
    return (
        "use a desktop keyring (Secret Service on Linux, macOS Keychain, Windows Credential "
        "Locker); or choose a file backend with PYTHON_KEYRING_BACKEND, such as the "
        "encrypted keyrings.cryptfile: `pip install 'pmcockpit[headless]'` and "
        "`PYTHON_KEYRING_BACKEND=keyrings.cryptfile.cryptfile.CryptFileKeyring`; or, for "
        f"automation, set {env_token_name(name)}, which takes precedence and is never stored"
    )


def _backend_label(backend: KeyringBackend) -> str:
    return f"{type(backend).__module__}.{type(backend).__qualname__}"


class TokenStore:
    """Reads, stores and forgets connection tokens. Never logs or shows one."""

    def __init__(
        self,
        *,
        environ: Mapping[str, str] | None = None,
        backend: KeyringBackend | None = None,
        service: str = SERVICE,
    ) -> None:
        self._environ = os.environ if environ is None else environ
        self._backend = backend
        self.service = service

    def __repr__(self) -> str:
        return f"TokenStore(service={self.service!r})"

    def get(self, name: str) -> str:
        """The token for connection ``name``; TokenMissing when there is none."""
        from_env = self._environ.get(env_token_name(name))
        if from_env:
            return from_env
        token = self._call(name, lambda backend: backend.get_password(self.service, name))
        if not token:
            raise TokenMissing(
                f"no API token stored for {name}",
                hint=f"store one with `pmcockpit connect add …`, or set {env_token_name(name)}",
            )
        return token

    def set(self, name: str, token: str) -> None:
        if not token.strip():
            raise ValueError("refusing to store an empty token")
        self._call(name, lambda backend: backend.set_password(self.service, name, token),
                   secret=token)

    def delete(self, name: str) -> bool:
        """Forget the stored token; False when there was none. The environment is untouched."""
        def forget(backend: KeyringBackend) -> bool:
            try:
                backend.delete_password(self.service, name)
            except keyring.errors.PasswordDeleteError:
                return False
            return True

        return self._call(name, forget)

    def source(self, name: str) -> TokenSource | None:
        """Where ``get`` would find the token: None when nowhere, or when there is no usable
        keyring to look in (``get`` then says how to get one)."""
        if self._environ.get(env_token_name(name)):
            return "environment"
        try:
            stored = self._call(name, lambda backend: backend.get_password(self.service, name))
        except KeyringUnavailable:
            return None
        return "keyring" if stored else None

    def _usable_backend(self, name: str) -> KeyringBackend:
        try:
            backend = self._backend or keyring.get_keyring()
        except (ImportError, ValueError, *_UNUSABLE_ERRORS) as exc:
            # Typically PYTHON_KEYRING_BACKEND naming a package that is not installed.
            chosen = os.environ.get("PYTHON_KEYRING_BACKEND", "the default")
            raise KeyringUnavailable(
                f"the keyring backend {chosen} could not be loaded for {name}: {exc}",
                hint=keyring_advice(name),
            ) from None
        unusable = isinstance(backend, fail.Keyring | null.Keyring) or (
            isinstance(backend, chainer.ChainerBackend) and not backend.backends)
        if unusable:
            raise KeyringUnavailable(
                f"no usable keyring to keep the token for {name} "
                f"(keyring chose {_backend_label(backend)})",
                hint=keyring_advice(name),
            )
        return backend

    def _call(
        self, name: str, operation: Callable[[KeyringBackend], T], *, secret: str = ""
    ) -> T:
        backend = self._usable_backend(name)
        try:
            return operation(backend)
        except _UNUSABLE_ERRORS as exc:
            detail = str(exc).replace(secret, "***") if secret else str(exc)
            raise KeyringUnavailable(
                f"the keyring ({_backend_label(backend)}) failed for {name}: "
                f"{detail or type(exc).__name__}",
                hint=keyring_advice(name),
            ) from None
