"""Creating notices: when a post becomes visible, and when a moderator decides on a post or on a flag.

Called inside the transaction of the write or decision that causes them, each in a
fixed number of queries: the watchers of a topic are told with one INSERT ... SELECT,
however many they are. Only a visible post is announced: a pending reply tells
nobody until it is approved. A notice whose post is later hidden or deleted is
not deleted but filtered out when read (see inbox.visible).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tortoise import connections
from tortoise.queryset import QuerySet

from forum.markup import MEMBER_PATH
from forum.models import (
    Flag,
    NoticeKind,
    Notification,
    Post,
    PostStatus,
    TopicState,
    Translation,
    User,
    WatchLevel,
)
from forum.notifications import mentions

# What a post tells one member when several reasons apply: the most personal one.
_PRIORITY = (NoticeKind.MENTION, NoticeKind.QUOTE, NoticeKind.REPLY)

_TELL_WATCHERS = """
INSERT INTO notifications (user_id, kind, post_id, actor_id, reason, created_at)
SELECT s.user_id, '{kind}', p.id, p.author_id, '', p.changed_at
FROM posts p JOIN topic_states s ON s.topic_id = p.topic_id
WHERE p.id = {mark} AND s.level = '{level}' AND s.user_id <> p.author_id
AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.post_id = p.id AND n.user_id = s.user_id)
"""

# The members who asked for a post in a language, told when its translation is published (the
# language in `reason`): one statement for all of them, never the translator nor the post's author.
_TELL_ASKERS = """
INSERT INTO notifications (user_id, kind, post_id, actor_id, reason, created_at)
SELECT r.user_id, '{kind}', t.post_id, t.translator_id, t.language, t.changed_at
FROM translations t
JOIN translation_requests r ON r.post_id = t.post_id AND r.language = t.language
JOIN posts p ON p.id = t.post_id
WHERE t.id = {mark} AND r.user_id <> t.translator_id AND r.user_id <> p.author_id
AND NOT EXISTS (
    SELECT 1 FROM notifications n
    WHERE n.post_id = t.post_id AND n.user_id = r.user_id AND n.kind = '{kind}' AND n.reason = t.language
)
"""


async def post_published(post: Post) -> None:
    """Tell the members a newly visible post concerns: those it mentions or quotes, the author of
    the post it answers, and the topic's watchers; never its author, nor those who muted the topic."""
    direct: dict[int, NoticeKind] = {}
    names = mentions.mentioned_names(post.html) if MEMBER_PATH in post.html else []
    if names:
        for user_id in await _ids(User.filter(username__in=names), "id"):
            direct.setdefault(user_id, NoticeKind.MENTION)
    if quoted := mentions.quoted_post_ids(post.source):
        for user_id in await _ids(Post.filter(id__in=quoted, status=PostStatus.APPROVED), "author_id"):
            direct.setdefault(user_id, NoticeKind.QUOTE)
    if post.parent_id is not None:
        for user_id in await _ids(Post.filter(id=post.parent_id), "author_id"):
            direct.setdefault(user_id, NoticeKind.REPLY)
    direct.pop(post.author_id, None)
    if direct:
        states = TopicState.filter(topic_id=post.topic_id, user_id__in=list(direct), level=WatchLevel.MUTED)
        muted = set(await _ids(states, "user_id"))
        now = post.changed_at or datetime.now(UTC)
        notices = [
            Notification(user_id=user_id, kind=kind, post_id=post.id, actor_id=post.author_id, created_at=now)
            for user_id, kind in sorted(direct.items())
            if user_id not in muted
        ]
        if notices:
            await Notification.bulk_create(notices)
    db = connections.get("default")
    mark = "?" if db.capabilities.dialect == "sqlite" else "$1"
    sql = _TELL_WATCHERS.format(kind=NoticeKind.WATCHED.value, level=WatchLevel.WATCHING.value, mark=mark)
    await db.execute_query(sql, [post.id])


async def mentions_added(post: Post, before_html: str) -> None:
    """Tell the members an edit of a visible post newly mentions (once per member and post)."""
    earlier = set(mentions.mentioned_names(before_html))
    names = [name for name in mentions.mentioned_names(post.html) if name not in earlier]
    if post.status != PostStatus.APPROVED or not names:
        return
    named = set(await _ids(User.filter(username__in=names).exclude(id=post.author_id), "id"))
    told = Notification.filter(post_id=post.id, user_id__in=list(named), kind=NoticeKind.MENTION)
    muted = TopicState.filter(topic_id=post.topic_id, user_id__in=list(named), level=WatchLevel.MUTED)
    named -= set(await _ids(told, "user_id")) | set(await _ids(muted, "user_id"))
    if named:
        await Notification.bulk_create(
            [
                Notification(user_id=user_id, kind=NoticeKind.MENTION, post_id=post.id, actor_id=post.author_id)
                for user_id in sorted(named)
            ]
        )


async def decided(post: Post, moderator: User, kind: NoticeKind, reason: str = "") -> None:
    """Tell the author of `post` that a moderator approved or rejected it."""
    await Notification.create(user_id=post.author_id, kind=kind, post_id=post.id, actor=moderator, reason=reason)


async def flags_closed(post_id: int, moderator: User, *, upheld: bool, when: datetime) -> None:
    """Tell the readers whose flags on a post a moderator just closed what was decided."""
    readers = await _ids(Flag.filter(post_id=post_id, resolved_at=when, upheld=upheld), "user_id")
    kind = NoticeKind.FLAG_UPHELD if upheld else NoticeKind.FLAG_DISMISSED
    if readers:
        await Notification.bulk_create(
            [Notification(user_id=user_id, kind=kind, post_id=post_id, actor_id=moderator.id) for user_id in readers]
        )


async def translation_published(translation: Translation, author_id: int) -> None:
    """Tell the post's author that it can now be read in another language, and the readers who
    asked for it in that language that it has arrived; once per member, post and language."""
    language = translation.language
    if author_id != translation.translator_id and not await Notification.exists(
        user_id=author_id, post_id=translation.post_id, kind=NoticeKind.TRANSLATED, reason=language
    ):
        await Notification.create(
            user_id=author_id,
            kind=NoticeKind.TRANSLATED,
            post_id=translation.post_id,
            actor_id=translation.translator_id,
            reason=language,
        )
    db = connections.get("default")
    mark = "?" if db.capabilities.dialect == "sqlite" else "$1"
    await db.execute_query(_TELL_ASKERS.format(kind=NoticeKind.ASKED_ARRIVED.value, mark=mark), [translation.id])


async def _ids(query: QuerySet[Any], field: str) -> list[int]:
    return [int(value) for (value,) in await query.values_list(field)]
