"""Upgrading a forum that already holds posts: every migration applies, nothing is lost."""

from __future__ import annotations

from tortoise import connections
from tortoise.migrations.executor import MigrationExecutor, MigrationTarget

from forum import db
from forum.config import Settings
from forum.models import Flag, Post, Revision
from forum.search.members import find_members
from forum.search.query import Filters, query_terms, search
from tests.factories import empty_database

# The rows of a small forum as the tables stood after migration 0002, in that version's columns.
FORUM_AT_0002 = [
    "INSERT INTO users (id, username, username_key, skeleton, password_hash, role, reads_languages,"
    " approved_count, rejected_count, trusted, suspension_reason, created_at)"
    " VALUES (1, 'nasrin', 'nasrin', 'nasrln', 'x', 'member', '', 1, 0, TRUE, '', CURRENT_TIMESTAMP)",
    "INSERT INTO users (id, username, username_key, skeleton, password_hash, role, reads_languages,"
    " approved_count, rejected_count, trusted, suspension_reason, created_at)"
    " VALUES (2, 'reader', 'reader', 'reader', 'x', 'member', '', 0, 0, FALSE, '', CURRENT_TIMESTAMP)",
    "INSERT INTO categories (id, slug, position, names, descriptions) VALUES (1, 'questions', 0, '{}', '{}')",
    "INSERT INTO topics (id, locked, reply_count, created_at, last_activity_at, category_id)"
    " VALUES (1, FALSE, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1)",
    "INSERT INTO topic_texts (id, topic_id, language, title, source, html)"
    " VALUES (1, 1, 'fa', 'کارگران', 'اعتصاب', '<p>اعتصاب</p>')",
    "INSERT INTO posts (id, root_id, path, depth, language, source, html, status, reject_reason, flag_count,"
    " created_at, changed_at, author_id, topic_id)"
    " VALUES (1, 1, '0000000001', 0, 'fa', 'سلام', '<p>سلام</p>', 'approved', '', 1,"
    " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1, 1)",
    "INSERT INTO revisions (language, source, html, created_at, post_id)"
    " VALUES ('fa', 'سلا', '<p>سلا</p>', CURRENT_TIMESTAMP, 1)",
    "INSERT INTO flags (reason, text, created_at, post_id, user_id) VALUES ('spam', '', CURRENT_TIMESTAMP, 1, 2)",
]


async def test_a_forum_with_posts_upgrades_through_every_migration(database: Settings) -> None:
    await empty_database(database)
    connection = connections.get("default")
    executor = MigrationExecutor(connection, db.tortoise_config(database)["apps"])
    await executor.migrate([MigrationTarget("forum", "0002_sessions_and_topic_edits")])
    for statement in FORUM_AT_0002:
        await connection.execute_query(statement)
    await db.migrate(database)
    post = await Post.get(id=1)
    assert (post.source, post.status) == ("سلام", "approved")
    assert await Revision.filter(post_id=1).count() == 1
    assert await Flag.filter(post_id=1).count() == 1
    # The index the upgrade created holds what was already published, under the folding of search.
    results = await search(query_terms("سلام"), Filters(), 1, "en", database.search)
    assert [hit.post_id for hit in results.hits] == [1]
    results = await search(query_terms("كارگر"), Filters(), 1, "en", database.search)
    assert [(hit.topic_id, hit.post_id) for hit in results.hits] == [(1, None)]
    assert [user.username for user in await find_members("NASR", 10)] == ["nasrin"]
