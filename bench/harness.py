"""What the benchmarks share: a temporary database, a query counter and a timing summary."""

from __future__ import annotations

import logging
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from forum import db
from forum.app import create_app
from forum.config import Settings
from tests.conftest import QueryCounter, make_settings


@asynccontextmanager
async def database(database_url: str) -> AsyncIterator[Settings]:
    """A migrated database: a temporary SQLite file, or the given (empty) one."""
    with tempfile.TemporaryDirectory() as tmp:
        settings = make_settings(Path(tmp), database_url or f"sqlite://{tmp}/bench.sqlite3")
        await db.connect(settings)
        await db.migrate(settings)
        try:
            yield settings
        finally:
            await db.close()


@asynccontextmanager
async def client(settings: Settings) -> AsyncIterator[tuple[httpx.AsyncClient, QueryCounter]]:
    """An HTTP client of the app, and a counter of the SQL statements it causes."""
    counter = QueryCounter()
    logger = logging.getLogger("tortoise.db_client")
    logger.setLevel(logging.DEBUG)
    logger.addHandler(counter)
    app = create_app(settings, manage_database=False)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as c:
            yield c, counter
    finally:
        logger.removeHandler(counter)


async def measure(counter: QueryCounter, requests: int, request: Callable[[], Awaitable[httpx.Response]]) -> str:
    """Median and 90th percentile of `requests` calls, with the statements and size of the last one."""
    timings = []
    for _ in range(requests):
        counter.statements.clear()
        start = time.perf_counter()
        response = await request()
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    return (
        f"HTTP {response.status_code}: median {statistics.median(timings):6.2f} ms, "
        f"p90 {timings[max(0, int(len(timings) * 0.9) - 1)]:6.2f} ms, "
        f"{len(counter.statements)} queries, {len(response.content) // 1024} KiB"
    )
