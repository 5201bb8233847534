"""What moderators and the public read of moderation: the queue, the audit log, the transparency record."""

from __future__ import annotations

import dataclasses
import math
from collections import defaultdict
from typing import Any

from tortoise.expressions import Q
from tortoise.functions import Count

from forum.config import LANGUAGES
from forum.errors import NotFound
from forum.models import (
    Flag,
    ModerationAction,
    Post,
    PostStatus,
    TopicText,
    User,
    pick_text,
)

QUEUE_PAGE = 50
LOG_PAGE = 100


@dataclasses.dataclass
class QueueItem:
    post: Post
    topic_title: TopicText
    flags: list[Flag]
    # Reports on the author's posts that moderators upheld: part of the author's history.
    author_upheld: int = 0

    @property
    def flag_weight(self) -> int:
        return sum(report.weight for report in self.flags)

    @property
    def kind(self) -> str:
        if self.post.status == PostStatus.PENDING:
            return "new"
        if self.post.pending_source is not None:
            return "edit"
        return "flagged"


@dataclasses.dataclass
class Page:
    items: list[Any]
    page: int
    pages: int
    total: int


def _paginate(total: int, page: int, size: int) -> int:
    pages = max(1, math.ceil(total / size))
    if not 1 <= page <= pages:
        raise NotFound()
    return pages


async def load_queue(moderator: User, interface_language: str, language: str | None, page: int) -> Page:
    """Pending posts, pending edits and flagged posts, oldest first, those in the moderator's languages first."""
    flagged = await Flag.filter(resolved_at=None).distinct().values_list("post_id", flat=True)
    waiting = Q(status=PostStatus.PENDING) | Q(pending_source__not_isnull=True, status=PostStatus.APPROVED)
    if flagged:
        waiting |= Q(id__in=list(flagged), status__in=[PostStatus.APPROVED, PostStatus.HIDDEN])
    query = Post.filter(waiting)
    if language in LANGUAGES:
        query = query.filter(language=language)
    rows = await query.order_by("id").values_list("id", "language")
    reads = set(filter(None, moderator.reads_languages.split(",")))
    ordered = [post_id for post_id, lang in sorted(rows, key=lambda row: (row[1] not in reads, row[0]))]
    pages = _paginate(len(ordered), page, QUEUE_PAGE)
    ids = ordered[(page - 1) * QUEUE_PAGE : page * QUEUE_PAGE]
    posts = {
        post.id: post for post in await Post.filter(id__in=ids).select_related("author", "parent", "parent__author")
    }
    texts: dict[int, list[TopicText]] = defaultdict(list)
    for text in await TopicText.filter(topic_id__in={p.topic_id for p in posts.values()}):
        texts[text.topic_id].append(text)
    flags: dict[int, list[Flag]] = defaultdict(list)
    for report in await Flag.filter(post_id__in=ids, resolved_at=None).order_by("id"):
        flags[report.post_id].append(report)
    upheld = await _upheld_against({post.author_id for post in posts.values()})
    items = [
        QueueItem(
            posts[i],
            pick_text(texts[posts[i].topic_id], interface_language),
            flags[i],
            upheld.get(posts[i].author_id, 0),
        )
        for i in ids
    ]
    return Page(items, page, pages, len(ordered))


async def _upheld_against(author_ids: set[int]) -> dict[int, int]:
    """{author id: reports on their posts that moderators upheld}, in one query."""
    if not author_ids:
        return {}
    rows = await (
        Flag.filter(upheld=True, post__author_id__in=list(author_ids))
        .annotate(reports=Count("id"))
        .group_by("post__author_id")
        .values_list("post__author_id", "reports")
    )
    return {int(author): int(count) for author, count in rows}


async def load_log(page: int, moderator_id: int | None, action: str | None) -> Page:
    """The audit log, newest first, filtered by moderator and action."""
    query = ModerationAction.all()
    if moderator_id is not None:
        query = query.filter(moderator_id=moderator_id)
    if action:
        query = query.filter(action=action)
    total = await query.count()
    pages = _paginate(total, page, LOG_PAGE)
    entries = await (
        query.order_by("-id")
        .offset((page - 1) * LOG_PAGE)
        .limit(LOG_PAGE)
        .select_related("moderator", "target_user", "post")
    )
    return Page(entries, page, pages, total)


async def load_transparency(page: int) -> Page:
    """Public decisions: hides, restorations, locks and suspensions, with reason codes and no names of reporters."""
    query = ModerationAction.filter(public=True)
    total = await query.count()
    pages = _paginate(total, page, LOG_PAGE)
    entries = await query.order_by("-id").offset((page - 1) * LOG_PAGE).limit(LOG_PAGE).select_related("target_user")
    texts: dict[int, list[TopicText]] = defaultdict(list)
    topic_ids = {e.topic_id for e in entries if e.topic_id}
    for text in await TopicText.filter(topic_id__in=topic_ids):
        texts[text.topic_id].append(text)
    return Page([(entry, texts.get(entry.topic_id or 0)) for entry in entries], page, pages, total)
