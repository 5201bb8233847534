"""Time a thread page of 10 and of 500 posts, and count its queries.

python bench/thread_page.py [--requests 30] [--database-url postgres://...]
"""

from __future__ import annotations

import argparse
import asyncio

from harness import client, database, measure

from tests.factories import make_topic, make_user
from tests.test_read_cost import grow_thread


async def main(requests: int, database_url: str) -> None:
    async with database(database_url) as settings:
        authors = [await make_user(trusted=True) for _ in range(8)]
        topics = {}
        for size in (10, 500):
            topics[size] = await make_topic(f"{size} posts")
            await grow_thread(topics[size], authors, settings, size)
        async with client(settings) as (http, counter):
            for size, topic in topics.items():
                url = f"/topics/{topic.id}"
                await http.get(url)  # templates and catalogs load on first use
                shown = (await http.get(url)).text.count('class="post"')
                print(
                    f"{size:>4} posts ({shown} on the first page):",
                    await measure(counter, requests, lambda url=url: http.get(url)),
                )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    asyncio.run(main(args.requests, args.database_url))
