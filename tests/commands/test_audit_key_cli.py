"""``pmcockpit audit key export|import``: the team's audit key moves between operators'
keyrings, never through the database; a key that already signed a log here is not
replaced by accident."""

from __future__ import annotations

import json
import os
import stat

import keyring

from pmcockpit.services import audit_key
from tests.commands.conftest import Cli
from tests.keyring_backend import MemoryKeyring


def _fresh_installation() -> None:
    """Another operator's machine: an empty keyring of its own."""
    keyring.set_keyring(MemoryKeyring())


def test_export_then_import_on_another_machine(cli: Cli) -> None:
    exported = cli("audit", "key", "export", str(cli.home / "team.key"))
    assert exported.exit_code == 0, exported.output
    assert stat.S_IMODE(os.stat(cli.home / "team.key").st_mode) == 0o600
    team_secret = audit_key.installation().key.secret
    _fresh_installation()
    assert audit_key.installation().key.secret != team_secret
    imported = cli("audit", "key", "import", str(cli.home / "team.key"))
    assert imported.exit_code == 0, imported.output
    assert audit_key.installation().key.secret == team_secret
    again = cli("audit", "key", "export", str(cli.home / "team.key"))
    assert again.exit_code == 1 and "exists: not overwritten" in again.output


def test_a_key_that_signed_a_log_here_is_kept_unless_replaced(cli: Cli) -> None:
    text = cli("audit", "key", "export").output
    assert json.loads(text)["format"] == "pmcockpit-audit-key/1"
    _fresh_installation()
    audit_key.installation().seal("/somewhere/pmcockpit.db.audit-head")
    refused = cli("audit", "key", "import", "-", input=text)
    assert refused.exit_code == 1 and "--replace" in refused.output
    replaced = cli("audit", "key", "import", "-", "--replace", input=text)
    assert replaced.exit_code == 0, replaced.output
    assert audit_key.installation().key.secret.hex() == json.loads(text)["key"]


def test_what_is_not_a_key_is_refused(cli: Cli) -> None:
    for text in ("hello", '{"format": "other"}', '{"format": "pmcockpit-audit-key/1", '
                 '"key": "abcd"}'):
        result = cli("audit", "key", "import", "-", input=text)
        assert result.exit_code == 1
        assert "not a pmcockpit audit key" in result.output or "too short" in result.output
