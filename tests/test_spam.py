"""Spam at the door: the registration honeypot and fill time, links from new members, the same text twice."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from bs4 import BeautifulSoup

from forum.app import create_app
from forum.config import Settings
from forum.models import Post, User
from tests.factories import PASSWORD, login, make_reply, make_topic, make_user

THREE_LINKS = "See https://a.example, [this](https://b.example) and <https://c.example>."


@pytest.fixture
async def strict(database: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The forum with the spam checks on: a 2-second fill time, 2 links, a 10-minute duplicate window."""
    settings = database.replace(
        security={"register_min_seconds": 2},
        moderation={"max_links_untrusted": 2},
        posts={"duplicate_window_seconds": 600},
    )
    transport = httpx.ASGITransport(app=create_app(settings, manage_database=False))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


def form_fields(html: str) -> dict[str, str]:
    """The registration form as a browser would send it, with the password typed in."""
    form = BeautifulSoup(html, "html.parser").select_one("form.account-form")
    assert form is not None
    fields = {field["name"]: field.get("value", "") for field in form.select("input[name]")}
    return {**fields, "password": PASSWORD, "password_confirm": PASSWORD}  # type: ignore[dict-item]


async def test_the_honeypot_is_hidden_from_people_and_named_for_screen_readers(strict: httpx.AsyncClient) -> None:
    page = BeautifulSoup((await strict.get("/register?lang=fa")).text, "html.parser")
    trap = page.select_one(".trap input[name=website]")
    assert trap is not None and trap.get("value") == ""
    assert trap["tabindex"] == "-1" and trap["autocomplete"] == "off"
    label = page.select_one(f"label[for={trap['id']}]")
    assert label is not None and label.get_text() == "این فیلد را خالی بگذارید"
    assert page.select_one("input[type=hidden][name=form_stamp]")["value"]  # type: ignore[index]


async def test_a_filled_honeypot_is_refused_and_the_form_kept(strict: httpx.AsyncClient) -> None:
    fields = form_fields((await strict.get("/register?next=/topics/1")).text)
    await asyncio.sleep(2)
    response = await strict.post("/register", data={**fields, "username": "spammer", "website": "https://spam.example"})
    assert response.status_code == 422
    page = BeautifulSoup(response.text, "html.parser")
    assert "looked like an automatic submission" in page.select_one("[role=alert]").get_text()  # type: ignore[union-attr]
    assert page.select_one("#register-username")["value"] == "spammer"  # type: ignore[index]
    assert page.select_one("input[name=next]")["value"] == "/topics/1"  # type: ignore[index]
    assert page.select_one("#register-password").get("value") is None  # type: ignore[union-attr]
    assert page.select_one(".trap input")["value"] == ""  # type: ignore[index]
    assert not await User.exists()


async def test_a_form_sent_too_soon_is_refused_and_passes_when_sent_again(strict: httpx.AsyncClient) -> None:
    fields = form_fields((await strict.get("/register")).text)
    refused = await strict.post("/register", data={**fields, "username": "quick_person"})
    assert refused.status_code == 422 and not await User.exists()
    again = form_fields(refused.text)
    assert again["username"] == "quick_person" and again["form_stamp"] != ""
    # The person reads the message and types the password again: longer than the configured minimum.
    await asyncio.sleep(2)
    accepted = await strict.post("/register", data=again)
    assert accepted.status_code == 200
    assert await User.filter(username="quick_person").exists()


@pytest.mark.parametrize("stamp", [None, "", "register.forged.stamp"])
async def test_a_missing_or_forged_stamp_counts_as_too_soon(strict: httpx.AsyncClient, stamp: str | None) -> None:
    fields = form_fields((await strict.get("/register")).text)
    fields.pop("form_stamp")
    if stamp is not None:
        fields["form_stamp"] = stamp
    response = await strict.post("/register", data={**fields, "username": "scripted"})
    assert response.status_code == 422 and not await User.exists()


async def test_a_third_link_is_refused_for_a_new_member_and_accepted_for_a_trusted_one(
    strict: httpx.AsyncClient, database: Settings
) -> None:
    topic = await make_topic()
    await make_user("newcomer")
    token = await login(strict, "newcomer")
    refused = await strict.post(f"/topics/{topic.id}/replies", data={"csrf_token": token, "body": THREE_LINKS})
    assert refused.status_code == 422
    page = BeautifulSoup(refused.text, "html.parser")
    assert "at most 2 links" in page.select_one("#reply-body-error").get_text()  # type: ignore[union-attr]
    assert page.select_one("#reply-body").get_text() == THREE_LINKS  # type: ignore[union-attr]
    assert not await Post.exists()

    persian = await strict.post(f"/topics/{topic.id}/replies?lang=fa", data={"csrf_token": token, "body": THREE_LINKS})
    assert "حداکثر می‌تواند ۲ پیوند" in persian.text

    two = THREE_LINKS.replace(" and <https://c.example>", "")
    accepted = await strict.post(f"/topics/{topic.id}/replies", data={"csrf_token": token, "body": two})
    assert accepted.status_code == 303
    post = await Post.get(author__username="newcomer")
    edit = await strict.post(f"/posts/{post.id}/edit", data={"csrf_token": token, "body": THREE_LINKS})
    assert edit.status_code == 422 and (await Post.get(id=post.id)).source == two

    await make_user("veteran", trusted=True)
    strict.cookies.clear()
    token = await login(strict, "veteran")
    response = await strict.post(f"/topics/{topic.id}/replies", data={"csrf_token": token, "body": THREE_LINKS})
    assert response.status_code == 303
    assert await Post.filter(author__username="veteran", source=THREE_LINKS).exists()


async def test_the_same_text_twice_is_refused_until_the_window_has_passed(strict: httpx.AsyncClient) -> None:
    topic = await make_topic()
    other = await make_topic("Another question")
    await make_user("member", trusted=True)
    token = await login(strict, "member")
    first = await strict.post(f"/topics/{topic.id}/replies", data={"csrf_token": token, "body": "I agree with this."})
    assert first.status_code == 303

    again = "i agree   with\nthis."
    refused = await strict.post(f"/topics/{other.id}/replies", data={"csrf_token": token, "body": again})
    assert refused.status_code == 422
    page = BeautifulSoup(refused.text, "html.parser")
    assert "same text a few minutes ago" in page.select_one("#reply-body-error").get_text()  # type: ignore[union-attr]
    assert page.select_one("#reply-body").get_text() == again  # type: ignore[union-attr]
    assert await Post.all().count() == 1

    # Eleven minutes later, as far as the database knows.
    await Post.all().update(created_at=datetime.now(UTC) - timedelta(minutes=11))
    accepted = await strict.post(f"/topics/{other.id}/replies", data={"csrf_token": token, "body": again})
    assert accepted.status_code == 303 and await Post.all().count() == 2


async def test_a_deleted_post_or_another_member_does_not_count_as_the_same_text(
    strict: httpx.AsyncClient, database: Settings
) -> None:
    topic = await make_topic()
    author = await make_user("author", trusted=True)
    deleted = await make_reply(topic, author, database, "Posted under the wrong reply.")
    await make_reply(topic, await make_user("echo", trusted=True), database, "Same words as someone else.")
    token = await login(strict, "author")
    await strict.post(f"/posts/{deleted.id}/delete", data={"csrf_token": token})
    for body in ("Posted under the wrong reply.", "Same words as someone else."):
        response = await strict.post(f"/topics/{topic.id}/replies", data={"csrf_token": token, "body": body})
        assert response.status_code == 303, body
