"""Leaving the forum: a member's data as a JSON file, and deleting the account with or without its posts."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from forum.accounts import auth
from forum.errors import ValidationFailed
from forum.forms import read_form
from forum.i18n import gettext
from forum.models import (
    Action,
    Flag,
    ModerationAction,
    Post,
    PostStatus,
    RecoveryCode,
    Revision,
    Session,
    Topic,
    User,
)
from forum.search import index as search_index
from forum.templating import render

# The name shown for a deleted account in feeds and wherever a name is plain text; pages say "Deleted member".
DELETED_NAME = "deleted member"


def _moment(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value else None


async def member_data(user: User) -> dict[str, Any]:
    """Everything the forum holds that the member wrote or did: profile, posts with revisions, flags, sessions."""
    posts = await Post.filter(author_id=user.id).order_by("id").prefetch_related("revisions")
    flags = await Flag.filter(user_id=user.id).order_by("id")
    logins = await Session.filter(user_id=user.id).order_by("created_at")
    return {
        "profile": {
            "username": user.username,
            "role": user.role.value,
            "trust_level": user.trust_level.value,
            "language": user.language,
            "timezone": user.timezone,
            "created_at": _moment(user.created_at),
            "approved_posts": user.approved_count,
            "two_factor": user.totp_secret is not None,
        },
        "posts": [
            {
                "id": post.id,
                "topic_id": post.topic_id,
                "parent_id": post.parent_id,
                "status": post.status.value,
                "language": post.language,
                "source": post.source,
                "created_at": _moment(post.created_at),
                "edited_at": _moment(post.edited_at),
                "pending_edit": post.pending_source,
                "revisions": [
                    {"language": rev.language, "source": rev.source, "created_at": _moment(rev.created_at)}
                    for rev in sorted(post.revisions, key=lambda rev: rev.id)
                ],
            }
            for post in posts
        ],
        "flags_given": [
            {
                "post_id": flag.post_id,
                "reason": flag.reason.value,
                "text": flag.text,
                "created_at": _moment(flag.created_at),
            }
            for flag in flags
        ],
        "sessions": [
            {"device": row.device, "created_at": _moment(row.created_at), "last_seen_at": _moment(row.last_seen_at)}
            for row in logins
        ],
    }


async def _remove_posts(user: User, now: datetime) -> None:
    """Blank every post of `user`: placeholders keep the places of those with replies, search forgets them all."""
    rows = await Post.filter(author_id=user.id).values("id", "status", "topic_id")
    ids = [row["id"] for row in rows]
    if not ids:
        return
    visible = Counter(row["topic_id"] for row in rows if row["status"] == PostStatus.APPROVED)
    await Revision.filter(post_id__in=ids).delete()
    await Post.filter(id__in=ids).update(
        status=PostStatus.DELETED,
        source="",
        html="",
        pending_source=None,
        pending_html=None,
        pending_language=None,
        deleted_at=now,
        deleted_from=None,  # not to be undone
        changed_at=now,
    )
    for topic_id, count in visible.items():
        await Topic.filter(id=topic_id).update(reply_count=F("reply_count") - count)
    await search_index.sync_posts(ids)


async def delete_account(user: User, *, remove_posts: bool) -> None:
    """Delete the account: no way in, nothing personal left; its posts stay under a neutral name or are removed.
    The name stays reserved for the quarantine (see free_quarantined_names). Logged without any post's content."""
    now = datetime.now(UTC)
    async with in_transaction():
        if remove_posts:
            await _remove_posts(user, now)
        await Session.filter(user_id=user.id).delete()
        await RecoveryCode.filter(user_id=user.id).delete()
        await User.filter(id=user.id).update(
            username=DELETED_NAME,
            password_hash="!",  # matches no password
            totp_secret=None,
            totp_last_step=None,
            language=None,
            timezone=None,
            reads_languages="",
            deleted_at=now,
        )
        await ModerationAction.create(
            moderator=None,
            action=Action.DELETE_ACCOUNT,
            target_user_id=user.id,
            reason_code="posts-removed" if remove_posts else "posts-kept",
        )


async def free_quarantined_names(days: int) -> None:
    """Let the names of accounts deleted more than `days` ago be registered again."""
    cutoff = datetime.now(UTC) - timedelta(days=days)
    quarantined = User.filter(deleted_at__lt=cutoff).exclude(skeleton__startswith="deleted:")
    for user_id in await quarantined.values_list("id", flat=True):
        await User.filter(id=user_id).update(username_key=f"deleted:{user_id}", skeleton=f"deleted:{user_id}")


async def account_data(request: Request) -> Response:
    user = auth.require_user(request)
    body = json.dumps(await member_data(user), ensure_ascii=False, indent=2)
    headers = {"content-disposition": 'attachment; filename="forum-data.json"', "cache-control": "no-store"}
    return Response(body, media_type="application/json", headers=headers)


async def account_delete(request: Request) -> Response:
    user = auth.require_user(request)
    errors: dict[str, str] = {}
    choice = ""
    if request.method == "POST":
        form = await read_form(request)
        choice = form.get("posts", "")
        try:
            if choice not in ("keep", "remove"):
                raise ValidationFailed({"posts": gettext("Choose what happens to your posts.")})
            if not await auth.check_current_password(user, form.get("current_password", "")):
                raise ValidationFailed({"current_password": gettext("That is not your current password.")})
            await delete_account(user, remove_posts=choice == "remove")
            request.session.clear()
            return RedirectResponse("/", status_code=303)
        except ValidationFailed as exc:
            errors = exc.errors
    context = {"errors": errors, "choice": choice}
    return render(request, "accounts/delete.html", context, status_code=422 if errors else 200)


routes = [
    Route("/profile/data.json", account_data, name="account_data"),
    Route("/profile/delete", account_delete, methods=["GET", "POST"], name="account_delete"),
]
