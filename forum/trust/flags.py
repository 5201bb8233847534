"""How much a reader's flag weighs, whether flags may hide a post, and the flaggers' record."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tortoise.expressions import F
from tortoise.functions import Sum

from forum.config import Settings
from forum.models import Flag, TrustLevel, User
from forum.trust.levels import effective_level


def flag_weight(reader: User, settings: Settings, now: datetime | None = None) -> int:
    """What one flag by `reader` counts toward hiding a post.

    By trust level (`[trust] flag_weight_*`), and nothing from an account younger
    than `flag_min_account_hours` or from a reader whose flags moderators have
    dismissed `flag_dismissals_to_lose_weight` times more often than upheld.
    """
    trust = settings.trust
    now = now or datetime.now(UTC)
    if reader.created_at > now - timedelta(hours=trust.flag_min_account_hours):
        return 0
    if reader.flags_dismissed - reader.flags_upheld >= trust.flag_dismissals_to_lose_weight:
        return 0
    return {
        TrustLevel.NEW: trust.flag_weight_new,
        TrustLevel.MEMBER: trust.flag_weight_member,
        TrustLevel.TRUSTED: trust.flag_weight_trusted,
    }[effective_level(reader)]


def may_be_hidden_by_flags(author: User) -> bool:
    """Flags never hide what a moderator or administrator wrote: they reach the queue only."""
    return not author.is_moderator


async def open_weight(post_id: int) -> int:
    """The summed weight of the open flags on a post (one flag per reader and post)."""
    rows = await Flag.filter(post_id=post_id, resolved_at=None).annotate(total=Sum("weight")).values_list("total")
    return int(rows[0][0] or 0) if rows else 0


async def close_flags(post_id: int, moderator: User, *, upheld: bool, now: datetime) -> int:
    """Close a post's open flags with a moderator's verdict, counted in each flagger's record; returns how many.

    Call inside the transaction of the decision.
    """
    flaggers = await Flag.filter(post_id=post_id, resolved_at=None).values_list("user_id", flat=True)
    if not flaggers:
        return 0
    closed = await Flag.filter(post_id=post_id, resolved_at=None).update(
        resolved_at=now, resolved_by_id=moderator.id, upheld=upheld
    )
    if closed:
        record = "flags_upheld" if upheld else "flags_dismissed"
        await User.filter(id__in=list(flaggers)).update(**{record: F(record) + 1})
    return closed
