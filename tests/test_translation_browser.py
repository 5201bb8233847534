"""In Chromium, in Arabic and in Persian: "Read in ..." shows a translation in place with JavaScript, and through
the permalink's ?read= without it; the reader's choice shows translations first. Screenshots of each."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.browser import LiveForum, browser_page, live_forum, requires_chromium, screenshot
from tests.factories import csrf_from

pytestmark = requires_chromium

TOPIC = 4  # the seeded topic the demo thread answers
ORIGINAL = "الإضراب العام في حلب مستمر منذ أسبوع، والعمال يطالبون بأجور عادلة."
PERSIAN = "اعتصاب عمومی در حلب یک هفته است که ادامه دارد و کارگران دستمزد عادلانه می‌خواهند."
ENGLISH = "The general strike in Aleppo has gone on for a week; the workers demand fair wages."
IDS: dict[str, int] = {}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveForum]:
    for forum in live_forum(tmp_path_factory.mktemp("translations"), FORUM_RATELIMIT_REPLY="100/second"):
        forum.command("seed", "--demo")
        with httpx.Client(base_url=forum.url) as admin:
            token = csrf_from(admin.get("/login").text)
            admin.post("/login", data={"username": "admin", "password": forum.admin_password, "csrf_token": token})
            token = csrf_from(admin.get(f"/topics/{TOPIC}").text)
            response = admin.post(
                f"/topics/{TOPIC}/replies", data={"csrf_token": token, "body": ORIGINAL, "lang": "ar"}
            )
            assert response.status_code == 303
            IDS["post"] = int(response.headers["location"].rsplit("/", 1)[1])
            for language, body in (("fa", PERSIAN), ("en", ENGLISH)):
                response = admin.post(
                    f"/posts/{IDS['post']}/translate", data={"csrf_token": token, "body": body, "lang": language}
                )
                assert response.status_code == 303, response.text
        yield forum


def visible_text(post: str) -> str:
    return f"""() => [...document.querySelectorAll('#{post} > [data-text]')]
        .filter(e => !e.hidden && e.getBoundingClientRect().height > 0)
        .map(e => e.querySelector('.post-body') || e)
        .map(e => [e.getAttribute('lang'), getComputedStyle(e).direction, e.textContent.trim()])"""


@pytest.mark.parametrize("language", ["ar", "fa"])
async def test_read_in_shows_the_translation_in_place_with_javascript(server: LiveForum, language: str) -> None:
    post = f"post-{IDS['post']}"
    async with browser_page(language) as page:
        await page.goto(f"{server.url}/topics/{TOPIC}?lang={language}")
        assert await page.evaluate(visible_text(post)) == [["ar", "rtl", ORIGINAL]]
        url = page.url
        await page.click(f"#{post} .read-in a[data-text=fa]")
        assert await page.evaluate(visible_text(post)) == [["fa", "rtl", PERSIAN]]
        assert page.url == url  # shown in place, no page load
        assert await page.get_attribute(f"#{post} .read-in a[data-text=fa]", "aria-current") == "true"
        note = await page.text_content(f"#{post} .post-translation[data-text=fa] .translation-note")
        assert note is not None and "admin" in note
        await page.click(f"#{post} .read-in a[data-text=en]")
        assert await page.evaluate(visible_text(post)) == [["en", "ltr", ENGLISH]]
        await page.locator(f"#{post}").scroll_into_view_if_needed()
        await screenshot(page, f"translation-in-place-{language}")
        await page.click(f"#{post} .read-in a[data-text=original]")
        assert await page.evaluate(visible_text(post)) == [["ar", "rtl", ORIGINAL]]


@pytest.mark.parametrize("language", ["ar", "fa"])
async def test_read_in_works_without_javascript_and_the_reader_may_prefer_translations(
    server: LiveForum, language: str
) -> None:
    post = f"post-{IDS['post']}"
    async with browser_page(language, javascript=False) as page:
        await page.goto(f"{server.url}/topics/{TOPIC}?lang={language}")
        await page.click(f"#{post} .read-in a[data-text=fa]")
        await page.wait_for_url(f"**/topics/{TOPIC}?*read=fa*")
        assert await page.evaluate(visible_text(post)) == [["fa", "rtl", PERSIAN]]
        assert await page.get_attribute("html", "dir") == "rtl"
        await page.locator(f"#{post}").scroll_into_view_if_needed()
        await screenshot(page, f"translation-no-script-{language}")
        # An anonymous reader's choice for the visit: translations into the interface language first.
        await page.goto(f"{server.url}/topics/{TOPIC}?lang={language}")
        await page.click(".reading-tools a")
        await page.wait_for_url(f"**/topics/{TOPIC}")
        expected = {"ar": [["ar", "rtl", ORIGINAL]], "fa": [["fa", "rtl", PERSIAN]]}[language]
        assert await page.evaluate(visible_text(post)) == expected
        # Only Persian: the other replies become one-line placeholders.
        await page.goto(f"{server.url}/topics/{TOPIC}?only=fa")
        assert await page.locator("article.post-placeholder").count() > 0
        assert await page.evaluate(visible_text(post)) == [["fa", "rtl", PERSIAN]]
        await screenshot(page, f"translation-filter-{language}")
