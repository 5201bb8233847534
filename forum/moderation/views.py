"""Moderation: the queue, post actions, topics, members, the audit log, and the public transparency page."""

from __future__ import annotations

from datetime import UTC, datetime, time
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from forum.accounts.auth import require_admin, require_moderator
from forum.discussions import threads, topics
from forum.errors import NotFound, ValidationFailed
from forum.forms import read_form
from forum.i18n import current_language, gettext
from forum.models import Action, Category, Flag, Post, PostStatus, Role, TrustLevel, User, pick_text
from forum.moderation import actions, queue
from forum.routing import int_param, parse_id
from forum.search.members import find_members
from forum.templating import render
from forum.trust.levels import standing


def _back(request: Request, fallback: str = "moderation_queue") -> RedirectResponse:
    """Back to the page the moderator acted from (only a path on this site)."""
    referer = urlsplit(request.headers.get("referer", ""))
    same_site = referer.netloc == request.url.netloc and referer.path.startswith("/")
    path = "/" + referer.path.lstrip("/") if same_site else request.url_for(fallback).path
    query = f"?{referer.query}" if same_site and referer.query else ""
    return RedirectResponse(path + query, status_code=303)


async def moderation_queue(request: Request) -> Response:
    moderator = require_moderator(request)
    language = request.query_params.get("lang_filter") or None
    page = await queue.load_queue(moderator, current_language(), language, int_param(request, "page", 1) or 1)
    settings = request.app.state.settings
    return render(
        request,
        "moderation/queue.html",
        {
            "queue": page,
            "lang_filter": language or "",
            # "Approve and end pre-moderation" means something only where the level decides it.
            "level_decides": settings.moderation.mode == "first-posts",
            "hide_at": settings.trust.hide_at_flag_weight,
            "standing": standing,
        },
    )


async def hide_confirm(request: Request) -> Response:
    """The page that asks before a post is hidden: a reason to choose (none chosen for the moderator)."""
    require_moderator(request)
    values = {"return_to": "queue" if request.query_params.get("from") == "queue" else "post"}
    return await _hide_page(request, request.path_params["post_id"], values, {}, 200)


async def _hide_page(
    request: Request, post_id: int, values: dict[str, str], errors: dict[str, str], status: int
) -> Response:
    post = await Post.get_or_none(id=post_id).select_related("author")
    if post is None:
        raise NotFound()
    return render(
        request,
        "moderation/hide.html",
        {
            "post": post,
            "hideable": post.status == PostStatus.APPROVED or (post.status == PostStatus.HIDDEN and post.auto_hidden),
            "flags": await Flag.filter(post_id=post.id, resolved_at=None).order_by("id"),
            "values": values,
            "errors": errors,
        },
        status_code=status,
    )


async def post_action(request: Request) -> Response:
    moderator = require_moderator(request)
    form = await read_form(request)
    post_id, action = request.path_params["post_id"], request.path_params["action"]
    try:
        if action == "approve":
            await actions.approve(post_id, moderator, trust=form.get("trust") == "1")
        elif action == "reject":
            await actions.reject(post_id, moderator, form.get("reason", ""))
        elif action == "hide":
            try:
                await actions.hide(post_id, moderator, form.get("reason_code", ""), form.get("reason", ""))
            except ValidationFailed as exc:
                values = {key: form.get(key, "") for key in ("reason_code", "reason", "return_to")}
                return await _hide_page(request, post_id, values, exc.errors, 422)
            # From the confirmation page: back to the queue, or to the post (now a placeholder).
            if form.get("return_to") == "queue":
                return RedirectResponse(request.url_for("moderation_queue"), status_code=303)
            return RedirectResponse(request.url_for("post_permalink", post_id=post_id), status_code=303)
        elif action == "restore":
            await actions.restore(post_id, moderator, form.get("reason", ""))
        elif action == "dismiss-flags":
            await actions.dismiss_flags(post_id, moderator)
        else:
            raise NotFound()
    except ValidationFailed as exc:
        return render(request, "errors/error.html", {"status": 422, "message": exc.message}, status_code=422)
    return _back(request)


async def bulk_action(request: Request) -> Response:
    """Approve or reject the selected posts; those another moderator handled meanwhile are skipped."""
    moderator = require_moderator(request)
    form = await read_form(request)
    ids = [post_id for raw in form.getlist("post_id") if (post_id := parse_id(raw)) is not None]
    action = form.get("bulk_action")
    if action == "reject" and not form.get("reason", "").strip():
        message = gettext("Say why, so that the author can understand the decision.")
        return render(request, "errors/error.html", {"status": 422, "message": message}, status_code=422)
    for post_id in ids:
        try:
            if action == "approve":
                await actions.approve(post_id, moderator)
            elif action == "reject":
                await actions.reject(post_id, moderator, form.get("reason", ""))
        except actions.AlreadyHandled:
            continue
    return _back(request)


async def moderation_log(request: Request) -> Response:
    require_moderator(request)
    moderator_id = int_param(request, "moderator", None)
    action = request.query_params.get("action") or None
    if action and action not in Action.__members__.values():
        action = None
    page = await queue.load_log(int_param(request, "page", 1) or 1, moderator_id, action)
    moderators = await User.filter(role__in=[Role.MODERATOR, Role.ADMIN]).order_by("username")
    return render(
        request,
        "moderation/log.html",
        {
            "log": page,
            "moderators": moderators,
            "actions": list(Action),
            "moderator_filter": moderator_id,
            "action_filter": action or "",
        },
    )


async def transparency(request: Request) -> Response:
    page = await queue.load_transparency(int_param(request, "page", 1) or 1)
    return render(
        request,
        "moderation/transparency.html",
        {"record": page, "pick_text": pick_text},
    )


async def topic_new(request: Request) -> Response:
    moderator = require_moderator(request)
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = await read_form(request)
        try:
            topic = await topics.create_topic(
                moderator, parse_id(form.get("category")) or 0, form, request.app.state.settings
            )
            return RedirectResponse(request.url_for("topic_detail", topic_id=topic.id), status_code=303)
        except ValidationFailed as exc:
            values, errors = exc.values, exc.errors
    return await _topic_form(request, None, values, errors)


async def topic_edit(request: Request) -> Response:
    moderator = require_moderator(request)
    topic = await threads.get_topic(request.path_params["topic_id"])
    values = {
        f"{field}_{t.language}": getattr(t, "title" if field == "title" else "source")
        for t in topic.texts
        for field in ("title", "body")
    }
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = await read_form(request)
        try:
            await topics.edit_topic(topic, moderator, form)
            return RedirectResponse(request.url_for("topic_detail", topic_id=topic.id), status_code=303)
        except ValidationFailed as exc:
            values, errors = exc.values, exc.errors
    return await _topic_form(request, topic, values, errors)


async def _topic_form(request: Request, topic: object, values: dict[str, str], errors: dict[str, str]) -> Response:
    return render(
        request,
        "moderation/topic_form.html",
        {"topic": topic, "values": values, "errors": errors, "categories": await Category.all()},
        status_code=422 if errors else 200,
    )


async def topic_lock(request: Request) -> Response:
    moderator = require_moderator(request)
    form = await read_form(request)
    if request.path_params["action"] not in ("lock", "unlock"):
        raise NotFound()
    locked = request.path_params["action"] == "lock"
    try:
        await actions.set_locked(
            request.path_params["topic_id"], moderator, locked, form.get("reason_code", "other"), form.get("reason", "")
        )
    except ValidationFailed as exc:
        return render(request, "errors/error.html", {"status": 422, "message": exc.message}, status_code=422)
    return RedirectResponse(request.url_for("topic_detail", topic_id=request.path_params["topic_id"]), status_code=303)


async def member_list(request: Request) -> Response:
    require_moderator(request)
    search = request.query_params.get("q", "").strip()[:32]
    members = await find_members(search, 100)
    return render(request, "moderation/members.html", {"members": members, "search": search, "standing": standing})


async def member_detail(request: Request) -> Response:
    require_moderator(request)
    member = await User.get_or_none(id=request.path_params["user_id"])
    if member is None:
        raise NotFound()
    return await _member_page(request, member, {}, {}, 200)


async def _member_page(
    request: Request, member: User, values: dict[str, str], errors: dict[str, str], status: int
) -> Response:
    recent = await Post.filter(author=member).order_by("-id").limit(20).select_related("topic")
    return render(
        request,
        "moderation/member.html",
        {
            "member": member,
            "recent": recent,
            "now": datetime.now(UTC),
            "member_standing": standing(member),
            "levels": list(TrustLevel),
            "values": values,
            "errors": errors,
        },
        status_code=status,
    )


async def member_action(request: Request) -> Response:
    moderator = require_moderator(request)
    form = await read_form(request)
    member = await User.get_or_none(id=request.path_params["user_id"])
    if member is None:
        raise NotFound()
    action = request.path_params["action"]
    try:
        if action == "suspend":
            until = _parse_date(form.get("until", ""))
            await actions.suspend(member, moderator, until, form.get("reason_code", ""), form.get("reason", ""))
        elif action == "unsuspend":
            await actions.unsuspend(member, moderator)
        elif action == "role":
            admin = require_admin(request)
            role = form.get("role", "")
            if role not in (Role.MEMBER, Role.MODERATOR):
                raise NotFound()
            await actions.set_role(member, admin, Role(role))
        elif action == "trust":
            choice = form.get("level", "")
            if choice not in (*TrustLevel, "automatic"):
                return await _member_page(request, member, dict(form), {"level": gettext("Choose a trust level.")}, 422)
            level = None if choice == "automatic" else TrustLevel(choice)
            try:
                await actions.set_trust_level(member, moderator, level, form.get("reason", ""))
            except ValidationFailed as exc:
                return await _member_page(request, member, dict(form), exc.errors, 422)
        else:
            raise NotFound()
    except ValidationFailed as exc:
        return render(request, "errors/error.html", {"status": 422, "message": exc.message}, status_code=422)
    return RedirectResponse(request.url_for("member_detail", user_id=member.id), status_code=303)


async def category_list(request: Request) -> Response:
    require_moderator(request)
    return render(request, "moderation/categories.html", {"categories": await Category.all()})


async def category_action(request: Request) -> Response:
    """Let trusted members open topics in a category, or stop them."""
    moderator = require_moderator(request)
    form = await read_form(request)
    await actions.set_member_topics(request.path_params["category_id"], moderator, form.get("allowed") == "1")
    return RedirectResponse(request.url_for("category_list"), status_code=303)


def _parse_date(raw: str) -> datetime:
    try:
        day = datetime.strptime(raw.strip(), "%Y-%m-%d").date()
    except ValueError:
        raise ValidationFailed({"until": gettext("Give the date as year-month-day.")}) from None
    return datetime.combine(day, time(23, 59), tzinfo=UTC)


routes = [
    Route("/moderation", moderation_queue, name="moderation_queue"),
    Route("/moderation/posts/{post_id:id}/hide", hide_confirm, methods=["GET"], name="hide_confirm"),
    Route("/moderation/posts/{post_id:id}/{action}", post_action, methods=["POST"], name="moderation_post_action"),
    Route("/moderation/bulk", bulk_action, methods=["POST"], name="moderation_bulk"),
    Route("/moderation/log", moderation_log, name="moderation_log"),
    Route("/moderation/topics/new", topic_new, methods=["GET", "POST"], name="topic_new"),
    Route("/moderation/topics/{topic_id:id}/edit", topic_edit, methods=["GET", "POST"], name="topic_edit"),
    Route("/moderation/topics/{topic_id:id}/{action:str}", topic_lock, methods=["POST"], name="topic_lock"),
    Route("/moderation/members", member_list, name="member_list"),
    Route("/moderation/members/{user_id:id}", member_detail, name="member_detail"),
    Route("/moderation/members/{user_id:id}/{action}", member_action, methods=["POST"], name="member_action"),
    Route("/moderation/categories", category_list, name="category_list"),
    Route("/moderation/categories/{category_id:id}/topics", category_action, methods=["POST"], name="category_action"),
    Route("/transparency", transparency, name="transparency"),
]
