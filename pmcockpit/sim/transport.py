"""httpx transports that answer from a :class:`~pmcockpit.sim.tool.SimTool` in-process.

No sockets: the request goes through the fault plan to the dialect handler.
Latency is a real ``asyncio.sleep`` (``time.sleep`` for the sync variant); an
injected timeout raises ``httpx.ReadTimeout`` at once instead of waiting.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

import httpx

from pmcockpit.sim.faults import FaultKind
from pmcockpit.sim.http import SimRequest

if TYPE_CHECKING:
    from pmcockpit.sim.tool import Outcome, SimTool


def to_sim_request(request: httpx.Request, body: bytes) -> SimRequest:
    return SimRequest.build(request.method, request.url.path,
                            request.url.query.decode("ascii", "replace"),
                            request.headers.multi_items(), body)


def to_httpx_response(outcome: Outcome, request: httpx.Request) -> httpx.Response:
    response = outcome.response
    if response is None:
        if outcome.fault is not None and outcome.fault.kind is FaultKind.TIMEOUT:
            raise httpx.ReadTimeout("The read operation timed out (simulated)", request=request)
        raise httpx.RemoteProtocolError("Server disconnected without sending a response.",
                                        request=request)
    return httpx.Response(response.status, headers=dict(response.headers),
                          content=response.body, request=request)


class SimTransport(httpx.AsyncBaseTransport):
    def __init__(self, tool: SimTool) -> None:
        self.tool = tool

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        delay = self.tool.faults.latency_seconds
        if delay:
            await asyncio.sleep(delay)
        outcome = self.tool.respond(to_sim_request(request, body))
        return to_httpx_response(outcome, request)


class SimSyncTransport(httpx.BaseTransport):
    def __init__(self, tool: SimTool) -> None:
        self.tool = tool

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        delay = self.tool.faults.latency_seconds
        if delay:
            time.sleep(delay)
        outcome = self.tool.respond(to_sim_request(request, body))
        return to_httpx_response(outcome, request)
