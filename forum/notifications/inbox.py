"""Reading notices: a member's page of them, the unread count in the header, marking them read.

A notice shows only while its post is visible (approved), except the decisions
that concern a post nobody else sees: a rejection, and a flag that was upheld.
Filtered here, at read time, with a join: a post hidden and later restored brings
its notices back.
"""

from __future__ import annotations

import dataclasses
import math
from datetime import UTC, datetime

from tortoise.expressions import Q

from forum.errors import NotFound
from forum.models import NoticeKind, Notification, PostStatus, TopicText, pick_text

PAGE_SIZE = 30
# Kinds shown whatever became of their post.
_ABOUT_UNSEEN_POSTS = (NoticeKind.REJECTED, NoticeKind.FLAG_UPHELD)


def visible() -> Q:
    return Q(post__status=PostStatus.APPROVED) | Q(kind__in=_ABOUT_UNSEEN_POSTS)


async def unread_count(user_id: int) -> int:
    """Notices the member has not read: one query, for the header of every page."""
    return await Notification.filter(user_id=user_id, read_at=None).filter(visible()).count()


@dataclasses.dataclass
class Entry:
    notice: Notification
    title: str
    title_language: str


@dataclasses.dataclass
class InboxPage:
    entries: list[Entry]
    page: int
    pages: int
    unread: int


async def entries(user_id: int, language: str, *, offset: int = 0, limit: int = PAGE_SIZE) -> list[Entry]:
    """Notices newest first, each with its post, author or moderator, and its topic's title."""
    notices = list(
        await Notification.filter(user_id=user_id)
        .filter(visible())
        .order_by("-id")
        .offset(offset)
        .limit(limit)
        .select_related("post", "actor")
    )
    topic_ids = {notice.post.topic_id for notice in notices}
    texts: dict[int, list[TopicText]] = {}
    for text in await TopicText.filter(topic_id__in=topic_ids) if topic_ids else []:
        texts.setdefault(text.topic_id, []).append(text)
    result = []
    for notice in notices:
        chosen = pick_text(texts[notice.post.topic_id], language)
        result.append(Entry(notice, chosen.title, chosen.language))
    return result


async def inbox_page(user_id: int, language: str, page: int) -> InboxPage:
    """One page of the member's notices; raises NotFound past the last page."""
    mine = Notification.filter(user_id=user_id).filter(visible())
    total = await mine.count()
    pages = max(1, math.ceil(total / PAGE_SIZE))
    if not 1 <= page <= pages:
        raise NotFound()
    shown = await entries(user_id, language, offset=(page - 1) * PAGE_SIZE)
    return InboxPage(shown, page, pages, await unread_count(user_id))


async def mark_read(user_id: int, notice_id: int | None = None) -> int:
    """Mark one notice of the member's (or, with None, all of them) read; returns how many changed."""
    unread = Notification.filter(user_id=user_id, read_at=None)
    if notice_id is not None:
        unread = unread.filter(id=notice_id)
    return await unread.update(read_at=datetime.now(UTC))


async def mark_posts_read(user_id: int, post_ids: list[int]) -> int:
    """The member saw these posts on a page: their notices about them are read."""
    if not post_ids:
        return 0
    return await Notification.filter(user_id=user_id, read_at=None, post_id__in=post_ids).update(
        read_at=datetime.now(UTC)
    )
