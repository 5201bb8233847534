"""What is new since the last visit, drafts that survive, and the personal feed."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import httpx
import pytest
from bs4 import BeautifulSoup

from forum.config import Settings
from forum.models import Draft, Role
from forum.moderation import actions
from tests.conftest import QueryCounter, make_settings
from tests.factories import PASSWORD, csrf_from, login, make_reply, make_topic, make_user


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    # Two top-level replies per page, so that a short thread has several pages.
    return make_settings(tmp_path, db_url, posts={"replies_per_page": 2})


def soup(response: httpx.Response) -> BeautifulSoup:
    assert response.status_code == 200, response.text[:300]
    return BeautifulSoup(response.text, "html.parser")


async def new_badge(client: httpx.AsyncClient, topic_id: int) -> str | None:
    page = soup(await client.get("/"))
    row = next(li for li in page.select("li.topic-row") if li.a and li.a["href"].endswith(f"/topics/{topic_id}"))  # type: ignore[union-attr]
    badge = row.select_one(".badge-new")
    return badge.get_text() if badge else None


async def test_new_posts_are_marked_and_the_jump_leads_to_the_right_page(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    topic = await make_topic("Strikes")
    writer = await make_user("writer", trusted=True)
    reader = await make_user("reader", trusted=True)
    first = await make_reply(topic, writer, settings, "one")
    await make_reply(topic, writer, settings, "two")
    await login(client, reader.username)
    assert await new_badge(client, topic.id) is None
    await client.get(f"/topics/{topic.id}")
    later = [await make_reply(topic, writer, settings, text) for text in ("three", "four", "five")]
    answer = await make_reply(topic, writer, settings, "six, under one", parent=first)
    assert await new_badge(client, topic.id) == "4 new replies"

    page = soup(await client.get(f"/topics/{topic.id}"))
    assert [a["id"] for a in page.select("article.post-new")] == [f"post-{answer.id}"]
    jump = page.select_one(".jump-unread a")
    assert jump is not None and str(jump["href"]).endswith(f"/posts/{later[0].id}")
    landing = await client.get(str(jump["href"]))
    assert landing.headers["location"].endswith(f"?page=2#post-{later[0].id}")

    # Reading on: the marker passes what was seen, and stops before what was not.
    await client.get(f"/topics/{topic.id}?page=2")
    await client.get(f"/topics/{topic.id}?page=3")
    assert await new_badge(client, topic.id) == "1 new reply"
    page = soup(await client.get(f"/topics/{topic.id}"))
    assert page.select_one(".jump-unread") is None
    assert await new_badge(client, topic.id) is None
    # The writer's own replies are never new to them.
    client.cookies.clear()
    await login(client, writer.username)
    await client.get(f"/topics/{topic.id}")
    await make_reply(topic, writer, settings, "seven")
    assert await new_badge(client, topic.id) is None


async def test_the_topic_list_marks_cost_the_same_for_few_and_many_topics(
    client: httpx.AsyncClient, settings: Settings, count_queries: QueryCounter
) -> None:
    reader = await make_user("reader", trusted=True)
    writer = await make_user("writer", trusted=True)
    await login(client, reader.username)
    costs = []
    for count in (2, 12):
        while await _topics() < count:
            topic = await make_topic()
            await client.get(f"/topics/{topic.id}")
            await make_reply(topic, writer, settings, "news")
        count_queries.statements.clear()
        assert (await client.get("/")).status_code == 200
        costs.append(len(count_queries.statements))
    assert costs[0] == costs[1], count_queries.statements


async def _topics() -> int:
    from forum.models import Topic

    return await Topic.all().count()


async def test_a_draft_survives_logging_out_and_goes_when_posted(client: httpx.AsyncClient, settings: Settings) -> None:
    topic = await make_topic()
    writer = await make_user("writer", trusted=True)
    member = await make_user("member", trusted=True)
    parent = await make_reply(topic, writer, settings, "A question")
    token = await login(client, member.username)
    saved = await client.post(f"/topics/{topic.id}/draft", data={"csrf_token": token, "body": "Half of my answer"})
    assert saved.status_code == 303 and "draft=saved" in saved.headers["location"]
    form = soup(await client.get(saved.headers["location"]))
    assert form.select_one("textarea[name=body]").get_text() == "Half of my answer"  # type: ignore[union-attr]
    assert form.select_one("p.notice[role=status]") is not None
    # The page's script saves as the member types, to a draft of its own per parent post.
    autosaved = await client.post(
        f"/topics/{topic.id}/draft",
        data={"csrf_token": token, "body": "To the question", "parent_id": str(parent.id), "lang": "en"},
        headers={"X-Autosave": "1"},
    )
    assert autosaved.status_code == 204
    too_long = await client.post(f"/topics/{topic.id}/draft", data={"csrf_token": token, "body": "x" * 20001})
    assert "draft=too-long" in too_long.headers["location"]

    await client.post("/logout", data={"csrf_token": token})
    await login(client, member.username, PASSWORD)
    response = await client.get(f"/topics/{topic.id}")
    thread = soup(response)
    assert thread.select_one("#reply textarea[name=body]").get_text() == "Half of my answer"  # type: ignore[union-attr]
    reply_page = soup(await client.get(f"/topics/{topic.id}/reply?parent_id={parent.id}"))
    assert reply_page.select_one("textarea[name=body]").get_text() == "To the question"  # type: ignore[union-attr]

    token = csrf_from(response.text)
    fields = {"csrf_token": token, "body": "To the question, finished", "parent_id": str(parent.id)}
    assert (await client.post(f"/topics/{topic.id}/replies", data=fields)).status_code == 303
    assert await Draft.filter(user_id=member.id).values_list("parent_key", flat=True) == [0]


async def test_the_personal_feed_carries_notices_and_a_new_address_retires_the_old(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    topic = await make_topic("Feeds")
    member = await make_user("member", trusted=True)
    writer = await make_user("writer", trusted=True)
    moderator = await make_user("mod", role=Role.MODERATOR)
    mine = await make_reply(topic, member, settings, "Mine")
    answer = await make_reply(topic, writer, settings, "An answer with **bold**", parent=mine)
    await login(client, member.username)
    profile = await client.get("/profile")
    address = soup(profile).select_one("code.feed-address").get_text()  # type: ignore[union-attr]
    path = address.removeprefix("http://testserver")
    client.cookies.clear()  # a feed reader has no session

    response = await client.get(path)
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/rss+xml")
    assert response.headers["cache-control"].startswith("private") and "set-cookie" not in response.headers
    items = ET.fromstring(response.content).findall("channel/item")
    assert [item.findtext("title") for item in items] == [
        "\u2068writer\u2069 replied to your post in “\u2068Feeds\u2069”"
    ]
    assert f"/posts/{answer.id}" in (items[0].findtext("link") or "")
    again = await client.get(path, headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304

    # The post hidden, its notice goes from the feed, which says it changed.
    await actions.hide(answer.id, moderator, "abuse")
    changed = await client.get(path, headers={"If-None-Match": response.headers["etag"]})
    assert changed.status_code == 200 and ET.fromstring(changed.content).findall("channel/item") == []

    # Another member's id with this digest, or a digest guessed, is nothing.
    user_id, digest = path.removeprefix("/feeds/me/").removesuffix(".rss").split("-")
    assert (await client.get(f"/feeds/me/{writer.id}-{digest}.rss")).status_code == 404
    assert (await client.get(f"/feeds/me/{user_id}-{'0' * 32}.rss")).status_code == 404
    assert (await client.get("/feeds/me/nothing.rss")).status_code == 404

    token = await login(client, member.username)
    assert (await client.post("/profile/feed", data={"csrf_token": token})).status_code == 303
    new_address = soup(await client.get("/profile")).select_one("code.feed-address").get_text()  # type: ignore[union-attr]
    assert new_address != address
    client.cookies.clear()
    assert (await client.get(path)).status_code == 404
    assert (await client.get(new_address.removeprefix("http://testserver"))).status_code == 200
