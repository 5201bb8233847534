"""Outages of Redis and of the database, with the real services taken away and brought back."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest
import redis.asyncio
from bs4 import BeautifulSoup
from starlette.applications import Starlette
from tortoise import connections
from tortoise.exceptions import IntegrityError

from forum import db
from forum.accounts import auth
from forum.app import create_app
from forum.config import Settings
from forum.errors import DatabaseUnavailable, connection_failure
from forum.i18n import gettext, use_language
from forum.models import Post
from tests.conftest import POSTGRES_URL, TABLES, make_settings
from tests.factories import csrf_from, login, make_reply, make_topic, make_user
from tests.services import RedisServer, TcpProxy, free_port

RECHECK_SECONDS = 1
# Long enough for a few rechecks on a busy machine; the loop ends as soon as the state is seen.
POLL_LIMIT = 15.0


def parse(response: httpx.Response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def forum_records(caplog: pytest.LogCaptureFixture, level: int) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "forum" and r.levelno == level]


@pytest.fixture
async def redis_server() -> AsyncIterator[RedisServer]:
    server = RedisServer()
    await server.start()
    try:
        yield server
    finally:
        await server.kill()


@asynccontextmanager
async def limited_app(
    database: Settings, storage_url: str, recheck_seconds: int = RECHECK_SECONDS
) -> AsyncIterator[Starlette]:
    """An app counting its rate limits in Redis at `storage_url`, started and stopped by its lifespan."""
    settings = database.replace(
        ratelimit={"storage_url": storage_url, "recheck_seconds": recheck_seconds, "reply": "3/minute"}
    )
    app = create_app(settings, manage_database=False)
    async with app.router.lifespan_context(app):
        yield app


def client_of(app: Starlette) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


async def wait_for_ratelimit(client: httpx.AsyncClient, state: str) -> dict[str, Any]:
    """/healthz once the rate limits report `state`, or the last answer when POLL_LIMIT passes first."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + POLL_LIMIT
    while True:
        health: dict[str, Any] = (await client.get("/healthz")).json()
        if health["ratelimit"] == state or loop.time() > deadline:
            return health
        await asyncio.sleep(0.1)


async def post_replies(client: httpx.AsyncClient, topic_id: int, token: str, count: int) -> list[int]:
    statuses = []
    for n in range(count):
        response = await client.post(f"/topics/{topic_id}/replies", data={"csrf_token": token, "body": f"Reply {n}"})
        statuses.append(response.status_code)
    return statuses


async def test_redis_killed_mid_run_counts_in_memory_and_comes_back(
    database: Settings, redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="forum")
    topic = await make_topic()
    await make_user("writer", trusted=True)
    await make_user("reader")
    async with (
        limited_app(database, redis_server.url) as app,
        client_of(app) as writer,
        client_of(app) as reader,
    ):
        token = await login(writer, "writer")
        assert await post_replies(writer, topic.id, token, 2) == [303, 303]
        health = await writer.get("/healthz")
        assert (health.status_code, health.json()) == (200, {"status": "ok", "database": "ok", "ratelimit": "ok"})

        await redis_server.kill()
        # Counted afresh in memory, and still limited: three a minute.
        assert await post_replies(writer, topic.id, token, 4) == [303, 303, 303, 429]
        await login(reader, "reader")
        health = await writer.get("/healthz")
        assert (health.status_code, health.json()) == (
            200,
            {"status": "degraded", "database": "ok", "ratelimit": "degraded"},
        )
        warnings = forum_records(caplog, logging.WARNING)
        assert len(warnings) == 1 and "Redis cannot be reached" in warnings[0]

        await redis_server.start()
        health_json = await wait_for_ratelimit(writer, "ok")
        assert health_json == {"status": "ok", "database": "ok", "ratelimit": "ok"}
        reader_token = csrf_from((await reader.get("/")).text)
        assert await post_replies(reader, topic.id, reader_token, 1) == [303]
    # The reply was counted in the restarted Redis, which had nothing before.
    shared = redis.asyncio.Redis.from_url(redis_server.url)
    try:
        assert await shared.keys("LIMITS*")
    finally:
        await shared.aclose()
    assert len(forum_records(caplog, logging.WARNING)) == 1
    assert [m for m in forum_records(caplog, logging.INFO) if "Redis answers again" in m]


async def test_redis_unreachable_at_start_is_logged_once_and_limits_hold(
    database: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="forum")
    topic = await make_topic()
    await make_user("early", trusted=True)
    async with limited_app(database, f"redis://127.0.0.1:{free_port()}/0") as app, client_of(app) as client:
        # Told at start, before any request needed a limit.
        assert len(forum_records(caplog, logging.WARNING)) == 1
        token = await login(client, "early")
        assert await post_replies(client, topic.id, token, 4) == [303, 303, 303, 429]
        health = await client.get("/healthz")
        assert (health.status_code, health.json()["ratelimit"]) == (200, "degraded")
    assert await Post.all().count() == 3
    warnings = forum_records(caplog, logging.WARNING)
    assert len(warnings) == 1 and "Redis cannot be reached" in warnings[0]


async def test_while_degraded_requests_do_not_try_to_reach_redis(database: Settings, redis_server: RedisServer) -> None:
    topic = await make_topic()
    await make_user("quiet", trusted=True)
    attempts: list[object] = []

    async def count(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        attempts.append(reader)
        writer.close()

    # A recheck interval far longer than the test: nothing may knock on Redis's port within it.
    async with limited_app(database, redis_server.url, recheck_seconds=3600) as app, client_of(app) as client:
        token = await login(client, "quiet")
        await redis_server.kill()
        assert await post_replies(client, topic.id, token, 1) == [303]  # finds Redis gone
        listener = await asyncio.start_server(count, "127.0.0.1", redis_server.port)
        try:
            assert await post_replies(client, topic.id, token, 3) == [303, 303, 429]
            assert (await client.get("/healthz")).json()["ratelimit"] == "degraded"
        finally:
            listener.close()
            await listener.wait_closed()
    assert attempts == []


@pytest.fixture
async def proxied_database(tmp_path: Path) -> AsyncIterator[tuple[Settings, TcpProxy]]:
    """The PostgreSQL test database reached through a proxy the test can close and open again."""
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL tests need FORUM_TEST_POSTGRES_URL")
    target = urlsplit(POSTGRES_URL)
    proxy = TcpProxy(target.hostname or "127.0.0.1", target.port or 5432)
    await proxy.start()
    credentials = target.netloc.rpartition("@")[0]
    netloc = f"{credentials}@127.0.0.1:{proxy.port}" if credentials else f"127.0.0.1:{proxy.port}"
    settings = make_settings(tmp_path, urlunsplit(target._replace(netloc=netloc)))
    auth.configure_hashing(settings.security)
    await db.connect(settings)
    await db.migrate(settings)
    try:
        yield settings, proxy
    finally:
        await proxy.start()
        await connections.get("default").execute_script(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")
        await db.close()
        await proxy.stop()


def message_in(language: str) -> str:
    with use_language(language):
        return gettext(DatabaseUnavailable.default_message)


async def test_postgres_outage_answers_503_keeps_the_text_and_recovers(
    proxied_database: tuple[Settings, TcpProxy], caplog: pytest.LogCaptureFixture
) -> None:
    settings, proxy = proxied_database
    app = create_app(settings, manage_database=False)
    topic = await make_topic()
    author = await make_user("steady", trusted=True)
    earlier = await make_reply(topic, author, settings, "Before the outage.")
    await make_user("returning")
    statuses: list[int] = []
    async with client_of(app) as member, client_of(app) as visitor:
        token = await login(member, "steady")
        login_token = csrf_from((await visitor.get("/login")).text)
        register_token = csrf_from((await visitor.get("/register")).text)

        await proxy.stop()
        health = await member.get("/healthz")
        assert (health.status_code, health.json()["database"], health.json()["status"]) == (
            503,
            "unavailable",
            "unavailable",
        )

        page = await member.get(f"/topics/{topic.id}")
        assert page.headers["retry-after"] == "60"
        assert parse(page).h1 is not None and parse(page).h1.get_text(strip=True) == message_in("en")
        persian = await visitor.get("/?lang=fa")
        assert parse(persian).h1 is not None and parse(persian).h1.get_text(strip=True) == message_in("fa")
        assert parse(persian).html is not None and parse(persian).html["lang"] == "fa"
        assert message_in("fa") != message_in("en")

        text = "A long reply I wrote with care.\n\nSecond paragraph — with «quotes» and فارسی."
        reply = await member.post(
            f"/topics/{topic.id}/replies",
            data={"csrf_token": token, "body": text, "parent_id": str(earlier.id), "lang": "en"},
        )
        form = parse(reply).find("form", attrs={"action": f"/topics/{topic.id}/replies"})
        assert form is not None and form.textarea is not None
        assert form.textarea.get_text() == text
        resend = {field["name"]: field["value"] for field in form.find_all("input", attrs={"type": "hidden"})}
        assert resend["parent_id"] == str(earlier.id) and resend["lang"] == "en"

        # A form sent from another site is answered alike, but its text is not put on the forum's page.
        forged = await member.post(
            f"/topics/{topic.id}/replies", data={"csrf_token": "not-the-session-token", "body": "Planted words"}
        )
        assert forged.status_code == 503 and parse(forged).textarea is None

        edit = await member.post(f"/posts/{earlier.id}/edit", data={"csrf_token": token, "body": "Edited text."})
        edit_form = parse(edit).find("form", attrs={"action": f"/posts/{earlier.id}/edit"})
        assert edit_form is not None and edit_form.textarea is not None
        assert edit_form.textarea.get_text() == "Edited text."

        # Read its form before failing: the anonymous login and registration.
        logging_in = await visitor.post(
            "/login", data={"csrf_token": login_token, "username": "returning", "password": "whatever-it-is"}
        )
        registering = await visitor.post(
            "/register",
            data={
                "csrf_token": register_token,
                "username": "newcomer",
                "password": "a-long-password",
                "password_confirm": "a-long-password",
            },
        )
        for response in (logging_in, registering):
            assert parse(response).h1 is not None and parse(response).h1.get_text(strip=True) == message_in("en")
            assert parse(response).textarea is None  # nothing to offer again, and never a password
        statuses = [r.status_code for r in (page, persian, reply, edit, logging_in, registering)]
        assert statuses == [503] * 6

        await proxy.start()
        assert (await member.get(f"/topics/{topic.id}")).status_code == 200
        assert (await member.get("/healthz")).json()["status"] == "ok"
        sent = await member.post(str(form["action"]), data={**resend, "body": form.textarea.get_text()})
        assert sent.status_code == 303
    assert await Post.filter(source=text, parent_id=earlier.id).exists()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR and r.name == "forum"]
    assert any("database cannot be reached" in m for m in forum_records(caplog, logging.WARNING))


@pytest.fixture
async def locked_sqlite(tmp_path: Path) -> AsyncIterator[tuple[Settings, Path]]:
    """A SQLite database that waits 50 ms for a lock (the `busy_timeout` pragma, from the URL) before giving up."""
    path = tmp_path / "forum.sqlite3"
    settings = make_settings(tmp_path, f"sqlite://{path}?busy_timeout=50")
    auth.configure_hashing(settings.security)
    await db.connect(settings)
    await db.migrate(settings)
    try:
        yield settings, path
    finally:
        await db.close()


async def test_sqlite_write_lock_held_past_the_busy_timeout_answers_503_with_the_text(
    locked_sqlite: tuple[Settings, Path], caplog: pytest.LogCaptureFixture
) -> None:
    """Another process (a backup, a maintenance script) holding SQLite's write lock for longer than the
    forum waits: reading goes on, and writing answers 503 with the text, rather than 500."""
    settings, path = locked_sqlite
    app = create_app(settings, manage_database=False)
    topic = await make_topic()
    await make_user("patient", trusted=True, language="fa")
    text = "متنی که با حوصله نوشتم."
    async with client_of(app) as member:
        token = await login(member, "patient")
        holder = sqlite3.connect(path)
        try:
            holder.execute("BEGIN IMMEDIATE")
            assert (await member.get(f"/topics/{topic.id}")).status_code == 200
            reply = await member.post(f"/topics/{topic.id}/replies", data={"csrf_token": token, "body": text})
        finally:
            holder.rollback()
            holder.close()
        assert (reply.status_code, reply.headers["retry-after"]) == (503, "60")
        page = parse(reply)
        assert page.h1 is not None and page.h1.get_text(strip=True) == message_in("fa")
        assert page.textarea is not None and page.textarea.get_text() == text
        form = page.find("form", attrs={"action": f"/topics/{topic.id}/replies"})
        assert form is not None
        resend = {field["name"]: field["value"] for field in form.find_all("input", attrs={"type": "hidden"})}
        sent = await member.post(str(form["action"]), data={**resend, "body": page.textarea.get_text()})
        assert sent.status_code == 303
    assert await Post.filter(source=text).count() == 1
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR and r.name == "forum"]
    assert any("database is locked" in m for m in forum_records(caplog, logging.WARNING))


async def test_connection_failures_are_told_from_refused_queries(tmp_path: Path) -> None:
    with pytest.raises(sqlite3.OperationalError) as cannot_open:
        sqlite3.connect(tmp_path / "missing" / "forum.sqlite3")
    assert connection_failure(cannot_open.value) is cannot_open.value
    with pytest.raises(ConnectionRefusedError) as refused:
        await asyncio.open_connection("127.0.0.1", free_port())
    assert connection_failure(refused.value) is refused.value
    # A transaction's rollback failing on the connection that was lost, as asyncpg reports it.
    with pytest.raises(RuntimeError) as rollback:
        try:
            raise refused.value
        except ConnectionRefusedError:
            # `from None` hides the cause from the traceback; Python keeps it as __context__.
            raise RuntimeError("cannot call Transaction.rollback(): the underlying connection is closed") from None
    assert connection_failure(rollback.value) is refused.value

    connection = sqlite3.connect(":memory:")
    connection.execute("CREATE TABLE t (name TEXT UNIQUE)")
    connection.execute("INSERT INTO t VALUES ('x')")
    with pytest.raises(sqlite3.IntegrityError) as duplicate:
        connection.execute("INSERT INTO t VALUES ('x')")
    with pytest.raises(sqlite3.OperationalError) as bad_query:
        connection.execute("SELECT missing FROM t")
    connection.close()
    refused_by_the_database = IntegrityError(duplicate.value)
    refused_by_the_database.__cause__ = duplicate.value  # as Tortoise raises it
    assert connection_failure(refused_by_the_database) is None
    assert connection_failure(bad_query.value) is None
    assert connection_failure(ValueError("a bug")) is None
