"""The page cache: anonymous readers get kept pages without a cookie, and never a member's page or a stale one."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from bs4 import BeautifulSoup

from forum.config import CacheSettings, Settings
from forum.models import Category, Post, PostStatus, Role, Topic, TopicText, User
from forum.moderation import actions
from forum.pagecache import read_stamp
from tests.burst import running_forum
from tests.conftest import QueryCounter
from tests.factories import login, make_reply, make_topic, make_user


def post_ids(html: str) -> set[str]:
    return {str(element["id"]) for element in BeautifulSoup(html, "html.parser").select('article[id^="post-"]')}


@asynccontextmanager
async def second_browser(client: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    """Another browser on the same forum, with cookies of its own."""
    transport = httpx.ASGITransport(app=client.app)  # type: ignore[attr-defined]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as other:
        yield other


async def test_a_second_anonymous_reading_costs_only_the_stamp_and_sets_no_cookie(
    client: httpx.AsyncClient, settings: Settings, count_queries: QueryCounter
) -> None:
    topic = await make_topic("Kept")
    await make_reply(topic, await make_user(role=Role.MODERATOR), settings, "A published reply.")
    for url in ("/", f"/topics/{topic.id}", f"/topics/{topic.id}/kept", "/feeds/latest.rss"):
        first = await client.get(url, headers={"accept-language": "ar"})
        count_queries.statements.clear()
        second = await client.get(url, headers={"accept-language": "ar"})
        assert first.status_code == second.status_code == 200, url
        assert second.content == first.content
        assert "set-cookie" not in second.headers and not client.cookies.get("forum_session")
        assert [s.split(":")[0] for s in count_queries.statements] == ["SELECT stamp FROM page_stamp WHERE id = 1"], url
        assert second.headers["vary"] == "Accept-Language, Cookie"
        client.cookies.clear()
    # The language is part of the key: the Persian index is not the Arabic one.
    arabic = BeautifulSoup((await client.get("/", headers={"accept-language": "ar"})).text, "html.parser")
    persian = BeautifulSoup((await client.get("/", headers={"accept-language": "fa"})).text, "html.parser")
    assert (arabic.html and arabic.html["lang"]) == "ar" and (persian.html and persian.html["lang"]) == "fa"


async def test_thread_pages_and_the_index_answer_conditional_requests(client: httpx.AsyncClient) -> None:
    topic = await make_topic("Conditional")
    for url in (f"/topics/{topic.id}", "/"):
        full = await client.get(url)
        assert full.status_code == 200 and full.headers["etag"] and full.headers["last-modified"]
        again = await client.get(url, headers={"if-none-match": full.headers["etag"]})
        assert again.status_code == 304 and again.content == b""
        assert again.headers["etag"] == full.headers["etag"]
        since = await client.get(url, headers={"if-modified-since": full.headers["last-modified"]})
        assert since.status_code == 304
        other = await client.get(url, headers={"if-none-match": '"something-else"'})
        assert other.status_code == 200 and other.content == full.content


async def test_a_kept_page_never_carries_a_members_name_token_or_pending_post(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    topic = await make_topic("Private bits")
    member = await make_user("visible-only-to-self")
    pending = await make_reply(topic, member, settings, "My reply, waiting.")
    assert pending.status == PostStatus.PENDING
    url = f"/topics/{topic.id}"
    async with second_browser(client) as reader:
        before = await reader.get(url)  # kept before the member reads
        await login(client, member.username)
        own = await client.get(url)
        after = await reader.get(url)  # after the member read: still the anonymous page
    assert f"post-{pending.id}" in post_ids(own.text) and member.username in own.text
    assert own.headers["cache-control"] == "private, no-store"
    for page in (before, after):
        assert page.status_code == 200
        assert f"post-{pending.id}" not in post_ids(page.text)
        assert member.username not in page.text and "csrf_token" not in page.text
        assert "set-cookie" not in page.headers


async def test_approval_and_hiding_reach_anonymous_readers(client: httpx.AsyncClient, settings: Settings) -> None:
    topic = await make_topic("Fresh")
    moderator = await make_user("keeper", role=Role.MODERATOR)
    post = await make_reply(topic, await make_user(), settings, "Waiting for a moderator.")
    url = f"/topics/{topic.id}"
    async with second_browser(client) as reader:
        assert f"post-{post.id}" not in post_ids((await reader.get(url)).text)
        feed = await reader.get("/feeds/latest.rss")
        token = await login(client, moderator.username)
        approved = await client.post(f"/moderation/posts/{post.id}/approve", data={"csrf_token": token})
        assert approved.status_code == 303
        assert f"post-{post.id}" in post_ids((await reader.get(url)).text)
        assert (
            await reader.get("/feeds/latest.rss", headers={"if-none-match": feed.headers["etag"]})
        ).status_code == 200
        hidden = await client.post(
            f"/moderation/posts/{post.id}/hide", data={"csrf_token": token, "reason_code": "spam", "reason": ""}
        )
        assert hidden.status_code == 303
        assert f"post-{post.id}" not in post_ids((await reader.get(url)).text)


async def test_every_change_a_page_shows_moves_the_stamp(database: Settings) -> None:
    topic = await make_topic("Stamped")
    moderator = await make_user("stamper", role=Role.MODERATOR)
    author = await make_user("author")
    seen = [await read_stamp()]

    async def moved() -> bool:
        seen.append(await read_stamp())
        return seen[-1] > seen[-2]

    post = await make_reply(topic, author, database, "A reply.")
    assert await moved()
    await actions.approve(post.id, moderator)
    assert await moved()
    await actions.hide(post.id, moderator, "spam")
    assert await moved()
    await Topic.filter(id=topic.id).update(locked=True)
    assert await moved()
    await TopicText.filter(topic_id=topic.id).update(title="Renamed")
    assert await moved()
    await Category.filter(id=topic.category_id).update(names={"en": "Elsewhere"})
    assert await moved()
    await User.filter(id=author.id).update(username="renamed")
    assert await moved()
    # What changes on every page view is not shown on public pages: it leaves the pages kept.
    await User.filter(id=author.id).update(posts_read=5, days_visited=2)
    assert not await moved()


async def test_two_workers_show_approval_and_hiding_within_the_bound(database: Settings) -> None:
    topic = await make_topic("Two workers")
    moderator = await make_user("two-worker-mod", role=Role.MODERATOR)
    post = await make_reply(topic, await make_user(), database, "Seen by every worker in time.")
    # The served forum reads its stamp as configured by default.
    bound = CacheSettings().check_milliseconds / 1000

    async def readings(base: str) -> list[bool]:
        # Enough requests on fresh connections that both workers answer and keep the page.
        async def one() -> bool:
            async with httpx.AsyncClient(base_url=base) as reader:
                page = await reader.get(f"/topics/{topic.id}")
                assert page.status_code == 200 and "set-cookie" not in page.headers
                return f"post-{post.id}" in post_ids(page.text)

        return [await one() for _ in range(12)]

    with running_forum(database, workers=2) as base:
        assert not any(await readings(base))
        await actions.approve(post.id, moderator)
        await asyncio.sleep(2 * bound)
        assert all(await readings(base))
        await actions.hide(post.id, moderator, "spam")
        await asyncio.sleep(2 * bound)
        assert not any(await readings(base))
    assert (await Post.get(id=post.id)).status == PostStatus.HIDDEN
