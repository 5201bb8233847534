"""p50 and p99 of the reading requests on a small and a large forum: costs that should not grow with it.

python bench/scale.py [--requests 50] [--database-url postgres://...] [--sizes small,large]

small: 8 topics, 1,100 posts (a thread of 1,000); large: 1,000 topics, 100,000 posts (a thread of
10,000). Posts are written in bulk (approved, flat and nested) rather than through the write path,
to seed 100,000 in reasonable time. Requests go one after another through the app in process,
with the page cache off (what building each page costs), and the feed's 304 with its ETag.
A PostgreSQL database given with --database-url must be empty; it is emptied after each size.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from datetime import UTC, datetime, timedelta

from harness import client, database
from tortoise import connections

from forum import markup
from forum.models import Category, Post, PostStatus, Topic, TopicText
from tests.conftest import TABLES
from tests.factories import make_user

SIZES = {"small": (8, 1_100, 1_000), "large": (1_000, 100_000, 10_000)}
BATCH = 2_000


async def seed(topics: int, posts: int, thread: int) -> int:
    """`topics` topics, `posts` approved posts of which `thread` in the first topic; returns that topic's id."""
    category = await Category.create(slug="bench", names={"en": "Bench"})
    authors = [await make_user() for _ in range(20)]
    start = datetime.now(UTC) - timedelta(days=30)
    made = await Topic.bulk_create(
        [Topic(category=category, last_activity_at=start + timedelta(minutes=n)) for n in range(topics)]
    )
    ids = [topic.id for topic in made] if made and made[0].id else list(await Topic.all().values_list("id", flat=True))
    await TopicText.bulk_create(
        [
            TopicText(topic_id=i, language="en", title=f"Topic {i}", source="A question", html="<p>A question</p>")
            for i in ids
        ]
    )
    html = markup.render("A reply with **some** text, long enough to look like one.")
    rows = []
    for n in range(1, posts + 1):
        topic_id = ids[0] if n <= thread else ids[n % len(ids)]
        # Every fifth post answers the one before it when that one is a top-level reply of the same topic.
        previous = rows[-1] if rows else None
        nested = n % 5 == 0 and previous is not None and previous.topic_id == topic_id and previous.depth == 0
        parent = previous if nested else None
        moment = start + timedelta(seconds=20 * n)
        rows.append(
            Post(
                id=n,
                topic_id=topic_id,
                parent_id=parent.id if parent else None,
                root_id=parent.root_id if parent else n,
                path=(parent.path + "/" if parent else "") + str(n).zfill(10),
                depth=parent.depth + 1 if parent else 0,
                author=authors[n % len(authors)],
                language="en",
                source="A reply",
                html=html,
                status=PostStatus.APPROVED,
                created_at=moment,
                changed_at=moment,
                approved_at=moment,
            )
        )
    for first in range(0, len(rows), BATCH):
        await Post.bulk_create(rows[first : first + BATCH])
    if connections.get("default").capabilities.dialect == "postgres":
        await connections.get("default").execute_script(
            "SELECT setval('posts_id_seq', (SELECT MAX(id) FROM posts)); ANALYZE"
        )
    return int(ids[0])


async def run(name: str, database_url: str, requests: int) -> None:
    topics, posts, thread = SIZES[name]
    async with database(database_url) as base:
        # Without the page cache (a checkout from before it has none to turn off).
        settings = base.replace(cache={"enabled": False}) if hasattr(base, "cache") else base
        started = time.perf_counter()
        topic_id = await seed(topics, posts, thread)
        print(
            f"{name}: {topics} topics, {posts:,} posts, a thread of {thread:,} (seeded in {time.perf_counter() - started:.0f} s)"
        )
        async with client(settings) as (http, counter):
            etag = (await http.get("/feeds/latest.rss")).headers["etag"]
            targets = {
                "latest feed, 304": ("/feeds/latest.rss", {"if-none-match": etag}),
                "latest feed, full": ("/feeds/latest.rss", {}),
                "index": ("/", {}),
                "topic page 1": (f"/topics/{topic_id}", {}),
            }
            for label, (url, headers) in targets.items():
                await http.get(url, headers=headers)
                timings = []
                for _ in range(requests):
                    counter.statements.clear()
                    begun = time.perf_counter()
                    response = await http.get(url, headers=headers)
                    timings.append((time.perf_counter() - begun) * 1000)
                    assert response.status_code in (200, 304), (url, response.status_code)
                timings.sort()
                p99 = timings[min(len(timings) - 1, int(len(timings) * 0.99))]
                print(
                    f"  {label:<18} p50 {statistics.median(timings):7.1f} ms  p99 {p99:7.1f} ms  "
                    f"{len(counter.statements)} queries, {len(response.content) / 1024:.1f} KiB"
                )
        if base.database_url.startswith("postgres"):
            await connections.get("default").execute_script(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--sizes", default="small,large")
    args = parser.parse_args()
    for size in args.sizes.split(","):
        asyncio.run(run(size, args.database_url, args.requests))
