"""axe-core in Chromium finds no serious or critical problem on any page, in any language; screenshots of each."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.browser import (
    LiveForum,
    browser_page,
    live_forum,
    requires_chromium,
    screenshot,
)
from tests.factories import csrf_from
from tests.mixed import post_mixed_replies

ROOT = Path(__file__).resolve().parent.parent
AXE = ROOT / ".tools" / "node_modules" / "axe-core" / "axe.min.js"

pytestmark = [
    requires_chromium,
    pytest.mark.skipif(not AXE.exists() and not os.environ.get("CI"), reason="axe-core needs .tools (see .ci/run)"),
]

PAGES = [
    "/",
    "/topics/{topic}",
    "/login",
    "/register",
    "/transparency",
    "/profile",
    "/my/posts",
    "/topics/{topic}/reply",
    "/moderation",
    "/moderation/log",
    "/moderation/members",
    "/moderation/topics/new",
    "/moderation/categories",
    "/moderation/members/{newcomer}",
    "/moderation/posts/{flagged}/hide?from=queue",
    "/posts/{long_parent}/delete",
    "/topics/new",
    "/search?q=federalism",
    "/search?q=zzzz&language=ar",
    "/topics/{topic}?read=fa&only=fa&only=en",
    "/posts/{translated}/translate?into=en",
    "/posts/{translated}/translations/fa",
    "/moderation/translations",
    "/translations/wanted",
    "/topics/{english_only}/translate",
]
IDS: dict[str, int] = {"topic": 4}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveForum]:
    tmp = tmp_path_factory.mktemp("a11y")
    for forum in live_forum(tmp, FORUM_RATELIMIT_REPLY="100/second", FORUM_RATELIMIT_REPLY_UNTRUSTED="100/second"):
        forum.command("seed", "--demo")
        post_mixed_replies(forum.url, "admin", forum.admin_password, 4)
        forum.command("users", "create", "newcomer", stdin="a long enough password\n")
        with httpx.Client(base_url=forum.url) as member:
            token = csrf_from(member.get("/login").text)
            member.post(
                "/login", data={"username": "newcomer", "password": "a long enough password", "csrf_token": token}
            )
            token = csrf_from(member.get("/topics/4").text)
            for body in ("A pending English reply with **Markdown**.", "پاسخی فارسی که منتظر تأیید است."):
                member.post("/topics/4/replies", data={"csrf_token": token, "body": body})
            # A short reply, flagged, under a parent of 20,000 characters: the queue must stay readable.
            forum.command("users", "create", "reporter", stdin="a long enough password\n")
            with (
                logged_in(forum, "admin", forum.admin_password) as admin,
                logged_in(forum, "reporter", "a long enough password") as reporter,
            ):
                IDS["long_parent"] = post_reply(admin, ("A statement pasted whole. " * 800)[:20_000])
                IDS["flagged"] = post_reply(member, "A short answer to that.", IDS["long_parent"])
                token = csrf_from(admin.get("/moderation").text)
                admin.post(f"/moderation/posts/{IDS['flagged']}/approve", data={"csrf_token": token})
                token = csrf_from(reporter.get("/topics/4").text)
                reporter.post(f"/posts/{IDS['flagged']}/flag", data={"csrf_token": token, "reason": "abuse"})
                # A reply translated into the two other languages, and a translation waiting for approval.
                IDS["translated"] = post_reply(admin, "الإضراب العام في حلب مستمر منذ أسبوع.")
                token = csrf_from(admin.get("/topics/4").text)
                for language, body in (("fa", "اعتصاب عمومی در حلب ادامه دارد."), ("en", "The strike goes on.")):
                    response = admin.post(
                        f"/posts/{IDS['translated']}/translate",
                        data={"csrf_token": token, "body": body, "lang": language},
                    )
                    assert response.status_code == 303, response.text
                # A topic in English only, and its Persian text offered by a new member.
                token = csrf_from(admin.get("/moderation/topics/new").text)
                response = admin.post(
                    "/moderation/topics/new",
                    data={"csrf_token": token, "category": "1", "title_en": "Councils", "body_en": "How?"},
                )
                assert response.status_code == 303, response.text
                IDS["english_only"] = int(response.headers["location"].rstrip("/").rsplit("/", 1)[1])
                token = csrf_from(member.get("/topics/4").text)
                member.post(
                    f"/topics/{IDS['english_only']}/translate",
                    data={"csrf_token": token, "lang": "fa", "title": "شوراها", "body": "چگونه؟"},
                )
                member.post(
                    f"/posts/{IDS['long_parent']}/translate",
                    data={"csrf_token": token, "body": "بیانیه‌ای که کامل چسبانده شده.", "lang": "fa"},
                )
        listing = forum.command("users", "list")
        IDS["newcomer"] = int(next(line.split()[0] for line in listing.splitlines() if " newcomer " in line))
        yield forum


@contextmanager
def logged_in(forum: LiveForum, username: str, password: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=forum.url) as client:
        token = csrf_from(client.get("/login").text)
        client.post("/login", data={"username": username, "password": password, "csrf_token": token})
        yield client


def post_reply(client: httpx.Client, body: str, parent_id: int | None = None) -> int:
    token = csrf_from(client.get("/topics/4").text)
    response = client.post(
        "/topics/4/replies", data={"csrf_token": token, "body": body, "parent_id": str(parent_id or "")}
    )
    assert response.status_code == 303, response.text
    return int(response.headers["location"].rsplit("/", 1)[1])


async def axe_violations(page: object) -> list[str]:
    # evaluate() runs through the DevTools protocol, so the page's strict CSP does not block axe.
    await page.evaluate(AXE.read_text("utf-8"))  # type: ignore[attr-defined]
    result = await page.evaluate(  # type: ignore[attr-defined]
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
        ".map(v => v.id + ': ' + v.help + ' — ' + v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', '))"
    )
    return list(result)


@pytest.mark.parametrize("language", ["en", "ar", "fa"])
async def test_no_serious_accessibility_problems(server: LiveForum, language: str) -> None:
    found: dict[str, list[str]] = {}
    async with browser_page(language) as page:
        await page.goto(f"{server.url}/login?lang={language}")
        await page.fill("#login-username", "admin")
        await page.fill("#login-password", server.admin_password)
        await page.click("form.account-form button[type=submit]")
        await page.wait_for_url(f"{server.url}/")
        for path in PAGES:
            url = server.url + path.format(**IDS)
            response = await page.goto(url)
            assert response is not None and response.status == 200, url
            assert await page.get_attribute("html", "lang") == language
            if violations := await axe_violations(page):
                found[path] = violations
        for name, path in (
            ("home", "/"),
            ("thread", "/topics/4"),
            ("queue", "/moderation"),
            ("translation-queue", "/moderation/translations"),
        ):
            await page.goto(server.url + path)
            await screenshot(page, f"{name}-{language}-moderator")
    assert found == {}
