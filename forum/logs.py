"""The server's logs: one line per request, and where and how every record is written."""

from __future__ import annotations

import logging
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from forum.config import LoggingSettings

logger = logging.getLogger("forum.requests")

# uvicorn adds a coloured copy of some messages to the record; a JSON line needs it once.
_UNWANTED_FIELDS = ("color_message",)


def logging_config(settings: LoggingSettings) -> dict[str, Any]:
    """A `logging.config.dictConfig` for `forum serve`: every record on standard error, text or JSON."""
    if settings.format == "json":
        from pythonjsonlogger.core import RESERVED_ATTRS

        formatter: dict[str, Any] = {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": "time",
            "reserved_attrs": [*RESERVED_ATTRS, *_UNWANTED_FIELDS],
        }
    else:
        formatter = {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"default": formatter},
        "handlers": {
            "stderr": {"class": "logging.StreamHandler", "formatter": "default", "stream": "ext://sys.stderr"},
        },
        "loggers": {
            "forum": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
            "uvicorn": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
            "uvicorn.error": {"level": "INFO"},
        },
    }


class RequestLog:
    """Logs each request once it is answered: method, path, status and duration.

    Never the query string, which may carry a search term or a token.

    The client's address only with `client_addresses`: members here may be endangered by a
    record of who read what.
    """

    def __init__(self, app: ASGIApp, client_addresses: bool) -> None:
        self.app = app
        self.client_addresses = client_addresses

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 0

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            self._log(scope, status or 500, (time.perf_counter() - started) * 1000)

    def _log(self, scope: Scope, status: int, duration_ms: float) -> None:
        # The raw path, still percent-encoded: a decoded one could put a line break into the log.
        raw_path = (scope.get("raw_path") or scope["path"].encode()).partition(b"?")[0]
        path = raw_path.decode("ascii", "backslashreplace")
        fields: dict[str, Any] = {
            "method": scope["method"],
            "path": path,
            "status": status,
            "duration_ms": round(duration_ms, 1),
        }
        message = f"{scope['method']} {path} {status} {duration_ms:.1f} ms"
        if self.client_addresses and scope.get("client"):
            fields["client"] = scope["client"][0]
            message = f"{fields['client']} {message}"
        logger.info(message, extra=fields)
