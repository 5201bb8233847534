"""axe-core in Chromium finds no serious or critical problem on any page, in any language; screenshots of each."""

from __future__ import annotations

import os
from collections.abc import Iterator
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
    "/search?q=federalism",
    "/search?q=zzzz&language=ar",
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveForum]:
    tmp = tmp_path_factory.mktemp("a11y")
    for forum in live_forum(tmp):
        forum.command("seed", "--demo")
        forum.command("users", "create", "newcomer", stdin="a long enough password\n")
        with httpx.Client(base_url=forum.url) as member:
            token = csrf_from(member.get("/login").text)
            member.post(
                "/login", data={"username": "newcomer", "password": "a long enough password", "csrf_token": token}
            )
            token = csrf_from(member.get("/topics/4").text)
            for body in ("A pending English reply with **Markdown**.", "پاسخی فارسی که منتظر تأیید است."):
                member.post("/topics/4/replies", data={"csrf_token": token, "body": body})
        yield forum


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
            url = server.url + path.format(topic=4)
            response = await page.goto(url)
            assert response is not None and response.status == 200, url
            assert await page.get_attribute("html", "lang") == language
            if violations := await axe_violations(page):
                found[path] = violations
        for name, path in (("home", "/"), ("thread", "/topics/4"), ("queue", "/moderation")):
            await page.goto(server.url + path)
            await screenshot(page, f"{name}-{language}-moderator")
    assert found == {}
