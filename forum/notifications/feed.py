"""The personal feed: a member's notices at a secret address, for any feed reader.

The address carries the member's id and an HMAC of it with the forum's secret key and
the feed's generation: nothing secret is stored, the profile can always show the
address, and raising the generation retires the old one (it then answers 404).
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime
from typing import cast

from tortoise.functions import Count, Max

from forum.errors import NotFound
from forum.feeds import rss
from forum.models import NoticeSettings, Notification, User
from forum.notifications import inbox

_DIGEST_CHARS = 32


def token(user_id: int, generation: int, secret: str) -> str:
    digest = hmac.new(secret.encode(), f"personal-feed:{user_id}:{generation}".encode(), hashlib.sha256)
    return f"{user_id}-{digest.hexdigest()[:_DIGEST_CHARS]}"


async def owner(raw: str, secret: str) -> tuple[User, int]:
    """The member whose feed `raw` opens, and its generation; NotFound for any other string."""
    user_id, _, _ = raw.partition("-")
    if not user_id.isascii() or not user_id.isdigit() or len(user_id) > 9:
        raise NotFound()
    settings = await NoticeSettings.get_or_none(user_id=int(user_id)).select_related("user")
    generation = settings.feed_generation if settings else 0
    if not hmac.compare_digest(token(int(user_id), generation, secret), raw):
        raise NotFound()
    user = settings.user if settings else await User.get_or_none(id=int(user_id))
    if user is None:
        raise NotFound()
    return user, generation


async def regenerate(user: User) -> None:
    """A new address for the member's feed; the old one stops working."""
    settings, _ = await NoticeSettings.get_or_create(user_id=user.id)
    settings.feed_generation += 1
    await settings.save(update_fields=["feed_generation"])


async def freshness(user: User, generation: int, interface: str, items: int) -> rss.Freshness:
    """One aggregate query: the newest notice and the newest change to a notice's post, and how many show."""
    rows = await (
        Notification.filter(user_id=user.id)
        .filter(inbox.visible(user.id))
        .annotate(newest=Max("created_at"), changed=Max("post__changed_at"), shown=Count("id"))
        .values_list("newest", "changed", "shown")
    )
    newest, changed, shown = rows[0] if rows else (None, None, 0)
    moments = [cast("datetime", moment) for moment in (newest, changed) if moment is not None]
    return rss.freshness("personal", max(moments, default=None), user.id, generation, shown, interface, items)
