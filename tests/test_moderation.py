from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from forum.config import Settings
from forum.errors import PermissionDenied
from forum.models import (
    Action,
    Flag,
    ModerationAction,
    Post,
    PostStatus,
    Revision,
    Role,
    Topic,
    TrustLevel,
    User,
)
from forum.moderation import actions
from tests.factories import csrf_from, login, make_reply, make_topic, make_user


async def moderator_client(
    client: httpx.AsyncClient, name: str = "mod", role: Role = Role.MODERATOR
) -> tuple[User, str]:
    user = await make_user(name, role=role)
    return user, await login(client, name)


async def act(client: httpx.AsyncClient, token: str, post: Post, action: str, **fields: str) -> httpx.Response:
    return await client.post(f"/moderation/posts/{post.id}/{action}", data={"csrf_token": token, **fields})


MODERATION_GETS = [
    "/moderation",
    "/moderation/log",
    "/moderation/members",
    "/moderation/members/{uid}",
    "/moderation/topics/new",
    "/moderation/topics/{tid}/edit",
]
MODERATION_POSTS = [
    "/moderation/posts/{pid}/approve",
    "/moderation/posts/{pid}/reject",
    "/moderation/posts/{pid}/hide",
    "/moderation/posts/{pid}/restore",
    "/moderation/posts/{pid}/dismiss-flags",
    "/moderation/bulk",
    "/moderation/topics/new",
    "/moderation/topics/{tid}/edit",
    "/moderation/topics/{tid}/lock",
    "/moderation/topics/{tid}/unlock",
    "/moderation/members/{uid}/suspend",
    "/moderation/members/{uid}/unsuspend",
    "/moderation/members/{uid}/role",
]


async def test_every_moderation_route_refuses_readers_and_members(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    topic = await make_topic()
    member = await make_user("member")
    post = await make_reply(topic, member, settings, "Pending")
    fill = {"pid": post.id, "tid": topic.id, "uid": member.id}
    for url in MODERATION_GETS:
        response = await client.get(url.format(**fill))
        assert response.status_code == 303 and "/login" in response.headers["location"], url
    token = await login(client, "member")
    for url in MODERATION_GETS:
        assert (await client.get(url.format(**fill))).status_code == 403, url
    for url in MODERATION_POSTS:
        data = {
            "csrf_token": token,
            "reason": "x",
            "reason_code": "spam",
            "role": "moderator",
            "until": "2999-01-01",
            "post_id": str(post.id),
            "bulk_action": "approve",
            "title_en": "T",
            "body_en": "B",
        }
        assert (await client.post(url.format(**fill), data=data)).status_code == 403, url
    assert (await Post.get(id=post.id)).status == PostStatus.PENDING
    assert await ModerationAction.all().count() == 0
    assert (await User.get(id=member.id)).role == Role.MEMBER and not (await Topic.get(id=topic.id)).locked


async def test_the_queue_shows_context_and_approval_publishes(client: httpx.AsyncClient, settings: Settings) -> None:
    topic = await make_topic("Federalism")
    veteran = await make_user("veteran", trusted=True)
    parent = await make_reply(topic, veteran, settings, "The earlier post")
    newcomer = await make_user("newcomer")
    first = await make_reply(topic, newcomer, settings, "First pending", parent=parent)
    await make_reply(topic, newcomer, settings, "Second pending")
    _, token = await moderator_client(client)

    page = (await client.get("/moderation")).text
    assert page.index("First pending") < page.index("Second pending")
    assert "The earlier post" in page and "Federalism" in page and "newcomer" in page
    assert "0 approved, 0 rejected" in page

    assert (await act(client, token, first, "approve")).status_code == 303
    assert (await Post.get(id=first.id)).status == PostStatus.APPROVED
    assert (await Topic.get(id=topic.id)).reply_count == 2
    assert (await User.get(id=newcomer.id)).approved_count == 1
    client.cookies.clear()
    assert "First pending" in (await client.get(f"/topics/{topic.id}")).text
    assert "Second pending" not in (await client.get(f"/topics/{topic.id}")).text


async def test_rejection_needs_a_reason_that_the_author_reads(client: httpx.AsyncClient, settings: Settings) -> None:
    topic = await make_topic()
    author = await make_user("author")
    post = await make_reply(topic, author, settings, "Not acceptable")
    _, token = await moderator_client(client)
    assert (await act(client, token, post, "reject", reason="  ")).status_code == 422
    assert (await act(client, token, post, "reject", reason="Personal attack")).status_code == 303
    assert (await Post.get(id=post.id)).status == PostStatus.REJECTED
    assert (await User.get(id=author.id)).rejected_count == 1
    assert (await act(client, token, post, "approve")).status_code == 409

    client.cookies.clear()
    await login(client, "author")
    mine = (await client.get("/my/posts")).text
    assert "Rejected" in mine and "Personal attack" in mine
    assert "Not acceptable" not in (await make_visitor_page(client, topic))


async def make_visitor_page(client: httpx.AsyncClient, topic: Topic) -> str:
    client.cookies.clear()
    return (await client.get(f"/topics/{topic.id}")).text


async def test_approving_with_trust_ends_pre_moderation(database: Settings) -> None:
    topic = await make_topic()
    moderator = await make_user("mod", role=Role.MODERATOR)
    quick = await make_user("quick")
    post = await make_reply(topic, quick, database, "Hello")
    await actions.approve(post.id, moderator, trust=True)
    assert (await User.get(id=quick.id)).trust_level == TrustLevel.MEMBER
    assert (await make_reply(topic, await User.get(id=quick.id), database, "Again")).status == PostStatus.APPROVED
    assert await ModerationAction.filter(action=Action.TRUST, target_user_id=quick.id).exists()


@pytest.mark.parametrize(("mode", "expected"), [("all", PostStatus.PENDING), ("none", PostStatus.APPROVED)])
async def test_moderation_modes(database: Settings, mode: str, expected: PostStatus) -> None:
    settings = database.replace(moderation={"mode": mode})
    topic = await make_topic()
    trusted = await make_user(trusted=True)
    assert (await make_reply(topic, trusted, settings, "Hi")).status == expected
    moderator = await make_user(role=Role.MODERATOR)
    assert (await make_reply(topic, moderator, settings, "Mod")).status == PostStatus.APPROVED


async def test_hide_and_restore_keep_counts_and_the_public_record(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    topic = await make_topic()
    author = await make_user("author", trusted=True)
    post = await make_reply(topic, author, settings, "Published then hidden")
    child = await make_reply(topic, author, settings, "An answer below", parent=post)
    _, token = await moderator_client(client)
    assert (await act(client, token, post, "hide", reason_code="abuse")).status_code == 303
    assert (await Topic.get(id=topic.id)).reply_count == 1
    page = await make_visitor_page(client, topic)
    assert "Published then hidden" not in page and "hidden by the moderators" in page and "An answer below" in page
    record = (await client.get("/transparency")).text
    assert "Hid a post" in record and "Abuse, threats or hate" in record

    token = await login(client, "mod")
    assert (await act(client, token, post, "restore")).status_code == 303
    assert (await Topic.get(id=topic.id)).reply_count == 2
    assert "Published then hidden" in await make_visitor_page(client, topic)
    assert child.id


async def test_flags_hide_a_post_after_enough_distinct_readers(client: httpx.AsyncClient, settings: Settings) -> None:
    topic = await make_topic()
    author = await make_user("author", trusted=True)
    post = await make_reply(topic, author, settings, "Spammy")
    readers = settings.trust.hide_at_flag_weight // settings.trust.flag_weight_member
    for n in range(readers):
        client.cookies.clear()
        await make_user(f"reader{n}", level=TrustLevel.MEMBER, age=timedelta(days=30))
        token = await login(client, f"reader{n}")
        response = await client.post(f"/posts/{post.id}/flag", data={"csrf_token": token, "reason": "spam"})
        assert response.status_code == 200 and "Thank you" in response.text
        if n == 0:
            again = await client.post(f"/posts/{post.id}/flag", data={"csrf_token": token, "reason": "spam"})
            assert again.status_code == 422 and "already flagged" in again.text
    assert await Flag.filter(post=post).count() == readers
    assert (await Post.get(id=post.id)).status == PostStatus.HIDDEN
    entry = await ModerationAction.get(action="auto-hide")
    assert entry.moderator_id is None and entry.public  # type: ignore[attr-defined]
    record = (await client.get("/transparency")).text
    assert "Flagged by several readers" in record and "reader0" not in record

    client.cookies.clear()
    _, token = await moderator_client(client)
    queue = (await client.get("/moderation")).text
    assert "Spammy" in queue and "Spam or advertising" in queue
    assert (await act(client, token, post, "restore")).status_code == 303
    assert not await Flag.filter(post=post, resolved_at=None).exists()


async def test_flag_rules(client: httpx.AsyncClient, settings: Settings) -> None:
    topic = await make_topic()
    author = await make_user("author", trusted=True)
    post = await make_reply(topic, author, settings, "Mine")
    token = await login(client, "author")
    own = await client.post(f"/posts/{post.id}/flag", data={"csrf_token": token, "reason": "spam"})
    assert own.status_code == 422 and "your own post" in own.text
    client.cookies.clear()
    await make_user("reader")
    token = await login(client, "reader")
    other = await client.post(f"/posts/{post.id}/flag", data={"csrf_token": token, "reason": "other", "text": ""})
    assert other.status_code == 422
    assert not await Flag.all().exists()


async def test_locking_stops_replies_and_is_public(client: httpx.AsyncClient, settings: Settings) -> None:
    topic = await make_topic()
    _, token = await moderator_client(client)
    response = await client.post(
        f"/moderation/topics/{topic.id}/lock", data={"csrf_token": token, "reason_code": "heated"}
    )
    assert response.status_code == 303 and (await Topic.get(id=topic.id)).locked
    client.cookies.clear()
    await make_user("member", trusted=True)
    member_token = await login(client, "member")
    refused = await client.post(f"/topics/{topic.id}/replies", data={"csrf_token": member_token, "body": "Hello?"})
    assert refused.status_code == 403 and not await Post.all().exists()
    assert "Locked" in (await client.get("/")).text
    assert "Locked a topic" in (await client.get("/transparency")).text


async def test_suspended_members_read_but_cannot_post_or_flag(client: httpx.AsyncClient, settings: Settings) -> None:
    topic = await make_topic()
    other = await make_user("other", trusted=True)
    post = await make_reply(topic, other, settings, "Something")
    member = await make_user("member", trusted=True)
    _, token = await moderator_client(client)
    until = (datetime.now(UTC) + timedelta(days=7)).strftime("%Y-%m-%d")
    response = await client.post(
        f"/moderation/members/{member.id}/suspend",
        data={"csrf_token": token, "until": until, "reason_code": "abuse", "reason": "Insults"},
    )
    assert response.status_code == 303
    bad_date = await client.post(
        f"/moderation/members/{member.id}/suspend",
        data={"csrf_token": token, "until": "2001-01-01", "reason_code": "abuse"},
    )
    assert bad_date.status_code == 422

    client.cookies.clear()
    member_token = await login(client, "member")
    assert (await client.get(f"/topics/{topic.id}")).status_code == 200
    reply = await client.post(f"/topics/{topic.id}/replies", data={"csrf_token": member_token, "body": "Let me"})
    assert reply.status_code == 403 and "suspended" in reply.text
    flag = await client.post(f"/posts/{post.id}/flag", data={"csrf_token": member_token, "reason": "spam"})
    assert flag.status_code == 403

    client.cookies.clear()
    token = await login(client, "mod")
    assert (
        await client.post(f"/moderation/members/{member.id}/unsuspend", data={"csrf_token": token})
    ).status_code == 303
    assert (await User.get(id=member.id)).suspended_until is None
    actions = [a.action for a in await ModerationAction.all()]
    assert "suspend" in actions and "unsuspend" in actions


async def test_only_admins_grant_the_moderator_role(client: httpx.AsyncClient) -> None:
    member = await make_user("member")
    _, token = await moderator_client(client, "mod")
    response = await client.post(
        f"/moderation/members/{member.id}/role", data={"csrf_token": token, "role": "moderator"}
    )
    assert response.status_code == 403
    client.cookies.clear()
    _, token = await moderator_client(client, "boss", Role.ADMIN)
    response = await client.post(
        f"/moderation/members/{member.id}/role", data={"csrf_token": token, "role": "moderator"}
    )
    assert response.status_code == 303 and (await User.get(id=member.id)).role == Role.MODERATOR
    response = await client.post(f"/moderation/members/{member.id}/role", data={"csrf_token": token, "role": "member"})
    assert (await User.get(id=member.id)).role == Role.MEMBER
    assert await ModerationAction.filter(action="grant-moderator").exists()


async def test_moderators_open_and_edit_topics(client: httpx.AsyncClient) -> None:
    await make_topic("Existing")  # makes a category
    _, token = await moderator_client(client)
    empty = await client.post("/moderation/topics/new", data={"csrf_token": token, "category": "1"})
    assert empty.status_code == 422
    response = await client.post(
        "/moderation/topics/new",
        data={"csrf_token": token, "category": "1", "title_fa": "پرسشی تازه", "body_fa": "متن **پرسش**"},
    )
    assert response.status_code == 303
    topic_id = int(response.headers["location"].rsplit("/", 1)[1])
    page = (await client.get(f"/topics/{topic_id}?lang=en")).text
    assert "پرسشی تازه" in page and "<strong>پرسش</strong>" in page
    response = await client.post(
        f"/moderation/topics/{topic_id}/edit",
        data={
            "csrf_token": token,
            "title_fa": "پرسشی تازه",
            "body_fa": "متن",
            "title_en": "A new question",
            "body_en": "Text",
        },
    )
    assert response.status_code == 303
    assert "A new question" in (await client.get(f"/topics/{topic_id}?lang=en")).text
    assert await ModerationAction.filter(action="create-topic").exists()


async def test_pending_edits_keep_the_approved_version_visible(client: httpx.AsyncClient, settings: Settings) -> None:
    topic = await make_topic()
    author = await make_user("author")
    moderator = await make_user("mod", role=Role.MODERATOR)
    post = await make_reply(topic, author, settings, "Approved text")
    await actions.approve(post.id, moderator)
    token = await login(client, "author")
    await client.post(f"/posts/{post.id}/edit", data={"csrf_token": token, "body": "Edited text"})
    assert "Edit awaiting approval" in (await client.get(f"/topics/{topic.id}")).text
    visitor = await make_visitor_page(client, topic)
    assert "Approved text" in visitor and "Edited text" not in visitor

    await actions.approve(post.id, moderator)
    assert "Edited text" in await make_visitor_page(client, topic)
    assert [r.source for r in await Revision.filter(post=post)] == ["Approved text"]


async def test_the_queue_puts_the_moderators_languages_first(client: httpx.AsyncClient, settings: Settings) -> None:
    topic = await make_topic()
    author = await make_user("author")
    english = await make_reply(topic, author, settings, "An English post")
    persian = await make_reply(topic, author, settings, "نوشته‌ای به فارسی")
    _moderator, token = await moderator_client(client)
    page = (await client.get("/moderation")).text
    assert page.index(f'id="queue-{english.id}"') < page.index(f'id="queue-{persian.id}"')
    await client.post("/profile", data={"csrf_token": token, "language": "en", "reads_fa": "1"})
    page = (await client.get("/moderation")).text
    assert page.index(f'id="queue-{persian.id}"') < page.index(f'id="queue-{english.id}"')
    only_en = (await client.get("/moderation?lang_filter=en")).text
    assert f'id="queue-{persian.id}"' not in only_en and f'id="queue-{english.id}"' in only_en


async def test_bulk_actions_and_the_filtered_audit_log(client: httpx.AsyncClient, settings: Settings) -> None:
    topic = await make_topic()
    author = await make_user("author")
    posts = [await make_reply(topic, author, settings, f"Bulk {n}") for n in range(3)]
    moderator, token = await moderator_client(client)
    response = await client.post(
        "/moderation/bulk",
        data={"csrf_token": token, "bulk_action": "approve", "post_id": [str(posts[0].id), str(posts[1].id)]},
    )
    assert response.status_code == 303
    assert [p.status for p in await Post.filter(id__in=[p.id for p in posts]).order_by("id")] == [
        "approved",
        "approved",
        "pending",
    ]
    assert (
        await client.post(
            "/moderation/bulk", data={"csrf_token": token, "bulk_action": "reject", "post_id": str(posts[2].id)}
        )
    ).status_code == 422
    await client.post(
        "/moderation/bulk",
        data={"csrf_token": token, "bulk_action": "reject", "reason": "Duplicate", "post_id": str(posts[2].id)},
    )
    assert (await Post.get(id=posts[2].id)).status == PostStatus.REJECTED

    log = (await client.get(f"/moderation/log?moderator={moderator.id}&action=reject")).text
    rows = re.findall(r"<tr>\s*<td><time", log)
    assert len(rows) == 1 and "Duplicate" in log
    assert len(re.findall(r"<tr>\s*<td><time", (await client.get("/moderation/log")).text)) == 3


async def test_two_moderators_approving_at_once_count_once(client: httpx.AsyncClient, settings: Settings) -> None:
    topic = await make_topic()
    author = await make_user("author")
    posts = [await make_reply(topic, author, settings, f"Race {n}") for n in range(5)]
    first, second = await make_user("mod1", role=Role.MODERATOR), await make_user("mod2", role=Role.MODERATOR)
    clients = []
    for name in ("mod1", "mod2"):
        other = httpx.AsyncClient(transport=client._transport, base_url="http://testserver")  # type: ignore[attr-defined]
        clients.append((other, await login(other, name)))
    for post in posts:
        responses = await asyncio.gather(*(act(c, token, post, "approve") for c, token in clients))
        assert sorted(r.status_code for r in responses) == [303, 409]
    for c, _ in clients:
        await c.aclose()
    assert await ModerationAction.filter(action="approve").count() == len(posts)
    assert (await Topic.get(id=topic.id)).reply_count == len(posts)
    assert (await User.get(id=author.id)).approved_count == len(posts)
    assert {first.id, second.id} >= {a.moderator_id for a in await ModerationAction.all()}  # type: ignore[attr-defined]


async def test_a_moderator_page_of_the_topic_offers_the_tools(client: httpx.AsyncClient, settings: Settings) -> None:
    topic = await make_topic()
    await make_reply(topic, await make_user(trusted=True), settings, "A reply")
    await moderator_client(client)
    page = (await client.get(f"/topics/{topic.id}")).text
    assert "Lock the topic" in page and "Edit topic" in page and ">Hide<" in page
    assert csrf_from(page)


async def test_moderators_cannot_free_themselves_or_act_on_admins(database: Settings) -> None:
    admin = await make_user("boss", role=Role.ADMIN)
    first, second = await make_user("mod1", role=Role.MODERATOR), await make_user("mod2", role=Role.MODERATOR)
    until = datetime.now(UTC) + timedelta(days=3)
    await actions.suspend(first, admin, until, "abuse", "")
    for target in (first, second, admin):
        with pytest.raises(PermissionDenied):
            await actions.unsuspend(await User.get(id=target.id), first)
    with pytest.raises(PermissionDenied):
        await actions.suspend(admin, await make_user("boss2", role=Role.ADMIN), until, "abuse", "")
    await actions.unsuspend(await User.get(id=first.id), admin)


async def test_a_suspended_moderator_cannot_moderate(client: httpx.AsyncClient) -> None:
    moderator, _token = await moderator_client(client)
    admin = await make_user("boss", role=Role.ADMIN)
    await actions.suspend(moderator, admin, datetime.now(UTC) + timedelta(days=1), "other", "")
    assert (await client.get("/moderation")).status_code == 403


async def test_demoted_moderators_lose_their_trust(database: Settings) -> None:
    admin = await make_user("boss", role=Role.ADMIN)
    member = await make_user("helper")
    await actions.set_role(member, admin, Role.MODERATOR)
    await actions.set_role(await User.get(id=member.id), admin, Role.MEMBER)
    demoted = await User.get(id=member.id)
    assert demoted.role == Role.MEMBER and demoted.trust_level == TrustLevel.NEW


async def test_hidden_posts_stay_reachable_for_moderators(client: httpx.AsyncClient, settings: Settings) -> None:
    topic = await make_topic()
    post = await make_reply(topic, await make_user(trusted=True), settings, "Soon hidden")
    moderator, token = await moderator_client(client)
    await actions.hide(post.id, moderator, "spam")
    assert (await act(client, token, post, "dismiss-flags")).status_code == 409
    page = (await client.get(f"/topics/{topic.id}")).text
    assert f'id="post-{post.id}"' in page and "Restore" in page and "Soon hidden" not in page
    assert (await client.get(f"/posts/{post.id}")).status_code == 303
    client.cookies.clear()
    assert f'id="post-{post.id}"' not in (await client.get(f"/topics/{topic.id}")).text
    assert (await client.get(f"/posts/{post.id}")).status_code == 404


async def test_an_approved_answer_under_a_rejected_post_stays_in_place(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    topic = await make_topic()
    author = await make_user("author")
    moderator = await make_user("mod", role=Role.MODERATOR)
    first = await make_reply(topic, author, settings, "First, rejected")
    answer = await make_reply(topic, author, settings, "Second, approved", parent=first)
    await actions.reject(first.id, moderator, "No")
    await actions.approve(answer.id, moderator)
    page = (await client.get(f"/topics/{topic.id}")).text
    assert "First, rejected" not in page and "Second, approved" in page
    assert page.index(f'id="post-{first.id}"') < page.index(f'id="post-{answer.id}"')
    assert (await client.get(f"/posts/{answer.id}")).status_code == 303
