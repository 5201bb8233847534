"""Journeys through the live forum in headless Chromium: joining, replying, hostile posts, moderation."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest

from tests.browser import (
    LiveForum,
    browser_page,
    live_forum,
    requires_chromium,
    screenshot,
)

pytestmark = requires_chromium
_names = itertools.count(1)

HOSTILE = """Hostile **markdown** below.

<script>window.__canary = 1; alert(1)</script>
<img src=x onerror="window.__canary = 2; alert(2)">
<svg onload="window.__canary = 3"><circle r=10></svg>
[click me](javascript:window.__canary=4;alert(4))
[entity](&#106;avascript:confirm(5))
![image](javascript:prompt(6))
<a href="javascript:alert(7)">raw link</a>
<iframe src="javascript:alert(8)"></iframe>
<details open ontoggle="window.__canary = 9">x</details>
[x](http://example.org/"onmouseover="window.__canary=10)
<noscript><p title="</noscript><img src=x onerror=alert(11)>">
"""

TRAP = """
window.__dialogs = [];
for (const name of ["alert", "confirm", "prompt", "print"]) {
  window[name] = (...args) => { window.__dialogs.push(name); return null; };
}
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveForum]:
    tmp = tmp_path_factory.mktemp("journeys")
    # The browser fills in the registration form at once, which the forum would take for a script.
    yield from live_forum(
        tmp,
        FORUM_RATELIMIT_REPLY="100/second",
        FORUM_RATELIMIT_REPLY_UNTRUSTED="100/second",
        FORUM_SECURITY_REGISTER_MIN_SECONDS="0",
    )


async def register(page: object, server: LiveForum, name: str, language: str) -> None:
    await page.goto(f"{server.url}/register?lang={language}")  # type: ignore[attr-defined]
    await page.fill("#register-username", name)  # type: ignore[attr-defined]
    await page.fill("#register-password", "a long enough password")  # type: ignore[attr-defined]
    await page.fill("#register-password-confirm", "a long enough password")  # type: ignore[attr-defined]
    await page.click("form.account-form button[type=submit]")  # type: ignore[attr-defined]
    await page.click("a.button")  # type: ignore[attr-defined]  # "I have saved them", under the recovery codes
    await page.wait_for_url(f"{server.url}/")  # type: ignore[attr-defined]


async def log_in(page: object, server: LiveForum, name: str, password: str) -> None:
    await page.goto(f"{server.url}/login")  # type: ignore[attr-defined]
    await page.fill("#login-username", name)  # type: ignore[attr-defined]
    await page.fill("#login-password", password)  # type: ignore[attr-defined]
    await page.click("form.account-form button[type=submit]")  # type: ignore[attr-defined]
    await page.wait_for_url(f"{server.url}/")  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("language", "first", "second"),
    [
        ("en", "I think federalism deserves a hearing.", "Replying to myself with a second thought."),
        ("fa", "به نظر من فدرالیسم ارزش گفت‌وگو دارد.", "پاسخی به پاسخ خودم با فکری دیگر."),
    ],
)
async def test_join_reply_and_reply_to_the_reply(server: LiveForum, language: str, first: str, second: str) -> None:
    name = f"member{next(_names)}"
    async with browser_page(language) as page:
        await register(page, server, name, language)
        assert name in await page.locator(".site-header").inner_text()
        await page.locator(".topic-title").first.click()
        await page.fill("#reply-body", first)
        await page.click("button[value=preview]")
        assert first in await page.locator(".preview").inner_text()
        await page.click("button[value=post]")
        own = page.locator("article.post", has_text=first)
        await own.wait_for()
        assert await own.locator(".badge-pending").count() == 1

        topic_url = page.url
        await own.locator("a.reply-link").click()  # "Reply" under the post opens the form right there
        assert page.url == topic_url
        assert await page.locator("article.post + form#reply").count() == 1
        await page.fill("#reply-body", second)
        await page.click("button[value=post]")
        nested = page.locator("ol.replies ol.replies article.post", has_text=second)
        await nested.wait_for()
        body = nested.locator(".post-body")
        expected = "rtl" if language == "fa" else "ltr"
        assert await body.get_attribute("lang") == language
        assert await body.evaluate("el => getComputedStyle(el).direction") == expected
        await screenshot(page, f"journey-reply-{language}")


async def test_a_hostile_post_runs_nothing_in_the_browser(server: LiveForum) -> None:
    async with browser_page() as page:
        await page.add_init_script(TRAP)
        await log_in(page, server, "admin", server.admin_password)
        await page.locator(".topic-title").first.click()
        await page.fill("#reply-body", HOSTILE)
        await page.click("button[value=post]")
        article = page.locator("article.post", has_text="Hostile markdown below.")
        await article.wait_for()
        assert await article.locator("a", has_text="click me").count() == 0
        for link in await article.locator(".post-body a").all():
            await link.hover()
        await page.reload()
        await page.wait_for_timeout(300)
        assert await page.evaluate("window.__dialogs") == []
        assert await page.evaluate("window.__canary") is None
        assert await article.locator("script, iframe, svg, img, details").count() == 0
        await screenshot(page, "journey-hostile")


async def test_a_moderator_approves_and_rejects_from_the_queue(server: LiveForum) -> None:
    name = f"newcomer{next(_names)}"
    async with browser_page() as member, browser_page() as moderator, browser_page() as visitor:
        await register(member, server, name, "en")
        await member.locator(".topic-title").nth(1).click()
        topic_url = member.url
        for text in ("A reply that deserves approval.", "A reply that will be rejected."):
            await member.fill("#reply-body", text)
            await member.click("button[value=post]")
            await member.locator("article.post", has_text=text).wait_for()

        await visitor.goto(topic_url)
        assert await visitor.locator("article.post", has_text="deserves approval").count() == 0

        await log_in(moderator, server, "admin", server.admin_password)
        await moderator.goto(f"{server.url}/moderation")
        good = moderator.locator(".queue-item", has_text="deserves approval")
        await good.locator("button", has_text="Approve").first.click()
        await moderator.wait_for_load_state()
        bad = moderator.locator(".queue-item", has_text="will be rejected")
        await bad.locator("input[name=reason]").fill("Please stay on the topic of the question.")
        await bad.locator("button.danger", has_text="Reject").click()
        await moderator.wait_for_load_state()
        await screenshot(moderator, "journey-queue")

        await visitor.goto(topic_url)
        assert await visitor.locator("article.post", has_text="deserves approval").count() == 1
        assert await visitor.locator("article.post", has_text="will be rejected").count() == 0

        await member.goto(f"{server.url}/my/posts")
        rejected = member.locator(".my-post", has_text="will be rejected")
        assert "Please stay on the topic of the question." in await rejected.inner_text()
