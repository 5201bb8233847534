"""What a hostile visitor tried on the forum, row by row: each answered without a 500, without locking anyone
out, and without holding a worker."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from bs4 import BeautifulSoup
from starlette.applications import Starlette

from forum.accounts import auth
from forum.accounts.logins import DEVICE_COOKIE
from forum.app import create_app
from forum.config import Settings
from forum.discussions import posts
from forum.models import Post, Revision
from tests.factories import PASSWORD, csrf_from, login, make_reply, make_topic, make_user

SHIPPED_LIMITS = dict(vars(Settings().ratelimit))
NO_ACCOUNT = "That username and password do not match an account."
BUSY = "Many people are logging in right now."
TOO_MANY_ATTEMPTS = "Too many attempts."
TOO_OFTEN = "You are doing that too often."

MakeApp = Callable[..., Starlette]


@pytest.fixture(autouse=True)
def _forum_log_captured(caplog: pytest.LogCaptureFixture) -> None:
    """Everything the forum logs, so that a test can say what must not be in it."""
    caplog.set_level(logging.INFO, logger="forum")


@pytest.fixture
def make_app(database: Settings) -> MakeApp:
    """An app with the shipped rate limits, and any settings changed by section."""

    def make(**sections: dict[str, object]) -> Starlette:
        ratelimit = {**SHIPPED_LIMITS, **sections.pop("ratelimit", {})}
        return create_app(database.replace(ratelimit=ratelimit, **sections), manage_database=False)

    return make


def browser(app: Starlette, address: str) -> httpx.AsyncClient:
    """A client whose requests come from `address`."""
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def try_login(client: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    token = csrf_from((await client.get("/login")).text)
    return await client.post("/login", data={"username": username, "password": password, "csrf_token": token})


def form_error(response: httpx.Response) -> str:
    alert = BeautifulSoup(response.text, "html.parser").select_one(".form-error[role=alert]")
    assert alert is not None, response.text[:500]
    return alert.get_text()


@pytest.fixture
async def alice_browser(make_app: MakeApp) -> AsyncIterator[tuple[Starlette, httpx.AsyncClient]]:
    """Alice's own browser, which has logged in before (and logged out since), and the app it talks to."""
    app = make_app(ratelimit={"login_delay_max": 2}, security={"password_hashes_waiting": 100})
    await make_user("alice")
    async with browser(app, "198.51.100.7") as known:
        token = await login(known, "alice")
        await known.post("/logout", data={"csrf_token": token})
        yield app, known


async def guess_from_many_addresses(app: Starlette, username: str, addresses: int, each: int) -> list[int]:
    """Wrong passwords for `username`, `each` at once from each of `addresses` addresses in turn."""
    statuses = []
    for n in range(addresses):
        async with browser(app, f"203.0.113.{n + 1}") as stranger:
            responses = await asyncio.gather(
                *(try_login(stranger, username, f"wrong guess {guess}") for guess in range(each))
            )
            statuses += [response.status_code for response in responses]
    return statuses


# Row: logged in with a 65-character username (and 900 KB ones): 500, the name logged four times.


@pytest.mark.parametrize("length", [auth.USERNAME_MAX + 1, 65, 900_000])
async def test_an_overlong_username_matches_no_account(
    make_app: MakeApp, caplog: pytest.LogCaptureFixture, length: int
) -> None:
    async with browser(make_app(), "192.0.2.1") as client:
        response = await try_login(client, "a" * length, PASSWORD)
    assert response.status_code == 422
    assert form_error(response) == NO_ACCOUNT
    # Shown back no longer than a name can be, and logged nowhere.
    field = BeautifulSoup(response.text, "html.parser").select_one("#login-username")
    assert field is not None and field["value"] == "a" * auth.USERNAME_MAX
    assert len(response.content) < 50_000
    assert not [record for record in caplog.records if "a" * 40 in record.getMessage() or record.exc_info]


async def test_an_overlong_password_is_refused_without_hashing(make_app: MakeApp) -> None:
    app = make_app(security={"password_hashes_at_once": 1, "password_hashes_waiting": 0})
    await make_user("alice")
    async with browser(app, "192.0.2.1") as client:
        token = csrf_from((await client.get("/login")).text)
        # Every hashing slot taken and none may wait: an attempt that needed a hash would be refused as busy.
        async with auth._Hashing.slots.held():
            overlong = await client.post(
                "/login", data={"username": "alice", "password": "x" * (auth.PASSWORD_MAX + 1), "csrf_token": token}
            )
            hashed = await client.post(
                "/login", data={"username": "alice", "password": "a wrong password", "csrf_token": token}
            )
    assert overlong.status_code == 422 and form_error(overlong) == NO_ACCOUNT
    assert hashed.status_code == 429 and BUSY in form_error(hashed)


# Row: 10 wrong passwords for someone else's name: the owner's right password then refused for 15 minutes,
# from any address; successful logins counted too.


async def test_wrong_guesses_from_one_address_do_not_lock_out_the_owner_elsewhere(make_app: MakeApp) -> None:
    app = make_app()
    await make_user("alice")
    async with browser(app, "203.0.113.1") as attacker:
        statuses = [(await try_login(attacker, "alice", f"wrong guess {n}")).status_code for n in range(11)]
        assert statuses == [422] * 10 + [429]
        async with browser(app, "198.51.100.7") as owner:
            assert (await try_login(owner, "alice", PASSWORD)).status_code == 303
        refused = await try_login(attacker, "alice", PASSWORD)
    assert refused.status_code == 429 and TOO_MANY_ATTEMPTS in form_error(refused)


async def test_successful_logins_are_not_counted(make_app: MakeApp) -> None:
    app = make_app()
    await make_user("alice")
    async with browser(app, "198.51.100.7") as owner:
        for _ in range(15):
            response = await try_login(owner, "alice", PASSWORD)
            assert response.status_code == 303
            owner.cookies.delete("forum_session")


async def test_after_fifty_wrong_guesses_the_owner_gets_in_at_once_or_after_the_delay(
    alice_browser: tuple[Starlette, httpx.AsyncClient],
) -> None:
    app, known = alice_browser
    statuses = await guess_from_many_addresses(app, "alice", addresses=5, each=10)
    assert statuses == [422] * 50
    assert await app.state.limiter.delay("login_username", "alice") == 2
    async with browser(app, "198.51.100.99") as new_browser:
        start = time.monotonic()
        from_new = asyncio.create_task(try_login(new_browser, "alice", PASSWORD))
        from_known = asyncio.create_task(try_login(known, "alice", PASSWORD))
        done, _ = await asyncio.wait({from_new, from_known}, return_when=asyncio.FIRST_COMPLETED)
        # The known browser is let in while a new one still waits out the name's delay...
        assert done == {from_known}
        assert from_known.result().status_code == 303
        # ...which is no longer than configured (with a wide margin for a busy machine).
        assert (await from_new).status_code == 303
        assert 1.99 <= time.monotonic() - start < 2 + 30


async def test_the_known_browser_cookie_is_signed_lasting_and_names_no_one(
    alice_browser: tuple[Starlette, httpx.AsyncClient],
) -> None:
    app, known = alice_browser
    assert await guess_from_many_addresses(app, "alice", addresses=1, each=10) == [422] * 10
    cookie = known.cookies[DEVICE_COOKIE]
    assert "alice" not in cookie
    async with browser(app, "198.51.100.7") as copy:
        token = csrf_from((await copy.get("/login")).text)
        # A tampered cookie is no cookie: this attempt waits the delay (a second) like any stranger's.
        copy.cookies.set(DEVICE_COOKIE, cookie[:-2] + ("AA" if not cookie.endswith("AA") else "BB"))
        attempt = asyncio.create_task(
            copy.post("/login", data={"username": "alice", "password": PASSWORD, "csrf_token": token})
        )
        done, _ = await asyncio.wait({attempt}, timeout=0.5)
        assert not done
        assert (await attempt).status_code == 303
    async with browser(app, "198.51.100.7") as fresh:
        token = csrf_from((await fresh.get("/login")).text)
        fresh.cookies.set(DEVICE_COOKIE, cookie)
        response = await fresh.post("/login", data={"username": "alice", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 303
    set_cookie = next(h for h in response.headers.get_list("set-cookie") if h.startswith(DEVICE_COOKIE))
    attributes = {part.strip().split("=")[0].lower() for part in set_cookie.split(";")}
    assert {"httponly", "max-age", "samesite"} <= attributes
    assert f"max-age={365 * 24 * 3600}" in set_cookie.lower()


# Row: 40 parallel wrong logins from one address (under the per-address limit): argon2 at 64 MiB each with
# unbounded concurrency took one worker from 161 MB to 2.57 GB.


async def test_parallel_logins_hash_a_bounded_number_at_once_and_refuse_the_rest(make_app: MakeApp) -> None:
    app = make_app(security={"password_hashes_at_once": 1, "password_hashes_waiting": 3})
    async with browser(app, "192.0.2.1") as client:
        token = csrf_from((await client.get("/login")).text)
        async with auth._Hashing.slots.held():
            attempts = [
                asyncio.create_task(
                    client.post(
                        "/login", data={"username": f"member{n}", "password": "wrong guess", "csrf_token": token}
                    )
                )
                for n in range(10)
            ]
            # Those past the queue are answered while the slot is still taken; three wait for it.
            for _ in range(1000):
                if sum(task.done() for task in attempts) == 7:
                    break
                await asyncio.sleep(0.01)
            refused = [task.result() for task in attempts if task.done()]
            assert len(refused) == 7 and auth._Hashing.slots.waiting == 3
        waited = await asyncio.gather(*(task for task in attempts if not task.done()))
    assert all(r.status_code == 429 and BUSY in form_error(r) for r in refused)
    assert [r.status_code for r in waited] == [422] * 3


# Row: previewed "![" x 10,000 ten times as a new member: no limit, 0.75 s of CPU each on the event loop.


async def test_previews_are_limited_and_the_text_kept(make_app: MakeApp) -> None:
    app = make_app(ratelimit={"preview": "3/minute"})
    topic = await make_topic()
    await make_user("newcomer")
    body = "![" * 10_000
    async with browser(app, "192.0.2.1") as client:
        token = await login(client, "newcomer")
        statuses = []
        for _ in range(4):
            response = await client.post(
                f"/topics/{topic.id}/replies", data={"body": body, "action": "preview", "csrf_token": token}
            )
            statuses.append(response.status_code)
    assert statuses == [200, 200, 200, 429]
    page = BeautifulSoup(response.text, "html.parser")
    assert TOO_OFTEN in form_error(response)
    textarea = page.select_one("textarea[name=body]")
    assert textarea is not None and textarea.get_text() == body
    assert await Post.all().count() == 0


async def test_previews_of_edits_share_the_limit(make_app: MakeApp, settings: Settings) -> None:
    app = make_app(ratelimit={"preview": "2/minute"})
    author = await make_user("writer", trusted=True)
    post = await make_reply(await make_topic(), author, settings, "Original")
    async with browser(app, "192.0.2.1") as client:
        token = await login(client, "writer")
        topic_preview = await client.post(
            f"/topics/{post.topic_id}/replies", data={"body": "a", "action": "preview", "csrf_token": token}
        )
        statuses = [topic_preview.status_code]
        for _ in range(2):
            response = await client.post(
                f"/posts/{post.id}/edit", data={"body": "*Changed*", "action": "preview", "csrf_token": token}
            )
            statuses.append(response.status_code)
    assert statuses == [200, 200, 429]
    assert TOO_OFTEN in form_error(response)


# Row: edited one post 100 times in 4 s: all accepted, and a 4 MB history page without pagination.


async def test_edits_are_limited_and_the_text_kept(make_app: MakeApp, settings: Settings) -> None:
    app = make_app()
    author = await make_user("writer", trusted=True)
    post = await make_reply(await make_topic(), author, settings, "Original")
    async with browser(app, "192.0.2.1") as client:
        token = await login(client, "writer")
        statuses = []
        for n in range(11):
            response = await client.post(
                f"/posts/{post.id}/edit", data={"body": f"Version {n}", "action": "save", "csrf_token": token}
            )
            statuses.append(response.status_code)
    assert statuses == [303] * 10 + [429]
    assert TOO_OFTEN in form_error(response)
    textarea = BeautifulSoup(response.text, "html.parser").select_one("textarea[name=body]")
    assert textarea is not None and textarea.get_text() == "Version 10"
    assert (await Post.get(id=post.id)).source == "Version 9"
    assert await Revision.filter(post_id=post.id).count() == 10


async def test_the_history_is_paginated(client: httpx.AsyncClient, settings: Settings) -> None:
    author = await make_user("writer", trusted=True)
    post = await make_reply(await make_topic(), author, settings, "Version 0")
    for n in range(1, 46):
        await posts.edit_post(post, author, f"Version {n}", settings)
    await login(client, "writer")

    def versions(response: httpx.Response) -> list[str]:
        page = BeautifulSoup(response.text, "html.parser")
        return [section.select_one(".post-body").get_text(strip=True) for section in page.select("section.revision")]

    first = await client.get(f"/posts/{post.id}/history")
    assert versions(first) == ["Version 45", *(f"Version {n}" for n in range(44, 24, -1))]
    next_link = BeautifulSoup(first.text, "html.parser").select_one("a[rel=next]")
    assert next_link is not None
    second = await client.get(str(next_link["href"]))
    assert versions(second) == [f"Version {n}" for n in range(24, 4, -1)]
    third = await client.get(f"/posts/{post.id}/history?page=3")
    assert versions(third) == [f"Version {n}" for n in range(4, -1, -1)]
    assert BeautifulSoup(third.text, "html.parser").select_one("a[rel=next]") is None
    for page in ("4", "x", "99999999999"):
        assert (await client.get(f"/posts/{post.id}/history?page={page}")).status_code == 404


# Row: posted http://pay<U+200B>pal.invalid: linked to xn--paypal-df0c.invalid, the zero-width space kept.


async def test_a_link_with_an_invisible_character_leads_where_it_reads(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    topic = await make_topic()
    await make_user("writer", trusted=True)
    token = await login(client, "writer")
    body = "Pay here: http://pay\u200bpal.invalid/account and [there](https://bank\u202e.invalid/\u200bx)"
    response = await client.post(f"/topics/{topic.id}/replies", data={"body": body, "csrf_token": token})
    assert response.status_code == 303
    post = await Post.get()
    page = BeautifulSoup((await client.get(f"/topics/{topic.id}")).text, "html.parser")
    links = page.select(f"#post-{post.id} .post-body a")
    assert [(a["href"], a.get_text()) for a in links] == [
        ("http://paypal.invalid/account", "http://paypal.invalid/account"),
        ("https://bank.invalid/x", "there"),
    ]
    assert "xn--" not in post.html and "\u200b" not in post.html


async def test_an_internationalised_host_shows_its_ascii_form_on_hover(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    topic = await make_topic()
    await make_user("writer", trusted=True)
    token = await login(client, "writer")
    # The first "a" is Cyrillic; the Persian words keep their zero-width non-joiner.
    body = "http://p\u0430ypal.com/login می\u200cخواهم"
    await client.post(f"/topics/{topic.id}/replies", data={"body": body, "csrf_token": token})
    post = await Post.get()
    page = BeautifulSoup((await client.get(f"/topics/{topic.id}")).text, "html.parser")
    link = page.select_one(f"#post-{post.id} .post-body a")
    assert link is not None
    assert link.get_text() == "http://p\u0430ypal.com/login"
    assert link["href"] == link["title"] == "http://xn--pypal-4ve.com/login"
    assert "می\u200cخواهم" in page.select_one(f"#post-{post.id} .post-body").get_text()


# Also known: Markdown nested past the limit ("- " x 10,000 then "x") silently dropped the text after the cut.


async def test_text_nested_past_the_limit_is_kept(client: httpx.AsyncClient) -> None:
    topic = await make_topic()
    await make_user("writer", trusted=True)
    token = await login(client, "writer")
    body = "- " * 9_000 + "the last words"
    await client.post(f"/topics/{topic.id}/replies", data={"body": body, "csrf_token": token})
    post = await Post.get()
    page = BeautifulSoup((await client.get(f"/topics/{topic.id}")).text, "html.parser")
    text = page.select_one(f"#post-{post.id} .post-body").get_text()
    assert text.rstrip().endswith("- - the last words")
