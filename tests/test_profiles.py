"""Public profiles at /members/{name}, linked from every author name in threads."""

from __future__ import annotations

import httpx
from bs4 import BeautifulSoup

from forum.config import Settings
from forum.models import Role
from forum.moderation import actions
from tests.conftest import QueryCounter
from tests.factories import login, make_reply, make_topic, make_user


def parse(response: httpx.Response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


async def test_a_profile_shows_approved_posts_only(client: httpx.AsyncClient, database: Settings) -> None:
    moderator = await make_user("guardian", role=Role.MODERATOR)
    writer = await make_user("نسرین", language="fa")
    topic = await make_topic("Land reform")
    shown = await actions.approve((await make_reply(topic, writer, database, "Shown in English.")).id, moderator)
    persian = await make_reply(topic, writer, database, "پاسخی به فارسی با گچ و ژاله.", language="fa")
    await actions.approve(persian.id, moderator)
    await make_reply(topic, writer, database, "Still pending.")
    rejected = await make_reply(topic, writer, database, "Rejected words.")
    await actions.reject(rejected.id, moderator, "No.")
    hidden = await make_reply(topic, writer, database, "Hidden words.")
    await actions.approve(hidden.id, moderator)
    await actions.hide(hidden.id, moderator, "abuse", "")

    response = await client.get("/members/نسرین?lang=ar")
    assert response.status_code == 200
    page = parse(response)
    assert page.h1 is not None and page.h1.get_text(strip=True) == "نسرین"
    text = page.get_text()
    assert "Shown in English." in text and "گچ و ژاله" in text
    assert "Still pending" not in text and "Rejected words" not in text and "Hidden words" not in text
    links = {a["href"] for a in page.select("ul.my-posts a")}
    assert links == {f"/posts/{shown.id}", f"/posts/{persian.id}"}
    assert page.select_one(".badge-level") is not None
    assert (await client.get("/members/nobody-here")).status_code == 404


async def test_author_names_in_a_thread_link_to_their_profile(client: httpx.AsyncClient, database: Settings) -> None:
    writer = await make_user("Omid", trusted=True)
    topic = await make_topic("Strikes")
    await make_reply(topic, writer, database, "A word.")
    page = parse(await client.get(f"/topics/{topic.id}"))
    link = page.select_one("h3.post-author a")
    assert link is not None and link["href"] == "/members/Omid"
    assert (await client.get("/members/omid")).status_code == 200  # any case


async def test_a_profile_costs_a_fixed_number_of_queries(
    client: httpx.AsyncClient, database: Settings, count_queries: QueryCounter
) -> None:
    writer = await make_user("prolific", trusted=True)
    topics = [await make_topic(f"Topic {n}") for n in range(3)]
    for n in range(12):
        await make_reply(topics[n % 3], writer, database, f"Reply number {n}.")
    await login(client, "prolific")
    count_queries.statements.clear()
    assert (await client.get("/members/prolific")).status_code == 200
    # Six for the profile, one for the unread notices in the header of a member's page.
    assert len(count_queries.statements) <= 7, count_queries.statements
