"""Which responses a cache may keep: none that belongs to one browser's session."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PRIVATE = "private, no-store"


class PrivateResponses:
    """`Cache-Control: private, no-store` on every response to a session and on every response that sets a cookie.

    A session holds a member's login or the token of a form shown to this
    browser: a page built for it must never be served to someone else by a
    shared cache, nor stay on the disk of a shared computer. Placed outside the
    session middleware, so that it sees the session as the page left it.
    Pages for anonymous readers that show no form carry no session and keep
    their own caching; static files are the same for everyone.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return

        async def send_private(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if scope.get("session") or "set-cookie" in headers:
                    headers["cache-control"] = PRIVATE
            await send(message)

        await self.app(scope, receive, send_private)
