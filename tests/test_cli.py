from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from forum.config import Settings
from forum.models import Post, Role, Topic, TopicText, User
from tests.factories import PASSWORD, csrf_from, login, make_reply, make_topic, make_user

ROOT = Path(__file__).resolve().parent.parent


def forum(settings: Settings, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "forum", *args, "--config", str(ROOT / "config.toml")],
        check=False,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env=environment(settings),
        cwd=ROOT,
    )


def environment(settings: Settings) -> dict[str, str]:
    return {
        **os.environ,
        "FORUM_SERVER_DATA_DIR": settings.server.data_dir,
        "FORUM_DATABASE_URL": settings.database_url,
    }


async def test_migrate_and_seed_are_idempotent(database: Settings) -> None:
    assert forum(database, "migrate").returncode == 0
    first = forum(database, "seed")
    assert first.returncode == 0 and "Topics created: 7" in first.stdout
    again = forum(database, "seed", "--demo")
    assert "Topics created: 0" in again.stdout and "Demo replies created: 10" in again.stdout
    assert "Demo replies created: 0" in forum(database, "seed", "--demo").stdout
    assert await Topic.all().count() == 7
    assert await TopicText.filter(language="fa").count() == 7
    assert await Post.all().count() == 10
    assert await Post.filter(depth=3).exists()
    assert {p.language for p in await Post.all()} == {"en", "ar", "fa"}


async def test_users_create_reads_the_password_from_stdin(database: Settings) -> None:
    result = forum(database, "users", "create", "moderator1", "--role", "moderator", stdin="a-long-password\n")
    assert result.returncode == 0, result.stderr
    user = await User.get(username="moderator1")
    assert user.role == Role.MODERATOR
    refused = forum(database, "users", "create", "MODERATOR1", stdin="a-long-password\n")
    assert refused.returncode != 0 and "taken" in refused.stderr
    short = forum(database, "users", "create", "another", stdin="short\n")
    assert short.returncode != 0 and "at least 10" in short.stderr


async def test_rerender_redoes_stored_html(database: Settings) -> None:
    forum(database, "seed", "--demo")
    await Post.all().update(html="<p>stale</p>")
    result = forum(database, "rerender")
    assert result.returncode == 0 and "10 posts" in result.stdout
    assert not await Post.filter(html="<p>stale</p>").exists()


async def test_rerender_indexes_again_what_it_changed(database: Settings) -> None:
    from forum.search.query import Filters, query_terms, search

    async def found(q: str) -> list[tuple[int, int | None]]:
        results = await search(query_terms(q), Filters(), 1, "en", database.search)
        return [(hit.topic_id, hit.post_id) for hit in results.hits]

    topic = await make_topic("Rojava")
    post = await make_reply(topic, await make_user(trusted=True), database, "Cooperatives in Rojava")
    # The stored HTML went stale and the index with it (as after a change of the rendering rules).
    assert await found("cooperatives") == [(topic.id, post.id)]
    await Post.filter(id=post.id).update(source="Communes in Rojava")
    await TopicText.filter(topic_id=topic.id).update(source="Assemblies")
    result = forum(database, "rerender")
    assert result.returncode == 0, result.stderr
    assert await found("cooperatives") == []
    assert await found("communes") == [(topic.id, post.id)]
    assert await found("assemblies") == [(topic.id, None)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_first_serve_creates_everything_and_prints_the_admin_password_once(tmp_path: Path) -> None:
    settings = Settings().replace(server={"data_dir": str(tmp_path / "var")})
    env = environment(settings)
    port = free_port()
    outputs = []
    for _ in range(2):
        process = subprocess.Popen(
            [sys.executable, "-m", "forum", "serve", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.2)
            home = httpx.get(f"http://127.0.0.1:{port}/?lang=fa")
            assert home.status_code == 200 and home.text.count('class="topic-title"') == 7
        finally:
            process.terminate()
            outputs.append(process.communicate(timeout=20)[0])
    assert "password:" in outputs[0] and "Seeded 7 topics" in outputs[0]
    assert "password:" not in outputs[1] and "Seeded" not in outputs[1]
    assert (tmp_path / "var" / "forum.sqlite3").exists()
    assert oct((tmp_path / "var" / "secret_key").stat().st_mode & 0o777) == "0o600"


async def test_users_set_password_replaces_it_and_ends_every_session(client: httpx.AsyncClient) -> None:
    settings = client.app.state.settings  # type: ignore[attr-defined]
    await make_user("rahel")
    await login(client, "rahel")
    assert (await client.get("/profile")).status_code == 200
    result = forum(settings, "users", "set-password", "RAHEL", stdin="a-brand-new-passphrase\n")
    assert result.returncode == 0, result.stderr
    assert "rahel" in result.stdout
    # The session from before the reset has ended.
    assert (await client.get("/profile")).status_code == 303
    page = await client.get("/login")
    refused = await client.post(
        "/login", data={"username": "rahel", "password": PASSWORD, "csrf_token": csrf_from(page.text)}
    )
    assert refused.status_code == 422
    await login(client, "rahel", "a-brand-new-passphrase")
    short = forum(settings, "users", "set-password", "rahel", stdin="short\n")
    assert short.returncode != 0 and "at least 10" in short.stderr
    unknown = forum(settings, "users", "set-password", "nobody-here", stdin="a-brand-new-passphrase\n")
    assert unknown.returncode != 0 and "No account" in unknown.stderr


async def test_users_list_shows_every_account_with_its_role(database: Settings) -> None:
    await make_user("نرگس")
    await make_user("mod-one", role=Role.MODERATOR)
    result = forum(database, "users", "list")
    assert result.returncode == 0, result.stderr
    rows = {line.split()[1]: tuple(line.split()[2:4]) for line in result.stdout.splitlines()[1:]}
    assert rows == {"نرگس": ("member", "new"), "mod-one": ("moderator", "-")}
