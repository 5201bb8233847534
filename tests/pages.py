"""What a reader and a moderator see of a whole forum, to compare two databases page by page."""

from __future__ import annotations

import difflib
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from bs4 import BeautifulSoup
from tortoise import connections

from forum import db
from forum.accounts import auth
from forum.app import create_app
from forum.config import Settings
from forum.models import Post, PostStatus, Revision, Topic
from tests.conftest import TABLES
from tests.factories import login

CSRF = re.compile(r'(name="csrf_token" value=")[^"]+"')
# What depends on the clock when the page is made: "3 minutes ago" (the exact moment stays in the
# datetime and title attributes) and the moment a feed was built (its data's own moment is in Last-Modified).
CLOCK = re.compile(r"(<time [^>]*>)[^<]*(</time>)|(<lastBuildDate>)[^<]*(</lastBuildDate>)")
# Headers that follow from the data: where a permalink leads, and a feed's freshness.
HEADERS = ("location", "etag", "last-modified")


@asynccontextmanager
async def connected(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The migrated database of `settings` and a client of the forum on it; PostgreSQL is emptied afterwards."""
    auth.configure_hashing(settings.security)
    await db.connect(settings)
    try:
        await db.migrate(settings)
        transport = httpx.ASGITransport(app=create_app(settings, manage_database=False))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client
    finally:
        if settings.database_url.startswith("postgres"):
            await connections.get("default").execute_script(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")
        await db.close()


async def public_pages(client: httpx.AsyncClient) -> dict[str, tuple[int, str, str]]:
    """Status, the HEADERS and body of every page an anonymous reader can reach, by URL."""
    client.cookies.clear()
    urls = ["/", "/?lang=ar", "/?lang=fa", "/transparency", "/feeds/latest.rss", "/feeds/topics.rss"]
    urls += [f"/feeds/latest.rss?lang={lang}" for lang in ("en", "ar", "fa")]
    for topic_id in await Topic.all().order_by("id").values_list("id", flat=True):
        urls += [f"/topics/{topic_id}", f"/topics/{topic_id}?lang=fa", f"/topics/{topic_id}/feed.rss"]
    urls += [f"/posts/{post_id}" for post_id in await Post.all().order_by("id").values_list("id", flat=True)]
    edited = set(await Revision.all().values_list("post_id", flat=True))
    urls += [f"/posts/{post_id}/history" for post_id in sorted(edited)]
    pages = {url: await _page(client, url) for url in urls}
    approved = await Post.filter(status=PostStatus.APPROVED).values_list("id", flat=True)
    assert {f"post-{i}" for i in approved} <= _posts_shown(pages)
    return pages


async def moderator_pages(client: httpx.AsyncClient, username: str) -> dict[str, tuple[int, str, str]]:
    """The queue, the audit log and the member list as a moderator sees them (CSRF tokens blanked)."""
    await login(client, username)
    urls = ["/moderation", "/moderation/log", "/moderation/members", "/my/posts"]
    pages = {url: await _page(client, url) for url in urls}
    assert all(status == 200 for status, _, _ in pages.values())
    return pages


async def _page(client: httpx.AsyncClient, url: str) -> tuple[int, str, str]:
    response = await client.get(url)
    body = CLOCK.sub(lambda match: "".join(filter(None, match.groups())), CSRF.sub(r'\1"', response.text))
    # A page's validators are those of the copy the page cache built (its bytes, its moment); a feed's follow its data.
    names = HEADERS if "xml" in response.headers.get("content-type", "") else HEADERS[:1]
    return response.status_code, " ".join(response.headers.get(name, "-") for name in names), body


def _posts_shown(pages: dict[str, tuple[int, str, str]]) -> set[str]:
    """The post elements of every thread page: guards against comparing two error pages."""
    shown = set()
    for url, (status, _, body) in pages.items():
        if re.fullmatch(r"/topics/\d+", url):
            assert status == 200, url
            shown |= {str(element["id"]) for element in BeautifulSoup(body, "html.parser").select('[id^="post-"]')}
    return shown


def assert_same_pages(got: dict[str, tuple[int, str, str]], expected: dict[str, tuple[int, str, str]]) -> None:
    """Equal page by page; on a difference, show the lines that differ rather than two whole pages."""
    assert got.keys() == expected.keys()
    for url, page in expected.items():
        if got[url] != page:
            diff = difflib.unified_diff(page[2].splitlines(), got[url][2].splitlines(), lineterm="", n=1)
            changes = f"status {page[0]} -> {got[url][0]}, headers {page[1]} -> {got[url][1]}"
            pytest.fail(f"{url} differs: {changes}\n" + "\n".join(list(diff)[:60]))
