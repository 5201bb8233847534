"""Quoting in a browser: the whole post on the reply page without JavaScript, the selection with it;
and the draft the page's script saves while the member types."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser import LiveForum, browser_page, live_forum, requires_chromium

pytestmark = requires_chromium

PASSWORD = "a long enough password"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveForum]:
    tmp = tmp_path_factory.mktemp("quotes")
    for forum in live_forum(tmp):
        forum.command("seed", "--demo")
        forum.command("users", "create", "quoter", stdin=f"{PASSWORD}\n")
        yield forum


async def log_in(page: Any, server: LiveForum) -> None:
    await page.goto(f"{server.url}/login")
    await page.fill("#login-username", "quoter")
    await page.fill("#login-password", PASSWORD)
    await page.click("form.account-form button[type=submit]")
    await page.wait_for_url(f"{server.url}/")


async def first_quotable(page: Any) -> tuple[Any, str]:
    """The first post of the demo thread with a "Quote" link, and its id."""
    article = page.locator("article.post", has=page.locator("a.quote-link")).first
    return article, str(await article.get_attribute("id")).removeprefix("post-")


async def test_without_javascript_quote_opens_the_reply_page_with_the_post_quoted(server: LiveForum) -> None:
    async with browser_page(javascript=False) as page:
        await log_in(page, server)
        await page.goto(f"{server.url}/topics/4")
        article, post_id = await first_quotable(page)
        await article.locator("a.quote-link").click()
        await page.wait_for_url(f"**/topics/4/reply?quote={post_id}**")
        body = await page.input_value("#reply-body")
        assert body.startswith("> ") and f"](/posts/{post_id})" in body
        assert await page.input_value("#reply input[name=parent_id]") == post_id


async def test_with_javascript_quote_takes_the_selection_into_the_form_on_the_page(server: LiveForum) -> None:
    async with browser_page() as page:
        await log_in(page, server)
        await page.goto(f"{server.url}/topics/4")
        article, post_id = await first_quotable(page)
        paragraph = article.locator(".post-body p").first
        chosen = (await paragraph.inner_text()).strip()
        await paragraph.evaluate(
            """element => {
                const range = document.createRange();
                range.selectNodeContents(element);
                window.getSelection().removeAllRanges();
                window.getSelection().addRange(range);
            }"""
        )
        await article.locator("a.quote-link").click()
        assert page.url == f"{server.url}/topics/4"
        body = await page.input_value("#reply-body")
        assert body.startswith(f"> {chosen.splitlines()[0]}") and f"](/posts/{post_id})" in body
        assert await page.input_value("#reply input[name=parent_id]") == post_id
        # The form moved under the quoted post.
        assert await page.locator(f"#post-{post_id} + form#reply").count() == 1

        # The script saves the draft while the member types; it is offered again on the reply page.
        await page.fill("#reply-body", body + "My own words.")
        async with page.expect_response(lambda response: response.url.endswith("/topics/4/draft")) as saved:
            await page.type("#reply-body", " More.")
        assert (await saved.value).status == 204
        await page.goto(f"{server.url}/topics/4/reply?parent_id={post_id}")
        assert (await page.input_value("#reply-body")).endswith("My own words. More.")
