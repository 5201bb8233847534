"""create_app(settings) -> the Starlette application."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from forum import db
from forum.config import Settings, secret_key
from forum.errors import ForumError, handle_error
from forum.middleware import RequestContext, SecurityHeaders
from forum.ratelimit import RateLimiter
from forum.routes import accounts, feeds, moderation, posts, topics
from forum.templating import STATIC_DIR

SESSION_AGE = 30 * 24 * 3600


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

    secure = settings.server.base_url.startswith("https://")
    app = Starlette(
        routes=[
            *posts.routes,
            *accounts.routes,
            *moderation.routes,
            *feeds.routes,
            # Last: /topics/{id}/{slug} would otherwise swallow /topics/{id}/reply and the like.
            *topics.routes,
            Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
        ],
        middleware=[
            Middleware(SecurityHeaders),
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
        exception_handlers={ForumError: handle_error, HTTPException: handle_error, Exception: handle_error},
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.routes_by_name = {route.name: route for route in app.routes if isinstance(route, Route)}
    app.state.limiter = RateLimiter(settings.ratelimit)
    return app
