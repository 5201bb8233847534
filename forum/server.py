"""`forum serve`: logging, start-up checks, a private data folder, and uvicorn with bounded connections."""

from __future__ import annotations

import asyncio
import functools
import logging
import logging.config
import os
import stat
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from forum.app import create_app
from forum.config import Settings, load_settings
from forum.logs import logging_config

logger = logging.getLogger("forum.server")


def prepare(settings: Settings, workers: int) -> None:
    """Configure logging, warn about settings that will misbehave, and make the data folder private."""
    logging.config.dictConfig(logging_config(settings.logging))
    for warning in startup_warnings(settings, workers):
        logger.warning(warning)
    if not settings.server.base_url:
        logger.info(
            "[server] base_url is not set: absolute links (in feeds) follow each request's Host header. "
            'Set it to the public address, e.g. base_url = "https://forum.example.org".'
        )
    make_private(settings)


def startup_warnings(settings: Settings, workers: int) -> list[str]:
    """What goes wrong with this many workers on these settings, and how to put it right."""
    if workers < 2:
        return []
    warnings = []
    if settings.database_url.startswith("sqlite://"):
        warnings.append(
            f"{workers} workers share one SQLite database, which lets one process write at a time: "
            "under load, writes wait for each other and requests slow down. For more than one worker, "
            'use PostgreSQL: [database] url = "postgres://USER:PASSWORD@HOST:5432/DB" (or FORUM_DATABASE_URL).'
        )
    if not settings.ratelimit.storage_url:
        warnings.append(
            f"Rate limits are counted in memory, so each of the {workers} workers counts on its own and a "
            f"client gets up to {workers} times every limit. Share them through Redis: "
            '[ratelimit] storage_url = "redis://127.0.0.1:6379/0" (or FORUM_RATELIMIT_STORAGE_URL).'
        )
    return warnings


def make_private(settings: Settings) -> None:
    """The data folder 0700, the SQLite database and the secret key 0600: created so, or tightened.

    The database file is created before SQLite opens it, because SQLite gives its -wal and -shm
    files the mode of the database.
    """
    folder = settings.data_path
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    _tighten(folder, 0o700)
    files = [folder / "secret_key"]
    database = _sqlite_path(settings)
    if database is not None:
        database.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        # Without O_TRUNC: an existing database is left as it is.
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT, 0o600))
        files += [database, Path(f"{database}-wal"), Path(f"{database}-shm")]
    for path in files:
        if path.exists():
            _tighten(path, 0o600)


def _sqlite_path(settings: Settings) -> Path | None:
    url = settings.database_url
    if not url.startswith("sqlite://"):
        return None
    path = url.removeprefix("sqlite://").split("?")[0]
    return None if path == ":memory:" else Path(path)


def _tighten(path: Path, allowed: int) -> None:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & ~allowed:
        path.chmod(mode & allowed)
        logger.warning(
            "%s was open to other users of this machine (mode %o); tightened to %o.", path, mode, mode & allowed
        )


@functools.cache
def served_settings() -> Settings:
    """This process's settings, read once: the app and the connections of a worker share them."""
    return load_settings()


def app_factory() -> Starlette:
    return create_app(served_settings())


class HttpProtocol(HttpToolsProtocol):
    """uvicorn's HTTP/1.1 connection, closed when a request's headers take more than `header_timeout`.

    uvicorn bounds only the wait between requests (`timeout_keep_alive`), and stops counting at the
    first byte: a connection that never sends a byte, or sends its headers a byte at a time, stays
    open for ever. The deadline starts when the connection opens or a response ends; if no request
    is under way when it passes, the client has not sent a whole request head in time. (It would
    also end an upgraded connection; the forum has no WebSocket routes.)
    """

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, object],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.header_timeout = served_settings().server.header_timeout
        self.header_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._expect_headers()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._expect_headers()

    def connection_lost(self, exc: Exception | None) -> None:
        if self.header_deadline is not None:
            self.header_deadline.cancel()
        super().connection_lost(exc)

    def _expect_headers(self) -> None:
        if self.header_deadline is not None:
            self.header_deadline.cancel()
        if not self.transport.is_closing():
            self.header_deadline = self.loop.call_later(self.header_timeout, self._headers_overdue)

    def _headers_overdue(self) -> None:
        self.header_deadline = None
        if self.cycle is None or self.cycle.response_complete:
            self.transport.close()


def run(settings: Settings, config: Path, host: str, port: int, workers: int) -> None:
    """Serve until stopped; workers read the same configuration file."""
    if config.is_file():
        os.environ["FORUM_CONFIG"] = str(config)
    server = settings.server
    uvicorn.run(
        "forum.server:app_factory",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        # By name, like the app: a worker imports it only after it answers the parent's health checks,
        # which a worker busy importing the forum misses on a loaded machine, and is killed for.
        http="forum.server:HttpProtocol",
        timeout_keep_alive=server.keep_alive_timeout,
        timeout_graceful_shutdown=server.shutdown_timeout,
        proxy_headers=True,
        server_header=False,
        # uvicorn's access log names the client and the query string; RequestLog writes the lines instead.
        access_log=False,
        log_config=logging_config(settings.logging),
    )
