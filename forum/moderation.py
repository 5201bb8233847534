"""The moderation policy and the moderators' actions, each with its counters and audit entry."""

from __future__ import annotations

from datetime import datetime

from tortoise.expressions import F

from forum.config import Settings
from forum.models import Post, PostStatus, Topic, User


def initial_status(author: User, settings: Settings) -> PostStatus:
    """Approved or pending, as `[moderation] mode` says; moderators and admins are never queued."""
    mode = settings.moderation.mode
    if author.is_moderator or mode == "none":
        return PostStatus.APPROVED
    if mode == "all":
        return PostStatus.PENDING
    if author.trusted or author.approved_count >= settings.moderation.trust_after:
        return PostStatus.APPROVED
    return PostStatus.PENDING


async def count_approved(post: Post, author: User, when: datetime) -> None:
    """Counters for a post that just became visible; call inside the transaction that approved it."""
    await Topic.filter(id=post.topic_id).update(  # type: ignore[attr-defined]
        reply_count=F("reply_count") + 1, last_activity_at=when
    )
    await User.filter(id=author.id).update(approved_count=F("approved_count") + 1)
    author.approved_count += 1
