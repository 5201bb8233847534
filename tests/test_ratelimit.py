from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from forum.app import create_app
from forum.config import Settings
from forum.errors import RateLimited
from forum.models import Post
from forum.ratelimit import RateLimiter
from tests.factories import csrf_from, login, make_topic, make_user

REDIS_URL = os.environ.get("FORUM_TEST_REDIS_URL", "")


@pytest.fixture
async def strict_client(database: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """A client of an app with the shipped rate-limit defaults."""
    settings = database.replace(ratelimit=dict(vars(Settings().ratelimit)))
    app = create_app(settings, manage_database=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        yield client


async def test_a_second_reply_within_seconds_is_refused_and_kept(strict_client: httpx.AsyncClient) -> None:
    topic = await make_topic()
    await make_user("fast", trusted=True)
    token = await login(
        strict_client,
        "fast",
    )
    first = await strict_client.post(f"/topics/{topic.id}/replies", data={"csrf_token": token, "body": "One"})
    assert first.status_code == 303
    second = await strict_client.post(
        f"/topics/{topic.id}/replies", data={"csrf_token": token, "body": "Two, too soon"}
    )
    assert second.status_code == 429
    assert "Two, too soon" in second.text and "too often" in second.text
    assert await Post.all().count() == 1


async def test_refused_replies_do_not_use_up_the_limit(strict_client: httpx.AsyncClient) -> None:
    topic = await make_topic()
    await make_user("careful", trusted=True)
    token = await login(strict_client, "careful")
    empty = await strict_client.post(f"/topics/{topic.id}/replies", data={"csrf_token": token, "body": " "})
    assert empty.status_code == 422
    fixed = await strict_client.post(
        f"/topics/{topic.id}/replies", data={"csrf_token": token, "body": "Now with words"}
    )
    assert fixed.status_code == 303


async def test_failed_logins_are_limited_per_username_and_address(strict_client: httpx.AsyncClient) -> None:
    await make_user("target")
    page = await strict_client.get("/login")
    token = csrf_from(page.text)
    statuses = []
    for _ in range(11):
        response = await strict_client.post(
            "/login", data={"username": "target", "password": "wrong-password!", "csrf_token": token}
        )
        statuses.append(response.status_code)
    assert statuses[:10] == [422] * 10 and statuses[10] == 429
    assert "Too many attempts" in response.text


async def test_registrations_are_limited_per_address(strict_client: httpx.AsyncClient) -> None:
    statuses = []
    for n in range(6):
        page = await strict_client.get("/register")
        response = await strict_client.post(
            "/register",
            data={
                "username": f"newbie{n}x",
                "password": "a-long-password",
                "password_confirm": "a-long-password",
                "csrf_token": csrf_from(page.text),
            },
        )
        statuses.append(response.status_code)
        strict_client.cookies.clear()
    # Each account made answers with its recovery codes (200); the sixth is refused.
    assert statuses == [200] * 5 + [429]


@pytest.mark.skipif(not REDIS_URL, reason="Redis tests need FORUM_TEST_REDIS_URL")
async def test_limits_are_shared_through_redis(tmp_path: Path) -> None:
    settings = Settings().replace(ratelimit={"storage_url": REDIS_URL, "flag": "2/minute"})
    first, second = RateLimiter(settings.ratelimit), RateLimiter(settings.ratelimit)
    key = uuid.uuid4().hex
    await first.hit("flag", key)
    await second.hit("flag", key)
    # Two "workers", one budget: the third action is refused whichever worker sees it.
    for limiter in (first, second):
        with pytest.raises(RateLimited):
            await limiter.hit("flag", key)
    await first.hit("flag", uuid.uuid4().hex)
    await first.close()
    await second.close()


async def test_replies_sent_all_at_once_cannot_pass_the_limit_together(strict_client: httpx.AsyncClient) -> None:
    import asyncio

    topic = await make_topic()
    await make_user("burst")
    token = await login(strict_client, "burst")
    responses = await asyncio.gather(
        *(
            strict_client.post(f"/topics/{topic.id}/replies", data={"csrf_token": token, "body": f"Burst {n}"})
            for n in range(8)
        )
    )
    assert sorted(r.status_code for r in responses) == [303] + [429] * 7
    assert await Post.all().count() == 1


async def test_login_guesses_sent_all_at_once_are_limited(database: Settings) -> None:
    """Limits are checked and failures counted while holding a hashing slot: with one slot, exactly; with N, a
    burst passes a limit by at most N - 1."""
    import asyncio

    settings = database.replace(
        ratelimit=dict(vars(Settings().ratelimit)),
        security={"password_hashes_at_once": 1, "password_hashes_waiting": 20},
    )
    app = create_app(settings, manage_database=False)
    await make_user("victim")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        token = csrf_from((await client.get("/login")).text)
        responses = await asyncio.gather(
            *(
                client.post("/login", data={"username": "victim", "password": f"guess number {n}", "csrf_token": token})
                for n in range(15)
            )
        )
    assert sorted(r.status_code for r in responses) == [422] * 10 + [429] * 5


@pytest.mark.skipif(not REDIS_URL, reason="Redis tests need FORUM_TEST_REDIS_URL")
async def test_the_login_slowdown_is_shared_through_redis() -> None:
    settings = Settings().replace(ratelimit={"storage_url": REDIS_URL, "login_username": "2/minute"})
    first, second = RateLimiter(settings.ratelimit), RateLimiter(settings.ratelimit)
    key = uuid.uuid4().hex
    delays = []
    for limiter in (first, second, first, second, first):
        delays.append(await limiter.delay("login_username", key))
        await limiter.record("login_username", key)
    # No wait within the limit, then 1 second doubling with each failure, whichever worker counted it.
    assert delays == [0, 0, 1, 2, 4]
    for _ in range(6):
        await second.record("login_username", key)
    assert await first.delay("login_username", key) == settings.ratelimit.login_delay_max
    await first.close()
    await second.close()
