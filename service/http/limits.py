"""Request limits as plain ASGI middleware: the body size, and text the database cannot store.

The limit is checked twice: from Content-Length before reading anything (cheap refusal of honest clients),
and while streaming (chunked uploads or a lying Content-Length). The body is buffered up to the limit and
replayed to the app, so an oversized body never reaches a route and the answer is always a 413 problem.
"""

from __future__ import annotations

import json
import math
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

from service.http.problems import PROBLEM_MEDIA_TYPE, problem_bytes

MAX_BODY_BYTES = 5 * 1024 * 1024

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class BodySizeLimit:
    def __init__(self, app: Callable[..., Awaitable[None]], max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS", "DELETE"):
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._refuse(scope, send)
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._refuse(scope, send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        await self.app(scope, _replay(b"".join(chunks), receive), send)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        limit_mb = self.max_bytes / (1024 * 1024)
        body = problem_bytes(413, f"Forespørgslens indhold er for stort (højst {limit_mb:g} MB).",
                             instance=scope.get("path"))
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                                (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


# ---- text the database cannot store ----------------------------------------------------------------------

NUL_MESSAGE = "må ikke indeholde NUL-tegn (\\u0000)"
NOT_FINITE_MESSAGE = "skal være et endeligt tal (NaN og Infinity er ikke gyldig JSON)"
_WEB_PAGE = ('<!doctype html><html lang="da"><head><meta charset="utf-8"><title>{title}</title></head>'
             '<body><main><h1>{title}</h1><p>{detail}</p><p><a href="/stillinger">Til forsiden</a></p></main>'
             '</body></html>')


def _bad_values(value: Any, path: str) -> list[dict[str, str]]:
    """Field paths (as in validation errors) of NUL characters and non-finite numbers anywhere in a value."""
    if isinstance(value, str):
        return [{"field": path or "body", "message": NUL_MESSAGE}] if "\x00" in value else []
    if isinstance(value, float):
        return [] if math.isfinite(value) else [{"field": path or "body", "message": NOT_FINITE_MESSAGE}]
    found: list[dict[str, str]] = []
    if isinstance(value, dict):
        for key, item in value.items():
            child = f"{path}.{key}" if path else str(key)
            if "\x00" in str(key):
                found.append({"field": child.replace("\x00", "\\u0000"), "message": NUL_MESSAGE})
            found += _bad_values(item, child)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _bad_values(item, f"{path}.{index}" if path else str(index))
    return found


def _query_problems(raw: bytes, prefix: str) -> list[dict[str, str]]:
    text = raw.decode("latin-1")
    if "%00" not in text and "\x00" not in text:
        return []
    return [{"field": f"{prefix}.{name}".replace("\x00", "\\u0000"), "message": NUL_MESSAGE}
            for name, value in parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True)
            if "\x00" in name or "\x00" in value]


def _content_type(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name == b"content-type":
            return value.decode("latin-1").split(";")[0].strip().lower()
    return ""


class TextGuard:
    """Refuses NUL characters (in the path, the query string, JSON and form bodies) and NaN/Infinity in
    JSON before any route runs: PostgreSQL cannot store either, and the request would end in a 500. The
    answer names the field: 422 problem+json for the API, a Danish page for the web UI (404 for a path)."""

    def __init__(self, app: Callable[..., Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if "\x00" in scope.get("path", ""):
            await self._refuse(scope, send, 404, "Adressen findes ikke.", None)
            return
        errors = _query_problems(scope.get("query_string", b""), "query")
        body = b""
        kind = _content_type(scope)
        if not errors and scope["method"] not in ("GET", "HEAD", "OPTIONS", "DELETE") and (
                kind == "application/json" or kind.endswith("+json") or kind == "application/x-www-form-urlencoded"):
            body = await _read_all(receive)
            if body is None:
                return
            errors = self._body_problems(body, kind)
            receive = _replay(body, receive)
        if errors:
            fields = ", ".join(e["field"] for e in errors)
            await self._refuse(scope, send, 422, f"Ugyldige data i: {fields}.", errors)
            return
        await self.app(scope, receive, send)

    @staticmethod
    def _body_problems(body: bytes, kind: str) -> list[dict[str, str]]:
        if kind == "application/x-www-form-urlencoded":
            return _query_problems(body, "form")
        if b"\\u0000" not in body and b"\x00" not in body and b"NaN" not in body and b"Infinity" not in body:
            return []
        try:
            return _bad_values(json.loads(body), "")
        except ValueError:  # not JSON at all: the route's own validation says so
            return []

    @staticmethod
    async def _refuse(scope: Scope, send: Send, status: int, detail: str, errors: list[dict] | None) -> None:
        if scope.get("path", "").startswith("/api/"):
            body = problem_bytes(status, detail, instance=scope.get("path", "").replace("\x00", ""), errors=errors)
            media = PROBLEM_MEDIA_TYPE
        else:
            title = "Siden findes ikke" if status == 404 else "Ugyldige oplysninger"
            text = detail if status == 404 else "Formularen eller adressen indeholder et ugyldigt tegn (NUL)."
            body, media = _WEB_PAGE.format(title=title, detail=text).encode("utf-8"), "text/html; charset=utf-8"
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", media.encode()), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


async def _read_all(receive: Receive) -> bytes | None:
    chunks: list[bytes] = []
    more = True
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    return b"".join(chunks)
