from __future__ import annotations

import httpx
import pytest
from starlette.routing import Route

from forum.models import Post, Role, Topic, TopicTranslation, Translation, User
from forum.translations import service as translations
from forum.translations import topic_texts
from tests.factories import (
    PASSWORD,
    csrf_from,
    login,
    make_reply,
    make_topic,
    make_user,
)


async def test_every_response_carries_the_security_headers(client: httpx.AsyncClient) -> None:
    for url in ("/", "/login", "/nowhere", "/static/forum.css", "/healthz"):
        response = await client.get(url)
        policy = response.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
        assert "unsafe-inline" not in policy
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "same-origin"


async def test_session_cookie_is_httponly_and_lax(client: httpx.AsyncClient) -> None:
    await make_user("cookie")
    page = await client.get("/login")
    response = await client.post(
        "/login", data={"username": "cookie", "password": PASSWORD, "csrf_token": csrf_from(page.text)}
    )
    cookie = response.headers["set-cookie"]
    assert "forum_session=" in cookie and "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()


def post_routes(client: httpx.AsyncClient) -> list[str]:
    paths = []
    for route in client.app.routes:  # type: ignore[attr-defined]
        if isinstance(route, Route) and route.methods and "POST" in route.methods:
            paths.append(route.path)
    return paths


@pytest.mark.parametrize("token", [None, "", "forged-token"])
async def test_every_form_refuses_a_missing_or_forged_csrf_token(client: httpx.AsyncClient, settings, token) -> None:  # type: ignore[no-untyped-def]
    topic = await make_topic()
    # An administrator, so that every route gets as far as its CSRF check.
    member = await make_user("member", role=Role.ADMIN)
    post = await make_reply(topic, member, settings, "Original")
    translation = await translations.offer_translation(post, member, "ترجمه", "fa", settings)
    offer = await topic_texts.offer_topic_text(topic, await make_user("newcomer"), "fa", "عنوان", "متن", settings)
    await login(client, member.username)
    users_before = await User.all().count()
    for path in post_routes(client):
        url = (
            path.replace("{topic_id:id}", str(topic.id))
            .replace("{post_id:id}", str(post.id))
            .replace("{user_id:id}", str(member.id))
            .replace("{category_id:id}", str(topic.category_id))
            .replace("{translation_id:id}", str(translation.id))
            .replace("{offer_id:id}", str(offer.id))
            .replace("{action:str}", "lock")
            .replace("{action}", "hide")
        )
        data = {"body": "Changed", "username": "newname", "password": "a-long-password", "language": "fa"}
        if token is not None:
            data["csrf_token"] = token
        response = await client.post(url, data=data)
        assert response.status_code == 403, url
        assert "expired" in response.text
    assert await Post.all().count() == 1 and (await Post.get(id=post.id)).source == "Original"
    assert await User.all().count() == users_before
    assert (await User.get(id=member.id)).language is None
    assert not (await Topic.get(id=topic.id)).locked
    assert (await Post.get(id=post.id)).status == "approved"
    assert await Translation.filter(post_id=post.id).count() == 1 and not await Translation.filter(status="hidden")
    assert (await TopicTranslation.get(id=offer.id)).status == "pending"
    assert "Log out" in (await client.get("/")).text  # still logged in: logout was refused too


async def test_forms_that_are_not_forms_are_refused(client: httpx.AsyncClient) -> None:
    topic = await make_topic()
    await make_user("member")
    await login(client, "member")
    response = await client.post(f"/topics/{topic.id}/replies", json={"body": "hi"})
    assert response.status_code == 400


@pytest.mark.parametrize(
    "url",
    [
        "/topics/99999999999999999999",
        "/posts/99999999999999999999",
        "/topics/1/feed.rss?x=1&page=999999999999",
        "/topics/1?page=%C2%B2",
        "/topics/1?page=0",
        "/topics/1/reply?parent_id=%C2%B2",
    ],
)
async def test_odd_numbers_in_urls_are_not_server_errors(client: httpx.AsyncClient, url: str) -> None:
    await make_topic()
    await make_user("member")
    await login(client, "member")
    assert (await client.get(url)).status_code in (200, 404)


async def test_multipart_posts_are_refused(client: httpx.AsyncClient) -> None:
    topic = await make_topic()
    await make_user("member")
    token = await login(client, "member")
    response = await client.post(
        f"/topics/{topic.id}/replies", files={"body": ("a.txt", b"x")}, data={"csrf_token": token}
    )
    assert response.status_code == 400 and not await Post.all().exists()


async def test_the_reply_form_does_not_reveal_pending_posts(client: httpx.AsyncClient, settings) -> None:  # type: ignore[no-untyped-def]
    topic = await make_topic()
    secret = await make_reply(topic, await make_user("hidden_author"), settings, "Pending")
    await make_user("reader")
    await login(client, "reader")
    page = (await client.get(f"/topics/{topic.id}/reply?parent_id={secret.id}")).text
    assert "hidden_author" not in page


async def test_oversized_requests_are_refused(client: httpx.AsyncClient) -> None:
    topic = await make_topic()
    await make_user("member")
    token = await login(client, "member")
    response = await client.post(f"/topics/{topic.id}/replies", data={"csrf_token": token, "body": "x" * 2_000_000})
    assert response.status_code == 413
