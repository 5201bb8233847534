"""Sessions a member can see and end, password change, recovery codes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from bs4 import BeautifulSoup

from forum import archive
from forum.accounts import sessions
from forum.models import RecoveryCode, Session
from tests.factories import PASSWORD, csrf_from, login, make_user

NEW_PASSWORD = "seven quiet lanterns over the river"
FIREFOX_ANDROID = "Mozilla/5.0 (Android 14; Mobile; rv:128.0) Gecko/128.0 Firefox/128.0"


def parse(response: httpx.Response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


@asynccontextmanager
async def another_browser(client: httpx.AsyncClient, user_agent: str = "") -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=client.app)  # type: ignore[attr-defined]
    headers = {"user-agent": user_agent} if user_agent else {}
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver", headers=headers) as other:
        yield other


async def logged_in(client: httpx.AsyncClient) -> bool:
    return (await client.get("/my/posts")).status_code == 200


async def test_logout_ends_this_session_and_leaves_the_others(client: httpx.AsyncClient) -> None:
    await make_user("two_devices")
    token = await login(client, "two_devices")
    async with another_browser(client, FIREFOX_ANDROID) as phone:
        phone_token = await login(phone, "two_devices")
        assert await Session.all().count() == 2
        assert (await phone.post("/logout", data={"csrf_token": phone_token})).status_code == 303
        assert not await logged_in(phone)
    assert await logged_in(client)
    page = await client.get("/profile/sessions")
    assert page.status_code == 200
    assert len(parse(page).select("table.sessions tbody tr")) == 1
    assert await client.post("/logout", data={"csrf_token": token})
    assert await Session.all().count() == 0


async def test_the_sessions_page_lists_devices_and_ends_one_or_all_others(client: httpx.AsyncClient) -> None:
    await make_user("many")
    token = await login(client, "many")
    async with another_browser(client, FIREFOX_ANDROID) as phone, another_browser(client) as laptop:
        await login(phone, "many")
        await login(laptop, "many")
        page = parse(await client.get("/profile/sessions?lang=fa"))
        rows = page.select("table.sessions tbody tr")
        assert len(rows) == 3
        assert any("Firefox" in row.get_text() and "Android" in row.get_text() for row in rows)
        assert len(page.select("tr.this-session")) == 1
        phone_row = next(row for row in rows if "Android" in row.get_text())
        form = phone_row.find("form")
        assert form is not None
        ended = await client.post(str(form["action"]), data={"csrf_token": token})
        assert ended.status_code == 303
        assert not await logged_in(phone)
        assert await logged_in(laptop) and await logged_in(client)
        response = await client.post("/profile/sessions/others/end", data={"csrf_token": token})
        assert response.status_code == 303
        assert not await logged_in(laptop)
        assert await logged_in(client)


async def test_another_members_session_cannot_be_ended(client: httpx.AsyncClient) -> None:
    await make_user("victim")
    await make_user("prankster")
    async with another_browser(client) as victim:
        await login(victim, "victim")
        victims = await Session.get(user__username="victim")
        token = await login(client, "prankster")
        await client.post(f"/profile/sessions/{victims.id}/end", data={"csrf_token": token})
        assert await logged_in(victim)


def test_devices_are_named_coarsely() -> None:
    assert sessions.device_of(FIREFOX_ANDROID) == "Firefox|Android"
    chrome_windows = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36"
    assert sessions.device_of(chrome_windows) == "Chrome|Windows"
    edge = chrome_windows + " Edg/126.0"
    assert sessions.device_of(edge) == "Edge|Windows"
    iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Version/17.5 Safari/604.1"
    assert sessions.device_of(iphone) == "Safari|iOS"
    assert sessions.device_of("curl/8.0") == "|"


async def test_password_change_needs_the_current_one_and_ends_the_other_sessions(client: httpx.AsyncClient) -> None:
    await make_user("changer")
    token = await login(client, "changer")
    async with another_browser(client) as other:
        await login(other, "changer")
        fields = {"csrf_token": token, "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}
        wrong = await client.post("/profile/password", data={**fields, "current_password": "not my password"})
        assert wrong.status_code == 422
        assert parse(wrong).select_one("#password-current-error") is not None
        weak = await client.post(
            "/profile/password",
            data={**fields, "current_password": PASSWORD, "password": "password123", "password_confirm": "password123"},
        )
        assert weak.status_code == 422 and parse(weak).select_one("#password-new-error") is not None
        changed = await client.post("/profile/password", data={**fields, "current_password": PASSWORD})
        assert changed.status_code == 303
        assert await logged_in(client)
        assert not await logged_in(other)
    client.cookies.clear()
    await login(client, "changer", NEW_PASSWORD)


async def recovery_codes(response: httpx.Response) -> list[str]:
    assert response.status_code == 200
    return [code.get_text() for code in parse(response).select("ol.recovery-codes code")]


async def register(client: httpx.AsyncClient, name: str) -> list[str]:
    token = csrf_from((await client.get("/register")).text)
    response = await client.post(
        "/register", data={"username": name, "password": PASSWORD, "password_confirm": PASSWORD, "csrf_token": token}
    )
    return await recovery_codes(response)


async def recover(client: httpx.AsyncClient, name: str, code: str, password: str = NEW_PASSWORD) -> httpx.Response:
    token = csrf_from((await client.get("/recover")).text)
    fields = {"username": name, "code": code, "password": password, "password_confirm": password}
    return await client.post("/recover", data={**fields, "csrf_token": token})


async def test_a_recovery_code_resets_the_password_once(client: httpx.AsyncClient) -> None:
    codes = await register(client, "forgetful")
    assert len(set(codes)) == 10 and await RecoveryCode.all().count() == 10
    # Only keyed hashes are stored.
    stored = {row.code_hash for row in await RecoveryCode.all()}
    assert not stored & set(codes)
    client.cookies.clear()
    wrong = await recover(client, "forgetful", "aaaa-bbbb-cccc")
    assert wrong.status_code == 422 and parse(wrong).select_one("#recover-code-error") is not None
    assert parse(wrong).select_one("#recover-username")["value"] == "forgetful"  # type: ignore[index]
    # Case, spaces and dashes do not matter.
    reset = await recover(client, "Forgetful", " " + codes[0].upper().replace("-", " "))
    assert reset.status_code == 303 and await logged_in(client)
    client.cookies.clear()
    await login(client, "forgetful", NEW_PASSWORD)
    client.cookies.clear()
    reused = await recover(client, "forgetful", codes[0], "another long passphrase for later")
    assert reused.status_code == 422
    assert await RecoveryCode.all().count() == 9


async def test_a_weak_new_password_does_not_spend_the_code(client: httpx.AsyncClient) -> None:
    codes = await register(client, "careful_one")
    client.cookies.clear()
    weak = await recover(client, "careful_one", codes[1], "password123")
    assert weak.status_code == 422 and parse(weak).select_one("#recover-password-error") is not None
    assert await RecoveryCode.all().count() == 10


async def test_new_codes_replace_the_old_set(client: httpx.AsyncClient) -> None:
    old = await register(client, "renewer")
    token = csrf_from((await client.get("/profile/password")).text)
    refused = await client.post("/profile/recovery-codes", data={"csrf_token": token, "current_password": "nope"})
    assert refused.status_code == 422
    new = await recovery_codes(
        await client.post("/profile/recovery-codes", data={"csrf_token": token, "current_password": PASSWORD})
    )
    assert len(new) == 10 and not set(new) & set(old)
    client.cookies.clear()
    assert (await recover(client, "renewer", old[0])).status_code == 422
    assert (await recover(client, "renewer", new[0])).status_code == 303


async def test_no_address_is_stored_anywhere(client: httpx.AsyncClient, tmp_path: Path) -> None:
    """Registering, logging in, posting and reporting leave the client's address in no table."""
    codes = await register(client, "anonymous_one")
    assert codes
    await make_user("second")
    await login(client, "second")
    export = tmp_path / "everything.jsonl"
    await archive.export(export)
    text = export.read_text("utf-8")
    assert '"table":"sessions"' in text
    assert "127.0.0.1" not in text
