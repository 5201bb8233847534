"""Time a thread page of 10 and of 500 posts, and count its queries.

    python bench/thread_page.py [--requests 30] [--database-url postgres://...]

Builds the threads in a temporary SQLite database (or the given one, which
must be empty), then requests each page through the ASGI app and prints the
median and 90th percentile time and the number of SQL statements per page.
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


async def main(requests: int, database_url: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = make_settings(Path(tmp), database_url or f"sqlite://{tmp}/bench.sqlite3")
        await db.connect(settings)
        await db.migrate(settings)
        authors = [await make_user(trusted=True) for _ in range(8)]
        topics = {}
        for size in (10, 500):
            topics[size] = await make_topic(f"{size} posts")
            await grow_thread(topics[size], authors, settings, size)
        counter = QueryCounter()
        logger = logging.getLogger("tortoise.db_client")
        logger.setLevel(logging.DEBUG)
        logger.addHandler(counter)
        app = create_app(settings, manage_database=False)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
            for size, topic in topics.items():
                url = f"/topics/{topic.id}"
                await client.get(url)  # warm caches (templates, catalogs)
                timings = []
                for _ in range(requests):
                    counter.statements.clear()
                    start = time.perf_counter()
                    response = await client.get(url)
                    timings.append((time.perf_counter() - start) * 1000)
                    assert response.status_code == 200
                timings.sort()
                print(
                    f"{size:>4} posts: median {statistics.median(timings):6.1f} ms, "
                    f"p90 {timings[int(len(timings) * 0.9) - 1]:6.1f} ms, "
                    f"{len(counter.statements)} queries, {len(response.content) // 1024} KiB"
                )
        await db.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    asyncio.run(main(args.requests, args.database_url))
