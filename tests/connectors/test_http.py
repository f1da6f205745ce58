"""ToolClient: error mapping, retries and backoff, concurrency bound, redaction, probing."""

from __future__ import annotations

import asyncio
import json
import socket
import ssl
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from pmcockpit.connectors.errors import (
    AuthenticationFailed,
    BadResponse,
    ConnectorError,
    NotFound,
    PermissionDenied,
    RateLimited,
    Rejected,
    ServerError,
    TlsProblem,
    Unreachable,
)
from pmcockpit.connectors.http import RetryPolicy, ToolClient, json_at
from pmcockpit.connectors.http_failures import Redactor, parse_retry_after
from tests.connectors.conftest import SleepRecorder

BASE = "https://tool.example.org"
CANARY = "canary-token-7f3e9a1c"
Handler = Callable[[httpx.Request], httpx.Response]


def make_client(
    handler: Handler | respx.Router, sleeps: SleepRecorder | None = None, **options: Any
) -> ToolClient:
    target = handler.handler if isinstance(handler, respx.Router) else handler
    options.setdefault("jitter", lambda: 1.0)
    return ToolClient("prod", BASE, auth_headers={"X-Api-Key": CANARY},
                      transport=httpx.MockTransport(target),
                      sleep=sleeps or SleepRecorder(), **options)


def answer(status: int, body: Any = None, **headers: str) -> Handler:
    def handle(request: httpx.Request) -> httpx.Response:
        if body is None:
            return httpx.Response(status, headers=headers)
        return httpx.Response(status, json=body, headers=headers)
    return handle


def raising(exc_type: type[httpx.TransportError], message: str = "",
            cause: BaseException | None = None) -> Handler:
    def handle(request: httpx.Request) -> httpx.Response:
        error = exc_type(message, request=request)
        raise error from cause
    return handle


async def failure_of(client: ToolClient, method: str = "GET", path: str = "/things.json",
                     **kwargs: Any) -> ConnectorError:
    with pytest.raises(ConnectorError) as caught:
        await client.request(method, path, **kwargs)
    return caught.value


# -- HTTP statuses --------------------------------------------------------------------------


async def test_401_says_the_token_is_wrong_and_how_to_replace_it() -> None:
    error = await failure_of(make_client(answer(401)))
    assert isinstance(error, AuthenticationFailed)
    assert "the API token for prod is wrong or expired" in str(error)
    assert "pmcockpit connect add" in str(error)


async def test_403_says_admin_rights_are_missing() -> None:
    error = await failure_of(make_client(answer(403)), path="/users.json")
    assert isinstance(error, PermissionDenied)
    assert "GET /users.json" in str(error)
    assert "lacks admin rights" in str(error)


async def test_404_is_not_found() -> None:
    error = await failure_of(make_client(answer(404)), path="/users/9.json")
    assert isinstance(error, NotFound) and error.status == 404
    assert "/users/9.json" in str(error)


async def test_422_carries_the_tools_messages() -> None:
    client = make_client(answer(422, {"errors": ["Subject cannot be blank", "Bad tracker"]}))
    error = await failure_of(client, "POST", "/issues.json", json_body={"issue": {}})
    assert isinstance(error, Rejected) and error.status == 422
    assert "Subject cannot be blank; Bad tracker" in str(error)


async def test_422_without_body_uses_the_callers_explanation() -> None:
    client = make_client(answer(422))
    error = await failure_of(client, "DELETE", "/memberships/3.json",
                             empty_rejection="it comes from group Developers")
    assert isinstance(error, Rejected)
    assert "it comes from group Developers" in str(error)
    plain = await failure_of(client, "DELETE", "/memberships/3.json")
    assert "gave no reason" in str(plain)


async def test_409_with_jira_shaped_errors() -> None:
    body = {"errorMessages": ["Conflict"], "errors": {"summary": "too long"}}
    error = await failure_of(make_client(answer(409, body)), "PUT", "/x", json_body={})
    assert isinstance(error, Rejected)
    assert "Conflict" in str(error) and "summary: too long" in str(error)


async def test_500_on_post_is_not_retried(sleeps: SleepRecorder) -> None:
    calls: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(500)

    error = await failure_of(make_client(handle, sleeps), "POST", "/issues.json",
                             json_body={"issue": {}})
    assert isinstance(error, ServerError) and error.status == 500
    assert len(calls) == 1 and sleeps.delays == []


@pytest.mark.parametrize("status", [502, 503])
async def test_post_is_not_retried_on_gateway_errors(status: int,
                                                     sleeps: SleepRecorder) -> None:
    router = respx.Router(base_url=BASE)
    route = router.post("/issues.json").mock(return_value=httpx.Response(status))
    error = await failure_of(make_client(router, sleeps), "POST", "/issues.json",
                             json_body={"issue": {}})
    assert isinstance(error, ServerError)
    assert route.call_count == 1 and sleeps.delays == []


async def test_503_is_retried_with_exponential_backoff(sleeps: SleepRecorder) -> None:
    router = respx.Router(base_url=BASE)
    route = router.get("/things.json").mock(side_effect=[
        httpx.Response(503), httpx.Response(502), httpx.Response(504),
        httpx.Response(200, json={"ok": True}),
    ])
    assert await make_client(router, sleeps).get_json("/things.json") == {"ok": True}
    assert route.call_count == 4
    assert sleeps.delays == [0.5, 1.0, 2.0]  # jitter fixed at 1.0: the full window


async def test_backoff_is_jittered_and_capped() -> None:
    policy = RetryPolicy(base_delay=0.5, max_delay=10.0)
    assert policy.backoff(10, 1.0) == 10.0
    assert policy.backoff(3, 0.25) == 0.5
    assert policy.backoff(1, 0.0) == 0.0


async def test_retries_stop_after_max_attempts(sleeps: SleepRecorder) -> None:
    router = respx.Router(base_url=BASE)
    route = router.put("/x.json").mock(return_value=httpx.Response(503))
    error = await failure_of(make_client(router, sleeps), "PUT", "/x.json", json_body={})
    assert isinstance(error, ServerError) and error.status == 503
    assert route.call_count == 4 and len(sleeps.delays) == 3


async def test_429_honours_retry_after_then_succeeds(sleeps: SleepRecorder) -> None:
    router = respx.Router(base_url=BASE)
    router.post("/issues.json").mock(side_effect=[
        httpx.Response(429, headers={"Retry-After": "7"}),
        httpx.Response(201, json={"issue": {"id": 5}}),
    ])
    response = await make_client(router, sleeps).request(
        "POST", "/issues.json", json_body={"issue": {}})
    assert response.status_code == 201
    assert sleeps.delays == [7.0]  # a 429 was not processed: even a POST is resent


async def test_503_retry_after_as_http_date(sleeps: SleepRecorder) -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    router = respx.Router(base_url=BASE)
    router.get("/x.json").mock(side_effect=[
        httpx.Response(503, headers={"Retry-After": when}), httpx.Response(200, json={})])
    await make_client(router, sleeps).get_json("/x.json")
    assert len(sleeps.delays) == 1 and 25 <= sleeps.delays[0] <= 30


async def test_429_until_attempts_run_out_is_rate_limited(sleeps: SleepRecorder) -> None:
    client = make_client(answer(429, None, **{"Retry-After": "2"}), sleeps)
    error = await failure_of(client)
    assert isinstance(error, RateLimited) and error.retry_after == 2.0
    assert sleeps.delays == [2.0, 2.0, 2.0]
    assert "try again in 2 s" in str(error)


async def test_very_long_retry_after_is_not_waited_out(sleeps: SleepRecorder) -> None:
    error = await failure_of(make_client(answer(429, None, **{"Retry-After": "3600"}), sleeps))
    assert isinstance(error, RateLimited) and error.retry_after == 3600.0
    assert sleeps.delays == []


def test_parse_retry_after() -> None:
    assert parse_retry_after("12") == 12.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412490.0) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


async def test_redirect_is_not_followed_and_explained() -> None:
    client = make_client(answer(301, None, Location="https://other.example.org/users.json"))
    error = await failure_of(client)
    assert isinstance(error, BadResponse)
    assert "https://other.example.org/users.json" in str(error)


# -- transport failures ---------------------------------------------------------------------


async def test_connection_refused_names_host_and_port(sleeps: SleepRecorder) -> None:
    with socket.socket() as probe_socket:  # a port nobody listens on
        probe_socket.bind(("127.0.0.1", 0))
        port = probe_socket.getsockname()[1]
    client = ToolClient("prod", f"http://127.0.0.1:{port}", sleep=sleeps)
    try:
        error = await failure_of(client, "POST", "/issues.json", json_body={})
    finally:
        await client.aclose()
    assert isinstance(error, Unreachable)
    assert f"127.0.0.1:{port} refused the connection" in str(error)
    assert len(sleeps.delays) == 3  # not sent at all: safe to retry even a POST


async def test_dns_failure_is_named() -> None:
    handler = raising(httpx.ConnectError, "[Errno -2] Name or service not known",
                      socket.gaierror(-2, "Name or service not known"))
    error = await failure_of(make_client(handler))
    assert isinstance(error, Unreachable)
    assert "the name tool.example.org does not resolve (DNS)" in str(error)


async def test_connect_timeout_is_retried_even_for_post(sleeps: SleepRecorder) -> None:
    router = respx.Router(base_url=BASE)
    route = router.post("/issues.json").mock(side_effect=[
        httpx.ConnectTimeout("timed out"), httpx.Response(201, json={"issue": {"id": 1}})])
    await make_client(router, sleeps).request("POST", "/issues.json", json_body={})
    assert route.call_count == 2 and sleeps.delays == [0.5]


async def test_read_timeout_retries_get_but_not_post(sleeps: SleepRecorder) -> None:
    error = await failure_of(make_client(raising(httpx.ReadTimeout, "timed out"), sleeps),
                             "POST", "/issues.json", json_body={})
    assert isinstance(error, Unreachable)
    assert "did not answer in time" in str(error)
    assert sleeps.delays == []  # the server may have created the issue already
    error = await failure_of(make_client(raising(httpx.ReadTimeout, "timed out"), sleeps))
    assert isinstance(error, Unreachable) and len(sleeps.delays) == 3


async def test_connect_timeout_message() -> None:
    error = await failure_of(make_client(raising(httpx.ConnectTimeout, "")))
    assert "timed out connecting to tool.example.org:443" in str(error)


async def test_certificate_failure_suggests_ca_bundle(sleeps: SleepRecorder) -> None:
    cause = ssl.SSLCertVerificationError(1, "[SSL: CERTIFICATE_VERIFY_FAILED] self-signed")
    error = await failure_of(make_client(raising(httpx.ConnectError, "", cause), sleeps))
    assert isinstance(error, TlsProblem)
    assert "ca_bundle" in str(error)
    assert sleeps.delays == []


async def test_unreadable_ca_bundle_is_a_tls_problem(tmp_path: Path) -> None:
    with pytest.raises(TlsProblem, match="ca_bundle"):
        ToolClient("prod", BASE, ca_bundle=str(tmp_path / "missing.pem"))


# -- responses that are not what the API promises -------------------------------------------


async def test_not_json_is_a_bad_response_naming_the_call() -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text="<html>login</html>",
                              headers={"Content-Type": "text/html"})

    with pytest.raises(BadResponse) as caught:
        await make_client(handle).get_json("/users.json", {"status": 3})
    assert "GET /users.json?status=3 did not answer JSON (got text/html" in str(caught.value)


def test_json_at_names_the_missing_path() -> None:
    data = {"user": {"id": 1}}
    assert json_at(data, "user", "id", where="GET /users/current.json") == 1
    with pytest.raises(BadResponse, match=r"GET /users/current.json answered without 'user.login'"):
        json_at(data, "user", "login", where="GET /users/current.json")


async def test_json_body_is_sent_as_json() -> None:
    router = respx.Router(base_url=BASE)
    route = router.put("/users/3.json").mock(return_value=httpx.Response(204))
    await make_client(router).request("PUT", "/users/3.json", json_body={"user": {"status": 3}})
    sent = route.calls.last.request
    assert sent.headers["Content-Type"] == "application/json"
    assert json.loads(sent.content) == {"user": {"status": 3}}
    assert sent.headers["X-Api-Key"] == CANARY


# -- concurrency, latency, probing ----------------------------------------------------------


async def test_requests_in_flight_are_bounded() -> None:
    in_flight = 0
    most = 0

    async def handle(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, most
        in_flight += 1
        most = max(most, in_flight)
        await asyncio.sleep(0.01)
        in_flight -= 1
        return httpx.Response(200, json={})

    client = ToolClient("prod", BASE, transport=httpx.MockTransport(handle), max_in_flight=3)
    await asyncio.gather(*(client.get_json(f"/n/{i}.json") for i in range(12)))
    assert most == 3
    assert client.last_latency_ms is not None and client.last_latency_ms > 0


class FakeSSLObject:
    def getpeercert(self) -> dict[str, Any]:
        return {"notAfter": "Jun  1 12:00:00 2031 GMT"}


class FakeNetworkStream:
    def get_extra_info(self, name: str) -> Any:
        return FakeSSLObject() if name == "ssl_object" else None


async def test_probe_reports_latency_status_and_certificate_expiry() -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"user": {}},
                              extensions={"network_stream": FakeNetworkStream()})

    probe = await make_client(handle).probe("/users/current.json")
    assert probe.status == 200 and probe.latency_ms >= 0
    assert probe.tls_expires_at == datetime(2031, 6, 1, 12, tzinfo=UTC)


async def test_probe_returns_http_errors_as_a_status() -> None:
    client = make_client(answer(401))
    probe = await client.probe("/users/current.json")
    assert probe.status == 401 and probe.tls_expires_at is None
    with pytest.raises(AuthenticationFailed):
        client.raise_for_status(probe.response)


async def test_probe_raises_when_unreachable() -> None:
    with pytest.raises(Unreachable):
        await make_client(raising(httpx.ConnectError, "refused")).probe("/")


# -- the token never shows ------------------------------------------------------------------


def _leaks(error: BaseException) -> list[str]:
    texts = [str(error), repr(error), *map(str, error.args)]
    if isinstance(error, ConnectorError):
        texts += [error.message, error.hint]
    return [text for text in texts if CANARY in text]


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 422, 429, 500, 502, 302])
async def test_no_error_message_contains_the_token(status: int) -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        echo = {"errors": [f"bad key {CANARY}", str(request.url)], "message": CANARY}
        return httpx.Response(status, json=echo,
                              headers={"Location": f"{BASE}/x?key={CANARY}"})

    error = await failure_of(make_client(handle), "GET", "/users.json",
                             params={"key": CANARY, "private_token": CANARY})
    assert _leaks(error) == []


@pytest.mark.parametrize("exc_type", [httpx.ConnectError, httpx.ReadTimeout,
                                      httpx.RemoteProtocolError, httpx.ConnectTimeout])
async def test_no_transport_error_contains_the_token(
        exc_type: type[httpx.TransportError]) -> None:
    message = f"failed on {BASE}/users.json?key={CANARY} with header X-Api-Key: {CANARY}"
    error = await failure_of(make_client(raising(exc_type, message)),
                             params={"key": CANARY})
    assert _leaks(error) == []
    assert error.__cause__ is None and error.__suppress_context__


async def test_not_json_error_does_not_contain_the_token() -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text=f"key={CANARY}")

    with pytest.raises(BadResponse) as caught:
        await make_client(handle).get_json("/users.json", {"key": CANARY})
    assert _leaks(caught.value) == []


def test_client_repr_and_redactor_hide_the_token() -> None:
    client = ToolClient("prod", f"{BASE}/?key={CANARY}", auth_headers={"X-Api-Key": CANARY})
    assert CANARY not in repr(client)
    redact = Redactor([CANARY])
    assert redact(f"a {CANARY} b ?private_token=xyz&x=1") == "a *** b ?private_token=***&x=1"
    assert CANARY not in repr(redact)
