"""Trust levels over HTTP: weighted flags, promotion, levels set by hand, topics opened by trusted members."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from bs4 import BeautifulSoup, Tag

from forum.app import create_app
from forum.config import Settings
from forum.models import (
    Action,
    Category,
    Flag,
    ModerationAction,
    Post,
    PostStatus,
    Role,
    Topic,
    TrustLevel,
    User,
)
from forum.moderation import actions
from tests.factories import PASSWORD, csrf_from, login, make_reply, make_topic, make_user

OLD = timedelta(days=30)


def parse(response: httpx.Response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


async def switch_to(client: httpx.AsyncClient, username: str) -> str:
    client.cookies.clear()
    return await login(client, username)


async def flag_as(client: httpx.AsyncClient, username: str, post: Post) -> httpx.Response:
    token = await switch_to(client, username)
    response = await client.post(f"/posts/{post.id}/flag", data={"csrf_token": token, "reason": "abuse"})
    assert response.status_code == 200, response.text
    return response


async def register(client: httpx.AsyncClient, username: str) -> str:
    """Register through the form, as a brigade would; returns the new session's CSRF token."""
    client.cookies.clear()
    token = csrf_from((await client.get("/register")).text)
    response = await client.post(
        "/register",
        data={"username": username, "password": PASSWORD, "password_confirm": PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 200 and "recovery codes" in response.text, response.text
    return csrf_from((await client.get("/")).text)


async def placeholder_text(client: httpx.AsyncClient, topic: Topic, post: Post, language: str = "en") -> str:
    page = parse(await client.get(f"/topics/{topic.id}", params={"lang": language}))
    article = page.find("article", id=f"post-{post.id}")
    assert isinstance(article, Tag), f"post {post.id} is not on the page"
    text = article.select_one(".placeholder-text")
    assert text is not None, "the post is not a placeholder"
    return text.get_text(" ", strip=True)


async def test_three_fresh_accounts_cannot_hide_anything(client: httpx.AsyncClient, settings: Settings) -> None:
    topic = await make_topic()
    for level in TrustLevel:
        author = await make_user(f"author-{level}", level=level, age=OLD)
        post = await make_reply(topic, author, settings.replace(moderation={"mode": "none"}), f"By a {level}")
        for n in range(3):
            # Registered a moment earlier, flagging at once.
            token = await register(client, f"brigade-{level}-{n}")
            response = await client.post(f"/posts/{post.id}/flag", data={"csrf_token": token, "reason": "abuse"})
            assert response.status_code == 200 and "Thank you" in response.text
        assert (await Post.get(id=post.id)).status == PostStatus.APPROVED
        assert [f.weight for f in await Flag.filter(post_id=post.id)] == [0, 0, 0]
    assert not await ModerationAction.filter(action=Action.AUTO_HIDE).exists()

    # Every one of those reports still reaches the moderators.
    await make_user("mod", role=Role.MODERATOR)
    await switch_to(client, "mod")
    queue = parse(await client.get("/moderation"))
    assert len(queue.select("li.queue-item")) == 3
    assert all(len(item.select("ul.flags li")) == 3 for item in queue.select("li.queue-item"))


async def test_young_accounts_weigh_nothing_whatever_their_level(client: httpx.AsyncClient, settings: Settings) -> None:
    topic = await make_topic()
    post = await make_reply(topic, await make_user("author", level=TrustLevel.MEMBER, age=OLD), settings, "Text")
    for n in range(3):
        await make_user(f"young{n}", level=TrustLevel.TRUSTED, age=timedelta(hours=1))
        await flag_as(client, f"young{n}", post)
    assert (await Post.get(id=post.id)).status == PostStatus.APPROVED


async def test_three_members_hide_a_members_post_until_a_moderator_decides(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    assert settings.trust.hide_at_flag_weight == 3 * settings.trust.flag_weight_member
    topic = await make_topic()
    author = await make_user("author", level=TrustLevel.MEMBER, age=OLD)
    post = await make_reply(topic, author, settings, "An insult")
    await make_reply(topic, author, settings, "An answer below it", parent=post)
    for n in range(3):
        await make_user(f"reader{n}", level=TrustLevel.MEMBER, age=OLD)
        await flag_as(client, f"reader{n}", post)
        expected = PostStatus.HIDDEN if n == 2 else PostStatus.APPROVED
        assert (await Post.get(id=post.id)).status == expected

    client.cookies.clear()
    placeholders = {lang: await placeholder_text(client, topic, post, lang) for lang in ("en", "ar", "fa")}
    assert placeholders["en"] == ("This reply was hidden after readers' reports and waits for a moderator's decision.")
    assert len(set(placeholders.values())) == 3  # said in each language
    record = parse(await client.get("/transparency", params={"lang": "en"}))
    row = record.select("tbody tr")[0]
    assert "readers' reports" in row.get_text(" ") and "reader0" not in record.get_text()

    # The moderator keeps it hidden: now it is the moderators' decision, and the flaggers' record says so.
    await make_user("mod", role=Role.MODERATOR)
    token = await switch_to(client, "mod")
    response = await client.post(
        f"/moderation/posts/{post.id}/hide", data={"csrf_token": token, "reason_code": "abuse", "return_to": "queue"}
    )
    assert response.status_code == 303 and response.headers["location"].endswith("/moderation")
    stored = await Post.get(id=post.id)
    assert stored.status == PostStatus.HIDDEN and not stored.auto_hidden
    assert [u.flags_upheld for u in await User.filter(username__startswith="reader")] == [1, 1, 1]
    client.cookies.clear()
    assert await placeholder_text(client, topic, post) == "This reply was hidden by the moderators."
    decided_by = [
        row.select("td")[2].get_text(strip=True) for row in parse(await client.get("/transparency")).select("tbody tr")
    ]
    assert decided_by == ["a moderator", "readers' reports"]


async def test_a_trusted_and_a_member_reach_the_weight_together(client: httpx.AsyncClient, settings: Settings) -> None:
    topic = await make_topic()
    post = await make_reply(topic, await make_user("author", level=TrustLevel.MEMBER, age=OLD), settings, "Text")
    await make_user("veteran", level=TrustLevel.TRUSTED, age=OLD)
    await make_user("regular", level=TrustLevel.MEMBER, age=OLD)
    await flag_as(client, "veteran", post)
    assert (await Post.get(id=post.id)).status == PostStatus.APPROVED
    await flag_as(client, "regular", post)
    assert (await Post.get(id=post.id)).status == PostStatus.HIDDEN


@pytest.mark.parametrize("role", [Role.MODERATOR, Role.ADMIN])
async def test_nobody_hides_a_moderators_post_by_flags(
    client: httpx.AsyncClient, settings: Settings, role: Role
) -> None:
    topic = await make_topic()
    staff = await make_user("staff", role=role, age=OLD)
    post = await make_reply(topic, staff, settings, "A moderator explains a decision")
    for n in range(5):
        await make_user(f"veteran{n}", level=TrustLevel.TRUSTED, age=OLD)
        await flag_as(client, f"veteran{n}", post)
    assert (await Post.get(id=post.id)).status == PostStatus.APPROVED
    assert await Flag.filter(post_id=post.id, resolved_at=None).count() == 5
    await make_user("other-mod", role=Role.MODERATOR)
    await switch_to(client, "other-mod")
    item = parse(await client.get("/moderation")).find("li", id=f"queue-{post.id}")
    assert isinstance(item, Tag) and "never hide a moderator's post" in item.get_text(" ")


async def test_dismissed_flaggers_lose_their_weight(client: httpx.AsyncClient, settings: Settings) -> None:
    topic = await make_topic()
    author = await make_user("author", level=TrustLevel.MEMBER, age=OLD)
    complainer = await make_user("complainer", level=TrustLevel.TRUSTED, age=OLD)
    moderator = await make_user("mod", role=Role.MODERATOR)
    limit = settings.trust.flag_dismissals_to_lose_weight
    for n in range(limit):
        post = await make_reply(topic, author, settings, f"Fair opinion {n}")
        await flag_as(client, "complainer", post)
        await actions.dismiss_flags(post.id, moderator)
    assert (await User.get(id=complainer.id)).flags_dismissed == limit
    post = await make_reply(topic, author, settings, "Another fair opinion")
    await flag_as(client, "complainer", post)
    assert (await Flag.get(post_id=post.id)).weight == 0
    # An upheld flag gives weight back.
    await actions.hide(post.id, moderator, "abuse")
    later = await make_reply(topic, author, settings, "Yet another")
    await flag_as(client, "complainer", later)
    assert (await Flag.get(post_id=later.id)).weight == settings.trust.flag_weight_trusted


async def test_restoring_a_post_hidden_by_flags_dismisses_them(client: httpx.AsyncClient, settings: Settings) -> None:
    topic = await make_topic()
    post = await make_reply(topic, await make_user("author", level=TrustLevel.MEMBER, age=OLD), settings, "Text")
    for n in range(3):
        await make_user(f"reader{n}", level=TrustLevel.MEMBER, age=OLD)
        await flag_as(client, f"reader{n}", post)
    await make_user("mod", role=Role.MODERATOR)
    token = await switch_to(client, "mod")
    assert (await client.post(f"/moderation/posts/{post.id}/restore", data={"csrf_token": token})).status_code == 303
    assert (await Post.get(id=post.id)).status == PostStatus.APPROVED
    assert {(f.upheld, f.resolved_at is not None) for f in await Flag.filter(post_id=post.id)} == {(False, True)}
    assert [u.flags_dismissed for u in await User.filter(username__startswith="reader")] == [1, 1, 1]


async def read_thread(client: httpx.AsyncClient, topic: Topic) -> None:
    assert (await client.get(f"/topics/{topic.id}")).status_code == 200


async def a_day_passes(user: User) -> None:
    """Move the member's last reading day back by one, as if the night had passed."""
    await User.filter(id=user.id).update(last_seen_on=datetime.now(UTC).date() - timedelta(days=1))


async def test_promotion_happens_at_the_thresholds_and_is_logged(client: httpx.AsyncClient, database: Settings) -> None:
    settings = database.replace(
        trust={"member_approved_posts": 1, "member_days_visited": 2, "member_posts_read": 4},
    )
    client.app.state.settings = settings  # type: ignore[attr-defined]
    topic = await make_topic()
    writer = await make_user("writer", trusted=True)
    for n in range(3):
        await make_reply(topic, writer, settings, f"Reply {n}")
    moderator = await make_user("mod", role=Role.MODERATOR)
    newcomer = await make_user("newcomer")
    first = await make_reply(topic, newcomer, settings, "My first words")
    assert first.status == PostStatus.PENDING

    await switch_to(client, "newcomer")
    await read_thread(client, topic)  # day 1: three posts of others read
    await read_thread(client, topic)  # the same day again: six read, still one day
    member = await User.get(id=newcomer.id)
    assert (member.days_visited, member.posts_read, member.trust_level) == (1, 6, TrustLevel.NEW)

    await a_day_passes(member)
    await read_thread(client, topic)  # two days, but no approved post yet
    assert (await User.get(id=newcomer.id)).trust_level == TrustLevel.NEW

    await actions.approve(first.id, moderator)
    await read_thread(client, topic)  # every threshold reached: promoted on this page view
    promoted = await User.get(id=newcomer.id)
    assert promoted.trust_level == TrustLevel.MEMBER and promoted.days_visited == 2
    entry = await ModerationAction.get(action=Action.PROMOTE)
    assert entry.moderator_id is None and entry.target_user_id == newcomer.id and entry.reason_code == "member"
    assert not entry.public

    token = await switch_to(client, "newcomer")
    response = await client.post(f"/topics/{topic.id}/replies", data={"csrf_token": token, "body": "Now at once"})
    assert response.status_code == 303
    assert (await Post.get(source="Now at once")).status == PostStatus.APPROVED

    await switch_to(client, "mod")
    log = parse(await client.get("/moderation/log", params={"action": "promote"}))
    cells = [td.get_text(" ", strip=True) for td in log.select("tbody tr td")]
    assert cells[1:5] == ["automatic", "Trust level raised by activity", "newcomer", "Member"]


async def test_a_level_set_by_hand_needs_a_reason_is_logged_and_stays(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    member = await make_user("member", level=TrustLevel.TRUSTED)
    await User.filter(id=member.id).update(approved_count=50, days_visited=50, posts_read=5000)
    await make_user("mod", role=Role.MODERATOR)
    token = await switch_to(client, "mod")
    url = f"/moderation/members/{member.id}/trust"
    page = parse(await client.get(f"/moderation/members/{member.id}"))
    assert not page.select('input[name="level"][checked]')
    missing = await client.post(url, data={"csrf_token": token, "level": "new", "reason": " "})
    assert missing.status_code == 422 and parse(missing).select_one("#trust-reason-error") is not None
    bad = await client.post(url, data={"csrf_token": token, "level": "owner", "reason": "x"})
    assert bad.status_code == 422
    done = await client.post(url, data={"csrf_token": token, "level": "new", "reason": "Brigading from this account"})
    assert done.status_code == 303
    demoted = await User.get(id=member.id)
    assert (demoted.trust_level, demoted.trust_locked) == (TrustLevel.NEW, True)
    entry = await ModerationAction.get(action=Action.SET_TRUST_LEVEL)
    assert (entry.reason_code, entry.reason) == ("new", "Brigading from this account")

    # Activity does not undo a moderator's choice...
    topic = await make_topic()
    await switch_to(client, "member")
    await read_thread(client, topic)
    assert (await User.get(id=member.id)).trust_level == TrustLevel.NEW
    # ...until a moderator hands the level back to it.
    token = await switch_to(client, "mod")
    await client.post(url, data={"csrf_token": token, "level": "automatic", "reason": "Talked it through"})
    await switch_to(client, "member")
    await read_thread(client, topic)
    assert (await User.get(id=member.id)).trust_level == TrustLevel.TRUSTED


async def test_moderators_levels_come_from_their_role(client: httpx.AsyncClient) -> None:
    other = await make_user("other", role=Role.MODERATOR)
    await make_user("boss", role=Role.ADMIN)
    token = await switch_to(client, "boss")
    page = parse(await client.get(f"/moderation/members/{other.id}"))
    assert page.select_one('form[action$="/trust"]') is None
    response = await client.post(
        f"/moderation/members/{other.id}/trust", data={"csrf_token": token, "level": "new", "reason": "x"}
    )
    assert response.status_code == 422
    assert (await User.get(id=other.id)).trust_level == TrustLevel.NEW  # unchanged, and irrelevant


async def test_trusted_members_open_topics_where_moderators_allow_it(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    await make_topic("Existing")
    category = await Category.first()
    assert category is not None
    await make_user("veteran", level=TrustLevel.TRUSTED)
    await make_user("regular", level=TrustLevel.MEMBER)
    await make_user("mod", role=Role.MODERATOR)
    fields = {"category": str(category.id), "title_en": "A member's question", "body_en": "What do we do next?"}

    token = await switch_to(client, "veteran")
    home = parse(await client.get("/"))
    assert not home.find("a", string="Open a topic in this category")
    assert (await client.get("/topics/new")).status_code == 403
    assert (await client.post("/topics/new", data={"csrf_token": token, **fields})).status_code == 403

    token = await switch_to(client, "mod")
    categories = parse(await client.get("/moderation/categories"))
    assert "Not allowed" in categories.get_text()
    response = await client.post(
        f"/moderation/categories/{category.id}/topics", data={"csrf_token": token, "allowed": "1"}
    )
    assert response.status_code == 303 and (await Category.get(id=category.id)).trusted_may_open
    again = await client.post(
        f"/moderation/categories/{category.id}/topics", data={"csrf_token": token, "allowed": "1"}
    )
    assert again.status_code == 409

    token = await switch_to(client, "regular")
    assert (await client.get("/topics/new")).status_code == 403

    token = await switch_to(client, "veteran")
    link = parse(await client.get("/")).find("a", string="Open a topic in this category")
    assert isinstance(link, Tag)
    form = parse(await client.get(str(link["href"])))
    assert form.select_one(f'#topic-category option[value="{category.id}"][selected]') is not None
    created = await client.post("/topics/new", data={"csrf_token": token, **fields})
    assert created.status_code == 303
    topic = await Topic.get(id=int(created.headers["location"].rsplit("/", 1)[1]))
    assert topic.author_id == (await User.get(username="veteran")).id
    assert await ModerationAction.filter(action=Action.CREATE_TOPIC, topic_id=topic.id).exists()
    assert await ModerationAction.filter(action=Action.ALLOW_MEMBER_TOPICS).exists()

    # In moderation mode "all" the member's posts are queued, and so no topic of theirs appears at once.
    client.app.state.settings = settings.replace(moderation={"mode": "all"})  # type: ignore[attr-defined]
    assert (await client.post("/topics/new", data={"csrf_token": token, **fields})).status_code == 403


@pytest.mark.parametrize(("mode", "rule_hits"), [("none", [303, 303]), ("first-posts", [303, 429])])
async def test_the_reply_limit_follows_pre_moderation(database: Settings, mode: str, rule_hits: list[int]) -> None:
    settings = database.replace(
        moderation={"mode": mode}, ratelimit={"reply": "5/minute", "reply_untrusted": "1/minute"}
    )
    app = create_app(settings, manage_database=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        topic = await make_topic()
        await make_user("newcomer")
        token = await login(client, "newcomer")
        statuses = []
        for n in range(2):
            response = await client.post(f"/topics/{topic.id}/replies", data={"csrf_token": token, "body": f"Hi {n}"})
            statuses.append(response.status_code)
        assert statuses == rule_hits
        if statuses[-1] == 429:
            error = parse(response).select_one(".form-error")
            assert error is not None
            assert error.get_text(strip=True).startswith("You are doing that too often. You can try again in ")
            persian = await client.post(
                f"/topics/{topic.id}/replies?lang=fa", data={"csrf_token": token, "body": "دوباره"}
            )
            assert persian.status_code == 429 and "دوباره امتحان کنید" in persian.text


async def test_the_member_search_folds_arabic_and_persian_letters(client: httpx.AsyncClient) -> None:
    await make_user("علي.كاظمي")  # Arabic yeh and kaf
    await make_user("Someone")
    await make_user("mod", role=Role.MODERATOR)
    await switch_to(client, "mod")
    for query in ("علی", "کاظمی", "علي", "كاظمي"):  # Persian spellings, and the Arabic ones
        page = parse(await client.get("/moderation/members", params={"q": query}))
        names = [a.get_text(strip=True) for a in page.select("tbody td a")]
        assert names == ["علي.كاظمي"], query


async def test_moderators_see_the_trust_level(client: httpx.AsyncClient) -> None:
    member = await make_user("member", level=TrustLevel.MEMBER)
    await make_user("mod", role=Role.MODERATOR)
    await switch_to(client, "mod")
    listing = parse(await client.get("/moderation/members"))
    row = next(tr for tr in listing.select("tbody tr") if "member" in tr.get_text())
    assert "Member" in row.get_text(" ")
    detail = parse(await client.get(f"/moderation/members/{member.id}"))
    facts = dict(
        zip(
            [dt.get_text(strip=True) for dt in detail.select("dt")],
            [dd.get_text(" ", strip=True) for dd in detail.select("dd")],
            strict=True,
        )
    )
    assert facts["Trust level"] == "Member" and facts["Days with reading"] == "0"
