"""create_app(settings) -> the Starlette application, with the one handler that turns errors into pages."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from tortoise import connections

from forum import db
from forum.accounts import auth
from forum.accounts import views as accounts
from forum.config import Settings, secret_key
from forum.discussions import views as discussions
from forum.errors import ForumError, LoginRequired, NotFound
from forum.feeds import views as feeds
from forum.i18n import gettext
from forum.middleware import RequestContext, SecurityHeaders, ServerErrors
from forum.moderation import views as moderation
from forum.ratelimit import RateLimiter
from forum.resources import STATIC_DIR
from forum.search import views as search
from forum.templating import render

SESSION_AGE = 30 * 24 * 3600


async def handle_error(request: Request, exc: Exception) -> Response:
    """Every error as a page in the reader's language; anonymous readers of member pages go to /login."""
    if isinstance(exc, LoginRequired):
        next_path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if request.method != "GET":
            # Back to the page the form was on; /login accepts only a path of this site.
            next_path = urlsplit(request.headers.get("referer", "")).path or "/"
        login = request.url_for("login").include_query_params(next=next_path)
        return RedirectResponse(str(login), status_code=303)
    if isinstance(exc, ForumError):
        status, message = exc.status_code, exc.message
    elif isinstance(exc, HTTPException):
        status = exc.status_code
        message = {
            404: gettext(NotFound.default_message),
            405: gettext("That kind of request is not accepted at this address."),
        }.get(status, gettext(ForumError.default_message))
    else:
        # Logged by ServerErrors, which called this.
        status, message = (
            500,
            gettext("Something went wrong on our side. Your request was not completed; please try again."),
        )
    headers = {"Retry-After": "60"} if status == 429 else None
    return render(
        request, "errors/error.html", {"status": status, "message": message}, status_code=status, headers=headers
    )


async def healthz(request: Request) -> Response:
    try:
        await connections.get("default").execute_query("SELECT 1")
    except Exception:
        return JSONResponse({"status": "unavailable"}, status_code=503)
    return JSONResponse({"status": "ok"})


def create_app(settings: Settings, *, manage_database: bool = True) -> Starlette:
    """The forum as an ASGI app; with `manage_database` its lifespan connects and migrates."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if manage_database:
            await db.connect(settings)
            await db.migrate(settings)
        try:
            yield
        finally:
            await app.state.limiter.close()
            if manage_database:
                await db.close()

    auth.configure_hashing(settings.security)
    secure = settings.server.base_url.startswith("https://")
    app = Starlette(
        routes=[
            *accounts.routes,
            *moderation.routes,
            *feeds.routes,
            *search.routes,
            # Last: /topics/{id}/{slug} would otherwise swallow /topics/{id}/reply and the like.
            *discussions.routes,
            Route("/healthz", healthz, name="healthz"),
            Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
        ],
        middleware=[
            Middleware(SecurityHeaders),
            Middleware(ServerErrors, handler=handle_error),
            Middleware(
                SessionMiddleware,
                secret_key=secret_key(settings),
                session_cookie="forum_session",
                max_age=SESSION_AGE,
                same_site="lax",
                https_only=secure,
            ),
            Middleware(RequestContext, default_language=settings.languages.default, secure_cookies=secure),
        ],
        exception_handlers={ForumError: handle_error, HTTPException: handle_error},
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.routes_by_name = {route.name: route for route in app.routes if isinstance(route, Route)}
    app.state.limiter = RateLimiter(settings.ratelimit)
    return app
