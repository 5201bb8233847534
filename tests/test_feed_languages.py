"""Feeds in the reader's language, each item in its own language and direction."""

from __future__ import annotations

import feedparser
import httpx
from bs4 import BeautifulSoup

from forum.config import Settings
from tests.factories import make_reply, make_topic, make_user
from tests.mixed import ENGLISH_POST, PERSIAN_SENTENCE


async def feed_links(client: httpx.AsyncClient, path: str) -> dict[str, str]:
    page = BeautifulSoup((await client.get(path)).text, "html.parser")
    return {
        str(link["title"]): str(link["href"])
        for link in page.select('link[rel="alternate"][type="application/rss+xml"]')
    }


async def parse(client: httpx.AsyncClient, url: str) -> feedparser.FeedParserDict:
    response = await client.get(url)
    assert response.status_code == 200
    assert "set-cookie" not in response.headers  # a feed reader keeps no cookie; a cache would refuse it
    feed = feedparser.parse(response.content)
    assert not feed.bozo
    return feed


async def test_the_persian_pages_link_feeds_with_persian_titles(client: httpx.AsyncClient, settings: Settings) -> None:
    topic = await make_topic(texts={"en": "Federalism?", "fa": "فدرالیسم؟"})
    author = await make_user("Omar", trusted=True)
    await make_reply(topic, author, settings, ENGLISH_POST, language="en")
    await make_reply(topic, author, settings, "به نظر من فدرالیسم راه‌حل است.", language="fa")

    links = await feed_links(client, f"/topics/{topic.id}?lang=fa")
    thread = await parse(client, links["فدرالیسم؟"])
    assert thread.feed.title == "فدرالیسم؟" and thread.feed.language == "fa"
    assert [entry.title for entry in thread.entries] == ["\u2068Omar\u2069 در «\u2068فدرالیسم؟\u2069» پاسخ داد"] * 2
    assert [entry.language for entry in thread.entries] == ["fa", "en"]

    topics = await parse(client, links["موضوع‌های تازه"])
    assert topics.feed.language == "fa" and topics.entries[0].title == "فدرالیسم؟"
    assert topics.entries[0].language == "fa"

    persian = await parse(client, links["تازه‌ترین پاسخ‌ها به زبان فارسی"])
    assert [entry.language for entry in persian.entries] == ["fa"]
    assert persian.feed.title == "انجمن پرسش‌های باز: تازه‌ترین پاسخ‌ها به زبان فارسی"

    english = await parse(client, (await feed_links(client, f"/topics/{topic.id}?lang=en"))["Federalism?"])
    assert english.feed.title == "Federalism?" and english.feed.language == "en"
    assert english.entries[0].title == "\u2068Omar\u2069 replied in “\u2068Federalism?\u2069”"


async def test_each_item_carries_its_language_and_direction(client: httpx.AsyncClient, settings: Settings) -> None:
    topic = await make_topic()
    author = await make_user(trusted=True)
    await make_reply(topic, author, settings, ENGLISH_POST, language="en")
    await make_reply(topic, author, settings, "پاسخ فارسی.", language="fa")
    feed = await parse(client, f"/topics/{topic.id}/feed.rss?lang=ar")
    persian, english = (BeautifulSoup(entry.content[0].value, "html.parser") for entry in feed.entries)
    assert (persian.div["lang"], persian.div["dir"]) == ("fa", "rtl")
    assert (english.div["lang"], english.div["dir"]) == ("en", "ltr")
    # Inside, each block keeps its own direction: the Persian quote of the English post.
    quote = english.find("blockquote")
    assert quote is not None and PERSIAN_SENTENCE in quote.get_text() and quote["dir"] == "rtl"


async def test_each_language_of_a_feed_has_its_own_etag(client: httpx.AsyncClient, settings: Settings) -> None:
    topic = await make_topic()
    await make_reply(topic, await make_user(trusted=True), settings, "A reply.")
    url = f"/topics/{topic.id}/feed.rss"
    tags = {}
    for language in ("en", "ar", "fa"):
        response = await client.get(url, params={"lang": language})
        tags[language] = response.headers["etag"]
        again = await client.get(url, params={"lang": language}, headers={"if-none-match": tags[language]})
        assert again.status_code == 304
    assert len(set(tags.values())) == 3
    other = await client.get(url, params={"lang": "fa"}, headers={"if-none-match": tags["en"]})
    assert other.status_code == 200 and "<language>fa</language>" in other.text
