from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from email.utils import parsedate_to_datetime
from pathlib import Path

import feedparser
import httpx
from bs4 import BeautifulSoup

from forum.config import Settings
from forum.models import PostStatus, Role
from forum.moderation import actions
from tests.browser import live_forum
from tests.conftest import QueryCounter
from tests.factories import csrf_from, make_reply, make_topic, make_user


async def fetch(
    client: httpx.AsyncClient, url: str, **headers: str
) -> tuple[httpx.Response, feedparser.FeedParserDict]:
    response = await client.get(url, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/rss+xml; charset=utf-8"
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "rss20"
    return response, parsed


async def test_the_latest_feed_is_complete_rss(client: httpx.AsyncClient, settings: Settings) -> None:
    topic = await make_topic(texts={"en": "Federalism?", "fa": "فدرالیسم؟"})
    author = await make_user("نرگس", trusted=True)
    posts = [
        await make_reply(topic, author, settings, "به نظر من **فدرالیسم** می‌تواند راه‌حل باشد."),
        await make_reply(topic, author, settings, "رأيي أن الفيدرالية ممكنة."),
        await make_reply(topic, author, settings, "An English <b>reply</b> & more."),
    ]
    response, feed = await fetch(client, "/feeds/latest.rss")
    assert feed.feed.title and feed.feed.link == "http://testserver/"
    assert feed.feed.description
    assert feed.feed.updated_parsed
    root = ET.fromstring(response.content)
    self_link = root.find("channel/{http://www.w3.org/2005/Atom}link")
    assert self_link is not None and self_link.get("rel") == "self"
    assert self_link.get("href") == "http://testserver/feeds/latest.rss"

    assert [entry.link for entry in feed.entries] == [f"http://testserver/posts/{p.id}" for p in reversed(posts)]
    assert len({entry.id for entry in feed.entries}) == 3
    for entry in feed.entries:
        assert entry.id == entry.link and entry.link.startswith("http://")
        assert entry.published_parsed and entry.author == "نرگس"
        assert entry.title == "\u2068نرگس\u2069 replied in “\u2068Federalism?\u2069”"
    persian = feed.entries[2]
    assert persian.summary == "به نظر من فدرالیسم می‌تواند راه‌حل باشد."  # plain text, no markup
    assert "<strong>فدرالیسم</strong> می‌تواند" in persian.content[0].value
    assert "&lt;b&gt;reply&lt;/b&gt; &amp; more." in feed.entries[0].content[0].value
    for raw in root.iter("pubDate"):
        assert parsedate_to_datetime(raw.text).tzinfo is not None


async def test_unapproved_posts_never_appear_and_hidden_ones_leave(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    topic = await make_topic()
    newcomer = await make_user("newcomer")
    trusted = await make_user("trusted", trusted=True)
    moderator = await make_user("mod", role=Role.MODERATOR)
    pending = await make_reply(topic, newcomer, settings, "Pending words")
    rejected = await make_reply(topic, newcomer, settings, "Rejected words")
    await actions.reject(rejected.id, moderator, "No")
    shown = await make_reply(topic, trusted, settings, "Published words")
    later_hidden = await make_reply(topic, trusted, settings, "Hidden later words")
    deleted = await make_reply(topic, trusted, settings, "Deleted words")
    deleted.status = PostStatus.DELETED
    await deleted.save()
    for url in ("/feeds/latest.rss", f"/topics/{topic.id}/feed.rss"):
        _, feed = await fetch(client, url)
        text = " ".join(entry.content[0].value for entry in feed.entries)
        assert "Published words" in text and "Hidden later words" in text
        assert "Pending words" not in text and "Rejected words" not in text and "Deleted words" not in text

    first, _ = await fetch(client, "/feeds/latest.rss")
    await actions.hide(later_hidden.id, moderator, "spam")
    second, feed = await fetch(client, "/feeds/latest.rss")
    assert "Hidden later words" not in second.text
    assert first.headers["etag"] != second.headers["etag"]
    assert pending.id and shown.id


async def test_a_topic_feed_follows_new_approved_replies(client: httpx.AsyncClient, settings: Settings) -> None:
    topic = await make_topic("Joint action")
    newcomer = await make_user("newcomer")
    moderator = await make_user("mod", role=Role.MODERATOR)
    response, feed = await fetch(client, f"/topics/{topic.id}/feed.rss")
    assert feed.feed.title == "Joint action" and "What do you think?" in feed.feed.description
    assert feed.entries == []
    etag = response.headers["etag"]

    post = await make_reply(topic, newcomer, settings, "My proposal")
    not_yet = await client.get(f"/topics/{topic.id}/feed.rss", headers={"if-none-match": etag})
    if not_yet.status_code == 200:
        assert "My proposal" not in not_yet.text
    await actions.approve(post.id, moderator)
    response = await client.get(f"/topics/{topic.id}/feed.rss", headers={"if-none-match": etag})
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert [entry.link for entry in feed.entries] == [f"http://testserver/posts/{post.id}"]

    other = await make_topic("Elsewhere")
    await make_reply(other, moderator, settings, "Not in this thread")
    _, feed = await fetch(client, f"/topics/{topic.id}/feed.rss")
    assert len(feed.entries) == 1


async def test_guids_do_not_change_when_a_post_is_edited(client: httpx.AsyncClient, settings: Settings) -> None:
    from forum.discussions.posts import edit_post

    topic = await make_topic()
    author = await make_user(trusted=True)
    post = await make_reply(topic, author, settings, "Before")
    _, before = await fetch(client, "/feeds/latest.rss")
    await edit_post(post, author, "After", settings)
    _, after = await fetch(client, "/feeds/latest.rss")
    assert before.entries[0].id == after.entries[0].id
    assert "After" in after.entries[0].content[0].value


async def test_conditional_requests_get_304_with_one_query(
    client: httpx.AsyncClient, settings: Settings, count_queries: QueryCounter
) -> None:
    topic = await make_topic()
    author = await make_user(trusted=True)
    for n in range(5):
        await make_reply(topic, author, settings, f"Reply {n}")
    for url in ("/feeds/latest.rss", f"/topics/{topic.id}/feed.rss", "/feeds/topics.rss"):
        response = await client.get(url)
        assert "max-age=" in response.headers["cache-control"]
        count_queries.statements.clear()
        again = await client.get(url, headers={"if-none-match": response.headers["etag"]})
        assert again.status_code == 304 and again.content == b""
        assert len(count_queries.statements) == 1, count_queries.statements
        by_date = await client.get(url, headers={"if-modified-since": response.headers["last-modified"]})
        assert by_date.status_code == 304
        head = await client.head(url)
        assert head.status_code == 200 and head.headers["etag"] == response.headers["etag"]


async def test_a_feed_build_costs_a_fixed_number_of_queries(
    client: httpx.AsyncClient, settings: Settings, count_queries: QueryCounter
) -> None:
    counts = []
    for size in (3, 60):
        topic = await make_topic(f"{size}")
        authors = [await make_user(trusted=True) for _ in range(3)]
        for n in range(size):
            await make_reply(topic, authors[n % 3], settings, f"Reply {n}")
        count_queries.statements.clear()
        await fetch(client, "/feeds/latest.rss")
        counts.append(len(count_queries.statements))
    assert counts[0] == counts[1] <= 4, counts


async def test_the_language_filter(client: httpx.AsyncClient, settings: Settings) -> None:
    topic = await make_topic()
    author = await make_user(trusted=True)
    await make_reply(topic, author, settings, "English words", language="en")
    await make_reply(topic, author, settings, "كلمات عربية", language="ar")
    await make_reply(topic, author, settings, "واژه‌های فارسی", language="fa")
    for language, expected in (("en", "English words"), ("ar", "كلمات عربية"), ("fa", "واژه‌های فارسی")):
        _response, feed = await fetch(client, f"/feeds/latest.rss?lang={language}")
        assert [BeautifulSoup(entry.content[0].value, "html.parser").get_text() for entry in feed.entries] == [expected]
        assert [entry.language for entry in feed.entries] == [language]
        assert feed.feed.language == language
        assert feed.feed.links[0].href.startswith("http://testserver/")
    _, everything = await fetch(client, "/feeds/latest.rss")
    assert len(everything.entries) == 3 and everything.feed.language == "en"


async def test_the_topics_feed_lists_new_topics(client: httpx.AsyncClient) -> None:
    first = await make_topic(texts={"en": "First question", "ar": "السؤال الأول"})
    second = await make_topic("Second question")
    _, feed = await fetch(client, "/feeds/topics.rss?lang=ar")
    assert [entry.link for entry in feed.entries] == [f"http://testserver/topics/{t.id}" for t in (second, first)]
    assert feed.entries[1].title == "السؤال الأول"


async def test_pages_link_their_feeds(client: httpx.AsyncClient) -> None:
    topic = await make_topic()
    home = (await client.get("/")).text
    assert 'type="application/rss+xml"' in home and "/feeds/latest.rss" in home and "/feeds/topics.rss" in home
    page = (await client.get(f"/topics/{topic.id}?lang=fa")).text
    assert f'href="http://testserver/topics/{topic.id}/feed.rss?lang=fa"' in page
    assert (await client.get("/topics/999/feed.rss")).status_code == 404


def test_a_feed_reader_follows_a_topic_on_a_running_forum(tmp_path: Path) -> None:
    """feedparser polls a real `forum serve`: nothing unapproved appears, an approved reply does, 304 in between."""
    for forum in live_forum(tmp_path):
        forum.command("users", "create", "newcomer", stdin="a long enough password\n")
        url = f"{forum.url}/topics/1/feed.rss"
        first = feedparser.parse(url)
        assert first.status == 200 and not first.bozo and first.entries == []
        assert feedparser.parse(url, etag=first.etag).status == 304

        member = login_sync(forum.url, "newcomer", "a long enough password")
        token = csrf_from(member.get("/topics/1").text)
        assert (
            member.post("/topics/1/replies", data={"csrf_token": token, "body": "Waiting for approval"}).status_code
            == 303
        )
        pending = feedparser.parse(url, etag=first.etag)
        assert pending.status == 304 or pending.entries == []

        admin = login_sync(forum.url, "admin", forum.admin_password)
        queue = admin.get("/moderation").text
        post_id = re.search(r'id="queue-(\d+)"', queue).group(1)  # type: ignore[union-attr]
        approved = admin.post(f"/moderation/posts/{post_id}/approve", data={"csrf_token": csrf_from(queue)})
        assert approved.status_code == 303

        member.close()
        admin.close()
        after = feedparser.parse(url, etag=first.etag)
        assert after.status == 200 and [e.link for e in after.entries] == [f"{forum.url}/posts/{post_id}"]
        assert BeautifulSoup(after.entries[0].content[0].value, "html.parser").get_text() == "Waiting for approval"


def login_sync(base_url: str, username: str, password: str) -> httpx.Client:
    client = httpx.Client(base_url=base_url)
    token = csrf_from(client.get("/login").text)
    response = client.post("/login", data={"username": username, "password": password, "csrf_token": token})
    assert response.status_code == 303
    return client


async def test_editing_a_topic_refreshes_its_feed(client: httpx.AsyncClient) -> None:
    from forum.discussions import topics

    topic = await make_topic("Old title")
    moderator = await make_user("mod", role=Role.MODERATOR)
    response = await client.get(f"/topics/{topic.id}/feed.rss")
    await topics.edit_topic(topic, moderator, {"title_en": "New title", "body_en": "New text"})
    again = await client.get(f"/topics/{topic.id}/feed.rss", headers={"if-none-match": response.headers["etag"]})
    assert again.status_code == 200 and feedparser.parse(again.content).feed.title == "New title"
