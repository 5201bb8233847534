"""Time building the latest-replies feed and answering a conditional request with 304.

python bench/feeds.py [--requests 50] [--posts 2000] [--database-url postgres://...]
"""

from __future__ import annotations

import argparse
import asyncio

from harness import client, database, measure

from tests.factories import make_topic, make_user
from tests.test_read_cost import grow_thread


async def main(requests: int, posts: int, database_url: str) -> None:
    async with database(database_url) as settings:
        authors = [await make_user(trusted=True) for _ in range(8)]
        for n in range(4):
            await grow_thread(await make_topic(f"Topic {n}"), authors, settings, posts // 4)
        async with client(settings) as (http, counter):
            first = await http.get("/feeds/latest.rss")
            etag = {"If-None-Match": first.headers["etag"]}
            print(f"{posts} approved posts, feeds of {settings.feeds.items} items")
            print("full build: ", await measure(counter, requests, lambda: http.get("/feeds/latest.rss")))
            print("conditional:", await measure(counter, requests, lambda: http.get("/feeds/latest.rss", headers=etag)))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    asyncio.run(main(args.requests, args.posts, args.database_url))
