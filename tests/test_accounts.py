from __future__ import annotations

import httpx
import pytest
from argon2 import PasswordHasher
from bs4 import BeautifulSoup

from forum.accounts import auth
from forum.models import User
from tests.factories import PASSWORD, csrf_from, login, make_user


async def register(client: httpx.AsyncClient, username: str, password: str = PASSWORD, **extra: str) -> httpx.Response:
    page = await client.get("/register")
    data = {
        "username": username,
        "password": password,
        "password_confirm": password,
        "csrf_token": csrf_from(page.text),
    }
    return await client.post("/register", data={**data, **extra})


@pytest.mark.parametrize("name", ["sam_o", "نرگس", "سليم.ع", "Élodie-2", "user.name"])
async def test_register_in_any_script_logs_in(client: httpx.AsyncClient, name: str) -> None:
    response = await register(client, name)
    assert response.status_code == 200
    assert len(BeautifulSoup(response.text, "html.parser").select("ol.recovery-codes code")) == 10
    user = await User.get(username=name)
    assert user.password_hash.startswith("$argon2id$")
    assert name in (await client.get("/")).text


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("ab", "3 to 32"),
        ("x" * 33, "3 to 32"),
        ("evil\u202eadmin", "invisible"),
        ("zero\u200bwidth", "invisible"),
        ("bell\x07", "invisible"),
        ("spa ce", "letters, digits"),
        ("<script>", "letters, digits"),
        ("_leading", "starts with a letter"),
    ],
)
async def test_bad_usernames_are_refused_and_kept(client: httpx.AsyncClient, name: str, message: str) -> None:
    response = await register(client, name)
    assert response.status_code == 422
    assert message in response.text
    assert await User.all().count() == 0


@pytest.mark.parametrize(
    ("lookalike", "message"),
    [
        ("ADMIN", "mistaken"),
        ("adm1n", "mistaken"),
        ("a.dmin", "mistaken"),
        ("admіn", "one script"),  # a Cyrillic і among Latin letters
    ],
)
async def test_names_confusable_with_existing_ones_are_refused(
    client: httpx.AsyncClient, lookalike: str, message: str
) -> None:
    await make_user("admin")
    response = await register(client, lookalike)
    assert response.status_code == 422 and message in response.text
    assert await User.all().count() == 1


async def test_short_and_mismatched_passwords_are_refused(client: httpx.AsyncClient) -> None:
    assert "at least 10" in (await register(client, "shorty", "short")).text
    response = await register(client, "typo", PASSWORD, password_confirm=PASSWORD + "!")
    assert response.status_code == 422 and "differ" in response.text
    long_password = " ".join(["a long passphrase of many plain words", PASSWORD] * 5)
    assert (await register(client, "longpass", long_password)).status_code == 200


async def test_login_rotates_the_session_and_logout_ends_it(client: httpx.AsyncClient) -> None:
    await make_user("member")
    before = csrf_from((await client.get("/login")).text)
    after = await login(client, "member")
    assert before != after
    assert (await client.post("/logout", data={"csrf_token": before})).status_code == 403
    assert (await client.post("/logout", data={"csrf_token": after})).status_code == 303
    assert "Log in" in (await client.get("/")).text


async def test_login_is_case_insensitive_and_wrong_passwords_fail(client: httpx.AsyncClient) -> None:
    await make_user("Darya")
    page = await client.get("/login")
    wrong = await client.post(
        "/login", data={"username": "darya", "password": "nope-nope-nope", "csrf_token": csrf_from(page.text)}
    )
    assert wrong.status_code == 422 and "do not match" in wrong.text
    assert "darya" in wrong.text  # the username stays filled in
    await login(client, "DARYA")


async def test_outdated_hashes_are_upgraded_on_login(client: httpx.AsyncClient) -> None:
    user = await make_user("legacy")
    user.password_hash = PasswordHasher(time_cost=1, memory_cost=8192).hash(PASSWORD)
    await user.save()
    await login(client, "legacy")
    assert (await User.get(id=user.id)).password_hash != user.password_hash
    assert not auth.password_hasher().check_needs_rehash((await User.get(id=user.id)).password_hash)


async def test_next_never_leaves_the_site(client: httpx.AsyncClient) -> None:
    await make_user("traveller")
    page = await client.get("/login?next=https://evil.example/")
    response = await client.post(
        "/login",
        data={
            "username": "traveller",
            "password": PASSWORD,
            "csrf_token": csrf_from(page.text),
            "next": "//evil.example",
        },
    )
    assert response.headers["location"] == "/"


async def test_profile_sets_the_interface_language(client: httpx.AsyncClient) -> None:
    await make_user("polyglot")
    token = await login(client, "polyglot")
    response = await client.post("/profile", data={"csrf_token": token, "language": "fa"})
    assert response.status_code == 200 and '<html lang="fa" dir="rtl">' in response.text
    client.cookies.delete("lang")
    assert '<html lang="fa"' in (await client.get("/")).text
    bad = await client.post("/profile", data={"csrf_token": token, "language": "xx"})
    assert bad.status_code == 422


async def test_member_pages_need_a_login(client: httpx.AsyncClient) -> None:
    for url in ("/profile", "/my/posts"):
        response = await client.get(url)
        assert response.status_code == 303 and "/login?next=" in response.headers["location"]


async def test_logging_out_ends_copied_sessions_too(client: httpx.AsyncClient) -> None:
    await make_user("careful")
    token = await login(client, "careful")
    copied = dict(client.cookies)
    assert (await client.post("/logout", data={"csrf_token": token})).status_code == 303
    client.cookies.clear()
    client.cookies.update(copied)
    response = await client.get("/my/posts")
    assert response.status_code == 303 and "/login" in response.headers["location"]
