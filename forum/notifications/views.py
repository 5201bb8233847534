"""Notices, watching, drafts and the personal feed: the member's own pages and forms."""

from __future__ import annotations

from email.utils import format_datetime

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from forum.accounts.auth import require_user
from forum.config import secret_key
from forum.errors import NotFound, RateLimited, ValidationFailed
from forum.feeds import rss
from forum.feeds.views import MEDIA_TYPE, _not_modified, absolute
from forum.forms import read_form
from forum.i18n import current_language, gettext
from forum.models import Post, Topic, WatchLevel
from forum.notifications import drafts, feed, following, inbox, wording
from forum.routing import int_param, parse_id
from forum.templating import render

# Feed readers poll; a member's own notices are for them only.
FEED_CACHE = "private, max-age=300"


async def notifications_list(request: Request) -> Response:
    user = require_user(request)
    page = await inbox.inbox_page(user.id, current_language(), int_param(request, "page", 1) or 1)
    request.state.unread_notices = page.unread
    return render(request, "notifications/list.html", {"inbox": page, "describe": wording.describe})


async def notifications_read(request: Request) -> Response:
    """Mark the notice named by the form's `notice` read, or all of them when it names none."""
    user = require_user(request)
    form = await read_form(request)
    notice_id = parse_id(form.get("notice"))
    if form.get("notice") and notice_id is None:
        raise NotFound()
    await inbox.mark_read(user.id, notice_id)
    return RedirectResponse(request.url_for("notifications_list"), status_code=303)


async def _topic(request: Request) -> Topic:
    topic = await Topic.get_or_none(id=request.path_params["topic_id"])
    if topic is None:
        raise NotFound()
    return topic


async def topic_watch(request: Request) -> Response:
    """Watch a topic, mute it, or go back to the usual notices."""
    user = require_user(request)
    form = await read_form(request)
    topic = await _topic(request)
    level = form.get("level", "")
    if level and level not in WatchLevel.__members__.values():
        raise ValidationFailed({"level": gettext("Choose one of the offered choices.")})
    await following.set_level(user, topic.id, WatchLevel(level) if level else None)
    if form.get("next") == "profile":
        return RedirectResponse(request.url_for("profile"), status_code=303)
    return RedirectResponse(request.url_for("topic_detail", topic_id=topic.id), status_code=303)


async def draft_save(request: Request) -> Response:
    """Keep the reply being written: the form's "Save draft" button, or the page's script every few seconds."""
    user = require_user(request)
    form = await read_form(request)
    topic = await _topic(request)
    autosave = request.headers.get("x-autosave") == "1"
    body = form.get("body", "")
    parent_id = parse_id(form.get("parent_id"))
    if parent_id is not None and not await Post.filter(id=parent_id, topic_id=topic.id).exists():
        parent_id = None
    if len(body) > request.app.state.settings.posts.max_length:
        return Response(status_code=413) if autosave else _back_to_form(request, topic.id, parent_id, "too-long")
    try:
        await request.app.state.limiter.hit("draft", str(user.id))
    except RateLimited:
        if autosave:
            return Response(status_code=429)
        raise
    await drafts.save(user, topic.id, parent_id, body, form.get("lang", ""))
    if autosave:
        return Response(status_code=204)
    return _back_to_form(request, topic.id, parent_id, "saved")


def _back_to_form(request: Request, topic_id: int, parent_id: int | None, draft: str) -> Response:
    url = request.url_for("reply_form", topic_id=topic_id).include_query_params(draft=draft)
    if parent_id is not None:
        url = url.include_query_params(parent_id=parent_id)
    return RedirectResponse(f"{url}#reply", status_code=303)


async def notice_settings_save(request: Request) -> Response:
    user = require_user(request)
    form = await read_form(request)
    settings = await following.notice_settings(user)
    settings.watch_replied = form.get("watch_replied") == "1"
    await settings.save(update_fields=["watch_replied"])
    return RedirectResponse(request.url_for("profile").include_query_params(saved="notices"), status_code=303)


async def feed_token_regenerate(request: Request) -> Response:
    user = require_user(request)
    await read_form(request)
    await feed.regenerate(user)
    return RedirectResponse(f"{request.url_for('profile')}#personal-feed", status_code=303)


async def feed_personal(request: Request) -> Response:
    """The member's notices as RSS, at the address only they know (see notifications.feed)."""
    user, generation = await feed.owner(request.path_params["token"], secret_key(request.app.state.settings))
    interface = current_language()
    items = request.app.state.settings.feeds.items
    fresh = await feed.freshness(user, generation, interface, items)
    headers = {
        "ETag": fresh.etag,
        "Last-Modified": format_datetime(fresh.last_modified, usegmt=True),
        "Cache-Control": FEED_CACHE,
        "Vary": "Accept-Language",
    }
    if _not_modified(request, fresh):
        return Response(status_code=304, headers=headers)
    shown = await inbox.entries(user.id, interface, limit=items)
    self_url = absolute(request, "feed_personal", token=request.path_params["token"])
    entries = [
        rss.Item(
            title=wording.describe(entry),
            link=f"{absolute(request, 'post_permalink', post_id=entry.notice.post_id)}?notice={entry.notice.id}"
            + (f"&read={entry.read}" if entry.read else ""),
            published=entry.notice.created_at,
            author=entry.notice.actor.username if entry.notice.actor else "",
            html=entry.notice.post.html if entry.notice.post.status == "approved" else "",
            language=entry.notice.post.language,
        )
        for entry in shown
    ]
    channel = rss.Channel(
        title=gettext("Open Questions Forum: notices for %(name)s", name=user.username),
        link=absolute(request, "notifications_list"),
        description=gettext("Replies, mentions, quotes and moderators' decisions that concern you."),
        self_url=self_url,
        language=interface,
    )
    return Response(rss.document(channel, entries), media_type=MEDIA_TYPE, headers=headers)


routes = [
    Route("/notifications", notifications_list, name="notifications_list"),
    Route("/notifications/read", notifications_read, methods=["POST"], name="notifications_read"),
    Route("/topics/{topic_id:id}/watch", topic_watch, methods=["POST"], name="topic_watch"),
    Route("/topics/{topic_id:id}/draft", draft_save, methods=["POST"], name="draft_save"),
    Route("/profile/notices", notice_settings_save, methods=["POST"], name="notice_settings_save"),
    Route("/profile/feed", feed_token_regenerate, methods=["POST"], name="feed_token_regenerate"),
    Route("/feeds/me/{token}.rss", feed_personal, name="feed_personal"),
]
