"""The moderation policy and the moderators' actions, each with its counters and audit entry.

Every action changes a row only from the state it expects (`UPDATE ... WHERE
status = ...`) inside a transaction, and writes its counters and audit entry in
that same transaction: when two moderators act on one post at once, the second
finds nothing to change and nothing is counted twice.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from forum.config import Settings
from forum.errors import ForumError, NotFound, PermissionDenied, ValidationFailed
from forum.i18n import gettext, lazy
from forum.labels import REASON_CODES
from forum.models import (
    Action,
    Category,
    Flag,
    FlagReason,
    ModerationAction,
    NoticeKind,
    Post,
    PostStatus,
    Revision,
    Role,
    Topic,
    TrustLevel,
    User,
)
from forum.notifications import notices
from forum.search import index as search_index
from forum.trust import flags as flag_weights
from forum.trust import levels

# Decisions that change what readers see: listed on the public transparency page.
PUBLIC_ACTIONS = frozenset(
    {
        Action.HIDE,
        Action.AUTO_HIDE,
        Action.RESTORE,
        Action.LOCK,
        Action.UNLOCK,
        Action.SUSPEND,
        Action.UNSUSPEND,
        Action.HIDE_TRANSLATION,
    }
)


class AlreadyHandled(ForumError):
    status_code = 409
    default_message = lazy("Another moderator has already dealt with this. Nothing was changed.")


def initial_status(author: User, settings: Settings) -> PostStatus:
    """Pending while the author is under pre-moderation (see trust.is_premoderated), else approved."""
    return PostStatus.PENDING if levels.is_premoderated(author, settings) else PostStatus.APPROVED


async def count_approved(post: Post, author: User, when: datetime) -> None:
    """Counters for a post that just became visible; call inside the transaction that approved it."""
    await Topic.filter(id=post.topic_id).update(reply_count=F("reply_count") + 1, last_activity_at=when)
    await User.filter(id=author.id).update(approved_count=F("approved_count") + 1)
    author.approved_count += 1


async def log(
    moderator: User | None,
    action: Action,
    *,
    post: Post | None = None,
    topic_id: int | None = None,
    target: User | None = None,
    reason_code: str = "",
    reason: str = "",
) -> ModerationAction:
    return await ModerationAction.create(
        moderator=moderator,
        action=action,
        post=post,
        topic_id=topic_id if topic_id is not None else (post.topic_id if post else None),
        target_user_id=target.id if target else (post.author_id if post else None),
        reason_code=reason_code,
        reason=reason,
        public=action in PUBLIC_ACTIONS,
    )


async def _transition(post_id: int, expected: PostStatus, **changes: object) -> Post:
    """Move a post from `expected` to new values, or raise AlreadyHandled when it was not in that state."""
    if not await Post.filter(id=post_id, status=expected).update(**changes):
        raise AlreadyHandled()
    return await Post.get(id=post_id).select_related("author")


async def approve(post_id: int, moderator: User, *, trust: bool = False) -> Post:
    """Publish a pending post (or a pending edit of a published one).

    With `trust`, a *new* author becomes a *member*: their posts skip the queue from now on.
    """
    now = datetime.now(UTC)
    async with in_transaction():
        current = await Post.get_or_none(id=post_id)
        if current is not None and current.status == PostStatus.APPROVED and current.pending_source is not None:
            post = await _approve_edit(current, moderator, now)
        else:
            post = await _transition(
                post_id,
                PostStatus.PENDING,
                status=PostStatus.APPROVED,
                approved_at=now,
                approved_by_id=moderator.id,
                changed_at=now,
            )
            await count_approved(post, post.author, now)
            await log(moderator, Action.APPROVE, post=post)
            await notices.decided(post, moderator, NoticeKind.APPROVED)
            await notices.post_published(post)
        await search_index.sync_posts([post.id])
        if (
            trust
            and not post.author.is_moderator
            and await User.filter(id=post.author.id, trust_level=TrustLevel.NEW).update(trust_level=TrustLevel.MEMBER)
        ):
            await log(moderator, Action.TRUST, post=post, target=post.author)
    return post


async def _approve_edit(post: Post, moderator: User, now: datetime) -> Post:
    if not await Post.filter(id=post.id, pending_source=post.pending_source).update(
        source=post.pending_source,
        html=post.pending_html,
        language=post.pending_language,
        pending_source=None,
        pending_html=None,
        pending_language=None,
        edited_at=now,
        changed_at=now,
    ):
        raise AlreadyHandled()
    await Revision.create(
        post=post, editor_id=post.author_id, language=post.language, source=post.source, html=post.html
    )
    await log(moderator, Action.APPROVE_EDIT, post=post)
    return await Post.get(id=post.id).select_related("author")


async def reject(post_id: int, moderator: User, reason: str) -> Post:
    """Refuse a pending post (or a pending edit) with a reason its author will read."""
    reason = reason.strip()
    if not reason:
        raise ValidationFailed({"reason": gettext("Say why, so that the author can understand the decision.")})
    async with in_transaction():
        current = await Post.get_or_none(id=post_id)
        if current is not None and current.status == PostStatus.APPROVED and current.pending_source is not None:
            if not await Post.filter(id=post_id, pending_source=current.pending_source).update(
                pending_source=None, pending_html=None, pending_language=None, reject_reason=reason
            ):
                raise AlreadyHandled()
            post = await Post.get(id=post_id).select_related("author")
            await log(moderator, Action.REJECT_EDIT, post=post, reason=reason)
            return post
        post = await _transition(
            post_id, PostStatus.PENDING, status=PostStatus.REJECTED, reject_reason=reason, changed_at=datetime.now(UTC)
        )
        await User.filter(id=post.author.id).update(rejected_count=F("rejected_count") + 1)
        await log(moderator, Action.REJECT, post=post, reason=reason)
        await notices.decided(post, moderator, NoticeKind.REJECTED, reason)
        await search_index.sync_posts([post.id])
    return post


async def hide(post_id: int, moderator: User | None, reason_code: str, reason: str = "") -> Post:
    """Take a published post out of view; the thread keeps a placeholder.

    `moderator` None: readers' flags hid it, until a moderator decides. A
    moderator hides a published post, or keeps one that flags hid; either way
    its open flags are closed as upheld.
    """
    if reason_code not in REASON_CODES:
        raise ValidationFailed({"reason_code": gettext("Choose a reason.")})
    now = datetime.now(UTC)
    async with in_transaction():
        if moderator is not None and await Post.filter(id=post_id, status=PostStatus.HIDDEN, auto_hidden=True).update(
            auto_hidden=False
        ):
            post = await Post.get(id=post_id).select_related("author")
        else:
            post = await _transition(
                post_id, PostStatus.APPROVED, status=PostStatus.HIDDEN, changed_at=now, auto_hidden=moderator is None
            )
            await Topic.filter(id=post.topic_id).update(reply_count=F("reply_count") - 1)
        if moderator is not None and await flag_weights.close_flags(post_id, moderator, upheld=True, now=now):
            await notices.flags_closed(post_id, moderator, upheld=True, when=now)
        action = Action.HIDE if moderator else Action.AUTO_HIDE
        await log(moderator, action, post=post, reason_code=reason_code, reason=reason)
        await search_index.sync_posts([post.id])
    return post


async def restore(post_id: int, moderator: User, reason: str = "") -> Post:
    """Publish a hidden post again; its open flags are closed as dismissed."""
    now = datetime.now(UTC)
    async with in_transaction():
        post = await _transition(
            post_id, PostStatus.HIDDEN, status=PostStatus.APPROVED, changed_at=now, auto_hidden=False
        )
        await Topic.filter(id=post.topic_id).update(reply_count=F("reply_count") + 1)
        if await flag_weights.close_flags(post_id, moderator, upheld=False, now=now):
            await notices.flags_closed(post_id, moderator, upheld=False, when=now)
        await log(moderator, Action.RESTORE, post=post, reason=reason)
        await search_index.sync_posts([post.id])
    return post


async def dismiss_flags(post_id: int, moderator: User) -> int:
    """Close a post's open flags as dismissed without hiding it; returns how many were closed."""
    async with in_transaction():
        # Only for a published post: a hidden one is restored (which dismisses its flags) or kept hidden.
        if not await Post.filter(id=post_id, status=PostStatus.APPROVED).exists():
            raise AlreadyHandled()
        now = datetime.now(UTC)
        closed = await flag_weights.close_flags(post_id, moderator, upheld=False, now=now)
        if not closed:
            raise AlreadyHandled()
        await notices.flags_closed(post_id, moderator, upheld=False, when=now)
        await log(moderator, Action.DISMISS_FLAGS, post=await Post.get(id=post_id), reason=str(closed))
    return closed


async def flag(post: Post, reader: User, reason: str, text: str, settings: Settings) -> Flag:
    """Record a reader's report, weighed by their trust (see trust.flags).

    Every report reaches the queue. When the open reports on a post weigh
    `[trust] hide_at_flag_weight`, it is hidden until a moderator decides,
    unless a moderator or administrator wrote it.
    """
    if reader.suspended_until and reader.suspended_until > datetime.now(UTC):
        raise PermissionDenied(gettext("Your account is suspended, so you cannot post or flag for now."))
    if post.status != PostStatus.APPROVED:
        raise ValidationFailed({"": gettext("This post can no longer be flagged.")})
    if post.author_id == reader.id:
        raise ValidationFailed({"": gettext("You cannot flag your own post.")})
    if reason not in FlagReason.__members__.values():
        raise ValidationFailed({"reason": gettext("Choose a reason.")})
    text = text.strip()[:1000]
    if reason == FlagReason.OTHER and not text:
        raise ValidationFailed({"text": gettext("Say briefly what is wrong with this post.")})
    weight = flag_weights.flag_weight(reader, settings)
    try:
        report = await Flag.create(post=post, user=reader, reason=FlagReason(reason), text=text, weight=weight)
    except IntegrityError:
        raise ValidationFailed({"": gettext("You have already flagged this post.")}) from None
    if (
        weight
        and flag_weights.may_be_hidden_by_flags(await User.get(id=post.author_id))
        and await flag_weights.open_weight(post.id) >= settings.trust.hide_at_flag_weight
    ):
        # Another flag or a moderator may have hidden it a moment ago: then nothing is left to do.
        with contextlib.suppress(AlreadyHandled):
            await hide(post.id, None, "flagged")
    return report


async def set_locked(topic_id: int, moderator: User, locked: bool, reason_code: str, reason: str = "") -> None:
    if reason_code not in REASON_CODES:
        raise ValidationFailed({"reason_code": gettext("Choose a reason.")})
    async with in_transaction():
        if not await Topic.filter(id=topic_id, locked=not locked).update(locked=locked):
            raise AlreadyHandled()
        await log(
            moderator,
            Action.LOCK if locked else Action.UNLOCK,
            topic_id=topic_id,
            reason_code=reason_code,
            reason=reason,
        )


def _may_act_on(member: User, moderator: User) -> None:
    """Moderators act on members, administrators also on moderators; nobody on themselves or an administrator."""
    if member.id == moderator.id:
        raise PermissionDenied(gettext("You cannot do this to your own account."))
    if member.is_admin or (member.is_moderator and not moderator.is_admin):
        raise PermissionDenied(gettext("Only an administrator can do this to a moderator."))


async def suspend(member: User, moderator: User, until: datetime, reason_code: str, reason: str) -> None:
    """Keep a member from posting and flagging until `until`; they can still read."""
    _may_act_on(member, moderator)
    errors = {}
    if until <= datetime.now(UTC):
        errors["until"] = gettext("Choose a date in the future.")
    if reason_code not in REASON_CODES:
        errors["reason_code"] = gettext("Choose a reason.")
    if errors:
        raise ValidationFailed(errors)
    async with in_transaction():
        await User.filter(id=member.id).update(suspended_until=until, suspension_reason=reason.strip())
        await log(moderator, Action.SUSPEND, target=member, reason_code=reason_code, reason=reason.strip())


async def unsuspend(member: User, moderator: User) -> None:
    _may_act_on(member, moderator)
    async with in_transaction():
        if not await User.filter(id=member.id, suspended_until__not_isnull=True).update(
            suspended_until=None, suspension_reason=""
        ):
            raise AlreadyHandled()
        await log(moderator, Action.UNSUSPEND, target=member)


async def set_role(member: User, admin: User, role: Role) -> None:
    """Grant or take the moderator role (administrators only)."""
    if not admin.is_admin:
        raise PermissionDenied()
    if Role.ADMIN in (member.role, role):
        raise PermissionDenied(gettext("Administrators are created from the command line."))
    if member.role == role:
        raise AlreadyHandled()
    async with in_transaction():
        # A former moderator starts again as a new member, unlocked: activity earns the level back.
        demoted = {"trust_level": TrustLevel.NEW, "trust_locked": False} if role == Role.MEMBER else {}
        await User.filter(id=member.id, role=member.role).update(role=role, **demoted)
        action = Action.GRANT_MODERATOR if role == Role.MODERATOR else Action.REVOKE_MODERATOR
        await log(admin, action, target=member)


async def set_trust_level(member: User, moderator: User, level: TrustLevel | None, reason: str) -> None:
    """Set a member's trust level by hand, with a reason; it stays until changed by hand.

    `level` None hands the level back to automatic promotion (from where it is).
    """
    _may_act_on(member, moderator)
    if member.is_moderator:
        raise ValidationFailed({"level": gettext("Moderators and administrators are trusted by their role.")})
    reason = reason.strip()
    if not reason:
        raise ValidationFailed({"reason": gettext("Say why, so that other moderators can understand the decision.")})
    async with in_transaction():
        if level is None:
            await User.filter(id=member.id).update(trust_locked=False)
        else:
            await User.filter(id=member.id).update(trust_level=level, trust_locked=True)
        await log(moderator, Action.SET_TRUST_LEVEL, target=member, reason_code=level or "automatic", reason=reason)


async def set_member_topics(category_id: int, moderator: User, allowed: bool) -> None:
    """Let trusted members open topics in a category, or stop them."""
    category = await Category.get_or_none(id=category_id)
    if category is None:
        raise NotFound()
    async with in_transaction():
        if not await Category.filter(id=category_id, trusted_may_open=not allowed).update(trusted_may_open=allowed):
            raise AlreadyHandled()
        action = Action.ALLOW_MEMBER_TOPICS if allowed else Action.DISALLOW_MEMBER_TOPICS
        await log(moderator, action, reason=category.slug)
