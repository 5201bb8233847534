"""Replies being written, kept on the server per member, topic and parent post until they are posted."""

from __future__ import annotations

from datetime import UTC, datetime

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from forum.config import LANGUAGES
from forum.models import Draft, User

# Drafts kept per member: saving one more forgets the oldest.
MAX_DRAFTS = 100


async def save(user: User, topic_id: int, parent_id: int | None, body: str, language: str) -> None:
    """Keep the text (an empty one deletes the draft). The caller has bounded its length."""
    key = parent_id or 0
    language = language if language in LANGUAGES else ""
    if not body.strip():
        await Draft.filter(user_id=user.id, topic_id=topic_id, parent_key=key).delete()
        return
    now = datetime.now(UTC)
    mine = Draft.filter(user_id=user.id, topic_id=topic_id, parent_key=key)
    if await mine.update(body=body, language=language, updated_at=now):
        return
    try:
        async with in_transaction():
            await Draft.create(
                user_id=user.id, topic_id=topic_id, parent_key=key, body=body, language=language, updated_at=now
            )
    except IntegrityError:  # the same draft saved twice at once
        await mine.update(body=body, language=language, updated_at=now)
    old = (
        await Draft.filter(user_id=user.id)
        .order_by("-updated_at", "-id")
        .offset(MAX_DRAFTS)
        .limit(1000)
        .values_list("id", flat=True)
    )
    if old:
        await Draft.filter(id__in=list(old)).delete()


async def find(user: User, topic_id: int, parent_id: int | None) -> Draft | None:
    return await Draft.get_or_none(user_id=user.id, topic_id=topic_id, parent_key=parent_id or 0)


async def discard(user: User, topic_id: int, parent_id: int | None) -> None:
    """The reply was posted: its draft goes."""
    await Draft.filter(user_id=user.id, topic_id=topic_id, parent_key=parent_id or 0).delete()
