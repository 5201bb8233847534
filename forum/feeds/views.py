"""RSS feeds: site-wide, per language, per topic, and new topics; conditional requests answered with 304."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from email.utils import format_datetime, parsedate_to_datetime

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from forum.config import LANGUAGES
from forum.discussions import threads
from forum.feeds import rss
from forum.i18n import LANGUAGE_NAMES, current_language, gettext
from forum.models import Category, Post, Translation, pick_text
from forum.text import excerpt

MEDIA_TYPE = "application/rss+xml; charset=utf-8"
# Short enough that a reader polling politely sees a new reply within minutes.
MAX_AGE = 300


def absolute(request: Request, route: str, **params: object) -> str:
    """An absolute URL: from `[server] base_url` when configured (see forum.address), else from the request."""
    return str(request.url_for(route, **params))


def _self_url(request: Request, route: str, **params: object) -> str:
    query = f"?{request.url.query}" if request.url.query else ""
    return absolute(request, route, **params) + query


def _not_modified(request: Request, fresh: rss.Freshness) -> bool:
    if (tags := request.headers.get("if-none-match")) is not None:
        return fresh.etag in [tag.strip().removeprefix("W/") for tag in tags.split(",")] or tags.strip() == "*"
    if since := request.headers.get("if-modified-since"):
        try:
            return fresh.last_modified <= parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
    return False


async def _respond(request: Request, fresh: rss.Freshness, build: Callable[[], Awaitable[bytes]]) -> Response:
    # Without base_url the links inside come from the request's Host header: a shared cache
    # must not hand one reader's copy to others.
    audience = "public" if request.app.state.settings.server.base_url else "private"
    headers = {
        "ETag": fresh.etag,
        "Last-Modified": format_datetime(fresh.last_modified, usegmt=True),
        "Cache-Control": f"{audience}, max-age={MAX_AGE}",
        "Vary": "Accept-Language, Cookie",
    }
    if _not_modified(request, fresh):
        return Response(status_code=304, headers=headers)
    return Response(await build(), media_type=MEDIA_TYPE, headers=headers)


async def _posts_document(
    request: Request,
    channel: rss.Channel,
    posts: list[Post],
    interface: str,
    translations: list[Translation] | None = None,
) -> bytes:
    """The posts and, newest first among them, the translations (each item linking to its original)."""

    def permalink(post_id: int) -> str:
        return absolute(request, "post_permalink", post_id=post_id)

    items = await rss.post_items(posts, interface, permalink)
    if translations:
        translated = await rss.translation_items(translations, interface, permalink)
        items = rss.newest_first(items + translated, request.app.state.settings.feeds.items)
    return rss.document(channel, items)


def _language_filter(request: Request) -> str | None:
    """The posts' language latest.rss is limited to.

    `?lang=` is the interface language of every feed, as of every page (titles,
    channel texts); on latest.rss it also keeps only the posts written in it, as
    the feed always did, so its channel and its items speak the same language.
    """
    language = request.query_params.get("lang")
    return language if language in LANGUAGES else None


async def feed_latest(request: Request) -> Response:
    language = _language_filter(request)
    interface = current_language()
    items = request.app.state.settings.feeds.items
    fresh = await rss.latest_freshness(language, interface, items)

    async def build() -> bytes:
        posts = await rss.latest_posts(language, items)
        translated = await rss.latest_translations(language, items) if language else []
        title = gettext("Open Questions Forum: latest replies")
        if language:
            title = gettext("%(title)s in %(language)s", title=title, language=LANGUAGE_NAMES[language])
        channel = rss.Channel(
            title=title,
            link=absolute(request, "home"),
            description=gettext("The newest approved replies in the forum's discussions."),
            self_url=_self_url(request, "feed_latest"),
            language=interface,
        )
        return await _posts_document(request, channel, posts, interface, translated)

    return await _respond(request, fresh, build)


async def feed_topic(request: Request) -> Response:
    topic_id = request.path_params["topic_id"]
    interface = current_language()
    items = request.app.state.settings.feeds.items
    language = _language_filter(request)
    fresh = await rss.topic_freshness(topic_id, interface, items, language)

    async def build() -> bytes:
        topic = await threads.get_topic(topic_id)
        text = pick_text(list(topic.texts), interface)
        posts = await rss.topic_posts(topic_id, items)
        translated = await rss.topic_translations(topic_id, language, items) if language else []
        channel = rss.Channel(
            title=text.title,
            link=absolute(request, "topic_detail", topic_id=topic_id),
            description=excerpt(text.html, 1000),
            self_url=_self_url(request, "feed_topic", topic_id=topic_id),
            language=interface,
        )
        return await _posts_document(request, channel, posts, interface, translated)

    return await _respond(request, fresh, build)


async def feed_category(request: Request) -> Response:
    category_id = request.path_params["category_id"]
    interface = current_language()
    items = request.app.state.settings.feeds.items
    fresh = await rss.category_freshness(category_id, interface, items)

    async def build() -> bytes:
        category = await Category.get(id=category_id)
        name = category.names.get(interface) or category.names.get("en") or category.slug
        channel = rss.Channel(
            title=gettext("Latest replies in %(category)s", category=name),
            link=absolute(request, "category_detail", category_id=category_id),
            description=gettext("The newest approved replies in this category's topics."),
            self_url=_self_url(request, "feed_category", category_id=category_id),
            language=interface,
        )
        return await _posts_document(request, channel, await rss.category_posts(category_id, items), interface)

    return await _respond(request, fresh, build)


async def feed_topics(request: Request) -> Response:
    interface = current_language()
    items = request.app.state.settings.feeds.items
    fresh = await rss.topics_freshness(interface, items)

    async def build() -> bytes:
        topics = await rss.newest_topics(items)
        entries = []
        for topic in topics:
            text = pick_text(list(topic.texts), interface)
            entries.append(
                rss.Item(
                    title=text.title,
                    link=absolute(request, "topic_detail", topic_id=topic.id),
                    published=topic.created_at,
                    author=topic.author.username if topic.author else "",
                    html=text.html,
                    language=text.language,
                )
            )
        channel = rss.Channel(
            title=gettext("Open Questions Forum: new topics"),
            link=absolute(request, "home"),
            description=gettext("Questions opened for discussion in the forum."),
            self_url=_self_url(request, "feed_topics"),
            language=interface,
        )
        return rss.document(channel, entries)

    return await _respond(request, fresh, build)


routes = [
    Route("/feeds/latest.rss", feed_latest, name="feed_latest"),
    Route("/feeds/topics.rss", feed_topics, name="feed_topics"),
    Route("/topics/{topic_id:id}/feed.rss", feed_topic, name="feed_topic"),
    Route("/categories/{category_id:id}/feed.rss", feed_category, name="feed_category"),
]
