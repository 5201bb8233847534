"""Time the moderation queue page with many pending posts.

    python bench/moderation_queue.py [--requests 30] [--pending 200] [--database-url postgres://...]

Creates `--pending` posts from new members across several topics and
languages, some of them replies to published posts, then requests /moderation
as a moderator and prints the median and 90th percentile time, the statements
per page and how many posts the first page shows.
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
from forum.models import Role  # noqa: E402
from tests.conftest import QueryCounter, make_settings  # noqa: E402
from tests.factories import login, make_reply, make_topic, make_user  # noqa: E402

TEXTS = {"en": "A new member's careful answer.", "ar": "إجابة متأنية من عضو جديد.", "fa": "پاسخی سنجیده از عضوی تازه."}


async def main(requests: int, pending: int, database_url: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = make_settings(Path(tmp), database_url or f"sqlite://{tmp}/bench.sqlite3")
        await db.connect(settings)
        await db.migrate(settings)
        topics = [await make_topic(f"Topic {n}") for n in range(7)]
        veteran = await make_user(trusted=True)
        published = [await make_reply(t, veteran, settings, "Published") for t in topics]
        newcomers = [await make_user() for _ in range(20)]
        languages = list(TEXTS)
        for n in range(pending):
            language = languages[n % 3]
            await make_reply(
                topics[n % 7], newcomers[n % 20], settings, TEXTS[language] + f" ({n})",
                parent=published[n % 7] if n % 2 else None, language=language,
            )
        await make_user("moderator", role=Role.MODERATOR)
        counter = QueryCounter()
        logger = logging.getLogger("tortoise.db_client")
        logger.setLevel(logging.DEBUG)
        logger.addHandler(counter)
        app = create_app(settings, manage_database=False)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
            await login(client, "moderator")
            timings = []
            for _ in range(requests):
                counter.statements.clear()
                start = time.perf_counter()
                response = await client.get("/moderation")
                timings.append((time.perf_counter() - start) * 1000)
            timings.sort()
            shown = response.text.count('class="queue-item"')
            print(
                f"{pending} pending: median {statistics.median(timings):6.1f} ms, "
                f"p90 {timings[int(len(timings) * 0.9) - 1]:6.1f} ms, {len(counter.statements)} queries, "
                f"{shown} posts on the first page, {len(response.content) // 1024} KiB"
            )
        await db.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--pending", type=int, default=200)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    asyncio.run(main(args.requests, args.pending, args.database_url))
