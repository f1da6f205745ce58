"""Connection names and URLs: slugs with one token variable each, URLs without credentials."""

from __future__ import annotations

import pytest

from pmcockpit.services.connection_rules import RuleBroken, check_name, check_url, token_variables


@pytest.mark.parametrize("name", ["rm", "prod-redmine", "jira_cloud", "A1", "_x", "a" * 32])
def test_good_names(name: str) -> None:
    check_name(name, ["other"])


@pytest.mark.parametrize("name", ["", "-rm", "a/b", "t;rm -rf", "two words", "line\nbreak",
                                  "a" * 33, "a" * 300, "é"])
def test_bad_names_say_the_rule(name: str) -> None:
    with pytest.raises(RuleBroken) as raised:
        check_name(name)
    message = str(raised.value)
    assert "a name is 1 to 32 letters, digits, '-' or '_', not starting with '-'" in message
    assert "\n" not in message and len(message) < 200


@pytest.mark.parametrize(("new", "existing", "variable"), [
    ("a_b", "a-b", "PMCOCKPIT_TOKEN_A_B"),
    ("RM", "rm", "PMCOCKPIT_TOKEN_RM"),
    ("rm-admin", "rm", "PMCOCKPIT_TOKEN_RM_ADMIN"),  # rm's second secret
    ("rm", "rm_admin", "PMCOCKPIT_TOKEN_RM_ADMIN"),
])
def test_one_name_one_token_variable(new: str, existing: str, variable: str) -> None:
    with pytest.raises(RuleBroken, match=f"would share the token variable {variable} "
                                         f"with the connection {existing}"):
        check_name(new, [existing])


def test_replacing_a_connection_keeps_its_name() -> None:
    check_name("a-b", ["a-b"])
    assert token_variables("a-b") == {"PMCOCKPIT_TOKEN_A_B", "PMCOCKPIT_TOKEN_A_B_ADMIN"}


@pytest.mark.parametrize(("url", "what"), [
    ("https://admin:S3cret@redmine.example.org/", "a user name or password before the host"),
    ("https://admin@redmine.example.org/", "a user name or password before the host"),
    ("https://redmine.example.org/?key=K3y", "the query parameter key"),
    ("https://gitlab.example.org/?private_token=T0k", "the query parameter private_token"),
    ("https://h.example.org/?a=1&Access_Token=x", "the query parameter Access_Token"),
])
def test_credentials_in_a_url_are_refused_and_not_echoed(url: str, what: str) -> None:
    with pytest.raises(RuleBroken) as raised:
        check_url(url)
    message = str(raised.value)
    assert f"the URL carries a credential ({what})" in message
    assert "pass the token as a token" in message
    for secret in ("S3cret", "K3y", "T0k", "admin@"):
        assert secret not in message


@pytest.mark.parametrize("url", ["ftp://h.example.org", "redmine.example.org", "https://",
                                 "http://[::1"])
def test_urls_that_are_not_http_are_refused(url: str) -> None:
    with pytest.raises(RuleBroken, match="must be an http:// or https:// address"):
        check_url(url)


@pytest.mark.parametrize("url", ["https://redmine.example.org", "http://127.0.0.1:3000/",
                                 "https://h.example.org/jira?project=X"])
def test_good_urls(url: str) -> None:
    check_url(url)
