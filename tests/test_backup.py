from __future__ import annotations

import asyncio
import json
import re
import sqlite3
import sys
from pathlib import Path

import httpx
from bs4 import BeautifulSoup
from starlette.applications import Starlette

from forum import db
from forum.config import Settings
from forum.models import Post, Topic, User
from forum.moderation import actions
from tests.conftest import make_settings
from tests.factories import login, make_forum, make_reply, make_topic, make_user
from tests.pages import assert_same_pages, connected, moderator_pages, public_pages
from tests.test_cli import ROOT, environment, forum

WRITERS = 4


class Acknowledged:
    """The ids of the replies whose POST was answered 303, in the order the answers came."""

    def __init__(self) -> None:
        self.ids: list[int] = []
        self._added = asyncio.Condition()

    async def add(self, post_id: int) -> None:
        async with self._added:
            self.ids.append(post_id)
            self._added.notify_all()

    async def reach(self, count: int) -> None:
        async with self._added:
            await self._added.wait_for(lambda: len(self.ids) >= count)


async def write_replies(
    app: Starlette, name: str, topic_id: int, acknowledged: Acknowledged, stop: asyncio.Event
) -> None:
    """A member posting one reply after another until told to stop; records each acknowledged post's id."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        csrf = await login(client, name)
        number = 0
        while not stop.is_set():
            number += 1
            response = await client.post(
                f"/topics/{topic_id}/replies", data={"body": f"{name}, reply {number}", "csrf_token": csrf}
            )
            assert response.status_code == 303, response.text
            await acknowledged.add(int(response.headers["location"].rsplit("/", 1)[1]))


async def run_backup(settings: Settings, target: Path) -> None:
    """`forum backup` as its own process, without blocking the writers of this one."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "forum", "backup", str(target), "--config", str(ROOT / "config.toml"),
        env=environment(settings), cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, errors = await process.communicate()
    assert process.returncode == 0, errors.decode()


def rows_in(backup: Path, table: str) -> list[dict[str, object]]:
    """The rows of `table` in a backup, whichever form it has (SQLite file or export)."""
    if backup.read_bytes().startswith(b"SQLite format 3\x00"):
        with sqlite3.connect(backup) as copy:
            assert copy.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            copy.row_factory = sqlite3.Row
            return [dict(row) for row in copy.execute(f"SELECT * FROM {table}")]
    lines = [json.loads(line) for line in backup.read_text("utf-8").splitlines()]
    rows = [line["row"] for line in lines[1:] if line["table"] == table]
    assert len(rows) == lines[0]["counts"][table]
    return rows


async def test_a_backup_taken_while_members_post_holds_every_acknowledged_post(
    client: httpx.AsyncClient, settings: Settings, tmp_path: Path
) -> None:
    topic = await make_topic("Busy thread")
    names = [(await make_user(f"writer{i}", trusted=True)).username for i in range(WRITERS)]
    acknowledged = Acknowledged()
    stop = asyncio.Event()
    writers = [
        asyncio.create_task(write_replies(client.app, name, topic.id, acknowledged, stop))  # type: ignore[attr-defined]
        for name in names
    ]
    await acknowledged.reach(40)
    backup = tmp_path / "backup.forum"
    # Taken before the backup process is even started.
    before = set(acknowledged.ids)
    await run_backup(settings, backup)
    after_backup = len(acknowledged.ids)
    await acknowledged.reach(after_backup + 20)
    stop.set()
    await asyncio.gather(*writers)

    posts = rows_in(backup, "posts")
    in_copy = {row["id"] for row in posts}
    print(
        f"\nbackup while writing ({settings.database_url.split(':')[0]}): {len(acknowledged.ids)} replies acknowledged, "
        f"{len(before)} before the backup began, {after_backup - len(before)} while it ran; "
        f"{len(in_copy)} in the copy; acknowledged before and missing: {len(before - in_copy)}"
    )
    assert before <= in_copy
    assert in_copy <= set(acknowledged.ids)
    assert after_backup > len(before), "members kept posting while the backup ran"
    # One moment: the counters in the copy agree with the posts in the copy.
    topics = {row["id"]: row for row in rows_in(backup, "topics")}
    assert topics[topic.id]["reply_count"] == len(in_copy)
    approved = {row["id"]: row["approved_count"] for row in rows_in(backup, "users") if row["username"] in names}
    by_author: dict[object, int] = {}
    for row in posts:
        by_author[row["author_id"]] = by_author.get(row["author_id"], 0) + 1
    assert approved == by_author

    # The copy serves its pages: restored into a new forum, every post on one page.
    await db.close()
    copy = make_settings(
        tmp_path / "copy",
        f"sqlite://{tmp_path / 'copy.sqlite3'}",
        posts={"replies_per_page": 1000, "max_posts_per_page": 1000},
    )
    restored = forum(copy, "restore", str(backup))
    assert restored.returncode == 0, restored.stderr
    async with connected(copy) as reader:
        response = await reader.get(f"/topics/{topic.id}")
        assert response.status_code == 200
        elements = BeautifulSoup(response.text, "html.parser").select('[id^="post-"]')
        shown = {int(match[1]) for element in elements if (match := re.fullmatch(r"post-(\d+)", str(element["id"])))}
        assert shown == in_copy
    await db.connect(settings)


async def test_restore_gives_back_the_forum_as_it_was(
    client: httpx.AsyncClient, settings: Settings, tmp_path: Path
) -> None:
    names = {role: user.username for role, user in (await make_forum(settings)).items()}
    pages = await public_pages(client)
    moderated = await moderator_pages(client, names["moderator"])
    backup = tmp_path / "nightly.forum"
    result = forum(settings, "backup", str(backup))
    assert result.returncode == 0, result.stderr
    assert oct(backup.stat().st_mode & 0o777) == "0o600"

    # The forum moves on after the backup.
    topic = await Topic.all().order_by("-id").first()
    assert topic is not None
    trusted = await User.get(username=names["trusted"])
    later = await make_reply(topic, trusted, settings, "Written after the backup.")
    await actions.hide(later.id, await User.get(username=names["moderator"]), "spam")
    await make_user("joined-later")

    refused = forum(settings, "restore", str(backup))
    assert refused.returncode == 1 and "already holds a forum" in refused.stderr and "--replace" in refused.stderr
    if settings.database_url.startswith("sqlite"):
        # This process still has the database open, as a running forum would.
        in_use = forum(settings, "restore", str(backup), "--replace")
        assert in_use.returncode == 1 and "is in use: stop the forum before restoring" in in_use.stderr
    assert await User.filter(username="joined-later").exists()

    await db.close()
    restored = forum(settings, "restore", str(backup), "--replace")
    assert restored.returncode == 0, restored.stderr
    await db.connect(settings)
    assert not await User.filter(username="joined-later").exists()
    assert not await Post.filter(id=later.id).exists()
    assert_same_pages(await public_pages(client), pages)
    assert_same_pages(await moderator_pages(client, names["moderator"]), moderated)
    # Ids go on from where the backup left them.
    again = await make_reply(topic, trusted, settings, "Written after the restore.")
    assert again.id == later.id


async def test_a_damaged_backup_is_refused_and_the_forum_kept(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, f"sqlite://{tmp_path / 'forum.sqlite3'}")
    async with connected(settings):
        await make_forum(settings)
        posts = await Post.all().count()
        result = forum(settings, "backup", str(tmp_path / "good.forum"))
        assert result.returncode == 0, result.stderr
    good = (tmp_path / "good.forum").read_bytes()
    damaged = tmp_path / "damaged.forum"
    page = 4096
    damaged.write_bytes(good[: 3 * page] + b"\xde\xad" * page + good[4 * page :])
    refused = forum(settings, "restore", str(damaged), "--replace")
    assert refused.returncode == 1 and "is damaged" in refused.stderr
    (tmp_path / "notes.sqlite3").write_bytes(b"")
    with sqlite3.connect(tmp_path / "notes.sqlite3") as other:
        other.execute("CREATE TABLE notes (body TEXT)")
    foreign = forum(settings, "restore", str(tmp_path / "notes.sqlite3"), "--replace")
    assert foreign.returncode == 1 and "not a forum backup" in foreign.stderr
    not_an_export = forum(settings, "import", str(tmp_path / "good.forum"))
    assert not_an_export.returncode == 1 and "is a SQLite backup, not an export" in not_an_export.stderr
    missing = forum(settings, "restore", str(tmp_path / "missing.forum"))
    assert missing.returncode == 1 and "cannot read" in missing.stderr
    itself = forum(settings, "backup", str(tmp_path / "forum.sqlite3"))
    assert itself.returncode == 1 and "the forum's own database" in itself.stderr
    async with connected(settings):
        assert await Post.all().count() == posts
