"""The public address, headers that protect members, and hostile request headers."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from bs4 import BeautifulSoup

from forum.app import create_app
from forum.config import Settings
from forum.models import Post
from tests.factories import PASSWORD, csrf_from, login, make_reply, make_topic, make_user

PUBLIC = "https://forum.example.org"
ATOM_LINK = "{http://www.w3.org/2005/Atom}link"


@asynccontextmanager
async def forum_at(settings: Settings, address: str = "http://testserver") -> AsyncIterator[httpx.AsyncClient]:
    """The forum with these settings, reached at `address` (the scheme and Host the proxy passes on)."""
    transport = httpx.ASGITransport(app=create_app(settings, manage_database=False))
    async with httpx.AsyncClient(transport=transport, base_url=address) as client:
        yield client


def behind_proxy(settings: Settings) -> Settings:
    return settings.replace(server={"base_url": PUBLIC})


async def test_another_host_is_refused_when_base_url_is_set(database: Settings) -> None:
    async with forum_at(behind_proxy(database), "http://evil.invalid") as client:
        for url in ("/", "/feeds/latest.rss", "/login", "/static/forum.css"):
            response = await client.get(url)
            assert response.status_code == 400, url
            assert response.headers["content-type"].startswith("text/plain")
            assert "evil" not in response.text and "not served under" in response.text
        assert (await client.post("/login", data={"username": "x"})).status_code == 400
        arabic = await client.get("/", headers={"accept-language": "ar"})
        assert arabic.status_code == 400 and arabic.headers["content-language"] == "ar"
        assert "لا يُقدَّم" in arabic.text
        # Monitoring on the machine itself asks by IP address; the answer holds no link.
        health = await client.get("/healthz", headers={"host": "127.0.0.1:8000"})
        assert health.status_code == 200 and health.json()["status"] == "ok"
    async with forum_at(behind_proxy(database), "http://FORUM.Example.org:8000") as client:
        assert (await client.get("/")).status_code == 200  # the same host name, reached directly


async def test_links_come_from_base_url_even_when_the_proxy_speaks_http(database: Settings) -> None:
    topic = await make_topic("Federalism?")
    post = await make_reply(topic, await make_user(trusted=True), database, "A published reply.")
    async with forum_at(behind_proxy(database), "http://forum.example.org") as client:
        page = await client.get(f"/topics/{topic.id}")
        assert page.status_code == 200
        soup = BeautifulSoup(page.text, "html.parser")
        assert soup.select_one("link[rel=stylesheet]")["href"].startswith(f"{PUBLIC}/static/")
        assert soup.select_one("a.site-name")["href"] == f"{PUBLIC}/"
        switch = [a["href"] for a in soup.select(".language-switch a")]
        assert switch and all(href.startswith(f"{PUBLIC}/topics/{topic.id}?lang=") for href in switch)
        assert page.headers["strict-transport-security"] == "max-age=31536000"

        permalink = await client.get(f"/posts/{post.id}")
        assert permalink.status_code == 303 and permalink.headers["location"].startswith(f"/topics/{topic.id}?")
        login_redirect = await client.get("/my/posts")
        assert login_redirect.status_code == 303
        assert login_redirect.headers["location"].startswith(f"{PUBLIC}/login?next=")

        for url in ("/feeds/latest.rss", f"/topics/{topic.id}/feed.rss", "/feeds/topics.rss"):
            feed = await client.get(url)
            assert feed.headers["cache-control"] == "public, max-age=300"
            channel = ET.fromstring(feed.content).find("channel")
            assert channel is not None
            links = [channel.findtext("link"), channel.find(ATOM_LINK).get("href")]  # type: ignore[union-attr]
            links += [item.findtext("link") for item in channel.iter("item")]
            assert len(links) == 3 and all(link and link.startswith(f"{PUBLIC}/") for link in links), links


async def test_a_member_behind_the_proxy_is_sent_to_the_public_address(database: Settings) -> None:
    topic = await make_topic()
    await make_user("member", trusted=True)
    async with forum_at(behind_proxy(database), PUBLIC) as client:
        token = await login(client, "member")
        response = await client.post(f"/topics/{topic.id}/replies", data={"csrf_token": token, "body": "Hello"})
        post = await Post.first()
        assert post is not None
        assert response.status_code == 303 and response.headers["location"] == f"{PUBLIC}/posts/{post.id}"


async def test_without_base_url_links_follow_the_host_and_feeds_stay_private(database: Settings) -> None:
    async with forum_at(database, "http://forum.test:8000") as client:
        page = await client.get("/")
        assert BeautifulSoup(page.text, "html.parser").select_one("a.site-name")["href"] == "http://forum.test:8000/"
        assert "strict-transport-security" not in page.headers
        feed = await client.get("/feeds/latest.rss")
        # The links inside came from a Host header anyone can write: no shared cache may keep them.
        assert feed.headers["cache-control"] == "private, max-age=300"
        assert "http://forum.test:8000/" in feed.text
    async with forum_at(database.replace(server={"base_url": "http://forum.test"}), "http://forum.test") as client:
        assert "strict-transport-security" not in (await client.get("/")).headers


HOSTILE_HEADERS: list[tuple[str, bytes]] = [
    ("referer", b"http://["),
    ("referer", b"http://" + b"x" * 8000),
    ("referer", "http://مثال.example/مسیر?q=ü".encode()),
    ("referer", b"\xff\xfe\x00"),
    ("host", b""),
    ("host", b"h" * 10000),
    ("host", b"forum example"),
    ("host", b"["),
    ("host", b"[::1"),
    ("host", b"forum.test:99999999"),
    ("host", b"\xff\xfe"),
    ("accept-language", b"fa;q=0.5, " * 2000),
    ("accept-language", b"fa;q=nan, ar;q=inf, en;q=-1, *;q=1e999, ;q=, ,,,;;;q=0x10"),
    ("accept-language", "فارسی;q=١".encode()),
    ("cookie", b"forum_session=garbage"),
    ("cookie", b"forum_session=" + b"A" * 20000),
    ("cookie", b"forum_session=eyJ1aWQiOiAxfQ==.bad.signature; lang=xx"),
    ("cookie", b"\xff\xfe=\xff; lang=\xff; forum_session=\xc3\x28"),
    ("cookie", b";;;=;==; =; lang"),
    ("if-none-match", b"\xff garbage, W/, *x"),
    ("if-modified-since", b"Mon, 99 Foo 99999 99:99:99 GMT"),
    ("if-modified-since", b"Mon, 01 Jan 2024 00:00:00 -0000"),
    ("if-modified-since", b"Fri, 31 Dec 9999 23:59:59 +1400"),
    ("if-modified-since", b"0"),
    ("x-forwarded-for", b"[, \xff, 999.1.1.1, ::::"),
    ("origin", b"http://["),
    ("origin", b"\xff"),
    ("sec-fetch-site", b"\xff"),
]


@pytest.mark.parametrize("base_url", ["", PUBLIC])
async def test_malformed_headers_never_give_a_server_error(database: Settings, base_url: str) -> None:
    topic = await make_topic()
    await make_user("member")
    settings = database.replace(server={"base_url": base_url})
    requests = [
        ("GET", "/"),
        ("GET", f"/topics/{topic.id}"),
        ("POST", "/login"),
        ("GET", "/feeds/latest.rss"),
        ("GET", f"/topics/{topic.id}/feed.rss"),
        # Anonymous: the refusal sends the reader to log in, back to the page in the Referer.
        ("POST", f"/topics/{topic.id}/replies"),
    ]
    async with forum_at(settings, "http://forum.example.org") as client:
        for name, value in HOSTILE_HEADERS:
            for method, url in requests:
                data = {"username": "member", "password": PASSWORD} if method == "POST" else None
                response = await client.request(method, url, headers=[(name.encode(), value)], data=data)
                assert response.status_code < 500, (name, value[:40], method, url, response.text[:300])


async def test_a_malformed_referer_on_a_refused_post_leads_to_the_login_page(client: httpx.AsyncClient) -> None:
    topic = await make_topic()
    response = await client.post(f"/topics/{topic.id}/replies", headers={"referer": "http://["}, data={"body": "x"})
    # The login form itself, carrying the text to give back after login (see test_kept_replies.py).
    assert response.status_code == 403 and 'id="login-username"' in response.text


async def test_a_host_header_that_is_no_host_is_refused_without_base_url(client: httpx.AsyncClient) -> None:
    for host in ("[", "a b", "x" * 300, "forum.test:port"):
        response = await client.get("/", headers={"host": host})
        assert response.status_code == 400, host
    assert (await client.get("/", headers={"host": "[::1]:8000"})).status_code == 200


async def test_reading_sets_no_cookie_for_anonymous_readers(client: httpx.AsyncClient, settings: Settings) -> None:
    topic = await make_topic()
    await make_reply(topic, await make_user(trusted=True), settings, "Visible reply.")
    for url in ("/", f"/topics/{topic.id}", "/feeds/latest.rss", f"/topics/{topic.id}/feed.rss", "/transparency"):
        response = await client.get(url)
        assert response.status_code == 200, url
        assert "set-cookie" not in response.headers, url
        assert "no-store" not in response.headers.get("cache-control", ""), url
    assert not client.cookies

    switched = await client.get(f"/topics/{topic.id}?lang=fa")
    assert switched.headers.get_list("set-cookie") and all(
        cookie.startswith("lang=fa;") for cookie in switched.headers.get_list("set-cookie")
    )
    assert switched.headers["cache-control"] == "private, no-store"
    assert dict(client.cookies) == {"lang": "fa"}
    again = await client.get("/")
    assert "set-cookie" not in again.headers
    assert BeautifulSoup(again.text, "html.parser").html["lang"] == "fa"  # type: ignore[index]


async def test_forms_get_their_token_and_login_works_from_a_fresh_client(client: httpx.AsyncClient) -> None:
    await make_user("member")
    form = await client.get("/login")
    assert "forum_session=" in form.headers["set-cookie"]
    assert form.headers["cache-control"] == "private, no-store"
    token = BeautifulSoup(form.text, "html.parser").select_one("form.account-form input[name=csrf_token]")["value"]
    response = await client.post("/login", data={"username": "member", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 303


async def test_pages_for_members_are_never_cached(client: httpx.AsyncClient) -> None:
    topic = await make_topic()
    await make_user("member")
    await login(client, "member")
    for url in ("/", f"/topics/{topic.id}", "/my/posts", "/feeds/latest.rss", "/nowhere"):
        response = await client.get(url)
        assert response.headers["cache-control"] == "private, no-store", url
    stylesheet = await client.get("/static/forum.css")
    assert "no-store" not in stylesheet.headers.get("cache-control", "")


@pytest.mark.parametrize(
    "headers",
    [
        {"origin": "https://evil.example"},
        {"origin": "null"},
        {"origin": "http://testserver.evil.example"},
        {"sec-fetch-site": "cross-site"},
        {"origin": "http://testserver", "sec-fetch-site": "cross-site"},
    ],
)
async def test_cross_site_posts_are_refused_even_with_a_valid_token(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    topic = await make_topic()
    await make_user("member", trusted=True)
    token = await login(client, "member")
    response = await client.post(
        f"/topics/{topic.id}/replies", data={"csrf_token": token, "body": "Forged"}, headers=headers
    )
    assert response.status_code == 403
    message = BeautifulSoup(response.text, "html.parser").select_one("main").get_text()  # type: ignore[union-attr]
    assert "did not come from this site" in message
    assert not await Post.exists()
    assert (await client.post("/logout", data={"csrf_token": token}, headers=headers)).status_code == 403
    assert "Log out" in (await client.get("/")).text


@pytest.mark.parametrize(
    "headers",
    [{}, {"origin": "http://testserver"}, {"origin": "http://TestServer", "sec-fetch-site": "same-origin"}],
)
async def test_posts_from_this_site_or_without_origin_pass(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    topic = await make_topic()
    await make_user("member", trusted=True)
    token = await login(client, "member")
    response = await client.post(
        f"/topics/{topic.id}/replies", data={"csrf_token": token, "body": "Welcome"}, headers=headers
    )
    assert response.status_code == 303 and await Post.exists()


async def test_behind_https_only_the_https_origin_is_this_site(database: Settings) -> None:
    topic = await make_topic()
    await make_user("member", trusted=True)
    async with forum_at(behind_proxy(database), PUBLIC) as client:
        token = await login(client, "member")
        data = {"csrf_token": token, "body": "Hello"}
        url = f"/topics/{topic.id}/replies"
        refused = await client.post(url, data=data, headers={"origin": "http://forum.example.org"})
        assert refused.status_code == 403
        assert (await client.post(url, data=data, headers={"origin": PUBLIC})).status_code == 303
    # Without base_url a proxy may end TLS in front of the forum: the host alone decides.
    async with forum_at(database, "http://forum.example.org") as client:
        token = csrf_from((await client.get("/login")).text)
        response = await client.post(
            "/login",
            data={"username": "member", "password": PASSWORD, "csrf_token": token},
            headers={"origin": PUBLIC},
        )
        assert response.status_code == 303
