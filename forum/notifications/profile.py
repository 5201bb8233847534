"""What the member's own profile shows of notices: their choices, the topics they watch, their feed."""

from __future__ import annotations

from starlette.requests import Request

from forum.config import secret_key
from forum.models import User, pick_text
from forum.notifications import feed, following


async def profile_context(request: Request, user: User) -> dict[str, object]:
    settings = await following.notice_settings(user)
    address = feed.token(user.id, settings.feed_generation, secret_key(request.app.state.settings))
    return {
        "notice_settings": settings,
        "watched": await following.watched_topics(user),
        "feed_url": str(request.url_for("feed_personal", token=address)),
        "pick_text": pick_text,
        "notices_saved": request.query_params.get("saved") == "notices",
    }
