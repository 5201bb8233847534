"""A Persian member's account journey in headless Chromium: register, keep the recovery codes, turn on
two-factor sign-in, log out, log in with a code, then reset a forgotten password with a recovery code."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pyotp
import pytest

from tests.browser import LiveForum, browser_page, live_forum, requires_chromium, screenshot

pytestmark = requires_chromium

NAME = "مریم_ک"
PASSWORD = "کوه‌های بلند زاگرس در بهار"
NEW_PASSWORD = "رود کارون آرام به دریا می‌رسد"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveForum]:
    tmp = tmp_path_factory.mktemp("account-journey")
    yield from live_forum(tmp, FORUM_SECURITY_REGISTER_MIN_SECONDS="0")


async def no_overflow(page: object) -> None:
    """Nothing wider than the window: a Persian page must not scroll sideways."""
    width = await page.evaluate("document.documentElement.scrollWidth")  # type: ignore[attr-defined]
    assert width <= 1200


async def test_register_enrol_and_recover_in_persian(server: LiveForum) -> None:
    async with browser_page("fa") as page:
        await page.goto(f"{server.url}/register?lang=fa")  # type: ignore[attr-defined]
        assert await page.get_attribute("html", "dir") == "rtl"  # type: ignore[attr-defined]
        await page.fill("#register-username", NAME)  # type: ignore[attr-defined]
        await page.fill("#register-password", PASSWORD)  # type: ignore[attr-defined]
        await page.fill("#register-password-confirm", PASSWORD)  # type: ignore[attr-defined]
        await page.click("form.account-form button[type=submit]")  # type: ignore[attr-defined]

        codes = await page.locator("ol.recovery-codes code").all_inner_texts()  # type: ignore[attr-defined]
        assert len(codes) == 10
        await no_overflow(page)
        await screenshot(page, "account-fa-recovery-codes")
        await page.click("a.button")  # type: ignore[attr-defined]  # "I have saved them"
        await page.wait_for_url(f"{server.url}/")  # type: ignore[attr-defined]

        await page.goto(f"{server.url}/profile/two-factor")  # type: ignore[attr-defined]
        secret = (await page.locator("code.totp-secret").inner_text()).strip()  # type: ignore[attr-defined]
        assert await page.locator("figure.qr-code svg").count() == 1  # type: ignore[attr-defined]
        await no_overflow(page)
        await screenshot(page, "account-fa-two-factor-setup")
        totp = pyotp.TOTP(secret)
        await page.fill("#totp-code", totp.now())  # type: ignore[attr-defined]
        await page.click("form.account-form button[type=submit]")  # type: ignore[attr-defined]
        await page.locator("p.notice").wait_for()  # type: ignore[attr-defined]

        await page.click("form.inline-form[action$='/logout'] button")  # type: ignore[attr-defined]
        await page.wait_for_url(f"{server.url}/")  # type: ignore[attr-defined]
        await page.goto(f"{server.url}/login")  # type: ignore[attr-defined]
        await page.fill("#login-username", NAME)  # type: ignore[attr-defined]
        await page.fill("#login-password", PASSWORD)  # type: ignore[attr-defined]
        await page.click("form.account-form button[type=submit]")  # type: ignore[attr-defined]
        await page.wait_for_url(f"{server.url}/login/code")  # type: ignore[attr-defined]
        await screenshot(page, "account-fa-login-code")
        # The code of the next step: the one that turned it on is used up.
        await page.fill("#login-code", totp.at(time.time() + totp.interval))  # type: ignore[attr-defined]
        await page.click("form.account-form button[type=submit]")  # type: ignore[attr-defined]
        await page.wait_for_url(f"{server.url}/")  # type: ignore[attr-defined]
        assert NAME in await page.locator(".site-header").inner_text()  # type: ignore[attr-defined]

        await page.goto(f"{server.url}/profile/sessions")  # type: ignore[attr-defined]
        assert await page.locator("tr.this-session").count() == 1  # type: ignore[attr-defined]
        await no_overflow(page)
        await screenshot(page, "account-fa-sessions")
        await page.click("form.inline-form[action$='/logout'] button")  # type: ignore[attr-defined]
        await page.wait_for_url(f"{server.url}/")  # type: ignore[attr-defined]

        # Forgotten: a recovery code sets a new password.
        await page.goto(f"{server.url}/login")  # type: ignore[attr-defined]
        await page.click("a[href$='/recover']")  # type: ignore[attr-defined]
        await page.fill("#recover-username", NAME)  # type: ignore[attr-defined]
        await page.fill("#recover-code", codes[0])  # type: ignore[attr-defined]
        await page.fill("#recover-password", NEW_PASSWORD)  # type: ignore[attr-defined]
        await page.fill("#recover-password-confirm", NEW_PASSWORD)  # type: ignore[attr-defined]
        await no_overflow(page)
        await screenshot(page, "account-fa-recover")
        await page.click("form.account-form button[type=submit]")  # type: ignore[attr-defined]
        await page.wait_for_url(f"{server.url}/profile/sessions?changed=1")  # type: ignore[attr-defined]
        assert await page.locator("p.notice").count() == 1  # type: ignore[attr-defined]
        await screenshot(page, "account-fa-password-reset")
