"""The site's public address: `[server] base_url` applied to every request, and requests for other hosts refused."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from forum import i18n

# A host name or IPv4 address, or an IPv6 address in brackets; then an optional port.
HOST = re.compile(r"(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?")
MAX_HOST_LENGTH = 255
DEFAULT_PORTS = {"http": 80, "https": 443}
# Monitoring calls the health check by IP address; its answer holds no link that a wrong host could misdirect.
ANY_HOST_PATHS = frozenset({"/healthz"})
HSTS = "max-age=31536000"


class PublicAddress:
    """Every request seen as addressed to `base_url`, so that every link is built from it.

    With `base_url` set, the scheme, server and Host header of each request are
    replaced by the configured ones before the application sees them: url_for,
    request.url and every redirect then follow `base_url` whatever scheme the
    proxy used, and a request naming another host is refused with 400 (a
    forged Host header could otherwise write links to the attacker's site into
    pages, feeds and caches). Without it, links follow the Host header, and only
    a header that is no host name at all is refused. Over https, browsers are
    told to keep to https.
    """

    def __init__(self, app: ASGIApp, base_url: str, default_language: str) -> None:
        self.app = app
        self.default_language = default_language
        self.base = urlsplit(base_url) if base_url else None
        if self.base is not None:
            hostname = (self.base.hostname or "").lower()
            port = self.base.port or DEFAULT_PORTS[self.base.scheme]
            self.hostname = hostname
            self.server = (hostname, port)
            name = f"[{hostname}]" if ":" in hostname else hostname
            # Written as browsers write an origin: without the scheme's default port.
            self.netloc = name if port == DEFAULT_PORTS[self.base.scheme] else f"{name}:{port}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if not self._acceptable(Headers(scope=scope).get("host"), scope["path"]):
            await self._refuse(scope, receive, send)
            return
        if self.base is None:
            await self.app(scope, receive, send)
            return
        scope = dict(scope)
        scope["scheme"] = self.base.scheme
        scope["server"] = self.server
        scope["headers"] = [(k, v) for k, v in scope["headers"] if k != b"host"] + [(b"host", self.netloc.encode())]
        if self.base.scheme != "https":
            await self.app(scope, receive, send)
            return

        async def send_with_hsts(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).setdefault("strict-transport-security", HSTS)
            await send(message)

        await self.app(scope, receive, send_with_hsts)

    def _acceptable(self, host: str | None, path: str) -> bool:
        if host is None:
            return True  # HTTP/1.0 names no host: the request is taken as meant for this site
        match = HOST.fullmatch(host) if len(host) <= MAX_HOST_LENGTH else None
        if match is None:
            return False
        if self.base is None or path in ANY_HOST_PATHS:
            return True
        return match["name"].strip("[]").rstrip(".").lower() == self.hostname

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Outside the application: its error pages would build their links from the very host refused here.
        request = Request(scope)
        language = i18n.negotiate(
            None,
            None,
            request.cookies.get(i18n.LANGUAGE_COOKIE),
            request.headers.get("accept-language"),
            self.default_language,
        )
        with i18n.use_language(language):
            message = i18n.gettext("This forum is not served under the address this request was sent to.")
        response = PlainTextResponse(message, status_code=400, headers={"content-language": language})
        await response(scope, receive, send)
