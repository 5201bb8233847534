"""Moderators' decisions and the last-resort error page, driven over HTTP against the real database."""

from __future__ import annotations

import logging

import httpx
import pytest
from bs4 import BeautifulSoup, Tag

from forum.config import Settings
from forum.discussions import threads
from forum.models import Action, Flag, ModerationAction, Post, PostStatus, Revision, Role, Topic, TrustLevel, User
from forum.moderation import actions
from tests.factories import csrf_from, login, make_reply, make_topic, make_user

SERVER_ERROR_EN = "Something went wrong on our side. Your request was not completed; please try again."
SERVER_ERROR_FA = "مشکلی از سوی ما پیش آمد. درخواست شما انجام نشد؛ لطفاً دوباره تلاش کنید."


def parse(response: httpx.Response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


async def switch_to(client: httpx.AsyncClient, username: str) -> str:
    """Log out whoever the client was and log in as `username`; returns the new CSRF token."""
    client.cookies.clear()
    return await login(client, username)


async def queue_page(client: httpx.AsyncClient) -> BeautifulSoup:
    """The moderation queue, checked to be the real queue page (so an absent item means something)."""
    response = await client.get("/moderation")
    assert response.status_code == 200, response.text
    soup = parse(response)
    heading = soup.find("h1")
    assert heading is not None and heading.get_text(strip=True) == "Moderation queue"
    return soup


async def thread_post(client: httpx.AsyncClient, topic: Topic, post: Post) -> Tag:
    """The `<article id="post-N">` of `post` on its thread page, as this client sees it."""
    response = await client.get(f"/topics/{topic.id}")
    assert response.status_code == 200, response.text
    article = parse(response).find("article", id=f"post-{post.id}")
    assert isinstance(article, Tag), f"post {post.id} is not on the thread page"
    return article


def body_text(article: Tag) -> str:
    body = article.select_one(".post-body")
    assert body is not None, f"no post body in {article}"
    return body.get_text(" ", strip=True)


async def test_dismissing_flags_closes_them_and_keeps_the_post(client: httpx.AsyncClient, settings: Settings) -> None:
    topic = await make_topic()
    author = await make_user("author", trusted=True)
    post = await make_reply(topic, author, settings, "A controversial but fair opinion")
    moderator = await make_user("mod", role=Role.MODERATOR)
    flags = settings.trust.hide_at_flag_weight - 1
    assert flags >= 1, "the test needs room for flags that do not hide the post"
    for n in range(flags):
        await make_user(f"reader{n}")
        token = await switch_to(client, f"reader{n}")
        response = await client.post(f"/posts/{post.id}/flag", data={"csrf_token": token, "reason": "spam"})
        assert response.status_code == 200, response.text
    assert await Flag.filter(post_id=post.id, resolved_at=None).count() == flags
    assert (await Post.get(id=post.id)).status == PostStatus.APPROVED

    token = await switch_to(client, "mod")
    before = await queue_page(client)
    item = before.find("li", id=f"queue-{post.id}")
    assert isinstance(item, Tag), "the flagged post should wait in the queue"
    assert item.select_one(f'form[action$="/moderation/posts/{post.id}/dismiss-flags"]') is not None

    response = await client.post(f"/moderation/posts/{post.id}/dismiss-flags", data={"csrf_token": token})
    assert response.status_code == 303, response.text

    assert await Flag.filter(post_id=post.id, resolved_at=None).count() == 0
    resolved = await Flag.filter(post_id=post.id)
    assert len(resolved) == flags
    assert all(f.resolved_at is not None and f.resolved_by_id == moderator.id for f in resolved)  # type: ignore[attr-defined]
    stored = await Post.get(id=post.id)
    assert stored.status == PostStatus.APPROVED
    assert (await Topic.get(id=topic.id)).reply_count == 1
    entry = await ModerationAction.get(action=Action.DISMISS_FLAGS)
    assert entry.moderator_id == moderator.id and entry.post_id == post.id  # type: ignore[attr-defined]

    after = await queue_page(client)
    assert after.find(id=f"queue-{post.id}") is None, "a post whose flags were dismissed stays in the queue"

    client.cookies.clear()
    article = await thread_post(client, topic, post)
    assert "post-placeholder" not in (article.get("class") or [])
    assert body_text(article) == "A controversial but fair opinion"


async def test_an_unhandled_error_answers_with_the_translated_500_page(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken_index(per_category: int) -> None:
        raise RuntimeError("the topic index exploded")

    # The home view calls `threads.topic_index()` through the module, so the patch is what it finds.
    monkeypatch.setattr(threads, "topic_index", broken_index)
    caplog.set_level(logging.ERROR, logger="forum")

    for query, language, message in (("", "en", SERVER_ERROR_EN), ("?lang=fa", "fa", SERVER_ERROR_FA)):
        caplog.clear()
        response = await client.get(f"/{query}")
        assert response.status_code == 500, (query, response.status_code)
        assert response.headers["content-type"].startswith("text/html")
        soup = parse(response)
        html = soup.find("html")
        assert isinstance(html, Tag) and html.get("lang") == language
        section = soup.select_one("section.error-page")
        assert section is not None, response.text
        heading = section.find("h1")
        assert heading is not None and heading.get_text(strip=True) == message
        assert "the topic index exploded" not in response.text  # no internals leak to the reader

        records = [r for r in caplog.records if r.name == "forum" and r.levelno >= logging.ERROR]
        assert len(records) == 1, [r.getMessage() for r in records]
        record = records[0]
        assert record.levelno == logging.ERROR
        assert record.exc_info is not None and record.exc_info[0] is RuntimeError
        assert str(record.exc_info[1]) == "the topic index exploded"
        assert "GET /" in record.getMessage()


async def test_rejecting_a_pending_edit_drops_it_and_tells_the_author(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    topic = await make_topic()
    author = await make_user("author")  # a plain member: still under pre-moderation
    moderator = await make_user("mod", role=Role.MODERATOR)
    post = await make_reply(topic, author, settings, "The approved wording")
    await actions.approve(post.id, moderator)
    assert (await User.get(id=author.id)).trust_level == TrustLevel.NEW

    token = await switch_to(client, "author")
    response = await client.post(f"/posts/{post.id}/edit", data={"csrf_token": token, "body": "A sneaky new wording"})
    assert response.status_code == 303, response.text
    queued = await Post.get(id=post.id)
    assert queued.pending_source == "A sneaky new wording" and queued.source == "The approved wording"

    token = await switch_to(client, "mod")
    item = (await queue_page(client)).find("li", id=f"queue-{post.id}")
    assert isinstance(item, Tag), "the pending edit should wait in the queue"
    assert "A sneaky new wording" in item.get_text(" ", strip=True)

    reason = "Changes the meaning after others replied"
    response = await client.post(f"/moderation/posts/{post.id}/reject", data={"csrf_token": token, "reason": reason})
    assert response.status_code == 303, response.text

    stored = await Post.get(id=post.id)
    assert stored.pending_source is None and stored.pending_html is None and stored.pending_language is None
    assert stored.status == PostStatus.APPROVED
    assert stored.source == "The approved wording" and stored.reject_reason == reason
    assert not await Revision.filter(post_id=post.id).exists()
    assert (await User.get(id=author.id)).rejected_count == 0  # the post itself was not rejected
    assert await ModerationAction.filter(action=Action.REJECT_EDIT, post_id=post.id).exists()
    assert (await queue_page(client)).find(id=f"queue-{post.id}") is None, "the rejected edit is still queued"

    client.cookies.clear()
    assert body_text(await thread_post(client, topic, post)) == "The approved wording"

    await login(client, "author")
    article = await thread_post(client, topic, post)
    assert body_text(article) == "The approved wording"
    assert "Edit awaiting approval" not in article.get_text(" ", strip=True)
    mine = await client.get("/my/posts")
    assert mine.status_code == 200
    notes = [p.get_text(" ", strip=True) for p in parse(mine).select("li.my-post .reject-reason")]
    assert len(notes) == 1 and reason in notes[0], notes


async def test_moderators_cannot_edit_a_members_post(client: httpx.AsyncClient, settings: Settings) -> None:
    topic = await make_topic()
    author = await make_user("author", trusted=True)
    post = await make_reply(topic, author, settings, "My own words")
    await make_user("mod", role=Role.MODERATOR)
    edit_url = f"/posts/{post.id}/edit"

    token = await switch_to(client, "mod")
    own = await client.post(f"/topics/{topic.id}/replies", data={"csrf_token": token, "body": "A moderator's note"})
    assert own.status_code == 303, own.text
    mine = await Post.get(source="A moderator's note")

    member_article = await thread_post(client, topic, post)
    assert member_article.select_one(f'a[href="{edit_url}"]') is None
    # The selector finds edit links where they belong: under the moderator's own post.
    assert (await thread_post(client, topic, mine)).select_one(f'a[href="/posts/{mine.id}/edit"]') is not None

    refused = await client.get(edit_url)
    assert refused.status_code == 403
    assert parse(refused).find("textarea") is None  # not the edit form with a wrong status
    refused = await client.post(edit_url, data={"csrf_token": token, "body": "Words put in the mouth"})
    assert refused.status_code == 403
    heading = parse(refused).find("h1")
    assert heading is not None and heading.get_text(strip=True) == "You can edit only your own posts."
    stored = await Post.get(id=post.id)
    assert stored.source == "My own words" and stored.pending_source is None
    assert not await Revision.filter(post_id=post.id).exists()

    token = await switch_to(client, "author")
    form = await client.get(edit_url)
    assert form.status_code == 200 and csrf_from(form.text)
    textarea = parse(form).find("textarea", attrs={"name": "body"})
    assert textarea is not None and textarea.get_text().strip() == "My own words"
    response = await client.post(edit_url, data={"csrf_token": token, "body": "My own better words"})
    assert response.status_code == 303, response.text
    assert (await Post.get(id=post.id)).source == "My own better words"
    client.cookies.clear()
    assert body_text(await thread_post(client, topic, post)) == "My own better words"
