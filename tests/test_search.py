"""Search over HTTP: what is found and what never is, the results page, the feed, hostile queries, the cost."""

from __future__ import annotations

import feedparser
import httpx
import pytest
from bs4 import BeautifulSoup

from forum import seed
from forum.config import Settings
from forum.discussions import posts, topics
from forum.models import Role, Topic
from forum.moderation import actions
from forum.search import index
from tests.conftest import QueryCounter
from tests.factories import make_reply, make_topic, make_user
from tests.test_cli import forum


def parse(response: httpx.Response) -> BeautifulSoup:
    assert response.status_code == 200, response.text
    return BeautifulSoup(response.text, "html.parser")


async def found(client: httpx.AsyncClient, q: str, **params: str) -> list[str]:
    """The links of the first page of results."""
    page = parse(await client.get("/search", params={"q": q, **params}))
    return [str(a["href"]) for a in page.select(".search-result-title a")]


async def test_only_approved_posts_are_ever_found(client: httpx.AsyncClient, settings: Settings) -> None:
    topic = await make_topic()
    newcomer = await make_user("newcomer")
    trusted = await make_user("trusted", trusted=True)
    moderator = await make_user("mod", role=Role.MODERATOR)
    pending = await make_reply(topic, newcomer, settings, "cooperative pending")
    rejected = await make_reply(topic, newcomer, settings, "cooperative rejected")
    await actions.reject(rejected.id, moderator, "Off topic")
    hidden = await make_reply(topic, trusted, settings, "cooperative hidden")
    deleted = await make_reply(topic, trusted, settings, "cooperative deleted")
    shown = await make_reply(topic, trusted, settings, "cooperative shown")
    assert set(await found(client, "cooperatives")) == {f"/posts/{p.id}" for p in (hidden, deleted, shown)}

    await actions.hide(hidden.id, moderator, "spam")
    await posts.delete_post(deleted, trusted)
    assert await found(client, "cooperative") == [f"/posts/{shown.id}"]
    assert await found(client, "hidden") == [] and await found(client, "pending") == []

    await actions.restore(hidden.id, moderator)
    await actions.approve(pending.id, moderator)
    assert await found(client, "hidden") == [f"/posts/{hidden.id}"]
    assert await found(client, "pending") == [f"/posts/{pending.id}"]


async def test_a_post_hidden_by_flags_leaves_the_results(client: httpx.AsyncClient, settings: Settings) -> None:
    settings = settings.replace(trust={"hide_at_flag_weight": 1, "flag_min_account_hours": 0})
    topic = await make_topic()
    post = await make_reply(topic, await make_user(trusted=True), settings, "a brigade's target")
    assert await found(client, "brigade") == [f"/posts/{post.id}"]
    await actions.flag(post, await make_user(trusted=True), "abuse", "", settings)
    assert await found(client, "brigade") == []


async def test_an_edit_changes_what_is_found(client: httpx.AsyncClient, settings: Settings) -> None:
    topic = await make_topic()
    author = await make_user(trusted=True)
    post = await make_reply(topic, author, settings, "Strikes in Abadan")
    await posts.edit_post(post, author, "اعتصاب در آبادان", settings)
    assert await found(client, "abadan") == []
    assert await found(client, "آبادان") == [f"/posts/{post.id}"]

    # An edit waiting for approval changes nothing until a moderator accepts it.
    newcomer = await make_user(trusted=False)
    moderator = await make_user("mod", role=Role.MODERATOR)
    first = await make_reply(topic, newcomer, settings, "refinery workers")
    await actions.approve(first.id, moderator)
    await posts.edit_post(await posts.get_post(first.id), newcomer, "petrochemical workers", settings)
    assert await found(client, "refinery") == [f"/posts/{first.id}"] and await found(client, "petrochemical") == []
    await actions.approve(first.id, moderator)
    assert await found(client, "refinery") == [] and await found(client, "petrochemical") == [f"/posts/{first.id}"]


async def test_topic_texts_are_found_and_follow_their_edits(client: httpx.AsyncClient, settings: Settings) -> None:
    moderator = await make_user("mod", role=Role.MODERATOR)
    category_topic = await make_topic()
    topic = await topics.create_topic(
        moderator,
        category_topic.category_id,
        {"title_en": "Land reform", "body_en": "Who owns the land?", "title_fa": "اصلاحات ارضی", "body_fa": "زمین"},
        settings,
    )
    page = parse(await client.get("/search", params={"q": "reforms"}))
    result = page.select_one(".search-result")
    assert result is not None
    assert [a["href"] for a in result.select("h2 a")] == [f"/topics/{topic.id}"]
    assert result.select_one(".badge") is not None
    assert await found(client, "ارضي") == [f"/topics/{topic.id}"]

    await topics.edit_topic(topic, moderator, {"title_en": "Water rights", "body_en": "Who owns the rivers?"})
    assert await found(client, "reform") == [] and await found(client, "ارضی") == []
    assert await found(client, "river") == [f"/topics/{topic.id}"]

    await seed.seed_topics()
    federalism = await Topic.get(seed_key="federalism")
    assert f"/topics/{federalism.id}" in await found(client, "فدرالیسم", language="fa")


async def test_results_page_shows_topic_author_date_and_a_safe_snippet(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    topic = await make_topic(texts={"en": "Joint action", "fa": "اقدام مشترک"})
    author = await make_user("نرگس", trusted=True)
    post = await make_reply(topic, author, settings, "<script>alert(1)</script> **Solidarity** & <b>unity</b> " * 3)
    page = parse(await client.get("/search", params={"q": "solidarity script", "lang": "fa"}))
    result = page.select_one(".search-result")
    assert result is not None
    title = result.select_one("h2 a")
    assert title is not None and title["href"] == f"/posts/{post.id}"
    assert title.select_one("bdi") is not None and title.get_text() == "اقدام مشترک"
    meta = result.select_one(".search-result-meta")
    assert meta is not None and "نرگس" in [bdi.get_text() for bdi in meta.select("bdi")]
    assert meta.select_one("time[datetime]") is not None
    snippet = result.select_one(".search-snippet")
    assert snippet is not None and snippet["dir"] == "ltr" and snippet["lang"] == "en"
    assert page.select("script:not([src])") == [] and snippet.select("b") == []
    assert {mark.get_text() for mark in snippet.select("mark")} == {"Solidarity", "script"}
    assert "<script>alert(1)</script>" in snippet.get_text()
    count = page.select_one(".search-count")
    assert count is not None and "۱" in count.get_text()


async def test_every_page_has_the_search_box_and_results_link_their_feed(client: httpx.AsyncClient) -> None:
    for url in ("/", "/login", "/search?q=x"):
        form = parse(await client.get(url)).select_one("header form[role=search]")
        assert form is not None and str(form["action"]).endswith("/search") and form["method"] == "get"
        assert form.select_one("input[name=q][type=search]") is not None
    page = parse(await client.get("/search", params={"q": "federal", "language": "ar"}))
    links = [link["href"] for link in page.select("head link[rel=alternate]")]
    assert any(str(href).startswith("http://testserver/search/feed.rss?") for href in links)
    assert "language=ar" in next(str(href) for href in links if "search/feed" in str(href))


async def test_filters_and_the_empty_page_that_offers_to_drop_them(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    first, second = await make_topic("First"), await make_topic("Second")
    ali, sara = await make_user("ali", trusted=True), await make_user("sara", trusted=True)
    en = await make_reply(first, ali, settings, "Elections")
    fa = await make_reply(second, sara, settings, "انتخابات elections", language="fa")
    assert set(await found(client, "election")) == {f"/posts/{en.id}", f"/posts/{fa.id}"}
    assert await found(client, "election", language="fa") == [f"/posts/{fa.id}"]
    assert await found(client, "election", topic=str(first.id)) == [f"/posts/{en.id}"]
    assert await found(client, "election", author="SARA") == [f"/posts/{fa.id}"]

    page = parse(await client.get("/search", params={"q": "election", "language": "ar", "topic": str(first.id)}))
    assert page.select(".search-result") == []
    suggestions = [str(a["href"]) for a in page.select(".search-empty a")]
    assert len(suggestions) == 2
    assert any("language" not in href and f"topic={first.id}" in href for href in suggestions)
    assert any("topic" not in href and "language=ar" in href for href in suggestions)

    unknown = parse(await client.get("/search", params={"q": "election", "author": "nobody"}))
    assert "nobody" in unknown.select_one("[role=alert]").get_text()  # type: ignore[union-attr]
    assert unknown.select(".search-result") == []
    # Filters that are not what the form sends are read as no filter.
    assert len(await found(client, "election", language="xx", topic="abc")) == 2


async def test_a_topic_page_searches_its_own_replies(client: httpx.AsyncClient, settings: Settings) -> None:
    unions, strikes = await make_topic("Unions"), await make_topic("Strikes")
    author = await make_user(trusted=True)
    here = await make_reply(unions, author, settings, "Solidarity here")
    await make_reply(strikes, author, settings, "Solidarity there")
    form = parse(await client.get(f"/topics/{unions.id}", params={"lang": "fa"})).select_one("form.topic-search")
    assert form is not None and form["action"] == "http://testserver/search" and form["method"] == "get"
    fields = {str(field["name"]): str(field.get("value", "")) for field in form.select("input")}
    assert fields == {"topic": str(unions.id), "q": ""}
    page = parse(await client.get("/search", params={**fields, "q": "solidarity"}))
    assert [str(a["href"]) for a in page.select(".search-result-title a")] == [f"/posts/{here.id}"]
    chosen = page.select_one("#search-topic option[selected]")
    assert chosen is not None and chosen.get_text() == "Unions" and chosen["value"] == str(unions.id)
    # A topic that does not exist filters everything out and offers to search every topic.
    page = parse(await client.get("/search", params={"q": "solidarity", "topic": "999999"}))
    assert page.select(".search-result") == [] and page.select_one("#search-topic option[selected]") is None
    # (In Persian, right to left: the reader chose it on the topic page.)
    assert [a.get_text() for a in page.select(".search-empty a")] == ["در همهٔ موضوع\u200cها"]
    assert page.html is not None and page.html["dir"] == "rtl"


async def test_pages_and_a_capped_count(client: httpx.AsyncClient, settings: Settings) -> None:
    client.app.state.settings = settings.replace(search={"results_per_page": 4, "ranked_matches": 6})  # type: ignore[attr-defined]
    topic = await make_topic()
    author = await make_user(trusted=True)
    made = [await make_reply(topic, author, settings, f"assembly {'assembly ' * n}") for n in range(7)]
    first = parse(await client.get("/search", params={"q": "assembly"}))
    assert len(first.select(".search-result")) == 4
    assert first.select_one("a[rel=next]") is not None
    count = first.select_one(".search-count")
    assert count is not None and "6" in count.get_text() and "More than" in count.get_text()
    second = parse(await client.get("/search", params={"q": "assembly", "page": "2"}))
    links = [str(a["href"]) for a in second.select(".search-result-title a")]
    assert len(links) == 2 and f"/posts/{made[0].id}" not in links  # the oldest is beyond the ranked matches
    assert (await client.get("/search", params={"q": "assembly", "page": "3"})).status_code == 404


HOSTILE = [
    '"',
    '"unclosed phrase',
    "NEAR(a b, 2)",
    "a*",
    "*",
    "body: x",
    "tags : lang",
    "a & b | !c",
    "(((",
    ")",
    "a:* & b",
    "'quoted' & 'x",
    "\\",
    "x" * 10000,
    "سوريا " * 1000,
    "\u202eevil\u202c \u2066x\u2069 \u200f",
    "the of and a",
    "-- ; DROP TABLE posts",
    "\x00\x01",
    " ",
    "AND OR NOT",
    "{body}",
    "^x",
    "🏴‍☠️ 👍🏽",
]


@pytest.mark.parametrize("q", HOSTILE)
async def test_hostile_queries_give_a_page(client: httpx.AsyncClient, settings: Settings, q: str) -> None:
    topic = await make_topic()
    await make_reply(topic, await make_user(trusted=True), settings, "the evil of sectarian hatred in سوريا")
    for url in ("/search", "/search/feed.rss"):
        response = await client.get(url, params={"q": q, "author": q[:100], "language": q[:5], "topic": q[:20]})
        assert response.status_code == 200, (url, response.text[:500])
    page = parse(await client.get("/search", params={"q": q}))
    assert page.select_one("h1") is not None


def test_a_query_is_cut_to_a_bounded_number_of_terms() -> None:
    from forum.search.query import MAX_TERMS, query_terms

    assert len(query_terms(" ".join(f"word{n}" for n in range(500)))) == MAX_TERMS
    assert query_terms("x" * 10000) == ["x" * 64]


async def test_the_search_feed_lists_new_matches_and_answers_304(client: httpx.AsyncClient, settings: Settings) -> None:
    topic = await make_topic("Feeds")
    author = await make_user(trusted=True)
    older = await make_reply(topic, author, settings, "General strike in Khuzestan")
    await make_reply(topic, author, settings, "Nothing to see")
    newer = await make_reply(topic, author, settings, "اعتصاب عمومی در خوزستان", language="fa")
    url = "/search/feed.rss?q=khuzestan"
    response = await client.get(url)
    assert response.status_code == 200 and response.headers["content-type"] == "application/rss+xml; charset=utf-8"
    feed = feedparser.parse(response.content)
    assert not feed.bozo
    assert [entry.link for entry in feed.entries] == [f"http://testserver/posts/{older.id}"]
    persian = feedparser.parse((await client.get("/search/feed.rss?q=خوزستان")).content)
    assert [entry.link for entry in persian.entries] == [f"http://testserver/posts/{newer.id}"]

    again = await client.get(url, headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    assert (await client.get("/search/feed.rss?q=strike")).headers["etag"] != response.headers["etag"]
    latest = await make_reply(topic, author, settings, "Khuzestan again")
    changed = await client.get(url, headers={"If-None-Match": response.headers["etag"]})
    assert changed.status_code == 200
    links = [entry.link for entry in feedparser.parse(changed.content).entries]
    assert links == [f"http://testserver/posts/{latest.id}", f"http://testserver/posts/{older.id}"]


async def test_a_search_costs_the_same_statements_however_many_posts_match(
    client: httpx.AsyncClient, settings: Settings, count_queries: QueryCounter
) -> None:
    topic = await make_topic()
    author = await make_user(trusted=True)
    statements = []
    for turn in range(2):
        for _ in range(15):
            await make_reply(topic, author, settings, "Workers' councils")
        # More topics too: the topic filter names only the topic asked for, never lists them all.
        for n in range(5):
            await make_topic(f"Councils {n}")
        count_queries.statements.clear()
        page = parse(
            await client.get(
                "/search", params={"q": "councils", "language": "en", "author": author.username, "topic": topic.id}
            )
        )
        assert len(page.select(".search-result")) == min(20, 15 * (turn + 1))
        assert [option.get_text() for option in page.select("#search-topic option")][1:] == ["A question"]
        statements.append(len(count_queries.statements))
    assert statements[0] == statements[1] <= 6


async def test_reindex_rebuilds_what_the_index_lost(database: Settings) -> None:
    topic = await make_topic()
    author = await make_user(trusted=True)
    post = await make_reply(topic, author, database, "Rojava cooperatives")
    db = index.client()
    if index.is_sqlite(db):
        await db.execute_script(
            "DELETE FROM search_documents; INSERT INTO search_fts (search_fts) VALUES ('delete-all')"
        )
    else:
        await db.execute_script("DELETE FROM search_index")
    from forum.search.query import Filters, query_terms, search

    async def hits() -> list[int | None]:
        results = await search(query_terms("rojava"), Filters(), 1, "en", database.search)
        return [hit.post_id for hit in results.hits]

    assert await hits() == []
    result = forum(database, "reindex")
    assert result.returncode == 0, result.stderr
    assert "1 posts" in result.stdout
    assert await hits() == [post.id]
