"""The cost of notices and unread marks: a reply in a topic with 1,000 watchers (queries and time),
and the topic list of 1,000 topics with a member's unread marks (queries, median and p99).

python bench/notifications.py [--requests 50] [--watchers 1000] [--topics 1000] [--database-url postgres://...]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import httpx
from harness import client, database

from forum.accounts import auth
from forum.models import Notification, Post, PostStatus, Topic, TopicState, User, WatchLevel
from tests.conftest import QueryCounter
from tests.factories import login, make_reply, make_topic, make_user


async def timed(counter: QueryCounter, requests: int, request: Callable[[int], Awaitable[httpx.Response]]) -> str:
    """Median, p90 and p99 of `requests` calls, with the statements of the last one."""
    timings = []
    for n in range(requests):
        counter.statements.clear()
        start = time.perf_counter()
        response = await request(n)
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()

    def percentile(share: float) -> float:
        return timings[min(len(timings) - 1, int(len(timings) * share))]

    return (
        f"HTTP {response.status_code}: median {statistics.median(timings):7.2f} ms, p90 {percentile(0.9):7.2f} ms, "
        f"p99 {percentile(0.99):7.2f} ms, {len(counter.statements)} queries"
    )


async def members(count: int, prefix: str) -> list[int]:
    """`count` accounts without a usable password, made at once (hashing each would take minutes)."""
    await User.bulk_create(
        [
            User(username=f"{prefix}{n}", username_key=f"{prefix}{n}", skeleton=f"{prefix}{n}", password_hash="-")
            for n in range(count)
        ],
        batch_size=500,
    )
    return list(await User.filter(username__startswith=prefix).values_list("id", flat=True))


async def main(requests: int, watchers: int, topics: int, database_url: str) -> None:
    async with database(database_url) as settings:
        auth.configure_hashing(settings.security)
        writer = await make_user("writer", trusted=True)
        reader = await make_user("reader", trusted=True)
        watched = await make_topic("Watched by many")
        ids = await members(watchers, "watcher")
        await TopicState.bulk_create(
            [TopicState(user_id=i, topic_id=watched.id, level=WatchLevel.WATCHING) for i in ids], batch_size=500
        )
        await make_reply(watched, writer, settings, "warm up")

        # The topic list: every topic read once by the reader, then answered since.
        made = [await make_topic(f"Topic {n}") for n in range(topics - 1)]
        now = datetime.now(UTC)
        await Post.bulk_create(
            [
                Post(
                    topic_id=t.id,
                    author_id=writer.id,
                    language="en",
                    source="x",
                    html="<p>x</p>",
                    path="",
                    status=PostStatus.APPROVED,
                    created_at=now,
                )
                for t in made
                for _ in range(2)
            ],
            batch_size=500,
        )
        await TopicState.bulk_create(
            [TopicState(user_id=reader.id, topic_id=t.id, last_read_id=0) for t in made[::2]], batch_size=500
        )

        async with client(settings) as (http, counter):
            token = await login(http, writer.username)
            await http.get(f"/topics/{watched.id}")
            before = await Notification.all().count()

            async def reply(n: int) -> httpx.Response:
                data = {"csrf_token": token, "body": f"Reply number {n} to everyone watching."}
                return await http.post(f"/topics/{watched.id}/replies", data=data)

            print(f"reply in a topic with {watchers} watchers:", await timed(counter, requests, reply))
            told = (await Notification.all().count() - before) // requests
            print(f"  notices per reply: {told}")

            http.cookies.clear()
            await login(http, reader.username)
            await http.get("/")
            marked = (await http.get("/")).text.count('class="badge badge-new"')
            count = await Topic.all().count()
            print(
                f"topic list, {count} topics, {marked} marked unread for the member:",
                await timed(counter, requests, lambda n: http.get("/")),
            )
            http.cookies.clear()
            print(
                f"topic list, {count} topics, anonymous reader:",
                await timed(counter, requests, lambda n: http.get("/")),
            )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--watchers", type=int, default=1000)
    parser.add_argument("--topics", type=int, default=1000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    asyncio.run(main(args.requests, args.watchers, args.topics, args.database_url))
