"""Reading notices: a member's page of them, the unread count in the header, marking them read.

A notice shows only while its post is visible (approved), except the decisions
that concern a post nobody else sees: a rejection, and a flag that was upheld;
a notice about a translation, only while a translation of the post into its
language (kept in `reason`) is published.
Filtered here, at read time, with a join: a post hidden and later restored brings
its notices back.
"""

from __future__ import annotations

import dataclasses
import math
from datetime import UTC, datetime

from tortoise.expressions import F, Q, Subquery

from forum.errors import NotFound
from forum.models import NoticeKind, Notification, PostStatus, TopicText, TranslationStatus, pick_text

PAGE_SIZE = 30
# Kinds shown whatever became of their post.
_ABOUT_UNSEEN_POSTS = (NoticeKind.REJECTED, NoticeKind.FLAG_UPHELD)
# Kinds about a post's translation, the language in `reason`.
TRANSLATION_KINDS = (NoticeKind.TRANSLATED, NoticeKind.ASKED_ARRIVED)


def visible(user_id: int) -> Q:
    """The member's notices that may show now (one condition, with a subquery over their own)."""
    published = Notification.filter(
        user_id=user_id,
        kind__in=TRANSLATION_KINDS,
        post__translations__status=TranslationStatus.APPROVED,
        post__translations__language=F("reason"),
    ).values("id")
    about_posts = Q(post__status=PostStatus.APPROVED) & (~Q(kind__in=TRANSLATION_KINDS) | Q(id__in=Subquery(published)))
    return about_posts | Q(kind__in=_ABOUT_UNSEEN_POSTS)


async def unread_count(user_id: int) -> int:
    """Notices the member has not read: one query, for the header of every page."""
    return await Notification.filter(user_id=user_id, read_at=None).filter(visible(user_id)).count()


@dataclasses.dataclass
class Entry:
    notice: Notification
    title: str
    title_language: str

    @property
    def read(self) -> str | None:
        """The language the post is to be read in, for a notice about its translation."""
        return self.notice.reason if self.notice.kind in TRANSLATION_KINDS else None


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
        .filter(visible(user_id))
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
    mine = Notification.filter(user_id=user_id).filter(visible(user_id))
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
