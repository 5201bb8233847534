"""Per-request context (the user and the interface language), security headers, and the last resort for errors."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from http.cookies import SimpleCookie

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from forum import i18n
from forum.config import LANGUAGES
from forum.models import User

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)
SECURITY_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600

logger = logging.getLogger("forum")


class RequestContext:
    """Loads the session's user, chooses the interface language and time zone; remembers ?lang= in a cookie."""

    def __init__(
        self, app: ASGIApp, default_language: str, secure_cookies: bool, default_timezone: str = "UTC"
    ) -> None:
        self.app = app
        self.default_language = default_language
        self.secure_cookies = secure_cookies
        self.default_timezone = default_timezone

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        session = scope["session"]
        uid = session.get("uid")
        user = await User.get_or_none(id=uid) if isinstance(uid, int) else None
        if user is not None and session.get("epoch") != user.session_epoch:
            user = None  # logged out elsewhere since this session began
        if uid is not None and user is None:
            session.clear()
        request.state.user = user
        query = request.query_params.get("lang")
        cookie = request.cookies.get(i18n.LANGUAGE_COOKIE)
        language = i18n.negotiate(
            query,
            user.language if user else None,
            cookie,
            request.headers.get("accept-language"),
            self.default_language,
        )
        i18n.set_language(language)
        # A zone saved before the time zone database dropped it falls back to the default.
        chosen = user.timezone if user and user.timezone and i18n.is_timezone(user.timezone) else None
        i18n.set_timezone(chosen or self.default_timezone)
        # Not from a feed: a reader keeps no cookie, and one would make the feed uncacheable.
        feed = request.url.path.endswith(".rss")
        remember = query if query in LANGUAGES and query != cookie and not feed else None

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start" and remember:
                cookie = SimpleCookie()
                cookie[i18n.LANGUAGE_COOKIE] = remember
                morsel = cookie[i18n.LANGUAGE_COOKIE]
                morsel.update({"path": "/", "max-age": str(LANGUAGE_COOKIE_AGE), "samesite": "Lax"})
                morsel["secure"] = self.secure_cookies
                MutableHeaders(scope=message).append("set-cookie", morsel.OutputString())
            await send(message)

        await self.app(scope, receive, send_with_cookie)


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


class ServerErrors:
    """Answers an unhandled exception with the forum's 500 page and logs it once, with its traceback.

    In place of Starlette's own last resort, which logs nothing itself and re-raises
    for the server to log and to drop the connection.
    """

    def __init__(self, app: ASGIApp, handler: Callable[[Request, Exception], Awaitable[Response]]) -> None:
        self.app = app
        self.handler = handler

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_tracking(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, send_tracking)
        except Exception as exc:
            logger.error("Unhandled error on %s %s", scope["method"], scope["path"], exc_info=exc)
            if started:
                raise
            response = await self.handler(Request(scope), exc)
            await response(scope, receive, send)
