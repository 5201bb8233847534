"""What is new since the member's last visit: per topic, the last post read, in a fixed number of queries."""

from __future__ import annotations

import dataclasses

from tortoise import connections
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from forum.models import Post, PostStatus, TopicState, User, WatchLevel

# Per topic the member has opened: approved replies by others past the last one they read.
_UNREAD_COUNTS = """
SELECT p.topic_id, COUNT(*) FROM posts p
JOIN topic_states s ON s.topic_id = p.topic_id AND s.user_id = {mark}
WHERE p.id > s.last_read_id AND p.status = 'approved' AND p.author_id <> {mark}
GROUP BY p.topic_id
"""


async def unread_counts(user: User) -> dict[int, int]:
    """{topic id: unread replies} for the topics the member has read before: one query for the whole list."""
    db = connections.get("default")
    mark = "?1" if db.capabilities.dialect == "sqlite" else "$1"
    _, rows = await db.execute_query(_UNREAD_COUNTS.format(mark=mark), [user.id])
    return {int(row[0]): int(row[1]) for row in rows}


@dataclasses.dataclass
class Progress:
    # Posts with a larger id are new to the member (None: they never opened the topic, nothing is marked).
    read_up_to: int | None
    # The first new post that is not on the page shown: where "jump to the first unread post" leads.
    first_unread_elsewhere: int | None
    # Whether the member watches or muted the topic (kept in the same row).
    level: WatchLevel | None = None


async def page_read(user: User, topic_id: int, shown_ids: list[int]) -> Progress:
    """The member opened a page of the topic showing `shown_ids`: say what was new, and move their marker.

    The marker only passes posts they have seen: it stops before the first new post on another page.
    """
    state = await TopicState.get_or_none(user_id=user.id, topic_id=topic_id)
    before = state.last_read_id if state else 0
    elsewhere = (
        await Post.filter(topic_id=topic_id, status=PostStatus.APPROVED, id__gt=before)
        .exclude(id__in=shown_ids or [0])
        .exclude(author_id=user.id)
        .order_by("id")
        .limit(1)
        .values_list("id")
    )
    first_elsewhere = int(elsewhere[0][0]) if elsewhere else None
    newest_shown = max(shown_ids, default=0)
    after = newest_shown if first_elsewhere is None else min(newest_shown, first_elsewhere - 1)
    if after > before:
        if state is not None:
            await TopicState.filter(id=state.id, last_read_id__lt=after).update(last_read_id=after)
        else:
            try:
                async with in_transaction():
                    await TopicState.create(user_id=user.id, topic_id=topic_id, last_read_id=after)
            except IntegrityError:  # another page of theirs a moment ago
                await TopicState.filter(user_id=user.id, topic_id=topic_id, last_read_id__lt=after).update(
                    last_read_id=after
                )
    return Progress(before if state is not None else None, first_elsewhere, state.level if state else None)
