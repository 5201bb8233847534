from __future__ import annotations

import re

import httpx
import pytest

from forum.config import Settings
from forum.models import Post, PostStatus, Revision, Role, Topic
from tests.factories import csrf_from, login, make_reply, make_topic, make_user


def long_statement() -> str:
    """About 40 KB of numbered points and bullet lists, the shape of the long statements members paste."""
    points = []
    for n in range(1, 101):
        points.append(
            f"{n}. **Point {n}.** The assembly affirms that solidarity between working people across borders "
            "is the condition of any lasting peace, and that no regime which bombs its own cities can be "
            "a partner in building it.\n"
            "   - Workers' councils and neighbourhood committees must be defended.\n"
            "   - Refugees must have the right to return in safety and dignity.\n"
            "   - Women's organisations must take part in every negotiation.\n"
        )
    return "# Statement of the assembly\n\n" + "\n".join(points)


async def reply(client: httpx.AsyncClient, topic: Topic, token: str, **fields: str) -> httpx.Response:
    return await client.post(f"/topics/{topic.id}/replies", data={"csrf_token": token, **fields})


async def test_a_member_replies_and_sees_it_awaiting_approval(client: httpx.AsyncClient) -> None:
    topic = await make_topic()
    member = await make_user("newcomer")
    token = await login(client, member.username)
    response = await reply(client, topic, token, body="My **first** reply")
    assert response.status_code == 303
    post = await Post.get(author=member)
    assert post.status == PostStatus.PENDING and post.html == '<p dir="ltr">My <strong>first</strong> reply</p>'
    assert response.headers["location"].endswith(f"/posts/{post.id}")

    own_view = (await client.get(f"/topics/{topic.id}")).text
    assert f'id="post-{post.id}"' in own_view and "Awaiting approval" in own_view

    await client.post("/logout", data={"csrf_token": token})
    anonymous = (await client.get(f"/topics/{topic.id}")).text
    assert f'id="post-{post.id}"' not in anonymous
    assert (await client.get(f"/posts/{post.id}")).status_code == 404


async def test_trusted_and_moderators_skip_the_queue(client: httpx.AsyncClient, settings: Settings) -> None:
    topic = await make_topic()
    moderator = await make_user("mod", role=Role.MODERATOR)
    token = await login(client, moderator.username)
    await reply(client, topic, token, body="Welcome, everyone.")
    post = await Post.get(author=moderator)
    assert post.status == PostStatus.APPROVED
    topic = await Topic.get(id=topic.id)
    assert topic.reply_count == 1


async def test_nested_reply_gets_its_path_and_depth(client: httpx.AsyncClient, settings: Settings) -> None:
    topic = await make_topic()
    author = await make_user(trusted=True)
    parent = await make_reply(topic, author, settings, "Parent")
    token = await login(client, author.username)
    await reply(client, topic, token, body="Child", parent_id=str(parent.id))
    child = await Post.get(parent_id=parent.id)
    assert (child.depth, child.root_id) == (1, parent.id)
    assert child.path == f"{parent.path}/{child.id:010d}"


@pytest.mark.parametrize(
    ("body", "language"),
    [
        ("I think federalism can work.", "en"),
        ("أعتقد أن الفيدرالية يمكن أن تكون حلاً أولياً.", "ar"),
        ("به نظر من فدرالیسم می‌تواند راه‌حل اولیه باشد.", "fa"),
    ],
)
async def test_language_is_detected_and_can_be_overridden(client: httpx.AsyncClient, body: str, language: str) -> None:
    topic = await make_topic()
    author = await make_user(trusted=True)
    token = await login(client, author.username)
    await reply(client, topic, token, body=body)
    assert (await Post.get(source=body)).language == language
    await reply(client, topic, token, body=body + " (2)", lang="en")
    assert (await Post.get(source=body + " (2)")).language == "en"


async def test_preview_renders_without_saving(client: httpx.AsyncClient) -> None:
    topic = await make_topic()
    token = await login(client, (await make_user()).username)
    response = await reply(client, topic, token, body="# Heading\n\n<script>alert(1)</script>", action="preview")
    assert response.status_code == 200
    assert '<h3 dir="ltr">Heading</h3>' in response.text  # under the preview's h2
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text  # kept in the textarea and the preview
    assert "<script>alert" not in response.text
    assert await Post.all().count() == 0


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "Write something"),
        ("   \n\t \u200b ", "Write something"),
        ("x" * 20001, "at most 20,000"),
    ],
)
async def test_bad_bodies_are_refused_and_kept(client: httpx.AsyncClient, body: str, message: str) -> None:
    topic = await make_topic()
    token = await login(client, (await make_user()).username)
    response = await reply(client, topic, token, body=body)
    assert response.status_code == 422
    assert message in response.text
    if body.strip():
        assert body in response.text
    assert await Post.all().count() == 0


async def test_the_long_statement_is_refused_with_the_limit(client: httpx.AsyncClient) -> None:
    statement = long_statement()
    assert len(statement) > 35_000
    topic = await make_topic()
    token = await login(client, (await make_user()).username)
    response = await reply(client, topic, token, body=statement)
    assert response.status_code == 422
    assert "at most 20,000" in response.text
    textarea = re.search(r'<textarea id="reply-body"[^>]*>(.*?)</textarea>', response.text, re.S)
    assert textarea and len(textarea.group(1)) > 30000  # what they wrote comes back to them


async def test_control_characters_are_removed_and_text_normalised(client: httpx.AsyncClient) -> None:
    topic = await make_topic()
    author = await make_user(trusted=True)
    token = await login(client, author.username)
    await reply(client, topic, token, body="Cafe\u0301\x00 and\x07 bell\r\nnext line")
    post = await Post.get(author=author)
    assert post.source == "Caf\u00e9 and bell\nnext line"


async def test_bidi_overrides_do_not_reach_the_page(client: httpx.AsyncClient) -> None:
    topic = await make_topic()
    author = await make_user(trusted=True)
    token = await login(client, author.username)
    await reply(client, topic, token, body="innocent \u202egnp.exe\u202c text")
    page = (await client.get(f"/topics/{topic.id}")).text
    assert "\u202e" not in page and "gnp.exe" in page


async def test_broken_utf8_is_refused_and_the_text_comes_back(client: httpx.AsyncClient) -> None:
    topic = await make_topic()
    token = await login(client, (await make_user()).username)
    raw = b"csrf_token=" + token.encode() + b"&body=caf%E9+au+lait+%E2%80%94+ok"
    response = await client.post(
        f"/topics/{topic.id}/replies",
        content=raw,
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 422
    assert "not valid UTF-8" in response.text
    assert "caf\ufffd au lait — ok" in response.text
    assert await Post.all().count() == 0


async def test_replies_to_locked_topics_and_foreign_posts_are_refused(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    author = await make_user(trusted=True)
    locked = await make_topic("Locked", locked=True)
    open_topic, other = await make_topic("Open"), await make_topic("Other")
    foreign = await make_reply(other, author, settings, "Elsewhere")
    token = await login(client, author.username)

    response = await reply(client, locked, token, body="Let me in")
    assert response.status_code == 403 and "locked" in response.text

    response = await reply(client, open_topic, token, body="Cross-thread", parent_id=str(foreign.id))
    assert response.status_code == 422 and "not in this topic" in response.text
    assert "Cross-thread" in response.text

    response = await reply(client, open_topic, token, body="To nobody", parent_id="999999")
    assert response.status_code == 422

    deleted = await make_reply(open_topic, author, settings, "Soon gone")
    deleted.status = PostStatus.DELETED
    await deleted.save()
    response = await reply(client, open_topic, token, body="To the void", parent_id=str(deleted.id))
    assert response.status_code == 422 and "removed" in response.text


async def test_anonymous_readers_are_sent_to_log_in(client: httpx.AsyncClient) -> None:
    topic = await make_topic()
    response = await client.get(f"/topics/{topic.id}/reply")
    assert response.status_code == 303 and response.headers["location"].startswith("http://testserver/login?next=")
    page = await client.get("/login")
    response = await reply(client, topic, csrf_from(page.text), body="Hello")
    # The login form, carrying the text to give it back after login (see test_kept_replies.py).
    assert response.status_code == 403 and 'id="login-username"' in response.text
    assert 'name="kept_body" value="Hello"' in response.text
    assert await Post.all().count() == 0


async def test_editing_keeps_every_earlier_version(client: httpx.AsyncClient, settings: Settings) -> None:
    topic = await make_topic()
    author = await make_user(trusted=True)
    post = await make_reply(topic, author, settings, "First version")
    token = await login(client, author.username)
    for text in ("Second version", "Third version"):
        response = await client.post(f"/posts/{post.id}/edit", data={"csrf_token": token, "body": text})
        assert response.status_code == 303
    post = await Post.get(id=post.id)
    assert post.source == "Third version" and post.edited_at is not None
    assert [r.source for r in await Revision.filter(post=post)] == ["Second version", "First version"]
    history = (await client.get(f"/posts/{post.id}/history")).text
    assert "First version" in history and "Second version" in history
    assert "edited" in (await client.get(f"/topics/{topic.id}")).text


async def test_only_the_author_edits_and_sees_history(client: httpx.AsyncClient, settings: Settings) -> None:
    topic = await make_topic()
    post = await make_reply(topic, await make_user(trusted=True), settings, "Mine")
    token = await login(client, (await make_user("intruder")).username)
    response = await client.post(f"/posts/{post.id}/edit", data={"csrf_token": token, "body": "Yours now"})
    assert response.status_code == 403
    assert (await client.get(f"/posts/{post.id}/history")).status_code == 403
    assert (await Post.get(id=post.id)).source == "Mine"


async def test_deleting_leaves_a_placeholder_that_keeps_replies_in_place(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    topic = await make_topic()
    author, other = await make_user(trusted=True), await make_user(trusted=True)
    parent = await make_reply(topic, author, settings, "To be deleted")
    child = await make_reply(topic, other, settings, "An answer that stays", parent=parent)
    token = await login(client, author.username)
    response = await client.post(f"/posts/{parent.id}/delete", data={"csrf_token": token})
    assert response.status_code == 303
    page = (await client.get(f"/topics/{topic.id}")).text
    assert "To be deleted" not in page and "deleted by its author" in page
    assert "An answer that stays" in page
    assert page.index(f'id="post-{parent.id}"') < page.index(f'id="post-{child.id}"')
    assert (await Topic.get(id=topic.id)).reply_count == 1
