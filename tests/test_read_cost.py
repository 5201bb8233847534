from __future__ import annotations

import httpx

from forum.config import Settings
from forum.models import Post, Topic, User
from tests.conftest import QueryCounter
from tests.factories import make_reply, make_topic, make_user


async def grow_thread(topic: Topic, authors: list[User], settings: Settings, count: int) -> list[Post]:
    """`count` replies in a bushy tree: a few roots, each with nested answers, by several authors."""
    made: list[Post] = []
    for n in range(count):
        parent = made[(n * 7) % len(made)] if made and n % 5 else None
        if parent is not None and parent.depth >= 3:
            parent = None
        made.append(await make_reply(topic, authors[n % len(authors)], settings, f"Reply **{n}**", parent=parent))
    return made


async def queries_for_thread(client: httpx.AsyncClient, topic: Topic, counter: QueryCounter) -> int:
    counter.statements.clear()
    response = await client.get(f"/topics/{topic.id}")
    assert response.status_code == 200
    return len(counter.statements)


async def test_a_thread_page_costs_the_same_queries_for_10_and_500_posts(
    client: httpx.AsyncClient, settings: Settings, count_queries: QueryCounter
) -> None:
    authors = [await make_user(trusted=True) for _ in range(5)]
    small, large = await make_topic("Small"), await make_topic("Large")
    await grow_thread(small, authors, settings, 10)
    posts = await grow_thread(large, authors, settings, 500)

    small_count = await queries_for_thread(client, small, count_queries)
    large_count = await queries_for_thread(client, large, count_queries)
    # One of them reads the page's translations, whether or not there are any.
    assert small_count == large_count <= 7, count_queries.statements
    # The large page really did show many posts, each with its author, from those few queries.
    page = (await client.get(f"/topics/{large.id}")).text
    assert page.count('class="post"') > 20
    assert f'id="post-{posts[0].id}"' in page


async def test_a_logged_in_reader_costs_no_more(
    client: httpx.AsyncClient, settings: Settings, count_queries: QueryCounter
) -> None:
    from tests.factories import login

    reader = await make_user("reader")
    topic = await make_topic()
    await grow_thread(topic, [await make_user(trusted=True)], settings, 40)
    await make_reply(topic, reader, settings, "My own pending reply")
    await login(client, reader.username)
    # A member's page adds a fixed few: the unread notices in the header, their read marker (read, the next
    # unread post elsewhere, moved), the notices about the posts shown, their draft, and the page's translations.
    assert await queries_for_thread(client, topic, count_queries) <= 13


async def test_reading_a_thread_again_counts_only_the_readers_own_posts(
    client: httpx.AsyncClient, settings: Settings, count_queries: QueryCounter
) -> None:
    from tests.factories import login

    reader = await make_user("again")
    topic = await make_topic()
    await grow_thread(topic, [await make_user(trusted=True)], settings, 30)
    own = await make_reply(topic, reader, settings, "Mine, waiting")
    await login(client, reader.username)
    first = await queries_for_thread(client, topic, count_queries)
    second = await queries_for_thread(client, topic, count_queries)
    # The second reading moves no read marker: it may cost one query less, never more.
    assert second <= first <= 13
    grouped = [s for s in count_queries.statements if "GROUP BY" in s]
    # The approved posts were grouped by the first reading; the second counts the reader's own only.
    assert len(grouped) == 1 and '"author_id"=' in grouped[0], grouped
    page = (await client.get(f"/topics/{topic.id}")).text
    assert f'id="post-{own.id}"' in page


async def test_a_member_past_every_threshold_reads_without_a_write(
    client: httpx.AsyncClient, settings: Settings, count_queries: QueryCounter
) -> None:
    from forum.models import User
    from tests.factories import login

    reader = await make_user("well-read")
    topic = await make_topic()
    await grow_thread(topic, [await make_user(trusted=True)], settings, 5)
    await login(client, reader.username)
    await queries_for_thread(client, topic, count_queries)  # the day's first visit is counted
    await User.filter(id=reader.id).update(posts_read=settings.trust.trusted_posts_read)
    await queries_for_thread(client, topic, count_queries)
    assert not [s for s in count_queries.statements if s.lstrip().upper().startswith("UPDATE")]
    assert (await User.get(id=reader.id)).posts_read == settings.trust.trusted_posts_read
