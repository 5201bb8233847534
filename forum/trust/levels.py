"""What a member's trust level is, what it allows, and when it rises on its own."""

from __future__ import annotations

from datetime import UTC, datetime

from tortoise.transactions import in_transaction

from forum.config import Settings
from forum.models import Action, Category, ModerationAction, TrustLevel, User

ORDER = (TrustLevel.NEW, TrustLevel.MEMBER, TrustLevel.TRUSTED)


def effective_level(user: User) -> TrustLevel:
    """The member's level; moderators and administrators count as trusted by their role."""
    return TrustLevel.TRUSTED if user.is_moderator else user.trust_level


def standing(user: User) -> str:
    """What moderators are shown: the role of a moderator or administrator, else the trust level."""
    return user.role.value if user.is_moderator else user.trust_level.value


def is_suspended(user: User, now: datetime | None = None) -> bool:
    return user.suspended_until is not None and user.suspended_until > (now or datetime.now(UTC))


def is_premoderated(user: User, settings: Settings) -> bool:
    """Whether `user`'s new posts and edits wait for a moderator.

    `[moderation] mode` decides first ("all": everyone, "none": nobody); in
    "first-posts", members at the level *new*. Moderators are never queued.
    """
    if user.is_moderator:
        return False
    mode = settings.moderation.mode
    if mode == "all":
        return True
    if mode == "none":
        return False
    return user.trust_level == TrustLevel.NEW


def earned_level(user: User, settings: Settings) -> TrustLevel:
    """The highest level whose every threshold in `[trust]` the member's activity reaches."""
    trust = settings.trust
    for level in (TrustLevel.TRUSTED, TrustLevel.MEMBER):
        prefix = level.value
        if (
            user.approved_count >= getattr(trust, f"{prefix}_approved_posts")
            and user.days_visited >= getattr(trust, f"{prefix}_days_visited")
            and user.posts_read >= getattr(trust, f"{prefix}_posts_read")
        ):
            return level
    return TrustLevel.NEW


async def promote_if_earned(user: User, settings: Settings) -> TrustLevel | None:
    """Raise the member to the level their activity earned, logged as the system's action; returns it.

    Never lowers a level, and leaves alone moderators, suspended members and
    members whose level a moderator set by hand.
    """
    if user.is_moderator or user.trust_locked or is_suspended(user):
        return None
    earned = earned_level(user, settings)
    if ORDER.index(earned) <= ORDER.index(user.trust_level):
        return None
    async with in_transaction():
        # From the level we saw, unlocked: a moderator's choice made meanwhile wins.
        if not await User.filter(id=user.id, trust_level=user.trust_level, trust_locked=False).update(
            trust_level=earned
        ):
            return None
        await ModerationAction.create(moderator=None, action=Action.PROMOTE, target_user_id=user.id, reason_code=earned)
    user.trust_level = earned
    return earned


def may_open_topics(user: User, category: Category, settings: Settings) -> bool:
    """Moderators open topics anywhere; trusted members where moderators allowed it, unless their posts are queued."""
    if is_suspended(user):
        return False
    if user.is_moderator:
        return True
    return category.trusted_may_open and user.trust_level == TrustLevel.TRUSTED and not is_premoderated(user, settings)
