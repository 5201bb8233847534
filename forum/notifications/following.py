"""Watching and muting topics, and the member's choices about it."""

from __future__ import annotations

from datetime import UTC, datetime

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from forum.models import NoticeSettings, Topic, TopicState, User, WatchLevel

# Watched topics listed on the profile.
MAX_LISTED = 200


async def notice_settings(user: User) -> NoticeSettings:
    """The member's settings row, made with the defaults on first use."""
    found = await NoticeSettings.get_or_none(user_id=user.id)
    if found is not None:
        return found
    try:
        async with in_transaction():
            return await NoticeSettings.create(user_id=user.id)
    except IntegrityError:  # made a moment ago by another request of theirs
        return await NoticeSettings.get(user_id=user.id)


async def set_level(user: User, topic_id: int, level: WatchLevel | None) -> None:
    """Watch a topic, mute it, or (None) go back to the usual notices."""
    now = datetime.now(UTC) if level == WatchLevel.WATCHING else None
    if await TopicState.filter(user_id=user.id, topic_id=topic_id).update(level=level, watched_at=now):
        return
    try:
        async with in_transaction():
            await TopicState.create(user_id=user.id, topic_id=topic_id, level=level, watched_at=now)
    except IntegrityError:
        await TopicState.filter(user_id=user.id, topic_id=topic_id).update(level=level, watched_at=now)


async def watch_after_reply(user: User, topic_id: int) -> None:
    """Replying watches the topic, unless the member chose otherwise in their profile or muted it."""
    settings = await NoticeSettings.get_or_none(user_id=user.id)
    if settings is not None and not settings.watch_replied:
        return
    state = await TopicState.get_or_none(user_id=user.id, topic_id=topic_id)
    if state is None or state.level is None:
        await set_level(user, topic_id, WatchLevel.WATCHING)


async def watched_topics(user: User) -> list[Topic]:
    """The topics the member watches, most recently active first (texts prefetched)."""
    topic_ids = await TopicState.filter(user_id=user.id, level=WatchLevel.WATCHING).values_list("topic_id", flat=True)
    if not topic_ids:
        return []
    return list(
        await Topic.filter(id__in=list(topic_ids))
        .order_by("-last_activity_at", "-id")
        .limit(MAX_LISTED)
        .prefetch_related("texts")
    )
