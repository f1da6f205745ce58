"""Does anything answer at a tool's URL? Asked before the token, so a mistyped URL or a
server that is down is said at once, in words, without asking for a secret first."""

from __future__ import annotations

import httpx

from pmcockpit.core.i18n import _

PROBE_SECONDS = 8.0


def url_problem(url: str, ca_bundle: str | None = None, *,
                timeout: float = PROBE_SECONDS) -> str | None:
    """Why nothing usable answers at ``url`` ("nothing answers at …"); None when a server
    answers, whatever its status (a login page or a 401 is an answer). Blocking."""
    verify: bool | str = ca_bundle or True
    try:
        with httpx.Client(timeout=timeout, verify=verify, follow_redirects=False) as client:
            client.get(url)
    except httpx.ConnectTimeout:
        return _("nothing answers at {url} within {seconds:g} s: check the address and "
                 "the firewall").format(url=url, seconds=timeout)
    except httpx.ConnectError as error:
        text = str(error)
        if "CERTIFICATE" in text.upper() or "SSL" in text.upper():
            return _("{url} answers, but its TLS certificate is not trusted ({error}); "
                     "give the CA with --option ca_bundle=/path/ca.pem").format(
                url=url, error=text)
        return _("nothing answers at {url} ({error}): is the address right, and the "
                 "tool running?").format(url=url, error=text or _("connection refused"))
    except httpx.InvalidURL as error:
        return _("{url} is not a URL: {error}").format(url=url, error=error)
    except httpx.HTTPError as error:
        return _("{url} did not answer properly: {error}").format(url=url, error=error)
    return None
