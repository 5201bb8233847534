"""Actions that ask first (hide, delete), undoing a deletion, pending edits seen by their author, a readable queue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from bs4 import BeautifulSoup, Tag

from forum.config import Settings
from forum.models import Post, PostStatus, Role, Topic, TrustLevel, User
from forum.moderation import actions
from tests.factories import login, make_reply, make_topic, make_user

OLD = timedelta(days=30)


def parse(response: httpx.Response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


async def switch_to(client: httpx.AsyncClient, username: str) -> str:
    client.cookies.clear()
    return await login(client, username)


async def article(client: httpx.AsyncClient, topic: Topic, post: Post) -> Tag | None:
    page = parse(await client.get(f"/topics/{topic.id}"))
    found = page.find("article", id=f"post-{post.id}")
    return found if isinstance(found, Tag) else None


async def test_hiding_asks_for_a_reason_none_chosen(client: httpx.AsyncClient, settings: Settings) -> None:
    topic = await make_topic()
    post = await make_reply(topic, await make_user("author", trusted=True), settings, "Borderline words")
    await make_user("mod", role=Role.MODERATOR)
    token = await switch_to(client, "mod")

    # Under the post: a link to the question, not a form that acts at once.
    shown = await article(client, topic, post)
    assert shown is not None
    link = shown.select_one("a.danger-link")
    assert link is not None and link.get_text(strip=True) == "Hide"
    assert not shown.select('form[action$="/hide"]') and not shown.select("select")

    page = parse(await client.get(str(link["href"])))
    assert page.h1 is not None and page.h1.get_text(strip=True) == "Hide this post?"
    radios = page.select('input[type="radio"][name="reason_code"]')
    assert len(radios) >= 5 and not any(radio.has_attr("checked") for radio in radios)
    assert all(radio.has_attr("required") for radio in radios)
    form = page.select_one("form.confirm-form")
    assert form is not None

    refused = await client.post(str(form["action"]), data={"csrf_token": token, "return_to": "post"})
    assert refused.status_code == 422
    assert parse(refused).select_one("#hide-code-error") is not None
    assert (await Post.get(id=post.id)).status == PostStatus.APPROVED

    done = await client.post(
        str(form["action"]), data={"csrf_token": token, "reason_code": "off-topic", "return_to": "post"}
    )
    assert done.status_code == 303 and done.headers["location"].endswith(f"/posts/{post.id}")
    assert (await Post.get(id=post.id)).status == PostStatus.HIDDEN

    gone = parse(await client.get(f"/moderation/posts/{post.id}/hide"))
    assert gone.select_one("form.confirm-form") is None  # nothing left to hide
    assert (await client.get("/moderation/posts/999999/hide")).status_code == 404


async def test_members_confirm_deletion_and_can_undo_it(client: httpx.AsyncClient, settings: Settings) -> None:
    topic = await make_topic()
    author = await make_user("author", trusted=True)
    post = await make_reply(topic, author, settings, "Words I may regret")
    token = await switch_to(client, "author")

    shown = await article(client, topic, post)
    assert shown is not None
    delete = shown.find("a", string="Delete")
    assert isinstance(delete, Tag) and not shown.select('form[action$="/delete"]')

    question = parse(await client.get(str(delete["href"])))
    assert question.h1 is not None and question.h1.get_text(strip=True) == "Delete this post?"
    assert "Words I may regret" in question.get_text() and "24 hours" in question.get_text()
    assert (await Post.get(id=post.id)).status == PostStatus.APPROVED  # asking changed nothing

    form = question.select_one("form.confirm-form")
    assert form is not None
    deleted = await client.post(str(form["action"]), data={"csrf_token": token})
    assert deleted.status_code == 303
    assert (await Post.get(id=post.id)).status == PostStatus.DELETED
    assert (await Topic.get(id=topic.id)).reply_count == 0

    # The author still sees a placeholder with "Restore"; other readers see nothing of it.
    placeholder = await article(client, topic, post)
    assert placeholder is not None and "Words I may regret" not in placeholder.get_text()
    restore = placeholder.select_one('form[action$="/undelete"]')
    assert restore is not None
    mine = parse(await client.get("/my/posts"))
    assert mine.select_one(f'form[action$="/posts/{post.id}/undelete"]') is not None
    client.cookies.clear()
    assert await article(client, topic, post) is None

    token = await switch_to(client, "author")
    restored = await client.post(str(restore["action"]), data={"csrf_token": token})
    assert restored.status_code == 303
    stored = await Post.get(id=post.id)
    assert stored.status == PostStatus.APPROVED and stored.deleted_at is None
    assert (await Topic.get(id=topic.id)).reply_count == 1


async def test_undoing_is_for_the_author_and_only_for_a_while(client: httpx.AsyncClient, settings: Settings) -> None:
    topic = await make_topic()
    author = await make_user("author")
    pending = await make_reply(topic, author, settings, "Waiting words")
    token = await switch_to(client, "author")
    await client.post(f"/posts/{pending.id}/delete", data={"csrf_token": token})
    await make_user("other", trusted=True)
    other = await switch_to(client, "other")
    assert (await client.get(f"/posts/{pending.id}/delete")).status_code == 403
    assert (await client.post(f"/posts/{pending.id}/undelete", data={"csrf_token": other})).status_code == 403

    token = await switch_to(client, "author")
    assert (await client.post(f"/posts/{pending.id}/undelete", data={"csrf_token": token})).status_code == 303
    assert (await Post.get(id=pending.id)).status == PostStatus.PENDING  # back to what it was, still queued

    await client.post(f"/posts/{pending.id}/delete", data={"csrf_token": token})
    late = datetime.now(UTC) - timedelta(hours=settings.posts.undo_delete_hours, minutes=1)
    await Post.filter(id=pending.id).update(deleted_at=late)
    assert parse(await client.get("/my/posts")).select_one('form[action$="/undelete"]') is None
    refused = await client.post(f"/posts/{pending.id}/undelete", data={"csrf_token": token})
    assert refused.status_code == 403 and "can no longer be restored" in refused.text
    assert (await Post.get(id=pending.id)).status == PostStatus.DELETED


async def test_undeleting_a_hidden_post_keeps_it_hidden(client: httpx.AsyncClient, settings: Settings) -> None:
    topic = await make_topic()
    author = await make_user("author", trusted=True)
    post = await make_reply(topic, author, settings, "Hidden words")
    await actions.hide(post.id, await make_user("mod", role=Role.MODERATOR), "abuse")
    token = await switch_to(client, "author")
    await client.post(f"/posts/{post.id}/delete", data={"csrf_token": token})
    await client.post(f"/posts/{post.id}/undelete", data={"csrf_token": token})
    assert (await Post.get(id=post.id)).status == PostStatus.HIDDEN


async def test_the_author_sees_their_pending_edit(client: httpx.AsyncClient, settings: Settings) -> None:
    topic = await make_topic()
    author = await make_user("author")
    moderator = await make_user("mod", role=Role.MODERATOR)
    post = await make_reply(topic, author, settings, "The approved wording")
    await actions.approve(post.id, moderator)
    token = await switch_to(client, "author")
    saved = await client.post(f"/posts/{post.id}/edit", data={"csrf_token": token, "body": "The improved wording"})
    assert saved.status_code == 303

    mine = await article(client, topic, post)
    assert mine is not None
    body = mine.select_one(".post-body")
    assert body is not None and body.get_text(strip=True) == "The improved wording"
    assert "Edit awaiting approval" in mine.get_text()
    listing = parse(await client.get("/my/posts"))
    assert "The improved wording" in listing.get_text() and "Edit awaiting approval" in listing.get_text()

    client.cookies.clear()
    theirs = await article(client, topic, post)
    assert theirs is not None
    body = theirs.select_one(".post-body")
    assert body is not None and body.get_text(strip=True) == "The approved wording"


PARENT = ("The regime's history in our city, told at length. " * 400)[:20_000]


async def flagged_under_long_parents(settings: Settings, count: int) -> list[Post]:
    """`count` short flagged replies, each under a parent of 20,000 characters."""
    topic = await make_topic()
    veteran = await make_user("veteran", trusted=True)
    author = await make_user("author", level=TrustLevel.MEMBER)
    reader = await make_user("reader", level=TrustLevel.MEMBER)
    flagged = []
    for n in range(count):
        parent = await make_reply(topic, veteran, settings, PARENT)
        reply = await make_reply(
            topic,
            author,
            settings,
            f"Short answer number {n}, ninety characters or so, to the long one.",
            parent=parent,
        )
        await actions.flag(reply, reader, "abuse", "Insulting", settings)
        flagged.append(reply)
    return flagged


async def test_the_queue_shows_an_excerpt_of_a_long_parent(client: httpx.AsyncClient, settings: Settings) -> None:
    assert len(PARENT) == 20_000
    [post] = await flagged_under_long_parents(settings, 1)
    await make_user("mod", role=Role.MODERATOR)
    await switch_to(client, "mod")
    page = parse(await client.get("/moderation"))
    item = page.find("li", id=f"queue-{post.id}")
    assert isinstance(item, Tag)
    quote = item.select_one("blockquote.replying-to")
    assert quote is not None and len(quote.get_text()) < 600
    assert quote.select_one(f'a[href$="/posts/{post.parent_id}"]') is not None
    author = item.select_one(".queue-author")
    assert author is not None
    facts = author.get_text(" ", strip=True)
    assert "Member" in facts and "1 approved, 0 rejected" in facts and "0 reports on their posts upheld" in facts
    hide = item.select_one("a.danger-link")
    assert hide is not None and hide["href"] == f"/moderation/posts/{post.id}/hide?from=queue"


async def test_fifty_flagged_replies_under_long_parents_stay_small(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    await flagged_under_long_parents(settings, 50)
    await make_user("mod", role=Role.MODERATOR)
    await switch_to(client, "mod")
    response = await client.get("/moderation")
    assert response.status_code == 200
    assert len(parse(response).select("li.queue-item")) == 50
    # Each parent alone is 20,000 characters: whole parents would make a megabyte.
    assert len(response.content) < 300_000


async def test_keeping_a_post_hidden_by_flags_from_the_queue(client: httpx.AsyncClient, settings: Settings) -> None:
    topic = await make_topic()
    post = await make_reply(topic, await make_user("author", level=TrustLevel.MEMBER), settings, "Reported")
    for n in range(3):
        reader = await make_user(f"reader{n}", level=TrustLevel.MEMBER, age=OLD)
        await actions.flag(post, reader, "spam", "", settings)
    assert (await Post.get(id=post.id)).auto_hidden
    await make_user("mod", role=Role.MODERATOR)
    token = await switch_to(client, "mod")
    item = parse(await client.get("/moderation")).find("li", id=f"queue-{post.id}")
    assert isinstance(item, Tag)
    keep = item.find("a", string="Keep hidden")
    assert isinstance(keep, Tag)
    page = parse(await client.get(str(keep["href"])))
    form = page.select_one("form.confirm-form")
    assert form is not None and form.select_one('input[name="return_to"]')["value"] == "queue"  # type: ignore[index]
    await client.post(str(form["action"]), data={"csrf_token": token, "reason_code": "spam", "return_to": "queue"})
    assert parse(await client.get("/moderation")).find("li", id=f"queue-{post.id}") is None
    assert [u.flags_upheld for u in await User.filter(username__startswith="reader")] == [1, 1, 1]
