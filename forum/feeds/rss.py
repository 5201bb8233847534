"""RSS 2.0 documents of approved posts and of topics, built with ElementTree, with cheap freshness checks."""

from __future__ import annotations

import dataclasses
import hashlib
import html
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any, cast

from tortoise.functions import Max
from tortoise.queryset import QuerySet

from forum.errors import NotFound
from forum.i18n import gettext
from forum.models import Category, Post, PostStatus, Topic, TopicText, Translation, TranslationStatus, pick_text
from forum.text import direction, excerpt, isolate

ATOM = "http://www.w3.org/2005/Atom"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
DC = "http://purl.org/dc/elements/1.1/"
for prefix, uri in (("atom", ATOM), ("content", CONTENT), ("dc", DC)):
    ET.register_namespace(prefix, uri)

EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


@dataclasses.dataclass(frozen=True)
class Freshness:
    etag: str
    last_modified: datetime


def freshness(kind: str, newest: datetime | None, *variant: object) -> Freshness:
    moment = (newest or EPOCH).astimezone(UTC)
    digest = hashlib.sha256(repr((kind, moment.isoformat(), variant)).encode()).hexdigest()[:32]
    return Freshness(f'"{digest}"', moment.replace(microsecond=0))


@dataclasses.dataclass(frozen=True)
class Item:
    title: str
    link: str
    published: datetime
    author: str
    html: str
    # The language the item's text is written in (its title is in the channel's).
    language: str


async def latest_freshness(language: str | None, interface: str, items: int) -> Freshness:
    """One aggregate query: when the newest change to any post a site-wide feed could show happened."""
    query = Post.filter(approved_at__not_isnull=True)
    if language:
        query = query.filter(language=language)
    newest = await _last_change(query)
    if language:
        newest = _later(newest, await _newest(Translation.filter(language=language), "changed_at"))
    return freshness("latest", newest, language, interface, items)


async def category_freshness(category_id: int, interface: str, items: int) -> Freshness:
    """One query: the newest change to a post a category's feed could show (404 when there is no such category)."""
    if not await Category.exists(id=category_id):
        raise NotFound()
    query = Post.filter(topic__category_id=category_id, approved_at__not_isnull=True)
    return freshness("category", await _last_change(query), category_id, interface, items)


def _later(first: datetime | None, second: datetime | None) -> datetime | None:
    return max(filter(None, (first, second)), default=None)


async def translations_freshness(topic_id: int, language: str | None) -> datetime | None:
    """When a translation into `language` of a post of the topic last appeared or went (one query)."""
    if not language:
        return None
    return await _newest(Translation.filter(language=language, post__topic_id=topic_id), "changed_at")


async def topic_freshness(topic_id: int, interface: str, items: int, language: str | None = None) -> Freshness:
    """One query, and one more with a `language` whose translations the feed carries: the topic's newest
    change (404 when the topic does not exist)."""
    rows = await (
        Topic.filter(id=topic_id)
        .annotate(newest=Max("posts__changed_at"))
        .values_list("created_at", "texts_changed_at", "newest")
    )
    if not rows:
        raise NotFound()
    newest = _later(max(filter(None, rows[0])), await translations_freshness(topic_id, language))
    return freshness("topic", newest, topic_id, interface, items, language)


async def topics_freshness(interface: str, items: int) -> Freshness:
    return freshness("topics", await _newest(Topic.all(), "created_at"), interface, items)


async def _last_change(query: QuerySet[Post]) -> datetime | None:
    """The newest `changed_at` of posts once approved (whatever their status now: hidden, deleted, edited).

    Read from the index on changed_at, newest first, to the first post that matches: the
    freshness check of a feed costs the same at 100 and at 100,000 posts. (An aggregate
    over a filter read every approved post.)
    """
    rows = await query.order_by("-changed_at").limit(1).values_list("changed_at", flat=True)
    return cast("datetime | None", rows[0] if rows else None)


async def _newest(query: QuerySet[Any], field: str) -> datetime | None:
    """The largest value of a datetime `field` in `query`, in one aggregate query."""
    rows = await query.annotate(newest=Max(field)).values_list("newest", flat=True)
    return cast("datetime | None", rows[0] if rows else None)


@dataclasses.dataclass
class Channel:
    title: str
    link: str
    description: str
    self_url: str
    # The language of the channel's own texts: its title, description and item titles.
    language: str
    built: datetime = dataclasses.field(default_factory=lambda: datetime.now(UTC))


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attributes)
    if text is not None:
        element.text = text
    return element


def document(channel: Channel, items: list[Item]) -> bytes:
    """The RSS 2.0 XML, UTF-8, with atom:link rel=self, dc:creator and content:encoded."""
    rss = ET.Element("rss", {"version": "2.0"})
    head = _sub(rss, "channel")
    _sub(head, "title", channel.title)
    _sub(head, "link", channel.link)
    _sub(head, "description", channel.description)
    _sub(head, "language", channel.language)
    _sub(head, "lastBuildDate", format_datetime(channel.built.astimezone(UTC), usegmt=True))
    _sub(head, f"{{{ATOM}}}link", href=channel.self_url, rel="self", type="application/rss+xml")
    for item in items:
        entry = _sub(head, "item")
        _sub(entry, "title", item.title)
        _sub(entry, "link", item.link)
        _sub(entry, "guid", item.link, isPermaLink="true")
        _sub(entry, "pubDate", format_datetime(item.published.astimezone(UTC), usegmt=True))
        if item.author:
            _sub(entry, f"{{{DC}}}creator", item.author)
        _sub(entry, f"{{{DC}}}language", item.language)
        _sub(entry, "description", excerpt(item.html, 300) or item.title)
        _sub(entry, f"{{{CONTENT}}}encoded", _with_direction(item))
    xml: bytes = ET.tostring(rss, encoding="utf-8", xml_declaration=True)
    return xml


def _with_direction(item: Item) -> str:
    """The item's HTML in an element naming its language and direction, for readers that detect neither."""
    language = html.escape(item.language)
    return f'<div lang="{language}" dir="{direction(item.language)}">{item.html}</div>'


async def _titles(topic_ids: set[int], interface: str) -> dict[int, TopicText]:
    texts: dict[int, list[TopicText]] = defaultdict(list)
    for text in await TopicText.filter(topic_id__in=topic_ids):
        texts[text.topic_id].append(text)
    return {topic_id: pick_text(rows, interface) for topic_id, rows in texts.items()}


async def post_items(posts: list[Post], interface: str, permalink: Callable[[int], str]) -> list[Item]:
    titles = await _titles({p.topic_id for p in posts}, interface)
    return [
        Item(
            title=gettext(
                "%(author)s replied in “%(topic)s”",
                # Isolated, so a Persian name in an English title (or the reverse) keeps its direction.
                author=isolate(post.author.username),
                topic=isolate(titles[post.topic_id].title),
            ),
            link=permalink(post.id),
            published=post.approved_at or post.created_at,
            author=post.author.username,
            html=post.html,
            language=post.language,
        )
        for post in posts
    ]


async def latest_posts(language: str | None, items: int) -> list[Post]:
    query = Post.filter(status=PostStatus.APPROVED)
    if language:
        query = query.filter(language=language)
    return await query.order_by("-approved_at", "-id").limit(items).select_related("author")


async def category_posts(category_id: int, items: int) -> list[Post]:
    return await (
        Post.filter(topic__category_id=category_id, status=PostStatus.APPROVED)
        .order_by("-approved_at", "-id")
        .limit(items)
        .select_related("author")
    )


async def topic_posts(topic_id: int, items: int) -> list[Post]:
    return await (
        Post.filter(topic_id=topic_id, status=PostStatus.APPROVED)
        .order_by("-approved_at", "-id")
        .limit(items)
        .select_related("author")
    )


async def newest_topics(items: int) -> list[Topic]:
    return (
        await Topic.all().order_by("-created_at", "-id").limit(items).prefetch_related("texts").select_related("author")
    )


def _translations(language: str) -> QuerySet[Translation]:
    """Approved translations into `language` of posts everyone can read."""
    return Translation.filter(
        status=TranslationStatus.APPROVED, language=language, post__status=PostStatus.APPROVED
    ).select_related("post", "post__author", "translator")


async def latest_translations(language: str, items: int) -> list[Translation]:
    return await _translations(language).order_by("-approved_at", "-id").limit(items)


async def topic_translations(topic_id: int, language: str, items: int) -> list[Translation]:
    return await _translations(language).filter(post__topic_id=topic_id).order_by("-approved_at", "-id").limit(items)


async def translation_items(
    translations: list[Translation], interface: str, permalink: Callable[[int], str]
) -> list[Item]:
    """Items for translations: each links to its original post, shown in the translation's language."""
    titles = await _titles({t.post.topic_id for t in translations}, interface)
    return [
        Item(
            title=gettext(
                "%(translator)s translated a reply by %(author)s in “%(topic)s”",
                translator=isolate(translation.translator.username),
                author=isolate(translation.post.author.username),
                topic=isolate(titles[translation.post.topic_id].title),
            ),
            link=f"{permalink(translation.post_id)}?read={translation.language}",
            published=translation.approved_at or translation.created_at,
            author=translation.translator.username,
            html=translation.html,
            language=translation.language,
        )
        for translation in translations
    ]


def newest_first(items: list[Item], limit: int) -> list[Item]:
    return sorted(items, key=lambda item: item.published, reverse=True)[:limit]
