"""The discussions: the topic list, threads and permalinks; replies with preview, edits with history, deletion."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from forum import markup
from forum.accounts.auth import require_moderator, require_user
from forum.discussions import posts, threads, topics, trees
from forum.discussions.threads import visible_to
from forum.errors import CsrfFailed, NotFound, PermissionDenied, RateLimited, ValidationFailed
from forum.forms import read_form
from forum.i18n import current_language, gettext
from forum.models import Category, Post, PostStatus, User, pick_text
from forum.moderation import actions
from forum.notifications import drafts, inbox, quoting, reading
from forum.routing import int_param, parse_id
from forum.templating import render
from forum.translations import reading as translated
from forum.trust import activity, is_premoderated
from forum.trust import levels as trust_levels


def _openable(request: Request, categories: list[Category]) -> set[int]:
    """Where this reader may open a topic: moderators anywhere, trusted members where allowed."""
    user, settings = request.state.user, request.app.state.settings
    return {c.id for c in categories if user and trust_levels.may_open_topics(user, c, settings)}


async def home(request: Request) -> Response:
    sections = await threads.topic_index(request.app.state.settings.posts.topics_per_page)
    openable = _openable(request, [section.category for section in sections])
    user = request.state.user
    unread = await reading.unread_counts(user) if user else {}
    context = {"sections": sections, "pick_text": pick_text, "openable": openable, "unread": unread}
    return render(request, "topics/index.html", context)


async def category_detail(request: Request) -> Response:
    """One category's topics, a page at a time, most recently active first."""
    per_page = request.app.state.settings.posts.topics_per_page
    page = int_param(request, "page", 1) or 1
    section, pages = await threads.category_page(request.path_params["category_id"], page, per_page)
    user = request.state.user
    return render(
        request,
        "topics/category.html",
        {
            "section": section,
            "page": page,
            "pages": pages,
            "pick_text": pick_text,
            "openable": _openable(request, [section.category]),
            "unread": await reading.unread_counts(user) if user else {},
        },
    )


async def topic_detail(request: Request) -> Response:
    topic = await threads.get_topic(request.path_params["topic_id"])
    settings = request.app.state.settings
    read = translated.read_choice(request.query_params.get("read"))
    prefers = translated.prefers_translations(request.state.user, request.session)
    if read is None and prefers:
        read = current_language()
    only = translated.language_filter(request.query_params.getlist("only"))
    page = threads.thread_page(
        topic,
        current_language(),
        request.state.user,
        settings,
        page=int_param(request, "page", 1) or 1,
        branch_id=int_param(request, "branch", None),
        after_id=int_param(request, "after", None),
        read_language=read,
        only=only,
        shown_id=int_param(request, "show", None),
        shapes=request.app.state.published_shapes,
    )
    thread = await page
    user = request.state.user
    context: dict[str, object] = {
        "thread": thread,
        "settings": settings,
        "only": only or frozenset(),
        "prefers": prefers,
    }
    if user is not None:
        await activity.record_page_view(user, thread.read_count, settings)
        context.update(await _member_view(request, user, thread))
    kept = request.app.state.kept_trees
    context["tree"] = trees.tree_html(request, thread, kept, context.get("progress"), variant=(read, prefers))
    return render(request, "topics/detail.html", context)


async def _member_view(request: Request, user: User, thread: threads.ThreadPage) -> dict[str, object]:
    """What a member's copy of a thread page adds: new posts marked, the watch state, their draft.

    Seeing the posts also reads the notices about them.
    """
    shown = _post_ids(thread.nodes)
    progress = await reading.page_read(user, thread.topic.id, shown)
    # Nothing to mark when the header counted no unread notice.
    if request.state.unread_notices and (marked := await inbox.mark_posts_read(user.id, shown)):
        request.state.unread_notices = max(0, request.state.unread_notices - marked)
    draft = await drafts.find(user, thread.topic.id, None)
    return {
        "progress": progress,
        "watch_level": progress.level,
        "draft_values": {"body": draft.body, "lang": draft.language} if draft else {},
    }


def _post_ids(nodes: list[threads.Node]) -> list[int]:
    ids: list[int] = []
    stack = list(nodes)
    while stack:
        node = stack.pop()
        ids.append(node.post.id)
        stack.extend(node.children)
    return ids


async def post_permalink(request: Request) -> Response:
    post = await posts.get_post(request.path_params["post_id"])
    viewer = request.state.user
    if not await type(post).filter(id=post.id).filter(visible_to(viewer)).exists():
        raise NotFound()
    query = await threads.locate(post, viewer, request.app.state.settings)
    if read := translated.read_choice(request.query_params.get("read")):
        # `?read=fa` on a permalink: the thread with that post shown in Persian (no script needed).
        query += f"&read={read}"
    url = request.url_for("topic_detail", topic_id=post.topic_id)
    return RedirectResponse(f"{url.path}?{query}#post-{post.id}", status_code=303)


def _parent_id(raw: str) -> int | None:
    if not raw.strip():
        return None
    parent_id = parse_id(raw)
    if parent_id is None:
        raise ValidationFailed({"parent_id": gettext("The post you are replying to is not in this topic.")})
    return parent_id


async def _reply_form(
    request: Request,
    topic_id: int,
    values: dict[str, str],
    errors: dict[str, str],
    status: int,
    preview: str | None = None,
    draft_notice: str | None = None,
) -> Response:
    topic = await threads.get_topic(topic_id)
    parent = None
    if (parent_id := parse_id(values.get("parent_id"))) is not None:
        # Only a post this reader may see: the form must not reveal who wrote a pending one.
        parent = await (
            Post.filter(id=parent_id, topic_id=topic.id)
            .filter(visible_to(request.state.user))
            .select_related("author")
            .first()
        )
    return render(
        request,
        "posts/reply.html",
        {
            "topic": topic,
            "text": pick_text(list(topic.texts), current_language()),
            "parent": parent,
            "values": values,
            "errors": errors,
            "preview": preview,
            "draft_notice": draft_notice,
        },
        status_code=status,
    )


async def reply_form(request: Request) -> Response:
    """The reply form on a page of its own (the "reply" and "quote" links under a post, without JavaScript).

    It offers the member's draft for this topic and parent again; `?quote=<post id>` fills in that post, quoted.
    """
    user = require_user(request)
    topic_id = request.path_params["topic_id"]
    values = {"parent_id": request.query_params.get("parent_id", ""), "body": "", "lang": ""}
    quoted = parse_id(request.query_params.get("quote"))
    if quoted is not None:
        post = (
            await Post.filter(id=quoted, topic_id=topic_id, status=PostStatus.APPROVED).select_related("author").first()
        )
        if post is not None:
            values["parent_id"] = values["parent_id"] or str(post.id)
            values["body"] = quoting.quote(post)
    draft = await drafts.find(user, topic_id, parse_id(values["parent_id"]))
    if draft is not None and not values["body"]:
        values.update(body=draft.body, lang=draft.language)
    elif draft is not None:
        values["body"] = f"{draft.body.rstrip()}\n\n{values['body']}"
    notice = {"saved": "saved", "too-long": "too-long"}.get(request.query_params.get("draft", ""))
    return await _reply_form(request, topic_id, values, {}, 200, draft_notice=notice)


KEPT_FIELDS = ("body", "parent_id", "lang")


async def reply_form_kept(request: Request, topic_id: int, values: dict[str, str]) -> Response:
    """The reply form again, holding a text that was sent when the session had ended (after the member logged in)."""
    message = gettext(
        "Your session had ended, so your reply was not posted. Your text is below: check it and send it again."
    )
    return await _reply_form(request, topic_id, values, {"": message}, 200)


def _login_keeping(request: Request, topic_id: int, values: dict[str, str]) -> Response:
    """The login page, carrying the reply that arrived without a session, to give it back after login."""
    reply_page = request.url_for("reply_form", topic_id=topic_id).path
    context = {
        "values": {"username": "", "next": reply_page},
        "errors": {},
        "code_expired": False,
        "kept": {"topic": str(topic_id), **values},
    }
    return render(request, "accounts/login.html", context, status_code=403)


async def reply_create(request: Request) -> Response:
    user = request.state.user
    topic_id = request.path_params["topic_id"]
    settings = request.app.state.settings
    try:
        form = await read_form(request)
    except ValidationFailed as exc:
        require_user(request)
        return await _reply_form(request, topic_id, exc.values, exc.errors, 422)
    except CsrfFailed as exc:
        if exc.fields is None:  # sent from another site
            raise
        kept = {key: exc.fields.get(key, "") for key in KEPT_FIELDS}
        if user is None:
            return _login_keeping(request, topic_id, kept)
        message = gettext("This form had expired, so your reply was not posted. Check your text and send it again.")
        return await _reply_form(request, topic_id, kept, {"": message}, 403)
    values = {key: form.get(key, "") for key in KEPT_FIELDS}
    if user is None:
        return _login_keeping(request, topic_id, values)
    topic = await threads.get_topic(topic_id)
    try:
        parent_id = _parent_id(values["parent_id"])
        body = posts.clean_body(values["body"], settings, values)
        # Counted after the cheap checks (an empty or oversized text costs nothing) and
        # before the work, so that requests sent all at once cannot pass the limit together.
        if form.get("action") == "preview":
            await request.app.state.limiter.hit("preview", str(user.id))
            return await _reply_form(request, topic_id, values, {}, 200, preview=await markup.render_async(body))
        rule = "reply_untrusted" if is_premoderated(user, settings) else "reply"
        await request.app.state.limiter.hit(rule, str(user.id))
        post = await posts.create_reply(
            topic, user, values["body"], settings, parent_id=parent_id, language=values["lang"] or None
        )
    except ValidationFailed as exc:
        return await _reply_form(request, topic_id, values, exc.errors, 422)
    except RateLimited as exc:
        return await _reply_form(request, topic_id, values, {"": exc.message}, 429)
    return RedirectResponse(request.url_for("post_permalink", post_id=post.id), status_code=303)


async def post_edit(request: Request) -> Response:
    user = require_user(request)
    post = await posts.get_post(request.path_params["post_id"])
    posts.ensure_may_edit(post, user)
    values = {"body": post.pending_source or post.source, "lang": post.pending_language or post.language}
    errors: dict[str, str] = {}
    preview = None
    status = 200
    if request.method == "POST":
        settings = request.app.state.settings
        try:
            form = await read_form(request)
            values = {"body": form.get("body", ""), "lang": form.get("lang", "")}
            body = posts.clean_body(values["body"], settings, values)
            limiter = request.app.state.limiter
            if form.get("action") == "preview":
                await limiter.hit("preview", str(user.id))
                preview = await markup.render_async(body)
            else:
                await limiter.hit("edit", str(user.id))
                await posts.edit_post(post, user, values["body"], settings, values["lang"] or None)
                return RedirectResponse(request.url_for("post_permalink", post_id=post.id), status_code=303)
        except ValidationFailed as exc:
            values.update(exc.values)
            errors, status = exc.errors, 422
        except RateLimited as exc:
            errors, status = {"": exc.message}, 429
    topic = await threads.get_topic(post.topic_id)
    return render(
        request,
        "posts/edit.html",
        {
            "post": post,
            "topic": topic,
            "text": pick_text(list(topic.texts), current_language()),
            "values": values,
            "errors": errors,
            "preview": preview,
        },
        status_code=status,
    )


async def post_delete(request: Request) -> Response:
    """Delete one's own post, after a page that asks first (a dialog, with JavaScript)."""
    user = require_user(request)
    post = await posts.get_post(request.path_params["post_id"])
    posts.ensure_may_delete(post, user)
    if request.method == "GET":
        return render(request, "posts/delete.html", {"post": post, "settings": request.app.state.settings})
    await read_form(request)
    await posts.delete_post(post, user)
    url = request.url_for("topic_detail", topic_id=post.topic_id)
    return RedirectResponse(f"{url}#post-{post.id}", status_code=303)


async def post_undelete(request: Request) -> Response:
    """Undo one's own deletion while `[posts] undo_delete_hours` last."""
    user = require_user(request)
    form = await read_form(request)
    post = await posts.get_post(request.path_params["post_id"])
    await posts.undelete_post(post, user, request.app.state.settings)
    if form.get("next") == "my_posts":
        return RedirectResponse(request.url_for("my_posts"), status_code=303)
    url = request.url_for("topic_detail", topic_id=post.topic_id)
    return RedirectResponse(f"{url}#post-{post.id}", status_code=303)


async def topic_create(request: Request) -> Response:
    """Open a topic: trusted members in the categories where moderators allow it."""
    user = require_user(request)
    settings = request.app.state.settings
    categories = [c for c in await Category.all() if trust_levels.may_open_topics(user, c, settings)]
    if not categories:
        raise PermissionDenied(gettext("Opening topics is for trusted members, in the categories moderators choose."))
    values: dict[str, str] = {"category": request.query_params.get("category", "")}
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = await read_form(request)
        try:
            topic = await topics.create_topic(user, parse_id(form.get("category")) or 0, form, settings)
            return RedirectResponse(request.url_for("topic_detail", topic_id=topic.id), status_code=303)
        except ValidationFailed as exc:
            values, errors = exc.values, exc.errors
    return render(
        request,
        "topics/new.html",
        {"categories": categories, "values": values, "errors": errors},
        status_code=422 if errors else 200,
    )


async def post_history(request: Request) -> Response:
    """Earlier versions of a post: for its author and moderators."""
    user = require_user(request)
    post = await Post.get_or_none(id=request.path_params["post_id"]).select_related("author", "topic")
    if post is None:
        raise NotFound()
    if post.author_id != user.id:
        require_moderator(request)  # and their second factor, where it is required
    page = int_param(request, "page", 1) or 1
    revisions, pages = await posts.history_page(post, page)
    return render(request, "posts/history.html", {"post": post, "revisions": revisions, "page": page, "pages": pages})


async def post_flag(request: Request) -> Response:
    """Report a post to the moderators (one report per reader and post)."""
    user = require_user(request)
    post = await Post.get_or_none(id=request.path_params["post_id"]).select_related("author")
    if post is None or post.status != PostStatus.APPROVED:
        raise NotFound()
    values = {"reason": "", "text": ""}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        form = await read_form(request)
        values = {"reason": form.get("reason", ""), "text": form.get("text", "")}
        try:
            await request.app.state.limiter.hit("flag", str(user.id))
            await actions.flag(post, user, values["reason"], values["text"], request.app.state.settings)
            return render(request, "posts/flag.html", {"post": post, "done": True, "values": values, "errors": {}})
        except ValidationFailed as exc:
            errors, status = exc.errors, 422
        except RateLimited as exc:
            errors, status = {"": exc.message}, 429
    return render(
        request,
        "posts/flag.html",
        {"post": post, "done": False, "values": values, "errors": errors},
        status_code=status,
    )


routes = [
    Route("/topics/{topic_id:id}/reply", reply_form, name="reply_form"),
    Route("/topics/{topic_id:id}/replies", reply_create, methods=["POST"], name="reply_create"),
    Route("/posts/{post_id:id}/edit", post_edit, methods=["GET", "POST"], name="post_edit"),
    Route("/posts/{post_id:id}/delete", post_delete, methods=["GET", "POST"], name="post_delete"),
    Route("/posts/{post_id:id}/undelete", post_undelete, methods=["POST"], name="post_undelete"),
    Route("/topics/new", topic_create, methods=["GET", "POST"], name="topic_create"),
    Route("/posts/{post_id:id}/history", post_history, name="post_history"),
    Route("/posts/{post_id:id}/flag", post_flag, methods=["GET", "POST"], name="post_flag"),
    Route("/", home, name="home"),
    Route("/categories/{category_id:id}", category_detail, name="category_detail"),
    Route("/topics/{topic_id:id}", topic_detail, name="topic_detail"),
    Route("/topics/{topic_id:id}/{slug}", topic_detail, name="topic_detail_slug"),
    Route("/posts/{post_id:id}", post_permalink, name="post_permalink"),
]
