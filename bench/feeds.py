"""Time building the latest-replies feed and answering a conditional request with 304.

    python bench/feeds.py [--requests 50] [--posts 2000] [--database-url postgres://...]

Fills a temporary SQLite database (or the given empty one) with approved
replies, then prints the median and 90th percentile time of a full feed build
and of a 304 answer, with the number of SQL statements each costs.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from forum import db  # noqa: E402
from forum.app import create_app  # noqa: E402
from tests.conftest import QueryCounter, make_settings  # noqa: E402
from tests.factories import make_topic, make_user  # noqa: E402
from tests.test_read_cost import grow_thread  # noqa: E402


async def timed(client: httpx.AsyncClient, counter: QueryCounter, url: str, requests: int, **headers: str) -> str:
    timings = []
    for _ in range(requests):
        counter.statements.clear()
        start = time.perf_counter()
        response = await client.get(url, headers=headers)
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    return (
        f"HTTP {response.status_code}: median {statistics.median(timings):6.2f} ms, "
        f"p90 {timings[int(len(timings) * 0.9) - 1]:6.2f} ms, {len(counter.statements)} queries, "
        f"{len(response.content) // 1024} KiB"
    )


async def main(requests: int, posts: int, database_url: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = make_settings(Path(tmp), database_url or f"sqlite://{tmp}/bench.sqlite3")
        await db.connect(settings)
        await db.migrate(settings)
        authors = [await make_user(trusted=True) for _ in range(8)]
        for n in range(4):
            await grow_thread(await make_topic(f"Topic {n}"), authors, settings, posts // 4)
        counter = QueryCounter()
        logger = logging.getLogger("tortoise.db_client")
        logger.setLevel(logging.DEBUG)
        logger.addHandler(counter)
        app = create_app(settings, manage_database=False)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
            first = await client.get("/feeds/latest.rss")
            print(f"{posts} approved posts, feed of {settings.feeds.items} items")
            print("full build ", await timed(client, counter, "/feeds/latest.rss", requests))
            print("conditional", await timed(client, counter, "/feeds/latest.rss", requests, **{"If-None-Match": first.headers["etag"]}))
        await db.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    asyncio.run(main(args.requests, args.posts, args.database_url))
