"""Searching: a query becomes folded terms, the index gives ranked entries, and the entries become results.

A search costs the same few statements however large the forum: one to the
index, which returns at most `[search] ranked_matches` of the newest matching
entries with their scores (bm25 on SQLite, ts_rank on PostgreSQL), and one for
each kind of row shown. A word found in more entries than that is counted as
"more than 300" and the newest 300 of them are ranked: counting or ranking
every post that holds a common word would cost time in proportion to the
forum's size.
"""

from __future__ import annotations

import dataclasses
import math
from collections import defaultdict
from datetime import datetime

from markupsafe import Markup

from forum.accounts.auth import username_key
from forum.config import LANGUAGES, SearchSettings
from forum.errors import NotFound
from forum.models import Post, PostStatus, TopicText, User, pick_text
from forum.search import index
from forum.search.folding import terms as fold_terms
from forum.search.snippets import snippet

# What of a query is read: enough for any sentence someone means to search for.
MAX_QUERY = 300
MAX_TERMS = 8


@dataclasses.dataclass(frozen=True)
class Filters:
    language: str | None = None
    topic_id: int | None = None
    author: User | None = None


@dataclasses.dataclass(frozen=True)
class Hit:
    topic_id: int
    # None for a topic's own text.
    post_id: int | None
    title: str
    author: str | None
    when: datetime
    language: str
    snippet: Markup


@dataclasses.dataclass(frozen=True)
class Results:
    hits: list[Hit]
    total: int
    # More entries matched than were counted.
    capped: bool
    page: int
    pages: int


def query_terms(q: str) -> list[str]:
    """The distinct terms of a query, in order, at most MAX_TERMS of them."""
    return list(dict.fromkeys(fold_terms(q[:MAX_QUERY])))[:MAX_TERMS]


async def find_author(name: str) -> User | None:
    return await User.get_or_none(username_key=username_key(name.strip()[:64]))


def clean_language(raw: str | None) -> str | None:
    return raw if raw in LANGUAGES else None


def _match_sql(words: list[str], filters: Filters, *, posts_only: bool, limit: int) -> tuple[str, list[object]]:
    """The statement that lists matching entries, newest first, with their scores (higher is better)."""
    author_id = filters.author.id if filters.author else None
    db = index.client()
    if index.is_sqlite(db):
        # Every term is quoted, so nothing in it is read as FTS5 syntax (and terms hold only letters and digits).
        expression = "{body} : (" + " AND ".join(f'"{word}"' for word in words) + ")"
        tags = index.sqlite_tags(filters.language, filters.topic_id, author_id)
        if tags:
            expression += " AND {tags} : (" + " AND ".join(f'"{tag}"' for tag in tags) + ")"
        posts = f"AND rowid < {index.TOPIC_TEXT_KEY} " if posts_only else ""
        sql = (
            "SELECT rowid AS id, -bm25(search_fts, 1.0, 0.0) AS score FROM search_fts"
            f" WHERE search_fts MATCH ? {posts}ORDER BY rowid DESC LIMIT {limit}"
        )
        return sql, [expression]
    # Quoted lexemes cast to tsquery: neither the parser nor a dictionary reads them.
    languages = [filters.language] if filters.language else LANGUAGES
    text_query = " & ".join(
        "(" + " | ".join(f"'{index.postgres_term(language, word)}'" for language in languages) + ")" for word in words
    )
    tags = index.postgres_tags(filters.topic_id, author_id)
    filtered = " & ".join([text_query, *(f"'{tag}'" for tag in tags)])
    posts = f"AND id < {index.TOPIC_TEXT_KEY} " if posts_only else ""
    sql = (
        "SELECT id, ts_rank(document, $1::tsquery) AS score FROM search_index"
        f" WHERE document @@ $2::tsquery {posts}ORDER BY id DESC LIMIT {limit}"
    )
    return sql, [text_query, filtered]


async def find_matches(words: list[str], filters: Filters, *, posts_only: bool, limit: int) -> list[tuple[int, float]]:
    sql, values = _match_sql(words, filters, posts_only=posts_only, limit=limit)
    rows = await index.client().execute_query_dict(sql, values)
    return [(row["id"], float(row["score"])) for row in rows]


async def search(words: list[str], filters: Filters, page: int, interface: str, settings: SearchSettings) -> Results:
    """A page of results, best first; NotFound for a page past the last."""
    if not words:
        return Results([], 0, False, 1, 1)
    ranked, size = settings.ranked_matches, settings.results_per_page
    matches = await find_matches(words, filters, posts_only=False, limit=ranked + 1)
    capped = len(matches) > ranked
    matches = matches[:ranked]
    pages = max(1, math.ceil(len(matches) / size))
    if not 1 <= page <= pages:
        raise NotFound()
    matches.sort(key=lambda match: (-match[1], -match[0]))
    keys = [key for key, _ in matches[(page - 1) * size : page * size]]
    hits = await _hits(keys, frozenset(words), interface)
    return Results(hits, len(matches), capped, page, pages)


# What a result shows, for posts and topic texts alike, keyed as the index keys them.
_ROWS = (
    "SELECT p.id AS key, p.topic_id, p.id AS post_id, u.username AS author,"
    " COALESCE(p.approved_at, p.created_at) AS shown, p.language, p.html"
    " FROM posts p JOIN users u ON u.id = p.author_id WHERE p.status = 'approved' AND p.id IN ({posts})"
    " UNION ALL"
    f" SELECT tt.id + {index.TOPIC_TEXT_KEY}, tt.topic_id, NULL, u.username, t.created_at, tt.language, tt.html"
    " FROM topic_texts tt JOIN topics t ON t.id = tt.topic_id LEFT JOIN users u ON u.id = t.author_id"
    " WHERE tt.id IN ({texts})"
)
_TITLES = "SELECT topic_id, language, title FROM topic_texts WHERE topic_id IN ({topics})"


def _moment(value: datetime | str) -> datetime:
    # SQLite hands back the ISO text Tortoise stored; PostgreSQL a datetime.
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


async def _hits(keys: list[int], wanted: frozenset[str], interface: str) -> list[Hit]:
    """The results for these index keys, in their order, in two statements.

    Raw rows rather than models: this is the most frequently read page of the
    forum and model instances cost more than the statements themselves. The status
    check keeps a page built while a post is being hidden from showing it.
    """
    db = index.client()
    # Ids start at 1: an empty list becomes [0], which matches nothing, so that the SQL has one shape.
    post_ids = [key for key in keys if key < index.TOPIC_TEXT_KEY] or [0]
    text_ids = [key - index.TOPIC_TEXT_KEY for key in keys if key >= index.TOPIC_TEXT_KEY] or [0]
    sql = _ROWS.format(
        posts=index.placeholders(db, len(post_ids)), texts=index.placeholders(db, len(text_ids), len(post_ids) + 1)
    )
    rows = {row["key"]: row for row in await db.execute_query_dict(sql, [*post_ids, *text_ids])}
    topic_ids = sorted({row["topic_id"] for row in rows.values()}) or [0]
    titles: dict[int, list[TopicText]] = defaultdict(list)
    for text in await db.execute_query_dict(_TITLES.format(topics=index.placeholders(db, len(topic_ids))), topic_ids):
        titles[text["topic_id"]].append(
            TopicText(topic_id=text["topic_id"], language=text["language"], title=text["title"])
        )
    hits = []
    for key in keys:
        if (row := rows.get(key)) is None:
            continue
        post_id, language = row["post_id"], row["language"]
        # A topic's own text is named by its title in that language, a post by its topic's title for the reader.
        title = pick_text(titles[row["topic_id"]], interface if post_id else language).title
        hits.append(
            Hit(
                topic_id=row["topic_id"],
                post_id=post_id,
                title=title,
                author=row["author"],
                when=_moment(row["shown"]),
                language=language,
                snippet=snippet(index.plain_text(row["html"]), wanted),
            )
        )
    return hits


async def newest_posts(words: list[str], filters: Filters, items: int) -> list[Post]:
    """The newest approved posts that match, for the search's feed."""
    if not words:
        return []
    ids = [key for key, _ in await find_matches(words, filters, posts_only=True, limit=items)]
    posts = await Post.filter(id__in=ids, status=PostStatus.APPROVED).select_related("author")
    return sorted(posts, key=lambda post: (post.approved_at or post.created_at, post.id), reverse=True)
