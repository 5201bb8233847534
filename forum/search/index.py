"""The search index: an entry per approved post and per topic text, holding its folded terms.

SQLite keeps the terms in `search_documents` and indexes them with an FTS5
table over it (external content, unicode61); PostgreSQL keeps a tsvector of the
same terms in `search_index` under a GIN index. Both are fed the output of
folding.terms(), never raw text, so the two databases find the same things.

Every write that changes what readers see (approval, hiding, restoring,
rejection, edits, deletion, topic texts) calls sync_posts() or sync_topics()
inside its own transaction: the index never shows a post the thread hides.
Reads and writes here are raw SQL on the current connection (a transaction's,
when one is open), naming only the columns they use, so that the migration that
creates the index can fill it too.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from typing import Any

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient

from forum.search.folding import terms
from forum.text import excerpt

# Post ids are below 10**9 (forum.routing); a topic text's entry is this plus its
# id, so one number names an entry and is its FTS5 rowid, and topic texts sort
# above every post when the newest matches are taken first.
TOPIC_TEXT_KEY = 1 << 40
BATCH = 500
# tsvector limits: positions up to 16383, at most 256 of them per lexeme.
_MAX_POSITION = 16383
_MAX_POSITIONS = 256

SQLITE_SCHEMA = (
    "CREATE TABLE search_documents ("
    " id INTEGER PRIMARY KEY, topic_id INTEGER NOT NULL, body TEXT NOT NULL, tags TEXT NOT NULL)",
    "CREATE INDEX search_documents_topic ON search_documents (topic_id)",
    # The terms are already folded and stemmed; unicode61 only splits them at the spaces.
    "CREATE VIRTUAL TABLE search_fts USING fts5(body, tags, content='search_documents', content_rowid='id',"
    " tokenize='unicode61 remove_diacritics 2')",
)
POSTGRES_SCHEMA = (
    "CREATE TABLE search_index (id BIGINT PRIMARY KEY, topic_id INTEGER NOT NULL, document TSVECTOR NOT NULL)",
    "CREATE INDEX search_index_document ON search_index USING GIN (document)",
    "CREATE INDEX search_index_topic ON search_index (topic_id)",
)


@dataclasses.dataclass(frozen=True)
class Entry:
    key: int
    topic_id: int
    language: str
    author_id: int | None
    text: str
    # A post's approved translations as (language, text): the post is found by their words too.
    translations: tuple[tuple[str, str], ...] = ()

    def parts(self) -> list[tuple[str, str]]:
        return [(self.language, self.text), *self.translations]


def client() -> BaseDBAsyncClient:
    """The connection to use now: the open transaction's, if there is one."""
    db: BaseDBAsyncClient = connections.get("default")
    return db


def is_sqlite(db: BaseDBAsyncClient) -> bool:
    return db.capabilities.dialect == "sqlite"


def sqlite_tags(language: str | None, topic_id: int | None, author_id: int | None) -> list[str]:
    """Filter tokens of the FTS5 `tags` column: letters and digits only, so unicode61 keeps each whole."""
    return [
        f"{name}{value}"
        for name, value in (("lang", language), ("topic", topic_id), ("author", author_id))
        if value is not None
    ]


def postgres_tags(topic_id: int | None, author_id: int | None) -> list[str]:
    """Filter lexemes of the tsvector: the "=" keeps them apart from any term, which is letters and digits only."""
    return [f"{name}={value}" for name, value in (("topic", topic_id), ("author", author_id)) if value is not None]


def postgres_term(language: str, word: str) -> str:
    """A term as PostgreSQL indexes it: prefixed with the language of the post it is in.

    A language filter then asks for 'ar:word', whose frequency the planner knows:
    asked as 'word' AND 'lang=ar', it multiplied two frequencies that are anything
    but independent, expected thousands of English posts with an Arabic word, and
    scanned the whole table newest first to find none.
    """
    return f"{language}:{word}"


def tsvector(words: Sequence[str], tags: Sequence[str]) -> str:
    """A tsvector literal of the terms with their positions, and the tags; no parser or dictionary touches them."""
    positions: dict[str, list[str]] = {}
    for place, word in enumerate(words, 1):
        spots = positions.setdefault(word, [])
        if len(spots) < _MAX_POSITIONS:
            spots.append(str(min(place, _MAX_POSITION)))
    # Terms and tags hold neither quotes nor backslashes, so they need no escaping.
    lexemes = [f"'{word}':{','.join(spots)}" for word, spots in positions.items()]
    return " ".join([*lexemes, *(f"'{tag}'" for tag in tags)])


def plain_text(html: str) -> str:
    return excerpt(html, len(html) + 1) if html else ""


async def _remove(db: BaseDBAsyncClient, keys: Sequence[int]) -> None:
    for start in range(0, len(keys), BATCH):
        batch = list(keys[start : start + BATCH])
        if is_sqlite(db):
            marks = ",".join("?" * len(batch))
            rows = await db.execute_query_dict(
                f"SELECT id, body, tags FROM search_documents WHERE id IN ({marks})", batch
            )
            if rows:
                # An external-content table forgets an entry only when told its indexed values.
                await db.execute_many(
                    "INSERT INTO search_fts (search_fts, rowid, body, tags) VALUES ('delete', ?, ?, ?)",
                    [[row["id"], row["body"], row["tags"]] for row in rows],
                )
                await db.execute_query(f"DELETE FROM search_documents WHERE id IN ({marks})", batch)
        else:
            await db.execute_query("DELETE FROM search_index WHERE id = ANY($1::bigint[])", [batch])


async def _add(db: BaseDBAsyncClient, entries: Sequence[Entry]) -> None:
    if not entries:
        return
    if is_sqlite(db):
        rows = [
            [
                e.key,
                e.topic_id,
                " ".join(word for _, text in e.parts() for word in terms(text)),
                " ".join(
                    dict.fromkeys(
                        tag for language, _ in e.parts() for tag in sqlite_tags(language, e.topic_id, e.author_id)
                    )
                ),
            ]
            for e in entries
        ]
        await db.execute_many("INSERT INTO search_documents (id, topic_id, body, tags) VALUES (?, ?, ?, ?)", rows)
        await db.execute_many(
            "INSERT INTO search_fts (rowid, body, tags) VALUES (?, ?, ?)", [[r[0], r[2], r[3]] for r in rows]
        )
    else:
        await db.execute_many(
            "INSERT INTO search_index (id, topic_id, document) VALUES ($1, $2, $3::tsvector)",
            [
                [
                    e.key,
                    e.topic_id,
                    tsvector(
                        [postgres_term(language, word) for language, text in e.parts() for word in terms(text)],
                        postgres_tags(e.topic_id, e.author_id),
                    ),
                ]
                for e in entries
            ],
        )


def placeholders(db: BaseDBAsyncClient, count: int, first: int = 1) -> str:
    """`count` parameter marks in the connection's dialect, numbered from `first` on PostgreSQL."""
    if is_sqlite(db):
        return ",".join("?" * count)
    return ",".join(f"${n}" for n in range(first, first + count))


async def _post_entries(
    db: BaseDBAsyncClient, rows: Sequence[dict[str, Any]], with_translations: bool = True
) -> list[Entry]:
    """The posts' entries, each with its approved translations (read in one statement)."""
    translated: dict[int, list[tuple[str, str]]] = {}
    if rows and with_translations:
        ids = [row["id"] for row in rows]
        for found in await db.execute_query_dict(f"{_TRANSLATIONS} AND post_id IN ({placeholders(db, len(ids))})", ids):
            translated.setdefault(found["post_id"], []).append((found["language"], plain_text(found["html"])))
    return [
        Entry(
            row["id"],
            row["topic_id"],
            row["language"],
            row["author_id"],
            plain_text(row["html"]),
            tuple(translated.get(row["id"], ())),
        )
        for row in rows
    ]


def _text_entries(rows: Iterable[dict[str, Any]]) -> list[Entry]:
    return [
        Entry(
            TOPIC_TEXT_KEY + row["id"],
            row["topic_id"],
            row["language"],
            row["author_id"],
            f"{row['title']}\n{plain_text(row['html'])}",
        )
        for row in rows
    ]


_POSTS = "SELECT id, topic_id, language, author_id, html FROM posts WHERE status = 'approved'"
_TRANSLATIONS = "SELECT post_id, language, html FROM translations WHERE status = 'approved'"
_TEXTS = (
    "SELECT tt.id, tt.topic_id, tt.language, tt.title, tt.html, t.author_id"
    " FROM topic_texts tt JOIN topics t ON t.id = tt.topic_id"
)


async def sync_posts(post_ids: Iterable[int]) -> None:
    """Index these posts as they are now: approved ones with their current text, the others not at all.

    Call it inside the transaction that changed them.
    """
    ids = sorted(set(post_ids))
    db = client()
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        rows = await db.execute_query_dict(f"{_POSTS} AND id IN ({placeholders(db, len(batch))})", batch)
        await _remove(db, batch)
        await _add(db, await _post_entries(db, rows))


async def sync_topics(topic_ids: Iterable[int]) -> None:
    """Index the texts of these topics as they are now (a text removed leaves the index). Call it inside the
    transaction that changed them."""
    ids = sorted(set(topic_ids))
    if not ids:
        return
    db = client()
    marks = placeholders(db, len(ids))
    key_mark = "?" if is_sqlite(db) else f"${len(ids) + 1}"
    table = "search_documents" if is_sqlite(db) else "search_index"
    old = await db.execute_query_dict(
        f"SELECT id FROM {table} WHERE topic_id IN ({marks}) AND id >= {key_mark}", [*ids, TOPIC_TEXT_KEY]
    )
    rows = await db.execute_query_dict(f"{_TEXTS} WHERE tt.topic_id IN ({marks})", ids)
    await _remove(db, [row["id"] for row in old])
    await _add(db, _text_entries(rows))


async def rebuild(with_translations: bool = True) -> tuple[int, int]:
    """Empty the index and fill it again from every approved post (with its approved translations) and every
    topic text, in batches. The migration that creates the index runs before translations exist.

    Returns the number of posts and of topic texts indexed.
    """
    db = client()
    if is_sqlite(db):
        await db.execute_query("DELETE FROM search_documents")
        await db.execute_query("INSERT INTO search_fts (search_fts) VALUES ('delete-all')")
    else:
        await db.execute_query("DELETE FROM search_index")
    posts, last = 0, 0
    after = "?" if is_sqlite(db) else "$1"
    while rows := await db.execute_query_dict(f"{_POSTS} AND id > {after} ORDER BY id LIMIT {BATCH}", [last]):
        await _add(db, await _post_entries(db, rows, with_translations))
        posts += len(rows)
        last = rows[-1]["id"]
    texts = await db.execute_query_dict(_TEXTS)
    await _add(db, _text_entries(texts))
    if is_sqlite(db):
        await db.execute_query("INSERT INTO search_fts (search_fts) VALUES ('optimize')")
    return posts, len(texts)
