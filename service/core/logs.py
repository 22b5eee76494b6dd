"""Structured logs: JSON lines carrying the request id of the request being served (if any).

`request_id` is set per request by service.http.observability.RequestContext; `configure_logging` makes the
fleksmatch loggers of a server process (workers, job runner) write one JSON object per line on stderr.
"""

from __future__ import annotations

import contextvars
import json
import logging
import sys
import time
from typing import Any

request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("fleksmatch_request_id", default=None)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the request id, and any `fields` extra."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(), "logger": record.name, "message": record.getMessage(),
        }
        rid = getattr(record, "request_id", None) or request_id.get()
        if rid:
            line["request_id"] = rid
        line.update(getattr(record, "fields", {}) or {})
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


JsonFormatter.converter = time.gmtime  # the "Z" in the timestamp is true


def configure_logging(level: int = logging.INFO) -> None:
    """JSON lines on stderr for the fleksmatch loggers (idempotent)."""
    root = logging.getLogger("fleksmatch")
    if any(getattr(h, "_fleksmatch_json", False) for h in root.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler._fleksmatch_json = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    root.propagate = False



__all__ = ["JsonFormatter", "configure_logging", "request_id"]
