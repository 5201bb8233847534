"""The index shows a page of each category; each category has pages and a feed of its own."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from pathlib import Path

import feedparser
import httpx
import pytest
from bs4 import BeautifulSoup

from forum.app import create_app
from forum.config import Settings
from forum.models import Category, Role, Topic
from tests.conftest import QueryCounter, make_settings
from tests.factories import make_reply, make_topic, make_user


@pytest.fixture
async def small_pages(tmp_path: Path, database: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """A client of a forum that shows two topics per category and page."""
    settings = make_settings(tmp_path, database.database_url, posts={"topics_per_page": 2})
    transport = httpx.ASGITransport(app=create_app(settings, manage_database=False))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


def titles(html: str) -> list[str]:
    return [a.get_text() for a in BeautifulSoup(html, "html.parser").select(".topic-list .topic-title")]


async def test_the_index_shows_a_page_of_each_category_and_links_to_the_rest(
    small_pages: httpx.AsyncClient, database: Settings
) -> None:
    for title in ("First", "Second", "Third"):
        await make_topic(title)
    other = await Category.create(slug="other", names={"en": "Other"})
    await Topic.filter(id=(await make_topic("Alone")).id).update(category_id=other.id)
    category = await Category.get(slug="questions")
    page = BeautifulSoup((await small_pages.get("/")).text, "html.parser")
    section = page.find("section", attrs={"aria-labelledby": f"category-{category.id}"})
    assert section is not None
    assert [a.get_text() for a in section.select(".topic-title")] == ["Third", "Second"]
    more = section.select_one("p.continue a")
    assert more is not None and more["href"] == f"/categories/{category.id}"
    other_section = page.find("section", attrs={"aria-labelledby": f"category-{other.id}"})
    assert other_section is not None and other_section.select_one("p.continue") is None

    first = await small_pages.get(f"/categories/{category.id}")
    assert first.status_code == 200 and titles(first.text) == ["Third", "Second"]
    heading = BeautifulSoup(first.text, "html.parser").find("h1")
    assert heading is not None and heading.get_text() == "Questions"
    second = await small_pages.get(f"/categories/{category.id}?page=2")
    assert second.status_code == 200 and titles(second.text) == ["First"]
    for missing in (f"/categories/{category.id}?page=3", "/categories/999", f"/categories/{category.id}?page=x"):
        assert (await small_pages.get(missing)).status_code == 404, missing
    arabic = BeautifulSoup((await small_pages.get(f"/categories/{category.id}?lang=ar")).text, "html.parser")
    assert arabic.html is not None and arabic.html["dir"] == "rtl"
    assert (h1 := arabic.find("h1")) is not None and h1.get_text() == "أسئلة"


async def test_a_category_feed_holds_the_replies_of_its_topics_only(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    author = await make_user(role=Role.MODERATOR)
    here = await make_topic("Here")
    elsewhere_category = await Category.create(slug="elsewhere", names={"en": "Elsewhere"})
    elsewhere = await make_topic("Elsewhere")
    await Topic.filter(id=elsewhere.id).update(category_id=elsewhere_category.id)
    mine = await make_reply(here, author, settings, "In this category.")
    await make_reply(elsewhere, author, settings, "In another category.")
    response = await client.get(f"/categories/{here.category_id}/feed.rss")
    assert response.status_code == 200 and response.headers["etag"]
    feed = feedparser.parse(response.content)
    assert feed.feed.title == "Latest replies in Questions"
    assert [entry.link for entry in feed.entries] == [f"http://testserver/posts/{mine.id}"]
    again = await client.get(
        f"/categories/{here.category_id}/feed.rss", headers={"if-none-match": response.headers["etag"]}
    )
    assert again.status_code == 304
    assert (await client.get("/categories/999/feed.rss")).status_code == 404
    page = BeautifulSoup((await client.get(f"/categories/{here.category_id}")).text, "html.parser")
    assert page.find("link", rel="alternate", href=f"http://testserver/categories/{here.category_id}/feed.rss?lang=en")


async def test_the_index_costs_the_same_queries_for_few_and_many_topics(
    small_pages: httpx.AsyncClient, database: Settings, count_queries: QueryCounter
) -> None:
    await make_topic("One")
    count_queries.statements.clear()
    assert (await small_pages.get("/", headers={"cookie": "forum_session=x"})).status_code == 200
    few = len(count_queries.statements)
    for n in range(6):
        await make_topic(f"More {n}")
    count_queries.statements.clear()
    assert (await small_pages.get("/", headers={"cookie": "forum_session=x"})).status_code == 200
    assert len(count_queries.statements) == few, count_queries.statements


async def test_pages_name_their_canonical_address_their_languages_and_a_description(client: httpx.AsyncClient) -> None:
    topic = await make_topic("Land and bread", texts={"en": "Land and bread", "fa": "زمین و نان"})
    response = await client.get(f"/topics/{topic.id}?lang=fa")
    page = BeautifulSoup(response.text, "html.parser")
    canonical = page.find("link", rel="canonical")
    assert canonical is not None and canonical["href"] == f"http://testserver/topics/{topic.id}"
    alternates = {link["hreflang"]: link["href"] for link in page.find_all("link", hreflang=True)}
    assert alternates == {
        "en": f"http://testserver/topics/{topic.id}?lang=en",
        "ar": f"http://testserver/topics/{topic.id}?lang=ar",
        "fa": f"http://testserver/topics/{topic.id}?lang=fa",
        "x-default": f"http://testserver/topics/{topic.id}",
    }
    description = page.find("meta", attrs={"name": "description"})
    assert description is not None and description["content"] == "زمین و نان What do you think?"
    og = {meta["property"]: meta["content"] for meta in page.find_all("meta", property=True)}
    assert og["og:title"] == "زمین و نان" and og["og:type"] == "article"
    assert og["og:url"] == f"http://testserver/topics/{topic.id}"
    assert "Accept-Language" in response.headers["vary"]


async def test_robots_txt_and_the_sitemap_list_what_crawlers_may_read(client: httpx.AsyncClient) -> None:
    topic = await make_topic("Mapped")
    robots = await client.get("/robots.txt")
    assert robots.status_code == 200 and robots.headers["content-type"].startswith("text/plain")
    lines = robots.text.splitlines()
    assert "Disallow: /moderation" in lines and "Sitemap: http://testserver/sitemap.xml" in lines
    sitemap = await client.get("/sitemap.xml")
    assert sitemap.status_code == 200
    root = ET.fromstring(sitemap.content)
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locations = [loc.text for loc in root.findall("s:url/s:loc", namespace)]
    assert "http://testserver/" in locations
    assert f"http://testserver/topics/{topic.id}" in locations
    assert f"http://testserver/categories/{topic.category_id}" in locations
