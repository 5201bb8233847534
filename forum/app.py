"""create_app(settings) -> the Starlette application, with the one handler that turns errors into pages."""

from __future__ import annotations

import asyncio
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

from forum import db, sitemap
from forum.accounts import auth, leaving, profiles, resets, security, twofactor_views
from forum.accounts import views as accounts
from forum.address import PublicAddress
from forum.caching import PrivateResponses
from forum.config import Settings, secret_key
from forum.deadlines import BodyDeadline
from forum.discussions import threads, trees
from forum.discussions import views as discussions
from forum.errors import DatabaseUnavailable, ForumError, LoginRequired, NotFound, RateLimited, TwoFactorRequired
from forum.feeds import views as feeds
from forum.i18n import gettext
from forum.logs import RequestLog
from forum.middleware import RequestContext, SecurityHeaders, ServerErrors
from forum.moderation import views as moderation
from forum.notifications import inbox
from forum.notifications import views as notifications
from forum.pagecache import PageCache
from forum.ratelimit import RateLimiter
from forum.resources import STATIC_DIR
from forum.search import views as search
from forum.templating import render
from forum.translations import views as translations

SESSION_AGE = 30 * 24 * 3600
# Seconds the health check waits for the database: a load balancer's probe must not hang.
HEALTH_TIMEOUT = 2.0


async def handle_error(request: Request, exc: Exception) -> Response:
    """Every error as a page in the reader's language; anonymous readers of member pages go to /login."""
    if isinstance(exc, LoginRequired):
        next_path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if request.method != "GET":
            # Back to the page the form was on; /login accepts only a path of this site.
            try:
                next_path = urlsplit(request.headers.get("referer", "")).path or "/"
            except ValueError:  # a malformed Referer, such as "http://["
                next_path = "/"
        login = request.url_for("login").include_query_params(next=next_path)
        return RedirectResponse(str(login), status_code=303)
    if isinstance(exc, TwoFactorRequired):
        return RedirectResponse(request.url_for("two_factor_setup"), status_code=303)
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
    retry_after = exc.retry_after if isinstance(exc, RateLimited) else None
    headers = {"Retry-After": str(retry_after or 60)} if status in (429, 503) else None
    if isinstance(exc, DatabaseUnavailable):
        # A page that needs no database, holding the text of the form that could not be sent.
        return render(
            request,
            "errors/503.html",
            {"status": status, "message": message, "form": exc.form},
            status_code=status,
            headers=headers,
        )
    return render(
        request, "errors/error.html", {"status": status, "message": message}, status_code=status, headers=headers
    )


async def healthz(request: Request) -> Response:
    """Each dependency's state; 200 while the database answers, even with the rate limits degraded."""
    try:
        async with asyncio.timeout(HEALTH_TIMEOUT):
            await connections.get("default").execute_query("SELECT 1")
        database = "ok"
    except Exception:
        database = "unavailable"
    ratelimit = await request.app.state.limiter.check()
    status = "unavailable" if database != "ok" else "degraded" if ratelimit == "degraded" else "ok"
    return JSONResponse(
        {"status": status, "database": database, "ratelimit": ratelimit},
        status_code=200 if database == "ok" else 503,
    )


def create_app(settings: Settings, *, manage_database: bool = True) -> Starlette:
    """The forum as an ASGI app; with `manage_database` its lifespan connects and migrates."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if manage_database:
            await db.connect(settings)
            await db.migrate(settings)
        # Logs at once when Redis cannot be reached at start, rather than at the first limited request.
        await app.state.limiter.check()
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
            *security.routes,
            *twofactor_views.routes,
            *profiles.routes,
            *leaving.routes,
            # Before the moderation routes: /moderation/members/{id}/{action} would take reset-link.
            *resets.routes,
            *moderation.routes,
            *feeds.routes,
            *search.routes,
            *notifications.routes,
            *translations.routes,
            *sitemap.routes,
            # Last: /topics/{id}/{slug} would otherwise swallow /topics/{id}/reply and the like.
            *discussions.routes,
            Route("/healthz", healthz, name="healthz"),
            Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
        ],
        middleware=[
            Middleware(RequestLog, client_addresses=settings.logging.client_addresses),
            Middleware(SecurityHeaders),
            # Before anything builds a link: the host and scheme of every request are settled here.
            Middleware(PublicAddress, base_url=settings.server.base_url, default_language=settings.languages.default),
            # Before the sessions, the member and the routes: a kept page needs none of them.
            Middleware(
                PageCache,
                settings=settings.cache,
                default_language=settings.languages.default,
                public=bool(settings.server.base_url),
            ),
            # Outside the sessions, to see whether a response belongs to one.
            Middleware(PrivateResponses),
            Middleware(ServerErrors, handler=handle_error),
            Middleware(BodyDeadline, seconds=settings.server.body_timeout),
            Middleware(
                SessionMiddleware,
                secret_key=secret_key(settings),
                session_cookie="forum_session",
                max_age=SESSION_AGE,
                same_site="lax",
                https_only=secure,
            ),
            Middleware(
                RequestContext,
                default_language=settings.languages.default,
                secure_cookies=secure,
                default_timezone=settings.languages.timezone,
                unread_notices=inbox.unread_count,
            ),
        ],
        exception_handlers={ForumError: handle_error, HTTPException: handle_error},
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.routes_by_name = {route.name: route for route in app.routes if isinstance(route, Route)}
    app.state.limiter = RateLimiter(settings.ratelimit)
    app.state.published_shapes = threads.PublishedShapes()
    app.state.kept_trees = trees.KeptTrees(settings.cache.max_age_seconds)
    return app
