"""Translations beyond the thread: feeds in a language, search, and the language filter that keeps the tree."""

from __future__ import annotations

import feedparser
import httpx
from bs4 import BeautifulSoup

from forum.config import Settings
from forum.models import Post, Role, Topic, User
from forum.translations import service
from tests.factories import login, make_reply, make_topic, make_user

ARABIC = "الإضراب العام في حلب مستمر"
PERSIAN = "اعتصاب عمومی در حلب ادامه دارد"


async def translated_post(settings: Settings) -> tuple[Post, User]:
    topic = await make_topic("Strikes")
    post = await make_reply(topic, await make_user("writer", trusted=True), settings, ARABIC, language="ar")
    return post, await make_user("translator", trusted=True)


async def feed(client: httpx.AsyncClient, url: str) -> feedparser.FeedParserDict:
    response = await client.get(url)
    assert response.status_code == 200
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo
    return parsed


async def test_feeds_in_a_language_carry_its_approved_translations_only(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    post, translator = await translated_post(settings)
    pending = await service.offer_translation(post, await make_user("newcomer"), "ترجمه در انتظار", "fa", settings)
    assert pending.status == "pending"
    for url in ("/feeds/latest.rss?lang=fa", f"/topics/{post.topic_id}/feed.rss?lang=fa"):
        assert "در انتظار" not in (await client.get(url)).text
    before = (await client.get("/feeds/latest.rss?lang=fa")).headers["etag"]

    await service.offer_translation(post, translator, PERSIAN, "fa", settings)
    latest = await feed(client, "/feeds/latest.rss?lang=fa")
    assert (await client.get("/feeds/latest.rss?lang=fa")).headers["etag"] != before
    [item] = latest.entries
    assert item.link.endswith(f"/posts/{post.id}?read=fa")
    assert item.author == "translator"
    assert "writer" in item.title and "translator" in item.title
    body = BeautifulSoup(item.content[0].value, "html.parser").div
    assert body is not None and (body["lang"], body["dir"]) == ("fa", "rtl") and body.get_text() == PERSIAN
    topic_feed = await feed(client, f"/topics/{post.topic_id}/feed.rss?lang=fa")
    links = [entry.link for entry in topic_feed.entries]
    assert any(link.endswith(f"/posts/{post.id}?read=fa") for link in links)
    assert any(link.endswith(f"/posts/{post.id}") for link in links)
    # Other languages' feeds are left as they were.
    assert PERSIAN not in (await client.get("/feeds/latest.rss?lang=en")).text


async def test_search_finds_a_post_by_its_translation_until_it_is_hidden(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    post, translator = await translated_post(settings)

    async def found(q: str, **params: str) -> list[str]:
        page = BeautifulSoup((await client.get("/search", params={"q": q, **params})).text, "html.parser")
        return [str(a["href"]).removeprefix("http://testserver") for a in page.select(".search-result-title a")]

    await service.offer_translation(post, await make_user("newcomer"), PERSIAN, "fa", settings)
    assert await found("اعتصاب") == []  # waiting for a moderator: not found
    translation = await service.offer_translation(post, translator, PERSIAN, "fa", settings)
    assert await found("اعتصاب") == [f"/posts/{post.id}"]
    assert await found("اعتصاب", language="fa") == [f"/posts/{post.id}"]
    assert await found("الإضراب") == [f"/posts/{post.id}"]
    moderator = await make_user("mod", role=Role.MODERATOR)
    await service.hide_translation(translation.id, moderator, "abuse")
    assert await found("اعتصاب") == []
    assert await found("الإضراب") == [f"/posts/{post.id}"]


async def build_tree(settings: Settings) -> tuple[Topic, dict[str, Post]]:
    """Roots in English, Arabic and Persian; under the English root an Arabic answer, and under it a Persian one."""
    topic = await make_topic("Languages")
    author = await make_user("author", trusted=True)
    posts = {
        "en": await make_reply(topic, author, settings, "An English root", language="en"),
        "ar": await make_reply(topic, author, settings, "جذر عربي", language="ar"),
        "fa": await make_reply(topic, author, settings, "ریشهٔ فارسی", language="fa"),
    }
    posts["en-ar"] = await make_reply(topic, author, settings, "رد عربي", parent=posts["en"], language="ar")
    posts["en-ar-fa"] = await make_reply(topic, author, settings, "پاسخ فارسی", parent=posts["en-ar"], language="fa")
    return topic, posts


def shape(page: BeautifulSoup) -> list[tuple[str, int]]:
    """Each post element and how many lists it is nested in: the tree's shape."""
    return [(str(article["id"]), len(article.find_parents("ol"))) for article in page.select("article.post")]


async def test_the_language_filter_keeps_the_tree_with_placeholders(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    topic, posts = await build_tree(settings)
    await service.offer_translation(posts["ar"], await make_user(trusted=True), "ترجمهٔ فارسی", "fa", settings)
    everything = BeautifulSoup((await client.get(f"/topics/{topic.id}")).text, "html.parser")
    filtered = BeautifulSoup((await client.get(f"/topics/{topic.id}?only=fa")).text, "html.parser")
    assert shape(filtered) == shape(everything)
    left_out = {str(a["id"]) for a in filtered.select("article.post-placeholder")}
    assert left_out == {f"post-{posts[key].id}" for key in ("en", "en-ar")}
    # The Arabic root stays, shown in its Persian translation.
    ar = filtered.select_one(f"#post-{posts['ar'].id}")
    assert not ar.select_one(".post-translation[data-text=fa]").has_attr("hidden")
    assert filtered.select_one("input[name=only][value=fa]").has_attr("checked")
    show = filtered.select_one(f"#post-{posts['en'].id} a")
    assert show is not None and f"show={posts['en'].id}" in show["href"] and "only=fa" in show["href"]
    shown = BeautifulSoup((await client.get(show["href"])).text, "html.parser")
    assert not shown.select_one(f"#post-{posts['en'].id}")["class"].count("post-placeholder")


async def test_the_filter_on_pages_and_deep_branches(
    client: httpx.AsyncClient, tmp_path: object, settings: Settings
) -> None:
    topic = await make_topic("Long")
    author = await make_user("author", trusted=True)
    for n in range(25):
        await make_reply(topic, author, settings, f"Root {n}", language="en" if n % 2 else "fa")
    deep = await make_reply(topic, author, settings, "ریشه", language="fa")
    parent = deep
    for n in range(8):
        parent = await make_reply(topic, author, settings, f"Level {n}", parent=parent, language="en")
    await login(client, (await make_user("reader")).username)
    first = BeautifulSoup((await client.get(f"/topics/{topic.id}?only=fa")).text, "html.parser")
    following = first.select_one("a[rel=next]")
    assert following is not None and "only=fa" in following["href"]
    second = await client.get(following["href"])
    assert second.status_code == 200
    page = BeautifulSoup(second.text, "html.parser")
    everything = BeautifulSoup((await client.get(following["href"].replace("only=fa", ""))).text, "html.parser")
    assert shape(page) == shape(everything)
    branch = page.select_one(".continue a")
    assert branch is not None
    deep_page = await client.get(f"{branch['href'].split('#')[0]}&only=fa")
    assert deep_page.status_code == 200
    deep_tree = BeautifulSoup(deep_page.text, "html.parser")
    assert deep_tree.select("article.post-placeholder")
    assert shape(deep_tree) == shape(BeautifulSoup((await client.get(branch["href"])).text, "html.parser"))
