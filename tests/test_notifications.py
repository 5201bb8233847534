"""Notices of replies, mentions, quotes and decisions; watching and muting; who is told what, and when."""

from __future__ import annotations

import httpx
from bs4 import BeautifulSoup

from forum.config import Settings
from forum.discussions import posts
from forum.models import Notification, Post, Role, Topic, TrustLevel, User
from forum.moderation import actions
from tests.conftest import QueryCounter
from tests.factories import csrf_from, login, make_reply, make_topic, make_user

ISOLATES = dict.fromkeys([0x2068, 0x2069])


async def notices(client: httpx.AsyncClient) -> list[str]:
    """The sentences on the member's notifications page, newest first."""
    response = await client.get("/notifications")
    assert response.status_code == 200
    page = BeautifulSoup(response.text, "html.parser")
    # Names and titles come isolated (FSI ... PDI), each in its own direction.
    return [item.a.get_text(" ", strip=True).translate(ISOLATES) for item in page.select("li.notice-item")]


async def header_count(client: httpx.AsyncClient, url: str = "/") -> int:
    page = BeautifulSoup((await client.get(url)).text, "html.parser")
    assert page.select_one("a.notices-link") is not None
    badge = page.select_one("#unread-notices")
    return int(badge.contents[0].strip()) if badge else 0


async def switch(client: httpx.AsyncClient, user: User) -> str:
    client.cookies.clear()
    return await login(client, user.username)


async def test_a_reply_to_my_post_is_a_notice_with_a_count_in_the_header(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    topic = await make_topic("Land reform")
    author = await make_user("nasrin", trusted=True)
    answerer = await make_user("omar", trusted=True)
    mine = await make_reply(topic, author, settings, "My view.")
    token = await login(client, answerer.username)
    response = await client.post(
        f"/topics/{topic.id}/replies", data={"csrf_token": token, "body": "I disagree.", "parent_id": str(mine.id)}
    )
    assert response.status_code == 303

    await switch(client, author)
    assert await header_count(client) == 1
    assert await notices(client) == ["omar replied to your post in “Land reform”"]
    page = BeautifulSoup((await client.get("/notifications")).text, "html.parser")
    answer = await Post.get(author=answerer)
    assert page.select_one("li.notice-item a")["href"].endswith(f"/posts/{answer.id}")  # type: ignore[index]

    # Marking it read empties the count; reading all does the same for the rest.
    notice = await Notification.get(user_id=author.id)
    token = csrf_from((await client.get("/notifications")).text)
    marked = await client.post("/notifications/read", data={"csrf_token": token, "notice": str(notice.id)})
    assert marked.status_code == 303
    assert await header_count(client) == 0
    await make_reply(topic, answerer, settings, "And another thing.", parent=mine)
    assert await header_count(client) == 1
    assert (await client.post("/notifications/read", data={"csrf_token": token})).status_code == 303
    assert await header_count(client) == 0


async def test_a_pending_reply_tells_nobody_until_approved_and_a_hidden_one_disappears(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    topic = await make_topic()
    author = await make_user("first", trusted=True)
    newcomer = await make_user("newcomer")
    moderator = await make_user("mod", role=Role.MODERATOR)
    mine = await make_reply(topic, author, settings, "Question?")
    pending = await make_reply(topic, newcomer, settings, "Answer, still pending", parent=mine)
    assert await Notification.filter(user_id=author.id).count() == 0

    await switch(client, author)
    assert await notices(client) == []
    await actions.approve(pending.id, moderator)
    assert len(await notices(client)) == 1
    await switch(client, newcomer)
    assert [text.startswith("Your post in") for text in await notices(client)] == [True]

    await actions.hide(pending.id, moderator, "abuse", "Insults")
    await switch(client, author)
    assert await notices(client) == []
    assert await header_count(client) == 0
    await actions.restore(pending.id, moderator)
    assert len(await notices(client)) == 1


async def test_a_rejection_tells_its_reason_and_flaggers_hear_the_decision(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    topic = await make_topic()
    newcomer = await make_user("newcomer")
    moderator = await make_user("mod", role=Role.MODERATOR)
    reader = await make_user("reader", level=TrustLevel.MEMBER)
    rejected = await make_reply(topic, newcomer, settings, "Spam spam")
    await actions.reject(rejected.id, moderator, "Advertising is not allowed here.")
    await switch(client, newcomer)
    assert "Advertising is not allowed here." in (await notices(client))[0]

    trusted = await make_user("writer", trusted=True)
    flagged = await make_reply(topic, trusted, settings, "Something rude")
    kept = await make_reply(topic, trusted, settings, "Something fine")
    await actions.flag(flagged, reader, "abuse", "", settings)
    await actions.flag(kept, reader, "spam", "", settings)
    await actions.hide(flagged.id, moderator, "abuse")
    await actions.dismiss_flags(kept.id, moderator)
    await switch(client, reader)
    said = await notices(client)
    assert len(said) == 2
    assert "kept a post you flagged" in said[0] and "hid a post you flagged" in said[1]


async def test_watching_muting_and_replying_watches(client: httpx.AsyncClient, settings: Settings) -> None:
    topic = await make_topic("Unions")
    writer = await make_user("writer", trusted=True)
    watcher = await make_user("watcher", trusted=True)
    token = await login(client, watcher.username)
    page = BeautifulSoup((await client.get(f"/topics/{topic.id}")).text, "html.parser")
    assert page.select_one("form.watch-form button[value=watching]") is not None
    await client.post(f"/topics/{topic.id}/watch", data={"csrf_token": token, "level": "watching"})
    profile = BeautifulSoup((await client.get("/profile")).text, "html.parser")
    assert [a.get_text() for a in profile.select(".watched-topics a")] == ["Unions"]

    await make_reply(topic, writer, settings, "News from the factory.")
    assert len(await notices(client)) == 1
    assert "a topic you watch" in (await notices(client))[0]

    # Muted: even a reply to the watcher's own post tells them nothing.
    mine = await make_reply(topic, watcher, settings, "Mine")
    await client.post(f"/topics/{topic.id}/watch", data={"csrf_token": token, "level": "muted"})
    await make_reply(topic, writer, settings, "An answer to you", parent=mine)
    assert len(await notices(client)) == 1
    assert (await client.post(f"/topics/{topic.id}/watch", data={"csrf_token": token, "level": "x"})).status_code == 422

    # Replying watched the writer's topic for them, unless they turn that off.
    await switch(client, writer)
    response = await client.get("/profile")
    profile = BeautifulSoup(response.text, "html.parser")
    assert [a.get_text() for a in profile.select(".watched-topics a")] == ["Unions"]
    token = csrf_from(response.text)
    await client.post("/profile/notices", data={"csrf_token": token})
    other = await make_topic("Other")
    await make_reply(other, writer, settings, "Just once.")
    profile = BeautifulSoup((await client.get("/profile")).text, "html.parser")
    assert [a.get_text() for a in profile.select(".watched-topics a")] == ["Unions"]
    assert profile.select_one("input[name=watch_replied]").get("checked") is None  # type: ignore[union-attr]


async def test_a_mention_links_to_the_member_and_tells_them(client: httpx.AsyncClient, settings: Settings) -> None:
    topic = await make_topic()
    shirin = await make_user("شیرین", trusted=True)
    writer = await make_user("writer", trusted=True)
    post = await make_reply(topic, writer, settings, "What do you think, @شیرین? And @nobody, and mail@example.org.")
    page = BeautifulSoup((await client.get(f"/topics/{topic.id}")).text, "html.parser")
    links = page.select(f"#post-{post.id} a.mention")
    assert [(a.get_text(), a["href"]) for a in links] == [("@شیرین", "/members/%D8%B4%DB%8C%D8%B1%DB%8C%D9%86")]
    await login(client, shirin.username)
    assert "mentioned you" in (await notices(client))[0]

    # An edit that names someone new tells them, and only them, once.
    omar = await make_user("Omar", trusted=True)
    await posts.edit_post(post, writer, "Now @omar and @شیرین too.", settings)
    await posts.edit_post(post, writer, "Now @Omar and @شیرین, again.", settings)
    told = await Notification.filter(kind="mention").order_by("id").values_list("user_id", flat=True)
    assert told == [shirin.id, omar.id]


async def test_a_member_under_premoderation_mentions_few(client: httpx.AsyncClient, settings: Settings) -> None:
    topic = await make_topic()
    names = [await make_user(f"named{n}") for n in range(5)]
    newcomer = await make_user("newcomer")
    moderator = await make_user("mod", role=Role.MODERATOR)
    post = await make_reply(topic, newcomer, settings, " ".join(f"@{user.username}" for user in names))
    assert post.html.count('class="mention"') == settings.moderation.max_mentions_untrusted
    await actions.approve(post.id, moderator)
    told = await Notification.filter(kind="mention").values_list("user_id", flat=True)
    assert sorted(told) == [user.id for user in names[: settings.moderation.max_mentions_untrusted]]


async def test_quoting_without_javascript_fills_the_form_and_tells_the_author(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    topic = await make_topic()
    author = await make_user("author", trusted=True)
    quoter = await make_user("quoter", trusted=True)
    original = await make_reply(topic, author, settings, "Line one\nLine two")
    await login(client, quoter.username)
    thread = BeautifulSoup((await client.get(f"/topics/{topic.id}")).text, "html.parser")
    link = thread.select_one(f"#post-{original.id} a.quote-link")
    assert link is not None
    response = await client.get(str(link["href"]))
    form = BeautifulSoup(response.text, "html.parser")
    body = form.select_one("textarea[name=body]").get_text()  # type: ignore[union-attr]
    assert body.startswith("> Line one\n> Line two\n>\n> — [author](/posts/")
    assert form.select_one("input[name=parent_id]")["value"] == str(original.id)  # type: ignore[index]

    token = csrf_from(response.text)
    fields = {"csrf_token": token, "body": body + "Quite so, but not from @quoter.", "parent_id": str(original.id)}
    assert (await client.post(f"/topics/{topic.id}/replies", data=fields)).status_code == 303
    # One notice for the author: the quote says more than the reply.
    assert await Notification.filter(user_id=author.id).values_list("kind", flat=True) == ["quote"]
    # Unknown or unreadable quotes leave the form empty rather than fail.
    assert (await client.get(f"/topics/{topic.id}/reply?quote=999999")).status_code == 200


async def test_one_reply_tells_two_or_sixty_watchers_in_the_same_queries(
    database: Settings, count_queries: QueryCounter
) -> None:
    from forum.models import TopicState, WatchLevel

    few, many = await make_topic("Few"), await make_topic("Many")
    writer = await make_user("writer", trusted=True)
    watchers = [await make_user(f"watcher{n}") for n in range(60)]
    await TopicState.bulk_create(
        [TopicState(user_id=w.id, topic_id=few.id, level=WatchLevel.WATCHING) for w in watchers[:2]]
        + [TopicState(user_id=w.id, topic_id=many.id, level=WatchLevel.WATCHING) for w in watchers]
    )
    costs = []
    for topic in (few, many):
        await make_reply(topic, writer, database, "warm up")
        count_queries.statements.clear()
        await make_reply(topic, writer, database, f"Hello {topic.id}")
        costs.append(len(count_queries.statements))
    assert costs[0] == costs[1], count_queries.statements
    assert await Notification.filter(post__topic_id=many.id).count() == 2 * len(watchers)


async def test_unknown_topics_and_strangers_get_nothing(client: httpx.AsyncClient) -> None:
    assert (await client.get("/notifications")).status_code == 303
    member = await make_user("member")
    token = await login(client, member.username)
    assert (
        await client.post("/topics/99999/watch", data={"csrf_token": token, "level": "watching"})
    ).status_code == 404
    assert (await client.post("/notifications/read", data={})).status_code == 400
    assert (await client.get("/notifications?page=2")).status_code == 404
    assert (await client.get("/notifications?lang=fa")).status_code == 200
    assert await Topic.all().count() == 0


async def test_notices_and_the_profile_read_right_to_left(client: httpx.AsyncClient, settings: Settings) -> None:
    topic = await make_topic(texts={"en": "Councils", "fa": "شوراها", "ar": "المجالس"})
    member = await make_user("member", trusted=True)
    writer = await make_user("نویسنده", trusted=True)
    mine = await make_reply(topic, member, settings, "Mine")
    await make_reply(topic, writer, settings, "پاسخ من", parent=mine)
    await login(client, member.username)
    for language, expected in (
        ("fa", "نویسنده به نوشتهٔ شما در «شوراها» پاسخ داد"),
        ("ar", "ردّ نویسنده على مشاركتك في «المجالس»"),
    ):
        page = BeautifulSoup((await client.get(f"/notifications?lang={language}")).text, "html.parser")
        assert page.html["dir"] == "rtl"  # type: ignore[index]
        assert [a.get_text().translate(ISOLATES) for a in page.select("li.notice-item a")] == [expected]
        for url in ("/profile", f"/topics/{topic.id}", "/"):
            response = await client.get(f"{url}?lang={language}")
            assert response.status_code == 200 and 'dir="rtl"' in response.text
