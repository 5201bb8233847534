"""Reading: the topic list, threads, permalinks, and the health check."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route
from tortoise import connections

from forum import threads
from forum.errors import NotFound
from forum.i18n import current_language
from forum.posts import get_post
from forum.routes import parse_id
from forum.templating import render
from forum.threads import visible_to


def int_param(request: Request, name: str, default: int | None) -> int | None:
    """A numeric query parameter; 404 for anything but a plain number (a page that cannot exist)."""
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    value = parse_id(raw)
    if value is None:
        raise NotFound()
    return value


async def home(request: Request) -> Response:
    sections = await threads.topic_index()
    return render(request, "topics/index.html", {"sections": sections, "pick_text": threads.pick_text})


async def topic_detail(request: Request) -> Response:
    topic = await threads.get_topic(request.path_params["topic_id"])
    settings = request.app.state.settings
    page = threads.thread_page(
        topic,
        current_language(),
        request.state.user,
        settings,
        page=int_param(request, "page", 1) or 1,
        branch_id=int_param(request, "branch", None),
        after_id=int_param(request, "after", None),
    )
    return render(request, "topics/detail.html", {"thread": await page, "settings": settings})


async def post_permalink(request: Request) -> Response:
    post = await get_post(request.path_params["post_id"])
    viewer = request.state.user
    if not await type(post).filter(id=post.id).filter(visible_to(viewer)).exists():
        raise NotFound()
    query = await threads.locate(post, viewer, request.app.state.settings)
    url = request.url_for("topic_detail", topic_id=post.topic_id)  # type: ignore[attr-defined]
    return RedirectResponse(f"{url.path}?{query}#post-{post.id}", status_code=303)


async def healthz(request: Request) -> Response:
    try:
        await connections.get("default").execute_query("SELECT 1")
    except Exception:
        return JSONResponse({"status": "unavailable"}, status_code=503)
    return JSONResponse({"status": "ok"})


routes = [
    Route("/", home, name="home"),
    Route("/topics/{topic_id:id}", topic_detail, name="topic_detail"),
    Route("/topics/{topic_id:id}/{slug}", topic_detail, name="topic_detail_slug"),
    Route("/posts/{post_id:id}", post_permalink, name="post_permalink"),
    Route("/healthz", healthz, name="healthz"),
]
