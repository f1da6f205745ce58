"""What a connection's name and URL may be, checked before anything is asked or stored.

Names are short slugs because they end up in commands (`pmcockpit sync NAME`), in
environment variables (``PMCOCKPIT_TOKEN_<NAME>``) and in the keyring. Upper case
and ``-`` become ``_`` in the variable, so two names differing only there would
share a token: the second is refused (one name, one token variable). The same holds
for a connection's second secret, kept as ``<name>-admin``.

A URL never carries a credential: ``https://user:password@host`` and ``?key=...``
would be stored in the database and shown by ``connect list``. Tokens go in as
tokens (the prompt, ``--token-stdin``, or the environment).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import parse_qsl, urlsplit

from pmcockpit.connectors.tokens import env_token_name
from pmcockpit.core.i18n import _
from pmcockpit.services.opener import admin_token_name

NAME_PATTERN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]{0,31}")
NAME_RULE = _("a name is 1 to 32 letters, digits, '-' or '_', not starting with '-'")
SECRET_PARAMS = frozenset({"key", "api_key", "apikey", "token", "access_token",
                           "private_token", "password", "passwd", "secret", "auth"})
"""Query parameters that carry a credential in the tools' dialects (or anyone's)."""


class RuleBroken(ValueError):
    """What was given breaks a rule; the message says which, without echoing a secret."""


def token_variables(name: str) -> set[str]:
    """The environment variables a connection's secrets are read from."""
    return {env_token_name(name), env_token_name(admin_token_name(name))}


def check_name(name: str, existing: Iterable[str] = ()) -> None:
    """RuleBroken unless ``name`` is a slug whose token variables no other connection uses."""
    if not NAME_PATTERN.fullmatch(name):
        shown = name if name.isprintable() and len(name) <= 40 else repr(name[:40])
        raise RuleBroken(_("{name} cannot name a connection: {rule}").format(
            name=shown or "''", rule=NAME_RULE))
    mine = token_variables(name)
    for other in existing:
        shared = mine & token_variables(other)
        if other != name and shared:
            raise RuleBroken(_(
                "{name} would share the token variable {variable} with the connection "
                "{other} (upper case and '-' become '_' there); choose another name").format(
                    name=name, variable=min(shared), other=other))


def check_url(url: str) -> None:
    """RuleBroken unless ``url`` is an http(s) URL naming a host and carrying no credential."""
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
    except ValueError:
        parts, host = None, None
    if parts is None or parts.scheme not in ("http", "https") or not host:
        raise RuleBroken(_("the URL must be an http:// or https:// address of the tool, such "
                           "as https://redmine.example.org"))
    carried = ([_("a user name or password before the host")]
               if parts.username is not None or parts.password is not None else [])
    secret_params = sorted({key for key, _value in parse_qsl(parts.query, keep_blank_values=True)
                            if key.lower() in SECRET_PARAMS})
    carried += [_("the query parameter {param}").format(param=key) for key in secret_params]
    if carried:
        raise RuleBroken(_(
            "the URL carries a credential ({what}); nothing was stored. Give the URL without "
            "it and pass the token as a token: in the API token field or at the prompt, "
            "with --token-stdin, or in PMCOCKPIT_TOKEN_<NAME>").format(what=", ".join(carried)))
