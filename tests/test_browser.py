from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser import (
    LiveForum,
    browser_page,
    live_forum,
    requires_chromium,
    screenshot,
)

pytestmark = requires_chromium


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveForum]:
    tmp = tmp_path_factory.mktemp("live")
    for forum in live_forum(tmp, FORUM_RATELIMIT_REPLY="100/second", FORUM_RATELIMIT_REPLY_UNTRUSTED="100/second"):
        forum.command("seed", "--demo")
        yield forum


@pytest.mark.parametrize(("language", "direction"), [("en", "ltr"), ("fa", "rtl"), ("ar", "rtl")])
async def test_home_and_a_thread_read_in_their_direction(server: LiveForum, language: str, direction: str) -> None:
    async with browser_page(language) as page:
        await page.goto(f"{server.url}/?lang={language}")
        assert await page.get_attribute("html", "dir") == direction
        assert await page.locator(".topic-title").count() == 7
        computed = await page.evaluate("getComputedStyle(document.body).direction")
        assert computed == direction
        shot = await screenshot(page, f"home-{language}")
        assert shot.stat().st_size > 10_000

        await page.get_by_role("link", name=await page.locator(".topic-title").nth(0).inner_text()).click()
        assert await page.get_attribute("html", "lang") == language
        assert await page.locator("h1#topic-title").is_visible()

        # The demo thread: nested replies, each in its own direction whatever the page's.
        await page.goto(f"{server.url}/?lang={language}")
        federalism = page.locator(
            ".topic-title", has_text={"en": "federalism", "fa": "فدرالیسم", "ar": "الفيدرالية"}[language]
        )
        await federalism.click()
        assert await page.locator("article.post").count() >= 10
        assert await page.locator("ol.replies ol.replies ol.replies article.post").count() >= 1
        for lang_code, expected in (("en", "ltr"), ("fa", "rtl"), ("ar", "rtl")):
            body = page.locator(f'.post-body[lang="{lang_code}"]').first
            assert await body.evaluate("el => getComputedStyle(el).direction") == expected
        await screenshot(page, f"thread-{language}")


WRITER_PASSWORD = "a long enough password"


@pytest.fixture(scope="module")
def writer(server: LiveForum) -> str:
    server.command("users", "create", "writer", stdin=f"{WRITER_PASSWORD}\n")
    return "writer"


async def log_in(page: Any, server: LiveForum, username: str, password: str) -> None:
    await page.goto(f"{server.url}/login")
    await page.fill("#login-username", username)
    await page.fill("#login-password", password)
    await page.click("form.account-form button[type=submit]")
    await page.wait_for_url(f"{server.url}/")


async def write_reply(page: Any, server: LiveForum, body: str) -> Any:
    """Post a reply to the demo thread; returns the reply's article as its author sees it."""
    await page.goto(f"{server.url}/topics/4")
    await page.fill("#reply-body", body)
    await page.click("#reply button[value=post]")
    await page.wait_for_url(f"{server.url}/topics/4**")
    return page.locator("article.post", has_text=body)


@pytest.mark.parametrize("javascript", [False, True], ids=["without-javascript", "with-javascript"])
async def test_deleting_asks_first_and_can_be_undone(server: LiveForum, writer: str, javascript: bool) -> None:
    async with browser_page(javascript=javascript) as page:
        await log_in(page, server, writer, WRITER_PASSWORD)
        body = f"A reply I will take back ({'script' if javascript else 'plain'})"
        post = await write_reply(page, server, body)
        post_id = (await post.get_attribute("id") or "").removeprefix("post-")
        await post.get_by_role("link", name="Delete").click()
        if javascript:
            # The same question, in a dialog over the thread.
            dialog = page.locator("dialog.confirm-dialog[open]")
            await dialog.wait_for()
            assert await dialog.get_by_role("heading").inner_text() == "Delete this post?"
            assert page.url.startswith(f"{server.url}/topics/4")
            await screenshot(page, "delete-dialog")
            await dialog.get_by_role("button", name="Delete the post").click()
        else:
            await page.wait_for_url(f"{server.url}/posts/{post_id}/delete")
            assert await page.locator("h1").inner_text() == "Delete this post?"
            await screenshot(page, "delete-page")
            await page.get_by_role("button", name="Delete the post").click()
        await page.wait_for_url(f"{server.url}/topics/4#post-{post_id}")
        placeholder = page.locator(f"#post-{post_id}")
        assert await placeholder.locator(".placeholder-text").inner_text() == "This reply was deleted by its author."
        assert await page.locator("article.post", has_text=body).count() == 0

        await placeholder.get_by_role("button", name="Restore").click()
        await page.wait_for_url(f"{server.url}/topics/4#post-{post_id}")
        assert await page.locator(f"#post-{post_id} .post-body").inner_text() == body


async def test_hiding_asks_for_a_reason_without_javascript(server: LiveForum) -> None:
    async with browser_page(javascript=False) as page:
        await log_in(page, server, "admin", server.admin_password)
        await page.goto(f"{server.url}/topics/4")
        post = page.locator("article.post:not(.post-placeholder)").first
        post_id = (await post.get_attribute("id") or "").removeprefix("post-")
        await post.get_by_role("link", name="Hide").click()
        await page.wait_for_url(f"{server.url}/moderation/posts/{post_id}/hide")
        reasons = page.locator("input[name=reason_code]")
        assert await reasons.count() >= 5
        assert await page.locator("input[name=reason_code]:checked").count() == 0
        # No reason chosen: the browser itself refuses to send the form.
        await page.get_by_role("button", name="Hide the post").click()
        assert page.url == f"{server.url}/moderation/posts/{post_id}/hide"
        await screenshot(page, "hide-page")

        await page.get_by_label("Spam or advertising").check()
        await page.get_by_role("button", name="Hide the post").click()
        await page.wait_for_url(f"{server.url}/topics/4**#post-{post_id}")
        placeholder = page.locator(f"#post-{post_id}")
        assert await placeholder.locator(".placeholder-text").inner_text() == "This reply was hidden by the moderators."
        await placeholder.get_by_role("button", name="Restore").click()
        await page.wait_for_url(f"{server.url}/**")
        await page.goto(f"{server.url}/topics/4")
        assert await page.locator(f"#post-{post_id}.post-placeholder").count() == 0
