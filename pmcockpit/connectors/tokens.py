"""Where API tokens live: the environment first, then the system keyring.

``PMCOCKPIT_TOKEN_<NAME>`` wins over the keyring (service ``pmcockpit``, username
the connection's name) so automation can inject a token that is never stored. A
machine with no usable keyring gets :class:`KeyringUnavailable` saying exactly how
to get one, instead of keyring's silent fail backend; so does a locked keyring and an
encrypted file keyring (``[headless]``: keyrings.cryptfile) whose password is wrong.

An encrypted file keyring asks its password with ``getpass``, which reads standard
input when there is no terminal: the first line of a token given on stdin would be
taken as the keyring's password. So the password comes from
``KEYRING_CRYPTFILE_PASSWORD``, or from a prompt on the terminal, never from stdin.
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
from pmcockpit.core.i18n import _

SERVICE = "pmcockpit"
ENV_PREFIX = "PMCOCKPIT_TOKEN_"
PASSWORD_VARIABLE = "KEYRING_CRYPTFILE_PASSWORD"
"""The encrypted file keyring's password, for machines without a terminal."""
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
    return _(
        "use a desktop keyring (Secret Service on Linux, macOS Keychain, Windows Credential "
        "Locker); or choose a file backend with PYTHON_KEYRING_BACKEND, such as the "
        "encrypted keyrings.cryptfile: `pip install 'pmcockpit[headless]'` and "
        "`PYTHON_KEYRING_BACKEND=keyrings.cryptfile.cryptfile.CryptFileKeyring`; or, for "
        "automation, set {variable}, which takes precedence and is never stored"
    ).format(variable=env_token_name(name))


def _backend_label(backend: KeyringBackend) -> str:
    return f"{type(backend).__module__}.{type(backend).__qualname__}"


def has_terminal() -> bool:
    """Whether a password prompt can reach the user without touching standard input."""
    if os.name != "posix":
        return True  # getpass reads the Windows console, never stdin
    try:
        fd = os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY)
    except OSError:
        return False
    os.close(fd)
    return True


def is_file_keyring(backend: KeyringBackend) -> bool:
    """An encrypted file keyring (keyrings.cryptfile, keyrings.alt) that needs a password."""
    return isinstance(getattr(type(backend), "keyring_key", None), property)


def _wrong_password(backend: KeyringBackend, name: str) -> KeyringUnavailable:
    path = getattr(backend, "file_path", None) or _("its file")
    return KeyringUnavailable(
        _("the encrypted keyring did not open for {name}: wrong password").format(name=name),
        hint=_("give its password in {variable} or at the terminal prompt; if it is lost, "
               "move {path} away and store the tokens again").format(
                   variable=PASSWORD_VARIABLE, path=path))


def _locked(backend: KeyringBackend, name: str) -> KeyringUnavailable:
    return KeyringUnavailable(
        _("the keyring ({backend}) is locked and was not unlocked for {name}").format(
            backend=_backend_label(backend), name=name),
        hint=_("unlock it (log in to the desktop session, or answer its unlock prompt) "
               "and try again; or set {variable}").format(variable=env_token_name(name)))


class TokenStore:
    """Reads, stores and forgets connection tokens. Never logs or shows one."""

    def __init__(
        self,
        *,
        environ: Mapping[str, str] | None = None,
        backend: KeyringBackend | None = None,
        service: str = SERVICE,
        terminal: Callable[[], bool] = has_terminal,
    ) -> None:
        self._environ = os.environ if environ is None else environ
        self._backend = backend
        self._terminal = terminal
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
                _("no API token stored for {name}").format(name=name),
                hint=_("store one with `pmcockpit connect add …`, or set {variable}").format(
                    variable=env_token_name(name)),
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
        try:
            return self.locate(name)
        except KeyringUnavailable:
            return None

    def from_environment(self, name: str) -> bool:
        return bool(self._environ.get(env_token_name(name)))

    def locate(self, name: str) -> TokenSource | None:
        """Like :meth:`source`, but KeyringUnavailable when the keyring cannot be read."""
        if self.from_environment(name):
            return "environment"
        stored = self._call(name, lambda backend: backend.get_password(self.service, name))
        return "keyring" if stored else None

    def _usable_backend(self, name: str) -> KeyringBackend:
        try:
            backend = self._backend or keyring.get_keyring()
        except (ImportError, ValueError, *_UNUSABLE_ERRORS) as exc:
            # Typically PYTHON_KEYRING_BACKEND naming a package that is not installed.
            chosen = os.environ.get("PYTHON_KEYRING_BACKEND", _("the default"))
            raise KeyringUnavailable(
                _("the keyring backend {backend} could not be loaded for {name}: {problem}")
                .format(backend=chosen, name=name, problem=exc),
                hint=keyring_advice(name),
            ) from None
        unusable = isinstance(backend, fail.Keyring | null.Keyring) or (
            isinstance(backend, chainer.ChainerBackend) and not backend.backends)
        if unusable:
            raise KeyringUnavailable(
                _("no usable keyring to keep the token for {name} (keyring chose {backend})")
                .format(name=name, backend=_backend_label(backend)),
                hint=keyring_advice(name),
            )
        self._unlock_file_keyring(backend, name)
        return backend

    def _unlock_file_keyring(self, backend: KeyringBackend, name: str) -> None:
        """Give a file keyring its password before it asks on stdin (see the module doc)."""
        if not is_file_keyring(backend) or getattr(backend, "_keyring_key", None) is not None:
            return
        password = self._environ.get(PASSWORD_VARIABLE)
        if password:
            try:
                backend.keyring_key = password  # type: ignore[attr-defined]
            except ValueError:  # the setter checks it against the file
                del backend.keyring_key  # type: ignore[attr-defined]
                raise _wrong_password(backend, name) from None
        elif not self._terminal():
            raise KeyringUnavailable(
                _("the encrypted keyring needs its password for {name} and there is no "
                  "terminal to ask it on").format(name=name),
                hint=_("set {variable} to the keyring's password; pmcockpit never reads it "
                       "from standard input, which carries the token").format(
                           variable=PASSWORD_VARIABLE))

    def _call(
        self, name: str, operation: Callable[[KeyringBackend], T], *, secret: str = ""
    ) -> T:
        backend = self._usable_backend(name)
        try:
            return operation(backend)
        except keyring.errors.KeyringLocked:
            raise _locked(backend, name) from None
        except (ValueError, EOFError) as exc:
            if not is_file_keyring(backend):
                raise
            # A wrong key fails the MAC check; forget it so the next try asks again.
            del backend.keyring_key  # type: ignore[attr-defined]
            if isinstance(exc, EOFError):
                raise KeyringUnavailable(_("no password was given for the encrypted keyring "
                                           "({name})").format(name=name),
                                         hint=_("set {variable}").format(
                                             variable=PASSWORD_VARIABLE)) from None
            raise _wrong_password(backend, name) from None
        except _UNUSABLE_ERRORS as exc:
            detail = str(exc).replace(secret, "***") if secret else str(exc)
            raise KeyringUnavailable(
                _("the keyring ({backend}) failed for {name}: {problem}").format(
                    backend=_backend_label(backend), name=name,
                    problem=detail or type(exc).__name__),
                hint=keyring_advice(name),
            ) from None
