"""CSRF defences: the browser's word on where a post came from, then one token per session, compared in constant time."""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlsplit

from markupsafe import Markup, escape
from starlette.requests import Request


def new_token() -> str:
    return secrets.token_urlsafe(32)


def csrf_token(request: Request) -> str:
    """The session's token, created on first use."""
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = new_token()
    return str(token)


def csrf_valid(request: Request, token: str | None) -> bool:
    expected = request.session.get("csrf")
    return bool(expected and token) and hmac.compare_digest(str(expected), str(token))


class LazyToken:
    """The session's token for templates, created only when a form prints it.

    A page without a form then leaves the session empty, and an anonymous
    reader gets no cookie at all (Django's csrf_token is lazy for the same
    reason).
    """

    def __init__(self, request: Request) -> None:
        self.request = request

    def __str__(self) -> str:
        # Error pages for failures outside the middleware stack have no session.
        return csrf_token(self.request) if "session" in self.request.scope else ""

    def __html__(self) -> Markup:
        return escape(str(self))


def cross_site(request: Request) -> bool:
    """Whether the browser says this request was sent from another site.

    `Sec-Fetch-Site: cross-site`, or an `Origin` that is not this site's. A
    browser that sends neither (an old one, or a script) leaves the decision to
    the token.
    """
    if request.headers.get("sec-fetch-site") == "cross-site":
        return True
    origin = request.headers.get("origin")
    if origin is None:
        return False
    try:
        parts = urlsplit(origin)
    except ValueError:
        return True
    # With base_url set, request.url carries its scheme and host (see forum.address).
    url = request.url
    if parts.netloc.lower() != url.netloc.lower():
        return True
    # Without base_url the scheme the browser used is unknown here: a proxy may end TLS in front of the forum.
    return parts.scheme != url.scheme and bool(request.app.state.settings.server.base_url)
