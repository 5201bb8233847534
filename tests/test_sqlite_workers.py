"""SQLite under two workers: members posting while moderators approve, with no request failing."""

from __future__ import annotations

from pathlib import Path

from forum import db
from forum.models import Post, PostStatus
from tests.burst import prepare, run_burst, running_forum
from tests.conftest import make_settings


async def test_two_workers_on_sqlite_take_a_moderation_burst_without_errors(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, f"sqlite://{tmp_path / 'forum.sqlite3'}")
    topic_id, members, moderators = await prepare(settings, members=16, moderators=4)
    with running_forum(settings, workers=2) as base:
        result = await run_burst(base, topic_id, members, moderators, posts_each=8)
    assert result.posts_sent == 128
    assert result.errors == 0, result.statuses
    assert result.statuses == {"reply 303": 128, "approve 303": 128}
    await db.connect(settings)
    try:
        assert await Post.filter(status=PostStatus.APPROVED).count() == 128
    finally:
        await db.close()
