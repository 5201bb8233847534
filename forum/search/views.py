"""Search: the results page and the same search as an RSS feed."""

from __future__ import annotations

import dataclasses

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from forum.feeds import rss
from forum.feeds import views as feeds
from forum.i18n import LANGUAGE_NAMES, current_language, gettext
from forum.models import TopicText, pick_text
from forum.routing import int_param, parse_id
from forum.search import query
from forum.templating import render
from forum.text import isolate, normalise


@dataclasses.dataclass(frozen=True)
class Asked:
    """What was asked: the text, its terms and the filters, read leniently from the query string."""

    q: str
    words: list[str]
    filters: query.Filters
    author_name: str


async def _read(request: Request) -> tuple[Asked, bool]:
    """The search asked for, and whether its author filter names a member who does not exist."""
    params = request.query_params
    # Control characters and the like go, so that the query can be echoed on the page and in the feed's XML.
    q = " ".join(normalise(params.get("q", "")[: query.MAX_QUERY]).split())
    author_name = normalise(params.get("author", "")[:64]).strip()
    author = await query.find_author(author_name) if author_name else None
    filters = query.Filters(
        language=query.clean_language(params.get("language")),
        topic_id=parse_id(params.get("topic")),
        author=author,
    )
    return Asked(q, query.query_terms(q), filters, author_name), bool(author_name) and author is None


async def search_results(request: Request) -> Response:
    asked, unknown_author = await _read(request)
    page = int_param(request, "page", 1) or 1
    interface = current_language()
    if unknown_author:
        results = query.Results([], 0, False, 1, 1)
    else:
        results = await query.search(asked.words, asked.filters, page, interface, request.app.state.settings.search)
    # The topic filter offers the topic asked for, not every topic: the page's cost does not grow with the forum.
    topics: list[tuple[int, str]] = []
    if asked.filters.topic_id is not None:
        texts = await TopicText.filter(topic_id=asked.filters.topic_id).only("id", "topic_id", "language", "title")
        if texts:
            topics.append((asked.filters.topic_id, pick_text(list(texts), interface).title))
    return render(
        request,
        "search/results.html",
        {
            "asked": asked,
            "results": results,
            "unknown_author": unknown_author,
            "topics": topics,
        },
    )


async def search_feed(request: Request) -> Response:
    asked, unknown_author = await _read(request)
    interface = current_language()
    items = request.app.state.settings.feeds.items
    filters = asked.filters
    # Any post that changes can change what a search finds: the site-wide feed's freshness, keyed by this search.
    latest = await rss.latest_freshness(filters.language, interface, items)
    fresh = rss.freshness(
        "search",
        latest.last_modified,
        latest.etag,
        asked.words,
        filters.topic_id,
        filters.author.id if filters.author else asked.author_name,
    )

    async def build() -> bytes:
        found = [] if unknown_author else await query.newest_posts(asked.words, filters, items)
        title = gettext("Open Questions Forum: search for “%(query)s”", query=isolate(asked.q))
        if filters.language:
            title = gettext("%(title)s in %(language)s", title=title, language=LANGUAGE_NAMES[filters.language])
        channel = rss.Channel(
            title=title,
            link=feeds._self_url(request, "search_results"),
            description=gettext("The newest approved replies that match this search."),
            self_url=feeds._self_url(request, "search_feed"),
            language=interface,
        )
        return await feeds._posts_document(request, channel, found, interface)

    # The feeds' own conditional-response rules, so that a search feed answers 304 exactly as they do.
    return await feeds._respond(request, fresh, build)


routes = [
    Route("/search", search_results, name="search_results"),
    Route("/search/feed.rss", search_feed, name="search_feed"),
]
