"""Time the moderation queue page with many pending and flagged posts.

    python bench/moderation_queue.py [--requests 30] [--pending 200] [--flagged 50] [--database-url postgres://...]

Pending posts from new members across several topics and the three
languages, half of them replies to published posts; then short flagged
replies, each under a published parent of 20,000 characters (the longest
post allowed). Seen by a moderator; the size of the page is part of the result.
"""

from __future__ import annotations

import argparse
import asyncio

from harness import client, database, measure

from forum.models import Role
from forum.moderation import actions
from tests.factories import login, make_reply, make_topic, make_user

TEXTS = {"en": "A new member's careful answer.", "ar": "إجابة متأنية من عضو جديد.", "fa": "پاسخی سنجیده از عضوی تازه."}
LONG = ("A long statement about the history of our city, pasted whole. " * 400)[:20_000]


async def main(requests: int, pending: int, flagged: int, database_url: str) -> None:
    async with database(database_url) as settings:
        topics = [await make_topic(f"Topic {n}") for n in range(7)]
        veteran = await make_user(trusted=True)
        published = [await make_reply(t, veteran, settings, "Published") for t in topics]
        newcomers = [await make_user() for _ in range(20)]
        for n in range(pending):
            language = list(TEXTS)[n % 3]
            await make_reply(
                topics[n % 7],
                newcomers[n % 20],
                settings,
                f"{TEXTS[language]} ({n})",
                parent=published[n % 7] if n % 2 else None,
                language=language,
            )
        answerer, reader = await make_user(trusted=True), await make_user()
        for n in range(flagged):
            parent = await make_reply(topics[n % 7], veteran, settings, LONG)
            answer = await make_reply(
                topics[n % 7], answerer, settings, f"A short answer to the long statement above ({n}).", parent=parent
            )
            await actions.flag(answer, reader, "abuse", "", settings)
        await make_user("moderator", role=Role.MODERATOR)
        async with client(settings) as (http, counter):
            await login(http, "moderator")
            shown = (await http.get("/moderation")).text.count('class="queue-item"')
            print(
                f"{pending} pending, {flagged} flagged under 20,000-character parents, {shown} on the first page:",
                await measure(counter, requests, lambda: http.get("/moderation")),
            )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--pending", type=int, default=200)
    parser.add_argument("--flagged", type=int, default=50)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    asyncio.run(main(args.requests, args.pending, args.flagged, args.database_url))
