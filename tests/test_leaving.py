"""Leaving with one's data: the JSON download, and deleting the account keeping or removing the posts."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from bs4 import BeautifulSoup

from forum.config import Settings
from forum.discussions import posts as post_service
from forum.models import Action, ModerationAction, Post, PostStatus, Revision, Topic, User
from forum.moderation import actions
from tests.factories import PASSWORD, csrf_from, login, make_reply, make_topic, make_user


def parse(response: httpx.Response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


async def thread_with_a_leaver(settings: Settings) -> tuple[Topic, User, list[Post], Post]:
    """A thread where `leaver` wrote a root reply (answered by someone else), an edited reply and a flag."""
    leaver = await make_user("leaver", trusted=True)
    other = await make_user("stayer", trusted=True)
    topic = await make_topic("Exile")
    root = await make_reply(topic, leaver, settings, "My root words about exile.")
    answer = await make_reply(topic, other, settings, "An answer that stays.", parent=root)
    edited = await make_reply(topic, leaver, settings, "First version.")
    await post_service.edit_post(edited, leaver, "Second version.", settings)
    await actions.flag(answer, leaver, "other", "Is this right?", settings)
    assert {post.status for post in await Post.all()} == {PostStatus.APPROVED}  # trusted members are not queued
    return topic, leaver, [root, edited], answer


async def test_the_download_holds_every_post_with_its_revisions(client: httpx.AsyncClient, database: Settings) -> None:
    _, _, written, _ = await thread_with_a_leaver(database)
    await login(client, "leaver")
    response = await client.get("/profile/data.json")
    assert response.status_code == 200 and "attachment" in response.headers["content-disposition"]
    data = json.loads(response.text)
    assert data["profile"]["username"] == "leaver"
    assert {post["id"] for post in data["posts"]} == {post.id for post in written}
    edited = next(post for post in data["posts"] if post["id"] == written[1].id)
    assert edited["source"] == "Second version."
    assert [rev["source"] for rev in edited["revisions"]] == ["First version."]
    assert data["flags_given"][0]["text"] == "Is this right?"
    assert len(data["sessions"]) == 1 and "ip" not in json.dumps(data["sessions"]).lower()


@pytest.mark.parametrize("choice", ["keep", "remove"])
async def test_deleting_the_account_keeps_the_thread_well_formed(
    client: httpx.AsyncClient, database: Settings, choice: str
) -> None:
    topic, leaver, written, answer = await thread_with_a_leaver(database)
    token = await login(client, "leaver")
    page = parse(await client.get("/profile/delete?lang=fa"))
    assert page.select_one("input[name=posts][value=remove]") is not None
    refused = await client.post("/profile/delete", data={"csrf_token": token, "posts": choice, "current_password": "x"})
    assert refused.status_code == 422
    assert parse(refused).select_one(f"input[name=posts][value={choice}][checked]") is not None
    done = await client.post(
        "/profile/delete", data={"csrf_token": token, "posts": choice, "current_password": PASSWORD}
    )
    assert done.status_code == 303
    assert (await client.get("/my/posts")).status_code == 303  # logged out

    entry = await ModerationAction.get(action=Action.DELETE_ACCOUNT)
    assert entry.target_user_id == leaver.id and "exile" not in (entry.reason + entry.reason_code).lower()
    client.cookies.clear()
    bad_login = await client.post(
        "/login",
        data={"username": "leaver", "password": PASSWORD, "csrf_token": csrf_from((await client.get("/login")).text)},
    )
    assert bad_login.status_code == 422
    assert (await client.get("/members/leaver")).status_code == 404

    thread = parse(await client.get(f"/topics/{topic.id}"))
    text = thread.get_text()
    assert "An answer that stays." in text and "leaver" not in text
    answer_element = thread.select_one(f"#post-{answer.id}")
    assert answer_element is not None
    root_element = thread.select_one(f"#post-{written[0].id}")
    assert root_element is not None  # the answer keeps its place below it
    if choice == "keep":
        assert "My root words about exile." in text and "Second version." in text
        assert "Deleted member" in text
    else:
        assert "My root words about exile." not in text and "Second version." not in text
        assert "post-placeholder" in (root_element.get("class") or [])
        assert thread.select_one(f"#post-{written[1].id}") is None  # nothing hung below it
        assert not await Revision.filter(post_id=written[1].id).exists()
        assert all(post.source == "" for post in await Post.filter(author_id=leaver.id))
        assert (await Topic.get(id=topic.id)).reply_count == 1
        found = parse(await client.get("/search", params={"q": "exile"}))
        assert f"/posts/{written[0].id}" not in str(found)
    assert await Post.filter(author_id=leaver.id, status=PostStatus.DELETED).count() == (2 if choice == "remove" else 0)


async def test_the_name_is_freed_after_the_quarantine(client: httpx.AsyncClient, database: Settings) -> None:
    await make_user("departing")
    token = await login(client, "departing")
    await client.post("/profile/delete", data={"csrf_token": token, "posts": "keep", "current_password": PASSWORD})
    client.cookies.clear()

    async def register() -> httpx.Response:
        form = csrf_from((await client.get("/register")).text)
        fields = {"username": "departing", "password": PASSWORD, "password_confirm": PASSWORD, "csrf_token": form}
        return await client.post("/register", data=fields)

    assert (await register()).status_code == 422
    days = database.accounts.username_quarantine_days
    await User.filter(deleted_at__not_isnull=True).update(deleted_at=datetime.now(UTC) - timedelta(days=days + 1))
    assert (await register()).status_code == 200
    assert await User.filter(username="departing", deleted_at__isnull=True).count() == 1
