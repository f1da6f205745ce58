"""The drift in words: plurals right ("1 new admin"), and per account in the detail pane."""

from __future__ import annotations

from pmcockpit.core.review import Drift
from pmcockpit.screens.review_state import drift_words
from pmcockpit.storage.queries.review import AccountLine
from pmcockpit.widgets.review_detail import account_drift


def _line(connection: str, login: str) -> AccountLine:
    return AccountLine(1, connection, "7", login, login, f"{login}@x", "", "active", True,
                       None, None, None, {}, (), None, None, None, "", None, None, None, None)


DRIFT = Drift(new_accounts=(("gitlab", "new"),), removed_accounts=(),
              new_admins=(("redmine", "amy"),),
              access_added=(("redmine", "amy", "project Apollo"),),
              access_removed=(("redmine", "amy", "group ops"), ("jira", "bo", "group x")))


def test_plurals_follow_the_counts() -> None:
    assert drift_words(DRIFT) == "1 new account, 1 new admin, +1/-2 access"
    more = Drift((("a", "b"), ("a", "c")), (), (("a", "b"), ("a", "c")), (), ())
    assert drift_words(more) == "2 new accounts, 2 new admins, +0/-0 access"


def test_each_account_lists_its_own_changes() -> None:
    assert account_drift(DRIFT, _line("redmine", "amy")) == [
        "made an administrator since the last review", "+ project Apollo", "- group ops"]
    assert account_drift(DRIFT, _line("gitlab", "new")) == ["new since the last review"]
    assert account_drift(DRIFT, _line("jira", "zed")) == []
    assert account_drift(None, _line("redmine", "amy")) == []
