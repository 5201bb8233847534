"""Two-factor sign-in: enrolment from the shown secret, the second login step, recovery codes, staff requirement."""

from __future__ import annotations

import time

import httpx
import pyotp
import pytest
from bs4 import BeautifulSoup

from forum.config import Settings
from forum.models import Role, User
from tests.factories import PASSWORD, csrf_from, login, make_user


def parse(response: httpx.Response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


async def enrol(client: httpx.AsyncClient) -> pyotp.TOTP:
    """Turn two-factor sign-in on through the page, with a code computed from the secret it shows."""
    page = parse(await client.get("/profile/two-factor"))
    secret = page.select_one("code.totp-secret")
    assert secret is not None
    assert page.select_one("figure.qr-code svg") is not None
    totp = pyotp.TOTP(secret.get_text())
    token = str(page.select_one("input[name=csrf_token]")["value"])  # type: ignore[index]
    wrong = await client.post("/profile/two-factor", data={"csrf_token": token, "code": "000000"})
    assert wrong.status_code == 422 and parse(wrong).select_one("#totp-code-error") is not None
    done = await client.post("/profile/two-factor", data={"csrf_token": token, "code": totp.now()})
    assert done.status_code == 303
    assert parse(await client.get(done.headers["location"])).select_one("code.totp-secret") is None
    return totp


async def password_step(client: httpx.AsyncClient, name: str) -> httpx.Response:
    client.cookies.clear()
    token = csrf_from((await client.get("/login")).text)
    return await client.post("/login", data={"username": name, "password": PASSWORD, "csrf_token": token})


async def code_step(client: httpx.AsyncClient, code: str) -> httpx.Response:
    token = csrf_from((await client.get("/login/code")).text)
    return await client.post("/login/code", data={"csrf_token": token, "code": code})


async def logged_in(client: httpx.AsyncClient) -> bool:
    return (await client.get("/my/posts")).status_code == 200


async def test_enrol_then_log_in_with_a_code_which_cannot_be_used_twice(client: httpx.AsyncClient) -> None:
    await make_user("guarded")
    await login(client, "guarded")
    totp = await enrol(client)
    user = await User.get(username="guarded")
    assert user.totp_secret == totp.secret

    first = await password_step(client, "guarded")
    assert first.status_code == 303 and first.headers["location"].endswith("/login/code")
    assert not await logged_in(client)  # the password alone opens nothing
    wrong = await code_step(client, "123456" if totp.now() != "123456" else "654321")
    assert wrong.status_code == 422 and parse(wrong).select_one("#login-code-error") is not None
    # The code that turned it on was for this step already: the next step's code is the one that works.
    code = totp.at(time.time() + totp.interval)
    assert (await code_step(client, code)).status_code == 303
    assert await logged_in(client)

    again = await password_step(client, "guarded")
    assert again.status_code == 303
    replay = await code_step(client, code)
    assert replay.status_code == 422 and not await logged_in(client)


async def test_a_recovery_code_works_as_the_second_factor_once(client: httpx.AsyncClient) -> None:
    token = csrf_from((await client.get("/register")).text)
    registered = await client.post(
        "/register",
        data={"username": "traveller", "password": PASSWORD, "password_confirm": PASSWORD, "csrf_token": token},
    )
    codes = [code.get_text() for code in parse(registered).select("ol.recovery-codes code")]
    await enrol(client)
    await password_step(client, "traveller")
    assert (await code_step(client, codes[3])).status_code == 303 and await logged_in(client)
    await password_step(client, "traveller")
    assert (await code_step(client, codes[3])).status_code == 422 and not await logged_in(client)


async def test_the_second_step_without_a_password_step_goes_back_to_login(client: httpx.AsyncClient) -> None:
    response = await client.get("/login/code")
    assert response.status_code == 303 and "/login?expired=1" in response.headers["location"]
    page = parse(await client.get(response.headers["location"] + "&lang=fa"))
    assert page.select_one("p.notice") is not None


async def test_turning_it_off_needs_the_password(client: httpx.AsyncClient) -> None:
    await make_user("undecided")
    token = await login(client, "undecided")
    await enrol(client)
    refused = await client.post("/profile/two-factor/off", data={"csrf_token": token, "current_password": "no"})
    assert refused.status_code == 422
    off = await client.post("/profile/two-factor/off", data={"csrf_token": token, "current_password": PASSWORD})
    assert off.status_code == 303
    assert (await User.get(username="undecided")).totp_secret is None
    assert (await password_step(client, "undecided")).headers["location"] == "/"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.replace(security={**settings.security.__dict__, "require_2fa_for": ("admin", "moderator")})


@pytest.mark.parametrize("role", [Role.MODERATOR, Role.ADMIN])
async def test_staff_who_must_enrol_cannot_moderate_before(client: httpx.AsyncClient, role: Role) -> None:
    await make_user("staffer", role=role)
    await login(client, "staffer")
    for url in ("/moderation", "/moderation/log"):
        response = await client.get(url)
        assert response.status_code == 303 and response.headers["location"].endswith("/profile/two-factor")
    page = parse(await client.get("/profile/two-factor"))
    assert page.select_one("p.notice") is not None  # says why
    assert page.select_one("form[action$='/two-factor/off']") is None
    await enrol(client)
    assert (await client.get("/moderation")).status_code == 200
    # Once on, staff cannot turn it off.
    token = csrf_from((await client.get("/profile")).text)
    await client.post("/profile/two-factor/off", data={"csrf_token": token, "current_password": PASSWORD})
    assert (await User.get(username="staffer")).totp_secret is not None


async def test_guessing_codes_is_throttled_like_passwords(client: httpx.AsyncClient) -> None:
    await make_user("targeted")
    await login(client, "targeted")
    totp = await enrol(client)
    await password_step(client, "targeted")
    statuses = [(await code_step(client, "000000")).status_code for _ in range(12)]
    assert statuses[0] == 422 and statuses[-1] == 429
    # Even the right code is refused while the limit holds.
    assert (await code_step(client, totp.at(time.time() + totp.interval))).status_code == 429
    assert not await logged_in(client)
