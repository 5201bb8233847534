from __future__ import annotations

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
