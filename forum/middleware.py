"""Per-request context (the user and the interface language), security headers, and the last resort for errors."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from http.cookies import SimpleCookie

from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from forum import i18n
from forum.accounts import sessions
from forum.config import LANGUAGES
from forum.csrf import csrf_valid
from forum.errors import DatabaseUnavailable, connection_failure
from forum.forms import MAX_FORM_BYTES, lenient_fields

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
        self,
        app: ASGIApp,
        default_language: str,
        secure_cookies: bool,
        default_timezone: str = "UTC",
        unread_notices: Callable[[int], Awaitable[int]] | None = None,
    ) -> None:
        self.app = app
        self.default_language = default_language
        self.secure_cookies = secure_cookies
        self.default_timezone = default_timezone
        # The member's unread notices, for the header of every page (see notifications.inbox).
        self.unread_notices = unread_notices

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Files and the health check need neither; the health check must answer even when the member's row cannot be read.
        if scope["type"] != "http" or scope["path"].startswith("/static/") or scope["path"] == "/healthz":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        query = request.query_params.get("lang")
        cookie = request.cookies.get(i18n.LANGUAGE_COOKIE)
        accept = request.headers.get("accept-language")
        # Chosen first without the member's preference, so that a page about a database
        # that cannot be reached (to load the member) is still in the reader's language.
        i18n.set_language(i18n.negotiate(query, None, cookie, accept, self.default_language))
        session = scope["session"]
        live = await sessions.current(session.get("sid"))
        if live is None and ("sid" in session or "uid" in session):
            # Ended here or elsewhere, or made before sessions had rows of their own.
            session.clear()
        user = live.user if live else None
        request.state.user = user
        # Not from a feed: a reader keeps no cookie, and one would make the feed uncacheable.
        feed = request.url.path.endswith(".rss")
        # The count in the header of every page (feeds have no header).
        request.state.unread_notices = 0
        if user is not None and not feed and self.unread_notices is not None:
            request.state.unread_notices = await self.unread_notices(user.id)
        if user is not None:
            i18n.set_language(i18n.negotiate(query, user.language, cookie, accept, self.default_language))
        # A zone saved before the time zone database dropped it falls back to the default.
        chosen = user.timezone if user and user.timezone and i18n.is_timezone(user.timezone) else None
        i18n.set_timezone(chosen or self.default_timezone)
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
    for the server to log and to drop the connection. A database that cannot be
    reached is no bug: it is answered with 503 (and the text of the form that was
    being sent) and logged as a warning, without a traceback.
    """

    def __init__(self, app: ASGIApp, handler: Callable[[Request, Exception], Awaitable[Response]]) -> None:
        self.app = app
        self.handler = handler

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False
        form = _FormCopy(receive) if _is_form_post(scope) else None

        async def send_tracking(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, form.receive if form else receive, send_tracking)
        except Exception as exc:
            failure = connection_failure(exc)
            if failure is not None:
                logger.warning("The database cannot be reached (%s %s): %r", scope["method"], scope["path"], failure)
            else:
                logger.error("Unhandled error on %s %s", scope["method"], scope["path"], exc_info=exc)
            if started:
                raise
            request = Request(scope)
            error = exc if failure is None else DatabaseUnavailable(await form.resendable(request) if form else None)
            response = await self.handler(request, error)
            await response(scope, receive, send)


def _is_form_post(scope: Scope) -> bool:
    content_type = Headers(scope=scope).get("content-type", "").split(";")[0].strip().lower()
    return scope["method"] == "POST" and content_type == "application/x-www-form-urlencoded"


class _FormCopy:
    """A copy of a form's bytes as the app reads them, so that an error page can offer the typed text again.

    The app may have read the form before it failed, or not at all (when loading
    the member failed first); either way the text is at hand.
    """

    # The fields a reply or edit form needs to be sent again; never a password.
    RESENDABLE = ("body", "parent_id", "lang")

    def __init__(self, receive: Receive) -> None:
        self._receive = receive
        self.body = bytearray()
        self.complete = False
        self.too_large = False

    async def receive(self) -> Message:
        message = await self._receive()
        self._keep(message)
        return message

    def _keep(self, message: Message) -> None:
        if message["type"] != "http.request":  # the client went away
            self.complete = True
            return
        if not self.too_large:
            self.body += message.get("body", b"")
            if len(self.body) > MAX_FORM_BYTES:
                self.too_large = True
                self.body.clear()
        self.complete = not message.get("more_body", False)

    async def resendable(self, request: Request) -> dict[str, str]:
        """The fields to offer again: none for a form too large or not sent from this session's pages."""
        while not self.complete and not self.too_large:
            self._keep(await self._receive())
        if self.too_large:
            return {}
        fields = lenient_fields(self.body)
        if "session" not in request.scope or not csrf_valid(request, fields.get("csrf_token")):
            return {}
        return {name: fields[name] for name in self.RESENDABLE if name in fields}
