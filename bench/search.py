"""Time 200 varied searches over 100,000 approved posts in three languages.

    python bench/search.py [--posts 100000] [--queries 200] [--database-url postgres://...]

The posts are written from the seeded topics' own words, in their own
frequencies (so "the", "و" and "في" are as common as in real replies), with
numbers sprinkled in as rare words and a tenth of the Arabic-script words spelled
the other language's way. They are inserted in bulk and indexed with the same
rebuild `forum reindex` runs. The searches mix one word, two words, a rare and a
common word, language filters and variant spellings; after one untimed pass,
each is timed as a whole page over HTTP (wall clock and the process's CPU time),
as the search service alone and as the index statement alone, and its statements
are counted.
A PostgreSQL database given here is emptied afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import statistics
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from html import escape

from harness import client, database
from tortoise import connections
from tortoise.transactions import in_transaction

from forum import seed
from forum.accounts.auth import configure_hashing
from forum.config import Settings
from forum.models import Post, PostStatus, Topic
from forum.search import index
from forum.search.query import Filters, find_matches, query_terms, search
from forum.seed_data import TOPICS
from tests.conftest import TABLES
from tests.factories import make_user

LANGUAGES = ("en", "ar", "fa")
WORD = re.compile(r"[^\W_]+(?:\u200c[^\W_]+)*")
# How Persian and Arabic keyboards spell the other's letters.
OTHER_SPELLING = {"ar": str.maketrans("يك", "یک"), "fa": str.maketrans("یک", "يك"), "en": {}}


def vocabulary() -> dict[str, Counter[str]]:
    words: dict[str, Counter[str]] = {language: Counter() for language in LANGUAGES}
    for topic in TOPICS:
        for language, text in topic["texts"].items():
            words[language].update(WORD.findall(f"{text['title']} {text['body']}"))
    return words


def writer(words: dict[str, Counter[str]], rng: random.Random) -> Callable[[str], str]:
    tables = {language: (list(counts), list(counts.values())) for language, counts in words.items()}

    def write(language: str) -> str:
        population, weights = tables[language]
        chosen = rng.choices(population, weights, k=rng.randint(15, 90))
        chosen = [w.translate(OTHER_SPELLING[language]) if rng.random() < 0.1 else w for w in chosen]
        if rng.random() < 0.3:
            chosen.insert(rng.randrange(len(chosen)), str(rng.randint(1, 20000)))
        return " ".join(chosen).capitalize() + "."

    return write


async def fill(count: int, rng: random.Random, settings: Settings) -> None:
    # The cheap password hashes of the tests: fifty members would otherwise take a minute to create.
    configure_hashing(settings.security)
    await seed.seed_topics()
    topics = await Topic.all().values_list("id", flat=True)
    authors = [await make_user(f"writer{n}", trusted=True) for n in range(50)]
    write = writer(vocabulary(), rng)
    start = datetime.now(UTC) - timedelta(days=2000)
    for first in range(0, count, 2000):
        batch = []
        for n in range(first, min(count, first + 2000)):
            language = LANGUAGES[n % 3]
            body = write(language)
            when = start + timedelta(minutes=n)
            batch.append(
                Post(
                    topic_id=rng.choice(topics),
                    author=rng.choice(authors),
                    language=language,
                    source=body,
                    html=f"<p>{escape(body)}</p>",
                    status=PostStatus.APPROVED,
                    created_at=when,
                    approved_at=when,
                    changed_at=when,
                )
            )
        async with in_transaction():
            await Post.bulk_create(batch, batch_size=1000)


def queries(words: dict[str, Counter[str]], rng: random.Random, total: int) -> list[dict[str, str]]:
    common = {language: [w for w, _ in counts.most_common(15)] for language, counts in words.items()}
    middle = {language: [w for w, _ in counts.most_common(120)[15:]] for language, counts in words.items()}
    rare = {language: [w for w, n in counts.items() if n == 1] for language, counts in words.items()}
    made: list[dict[str, str]] = []
    while len(made) < total:
        language = rng.choice(LANGUAGES)
        kind = len(made) % 5
        if kind == 0:
            q = rng.choice(middle[language] + common[language])
        elif kind == 1:
            q = f"{rng.choice(middle[language])} {rng.choice(rare[language])}"
        elif kind == 2:
            q = f"{rng.randint(1, 20000)} {rng.choice(common[language])}"
        elif kind == 3:
            q = rng.choice(rare[language]).translate(OTHER_SPELLING[language])
        else:
            q = f"{rng.choice(middle[language])} {rng.choice(middle[language])}"
        params = {"q": q}
        if len(made) % 4 == 0:
            params["language"] = language
        made.append(params)
    return made


def summary(label: str, timings: list[float]) -> str:
    timings = sorted(timings)
    p99 = timings[min(len(timings) - 1, round(len(timings) * 0.99) - 1)]
    return f"{label}: p50 {statistics.median(timings):6.1f} ms, p99 {p99:6.1f} ms, max {timings[-1]:6.1f} ms"


async def timed(call: Callable[[], Awaitable[object]]) -> float:
    """Milliseconds one call takes."""
    start = time.perf_counter()
    await call()
    return (time.perf_counter() - start) * 1000


async def measure(settings: Settings, asked: list[dict[str, str]]) -> None:
    """Time the searches and print what was measured."""
    async with client(settings) as (http, counter):
        # One pass first, untimed, as a running forum's caches would be warm.
        for params in asked:
            await http.get("/search", params=params)
        pages, processor, statements = [], [], Counter[int]()
        for params in asked:
            counter.statements.clear()
            cpu = time.process_time()
            pages.append(await timed(lambda params=params: http.get("/search", params=params)))
            processor.append((time.process_time() - cpu) * 1000)
            statements[len(counter.statements)] += 1
        empty = [await timed(lambda: http.get("/search")) for _ in asked]
    services, lookups, matches = [], [], []
    limit = settings.search.ranked_matches + 1
    for params in asked:
        words, filters = query_terms(params["q"]), Filters(language=params.get("language"))
        lookups.append(await timed(lambda w=words, f=filters: find_matches(w, f, posts_only=False, limit=limit)))
        start = time.perf_counter()
        results = await search(words, filters, 1, "en", settings.search)
        services.append((time.perf_counter() - start) * 1000)
        matches.append(results.total)
    capped = sum(1 for m in matches if m >= settings.search.ranked_matches)
    print(
        f"{len(asked)} searches; matches per search: median {statistics.median(matches):.0f}, "
        f"{capped} capped at {settings.search.ranked_matches}, {matches.count(0)} with none"
    )
    print(summary("whole page over HTTP", pages))
    # The forum process's own CPU time (its SQLite thread included, PostgreSQL's server not): on a machine
    # whose cores other work shares, a steadier measure than the wall clock.
    print(summary("the same pages, CPU time of the forum process", processor))
    print(summary("search service alone", services))
    print(summary("the index statement alone", lookups))
    print(summary("the same page without a query", empty))
    print(f"statements per page: {dict(statements)}")


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


async def main(posts: int, total: int, database_url: str) -> None:
    rng = random.Random(2026)
    async with database(database_url) as settings:
        try:
            print(f"load average before: {load()}")
            began = time.perf_counter()
            await fill(posts, rng, settings)
            print(f"{posts} posts inserted in {time.perf_counter() - began:.0f} s")
            began = time.perf_counter()
            async with in_transaction():
                indexed, texts = await index.rebuild()
            print(f"indexed {indexed} posts and {texts} topic texts in {time.perf_counter() - began:.0f} s")
            if not index.is_sqlite(index.client()):
                await index.client().execute_script("ANALYZE search_index")
            await measure(settings, queries(vocabulary(), rng, total))
            print(f"load average after: {load()}")
        finally:
            if not database_url.startswith("sqlite") and database_url:
                tables = ", ".join(TABLES)
                await connections.get("default").execute_script(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    asyncio.run(main(args.posts, args.queries, args.database_url))
