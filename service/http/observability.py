"""Operations: a request id on every request, structured (JSON) logs and request metrics.

`RequestContext` (ASGI middleware) takes the caller's `X-Request-ID` when it is a sane token, or makes one,
answers it in the same header, keeps it in a context variable for every log line of the request, and writes
one JSON access-log line and the request metrics (service.core.metrics) when the answer is sent.
`configure_logging` makes the fleksmatch loggers write JSON lines carrying that request id.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from service.core.logs import JsonFormatter, configure_logging, request_id
from service.core.metrics import metrics

REQUEST_ID_HEADER = "x-request-id"
_SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,100}$")
access_log = logging.getLogger("fleksmatch.access")

Scope = dict[str, Any]
Message = dict[str, Any]


def _incoming_id(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name == b"x-request-id":
            text = value.decode("latin-1").strip()
            if _SANE_ID.match(text):
                return text
    return uuid.uuid4().hex


class RequestContext:
    def __init__(self, app: Callable[..., Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Callable[[], Awaitable[Message]],
                       send: Callable[[Message], Awaitable[None]]) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = _incoming_id(scope)
        token = request_id.set(rid)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", rid.encode("latin-1"))]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            self._record(scope, status, time.perf_counter() - started, rid)
            request_id.reset(token)

    @staticmethod
    def _record(scope: Scope, status: int, seconds: float, rid: str) -> None:
        route = getattr(scope.get("route"), "path", None) or "(ukendt)"
        mounted = scope.get("root_path", "") + route  # routers under /api/v1 report their path without it
        if scope.get("path", "").startswith("/api/") and not route.startswith("/api/"):
            route = "/api/v1" + route if not mounted.startswith("/api/") else mounted
        method = scope.get("method", "")
        counters = metrics()
        counters.requests.labels(method=method, route=route, status=str(status)).inc()
        counters.request_seconds.labels(method=method, route=route).observe(seconds)
        access_log.info("%s %s %s", method, route, status, extra={"request_id": rid, "fields": {
            "method": method, "route": route, "status": status, "ms": round(seconds * 1000, 1)}})


__all__ = ["JsonFormatter", "RequestContext", "configure_logging", "request_id"]
