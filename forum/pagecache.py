"""Rendered pages for readers without a session, kept in each worker and dropped when the forum changes.

A pure ASGI layer in front of the sessions, the member lookup and the routes:
a hit touches no session, no template and no database. What may be kept is
decided twice: the request must carry no session cookie and ask for one of the
public pages (threads, the index, categories, feeds, the sitemap), and the
response must be a 200 that sets no cookie and is not marked `no-store`. A
page built for a session sets its cookie, so it can never be kept.

Freshness comes from a change stamp in the database: triggers (migration
0011) raise it in the same transaction as every change to posts, topics, their
texts, categories and members' names or roles, so a worker that reads a new
stamp also reads the change. Each worker reads the stamp at most every
`[cache] check_milliseconds` (one indexed single-row read, shared by all the
requests of that moment) and drops its pages when it moved: an approved post
reaches anonymous readers of every worker and host within that interval. The
pages themselves stay in the worker's memory: they are cheap to build again
once per change, and a shared store would add a network round trip to every
hit, which is most of what a hit costs.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import time
from collections import OrderedDict
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime

from starlette.datastructures import Headers, QueryParams
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from tortoise import connections

from forum import i18n
from forum.config import CacheSettings

SESSION_COOKIE = "forum_session"
# The pages that look the same to every reader without a session.
CACHEABLE = re.compile(
    r"^/(?:"
    r"|topics/\d+(?:/[^/]+)?"
    r"|categories/\d+(?:/feed\.rss)?"
    r"|feeds/(?:latest|topics)\.rss"
    r"|sitemap\.xml|robots\.txt"
    r")$"
)
# What a page's bytes depend on besides its address: the interface language
# (from ?lang=, the language cookie or Accept-Language) and the session.
VARY = "Accept-Language, Cookie"
CONDITIONAL = (b"if-none-match", b"if-modified-since")

_TRIGGERS = (
    ("posts", "INSERT OR UPDATE OR DELETE", "INSERT", "UPDATE", "DELETE"),
    ("topics", "INSERT OR UPDATE OR DELETE", "INSERT", "UPDATE", "DELETE"),
    ("topic_texts", "INSERT OR UPDATE OR DELETE", "INSERT", "UPDATE", "DELETE"),
    ("categories", "INSERT OR UPDATE OR DELETE", "INSERT", "UPDATE", "DELETE"),
    # Members' translations of posts, shown under them and carried by the feeds.
    ("translations", "INSERT OR UPDATE OR DELETE", "INSERT", "UPDATE", "DELETE"),
    # Pages show members' names and roles; their other columns change on every page view.
    ("users", "UPDATE OF username, role OR DELETE", "UPDATE OF username, role", "DELETE"),
)
_BUMP = "UPDATE page_stamp SET stamp = stamp + 1 WHERE id = 1"
STAMP_SCHEMA: dict[str, list[str]] = {
    "sqlite": [
        "CREATE TABLE page_stamp (id INTEGER PRIMARY KEY, stamp BIGINT NOT NULL)",
        "INSERT INTO page_stamp (id, stamp) VALUES (1, {start})",
        *(
            f"CREATE TRIGGER page_stamp_{table}_{event.split()[0].lower()} AFTER {event} ON {table} BEGIN {_BUMP}; END"
            for table, _, *events in _TRIGGERS
            for event in events
        ),
    ],
    "postgres": [
        "CREATE TABLE page_stamp (id INTEGER PRIMARY KEY, stamp BIGINT NOT NULL)",
        "INSERT INTO page_stamp (id, stamp) VALUES (1, {start})",
        f"CREATE FUNCTION page_stamp_bump() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {_BUMP}; RETURN NULL; END $$",
        # Once per statement: an import of 100,000 rows raises it once.
        *(
            f"CREATE TRIGGER page_stamp_{table} AFTER {pg_events} ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION page_stamp_bump()"
            for table, pg_events, *_ in _TRIGGERS
        ),
    ],
}
STAMP_DROP: dict[str, list[str]] = {
    "sqlite": [
        *(
            f"DROP TRIGGER page_stamp_{table}_{event.split()[0].lower()}"
            for table, _, *events in _TRIGGERS
            for event in events
        ),
        "DROP TABLE page_stamp",
    ],
    "postgres": [
        *(f"DROP TRIGGER page_stamp_{table} ON {table}" for table, *_ in _TRIGGERS),
        "DROP FUNCTION page_stamp_bump()",
        "DROP TABLE page_stamp",
    ],
}


async def read_stamp() -> int:
    """The forum's change stamp (raises when the database cannot be read)."""
    _, rows = await connections.get("default").execute_query("SELECT stamp FROM page_stamp WHERE id = 1")
    return int(rows[0]["stamp"])


class Stamp:
    """The stamp as this worker last read it, read again when older than `interval` seconds."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self.value: int | None = None
        self.checked = float("-inf")
        self._lock = asyncio.Lock()

    async def current(self) -> int | None:
        """The stamp, or None when it cannot be read (then nothing is served from the cache)."""
        if time.monotonic() - self.checked < self.interval:
            return self.value
        async with self._lock:
            started = time.monotonic()
            if started - self.checked < self.interval:
                return self.value  # read by the request this one waited for
            try:
                self.value = await read_stamp()
            except Exception:
                self.value = None
            self.checked = started
            return self.value


@dataclass
class Entry:
    headers: list[tuple[bytes, bytes]]
    body: bytes
    etag: str
    last_modified: str
    stored: float

    @property
    def size(self) -> int:
        return len(self.body) + sum(len(k) + len(v) for k, v in self.headers)


class Pages:
    """A bounded store of entries (least recently used go first), emptied when the stamp moves."""

    def __init__(self, max_bytes: int, max_age: float) -> None:
        self.max_bytes = max_bytes
        self.max_age = max_age
        self.entries: OrderedDict[tuple[object, ...], Entry] = OrderedDict()
        self.size = 0
        self.stamp: int | None = None

    def follow(self, stamp: int) -> None:
        if stamp != self.stamp:
            self.entries.clear()
            self.size = 0
            self.stamp = stamp

    def get(self, key: tuple[object, ...]) -> Entry | None:
        entry = self.entries.get(key)
        if entry is None:
            return None
        if time.monotonic() - entry.stored > self.max_age:
            self._drop(key)
            return None
        self.entries.move_to_end(key)
        return entry

    def put(self, key: tuple[object, ...], entry: Entry) -> None:
        if entry.size > self.max_bytes // 4:
            return
        if key in self.entries:
            self._drop(key)
        self.entries[key] = entry
        self.size += entry.size
        while self.size > self.max_bytes:
            self._drop(next(iter(self.entries)))

    def _drop(self, key: tuple[object, ...]) -> None:
        self.size -= self.entries.pop(key).size


def not_modified(headers: Headers, etag: str, last_modified: str) -> bool:
    """Whether a conditional request already holds this version (If-None-Match wins over If-Modified-Since)."""
    if (tags := headers.get("if-none-match")) is not None:
        return tags.strip() == "*" or etag in [tag.strip().removeprefix("W/") for tag in tags.split(",")]
    if since := headers.get("if-modified-since"):
        try:
            return parsedate_to_datetime(last_modified) <= parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
    return False


class PageCache:
    """Serves kept pages to readers without a session; keeps what the forum answers them; answers 304."""

    def __init__(self, app: ASGIApp, settings: CacheSettings, default_language: str, public: bool) -> None:
        self.app = app
        self.enabled = settings.enabled
        self.default_language = default_language
        # Without base_url the links inside follow the Host header: no shared cache may keep them.
        self.cache_control = ("public" if public else "private") + ", no-cache"
        self.stamp = Stamp(settings.check_milliseconds / 1000)
        self.pages = Pages(settings.max_megabytes * 1024 * 1024, settings.max_age_seconds)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD") or not CACHEABLE.match(scope["path"]):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        cookies = _cookies(headers.get("cookie", ""))
        if not self.enabled or SESSION_COOKIE in cookies:
            await self.app(scope, receive, _with_vary(send))
            return
        stamp = await self.stamp.current()
        if stamp is None:
            await self.app(scope, receive, _with_vary(send))
            return
        self.pages.follow(stamp)
        query = scope.get("query_string", b"").decode("latin-1")
        language = i18n.negotiate(
            _query_language(query),
            None,
            cookies.get(i18n.LANGUAGE_COOKIE),
            headers.get("accept-language"),
            self.default_language,
        )
        key = (scope["scheme"], headers.get("host", ""), scope["path"], query, language)
        entry = self.pages.get(key)
        if entry is None:
            if scope["method"] == "HEAD":
                await self.app(scope, receive, _with_vary(send))
                return
            entry = await self._fill(scope, receive, send, key, stamp)
            if entry is None:
                return
        await self._answer(entry, headers, scope["method"] == "HEAD", send)

    async def _fill(
        self, scope: Scope, receive: Receive, send: Send, key: tuple[object, ...], stamp: int
    ) -> Entry | None:
        """The forum's answer, kept when it may be; None when it was passed on as it came."""
        # The whole page is asked for, so that the copy kept can answer every later request.
        inner = dict(scope, headers=[(k, v) for k, v in scope["headers"] if k not in CONDITIONAL])
        start: Message | None = None
        body = bytearray()
        passed_on = False

        async def keep(message: Message) -> None:
            nonlocal start, passed_on
            if message["type"] == "http.response.start":
                start = message
                if not self._keepable(message):
                    passed_on = True
                    await _with_vary(send)(message)
                return
            if passed_on:
                await send(message)
                return
            body.extend(message.get("body", b""))

        await self.app(inner, receive, keep)
        if passed_on or start is None:
            return None
        response_headers = [(k, v) for k, v in start["headers"] if k != b"vary"] + [(b"vary", VARY.encode())]
        names = {k for k, _ in response_headers}
        etag = _header(response_headers, b"etag") or '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        last_modified = _header(response_headers, b"last-modified") or formatdate(usegmt=True)
        if b"etag" not in names:
            response_headers.append((b"etag", etag.encode()))
        if b"last-modified" not in names:
            response_headers.append((b"last-modified", last_modified.encode()))
        if b"cache-control" not in names:
            response_headers.append((b"cache-control", self.cache_control.encode()))
        entry = Entry(response_headers, bytes(body), etag, last_modified, time.monotonic())
        # Not when the forum changed while this page was built: it may show the change or not.
        if self.stamp.value == stamp and self.pages.stamp == stamp:
            self.pages.put(key, entry)
        return entry

    @staticmethod
    def _keepable(start: Message) -> bool:
        if start["status"] != 200:
            return False
        headers = Headers(raw=start["headers"])
        return "set-cookie" not in headers and "no-store" not in headers.get("cache-control", "")

    @staticmethod
    async def _answer(entry: Entry, request_headers: Headers, head: bool, send: Send) -> None:
        if not_modified(request_headers, entry.etag, entry.last_modified):
            kept = {b"etag", b"last-modified", b"vary", b"cache-control"}
            await send(
                {"type": "http.response.start", "status": 304, "headers": [h for h in entry.headers if h[0] in kept]}
            )
            await send({"type": "http.response.body", "body": b""})
            return
        await send({"type": "http.response.start", "status": 200, "headers": entry.headers})
        await send({"type": "http.response.body", "body": b"" if head else entry.body})


def _with_vary(send: Send) -> Send:
    """Responses of these addresses to sessions name what they vary on too (for caches in between)."""

    async def send_with_vary(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = [(k, v) for k, v in message["headers"] if k != b"vary"] + [(b"vary", VARY.encode())]
            message = {**message, "headers": headers}
        await send(message)

    return send_with_vary


def _header(headers: list[tuple[bytes, bytes]], name: bytes) -> str | None:
    return next((v.decode("latin-1") for k, v in headers if k == name), None)


def _cookies(header: str) -> dict[str, str]:
    """Cookie names and values, leniently: a malformed pair is skipped, as browsers and Starlette do."""
    cookies = {}
    for pair in header.split(";"):
        name, _, value = pair.strip().partition("=")
        if name:
            cookies[name] = value
    return cookies


def _query_language(query: str) -> str | None:
    # Parsed as the request context parses it (the last of repeated values, percent-decoded).
    return QueryParams(query).get("lang") if "lang" in query else None
