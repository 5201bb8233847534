"""The search index: its tables, filled from the posts and topic texts already there.

Everything here is plain SQL as the tables stood at this migration, on the
migration's own connection: later migrations may change the models and
forum.search.index, not what this one reads and writes. Only the encoding of
the terms (the folding and the tsvector literal) comes from the search code,
since the index must hold what today's queries look for; a later change of that
encoding comes with a migration that fills the index again.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops

from forum.search.folding import terms
from forum.search.index import plain_text, postgres_tags, postgres_term, sqlite_tags, tsvector

TOPIC_TEXT_KEY = 1 << 40
BATCH = 500

SQLITE_SCHEMA = (
    "CREATE TABLE search_documents ("
    " id INTEGER PRIMARY KEY, topic_id INTEGER NOT NULL, body TEXT NOT NULL, tags TEXT NOT NULL)",
    "CREATE INDEX search_documents_topic ON search_documents (topic_id)",
    "CREATE VIRTUAL TABLE search_fts USING fts5(body, tags, content='search_documents', content_rowid='id',"
    " tokenize='unicode61 remove_diacritics 2')",
)
POSTGRES_SCHEMA = (
    "CREATE TABLE search_index (id BIGINT PRIMARY KEY, topic_id INTEGER NOT NULL, document TSVECTOR NOT NULL)",
    "CREATE INDEX search_index_document ON search_index USING GIN (document)",
    "CREATE INDEX search_index_topic ON search_index (topic_id)",
)
POSTS = (
    "SELECT id, topic_id, language, author_id, html FROM posts WHERE status = 'approved' AND id > {after}"
    f" ORDER BY id LIMIT {BATCH}"
)
TEXTS = (
    "SELECT tt.id, tt.topic_id, tt.language, tt.title, tt.html, t.author_id"
    " FROM topic_texts tt JOIN topics t ON t.id = tt.topic_id"
)


async def _add(db, sqlite, rows):
    """Index (key, topic id, language, author id, plain text) rows."""
    if not rows:
        return
    if sqlite:
        values = [
            [key, topic_id, " ".join(terms(text)), " ".join(sqlite_tags(language, topic_id, author_id))]
            for key, topic_id, language, author_id, text in rows
        ]
        await db.execute_many("INSERT INTO search_documents (id, topic_id, body, tags) VALUES (?, ?, ?, ?)", values)
        await db.execute_many(
            "INSERT INTO search_fts (rowid, body, tags) VALUES (?, ?, ?)", [[v[0], v[2], v[3]] for v in values]
        )
    else:
        await db.execute_many(
            "INSERT INTO search_index (id, topic_id, document) VALUES ($1, $2, $3::tsvector)",
            [
                [
                    key,
                    topic_id,
                    tsvector(
                        [postgres_term(language, word) for word in terms(text)], postgres_tags(topic_id, author_id)
                    ),
                ]
                for key, topic_id, language, author_id, text in rows
            ],
        )


async def create_search_index(apps, schema_editor):
    db = schema_editor.client
    sqlite = db.capabilities.dialect == "sqlite"
    for statement in SQLITE_SCHEMA if sqlite else POSTGRES_SCHEMA:
        await db.execute_script(statement)
    last = 0
    posts = POSTS.format(after="?" if sqlite else "$1")
    while found := await db.execute_query_dict(posts, [last]):
        await _add(
            db,
            sqlite,
            [(r["id"], r["topic_id"], r["language"], r["author_id"], plain_text(r["html"])) for r in found],
        )
        last = found[-1]["id"]
    texts = await db.execute_query_dict(TEXTS)
    for start in range(0, len(texts), BATCH):
        await _add(
            db,
            sqlite,
            [
                (TOPIC_TEXT_KEY + r["id"], r["topic_id"], r["language"], r["author_id"], f"{r['title']}\n{plain_text(r['html'])}")
                for r in texts[start : start + BATCH]
            ],
        )


async def drop_search_index(apps, schema_editor):
    db = schema_editor.client
    tables = ("search_fts", "search_documents") if db.capabilities.dialect == "sqlite" else ("search_index",)
    for table in tables:
        await db.execute_script(f"DROP TABLE {table}")


class Migration(migrations.Migration):
    dependencies = [('forum', '0006_timezone')]

    initial = False

    operations = [
        ops.RunPython(create_search_index, drop_search_index),
    ]
