"""What promotion looks at: days on which a member read a thread, and the posts they were shown."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from tortoise.expressions import F, Q

from forum.config import Settings
from forum.errors import connection_failure
from forum.models import User
from forum.trust.levels import promote_if_earned

logger = logging.getLogger("forum")


async def record_page_view(user: User, posts_shown: int, settings: Settings) -> None:
    """Count a thread page the member read (see _count); reading goes on when it cannot be written.

    The write waits for the database's write lock, which a backup or a burst of
    posts may hold past the busy timeout: the page is then shown and simply not
    counted, rather than refused.
    """
    try:
        await _count(user, posts_shown, settings)
    except Exception as exc:
        if connection_failure(exc) is None:
            raise
        logger.warning("A page view of member %s was not counted: %r", user.id, exc)


async def _count(user: User, posts_shown: int, settings: Settings) -> None:
    """Count a thread page the member read: one UPDATE, and a promotion when it completes a threshold.

    `days_visited` rises at most once per (UTC) day; `posts_read` by the posts
    of others the page showed, until it reaches the highest threshold. Reloading
    a page counts it again, which is why the thresholds ask for days as well:
    those cannot be hurried.
    """
    today = datetime.now(UTC).date()
    counted = False
    if user.last_seen_on != today:
        # Only from an earlier day: two pages opened at once count the day once.
        counted = bool(
            await User.filter(Q(last_seen_on=None) | Q(last_seen_on__lt=today), id=user.id).update(
                last_seen_on=today, days_visited=F("days_visited") + 1, posts_read=F("posts_read") + posts_shown
            )
        )
        if counted:
            user.days_visited += 1
        user.last_seen_on = today
    # Past the highest threshold the count decides nothing: a page read then costs no write.
    if not counted and posts_shown and user.posts_read < settings.trust.trusted_posts_read:
        await User.filter(id=user.id).update(posts_read=F("posts_read") + posts_shown)
    user.posts_read += posts_shown
    await promote_if_earned(user, settings)
