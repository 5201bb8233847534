"""A reply typed while the session ends elsewhere, or its form expires, comes back after login with its text."""

from __future__ import annotations

import httpx
import pyotp
from bs4 import BeautifulSoup

from forum.config import Settings
from forum.models import Post
from tests.factories import PASSWORD, csrf_from, login, make_topic, make_user

TEXT = "A long reply, typed with care — نوشته‌ای که نباید گم شود."


def parse(response: httpx.Response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def hidden(page: BeautifulSoup) -> dict[str, str]:
    return {str(field["name"]): str(field.get("value", "")) for field in page.select("form input[type=hidden]")}


async def test_a_reply_sent_after_the_session_ended_comes_back_after_login(
    client: httpx.AsyncClient, database: Settings
) -> None:
    await make_user("writer")
    topic = await make_topic("Solidarity")
    token = await login(client, "writer")
    # Logged out on another device: this session is ended there.
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=client.app),  # type: ignore[attr-defined]
        base_url="http://testserver",
    ) as phone:
        phone_token = await login(phone, "writer")
        sessions_page = parse(await phone.get("/profile/sessions"))
        other = next(row for row in sessions_page.select("tbody tr") if "this-session" not in (row.get("class") or []))
        form = other.find("form")
        assert form is not None
        await phone.post(str(form["action"]), data={"csrf_token": phone_token})

    sent = await client.post(f"/topics/{topic.id}/replies", data={"csrf_token": token, "body": TEXT, "lang": "fa"})
    assert sent.status_code == 403
    page = parse(sent)
    assert page.select_one("#login-username") is not None
    assert page.select_one("p.notice") is not None
    fields = hidden(page)
    assert fields["kept_body"] == TEXT and fields["kept_topic"] == str(topic.id)
    assert await Post.all().count() == 0

    logged_in = await client.post(
        "/login", data={**fields, "username": "writer", "password": PASSWORD, "csrf_token": fields["csrf_token"]}
    )
    assert logged_in.status_code == 200
    form_page = parse(logged_in)
    textarea = form_page.select_one("#reply-body")
    assert textarea is not None and textarea.get_text() == TEXT
    assert form_page.select_one("#reply-lang option[selected]")["value"] == "fa"  # type: ignore[index]
    assert form_page.select_one("form.post-form p.form-error") is not None  # says what happened
    again = await client.post(f"/topics/{topic.id}/replies", data={**hidden(form_page), "body": TEXT, "lang": "fa"})
    assert again.status_code == 303
    assert (await Post.get()).source == TEXT


async def test_an_expired_form_with_a_live_session_comes_back_with_its_text(
    client: httpx.AsyncClient, database: Settings
) -> None:
    await make_user("slow_writer")
    topic = await make_topic("Unions")
    await login(client, "slow_writer")
    sent = await client.post(f"/topics/{topic.id}/replies", data={"csrf_token": "stale-token", "body": TEXT})
    assert sent.status_code == 403
    textarea = parse(sent).select_one("#reply-body")
    assert textarea is not None and textarea.get_text() == TEXT
    assert await Post.all().count() == 0


async def test_a_cross_site_post_is_refused_without_echoing_its_text(
    client: httpx.AsyncClient, database: Settings
) -> None:
    topic = await make_topic("Elections")
    sent = await client.post(
        f"/topics/{topic.id}/replies", data={"body": "planted"}, headers={"sec-fetch-site": "cross-site"}
    )
    assert sent.status_code == 403 and "planted" not in sent.text


async def test_the_reply_survives_a_two_factor_login(client: httpx.AsyncClient, database: Settings) -> None:
    user = await make_user("guarded_writer")
    secret = pyotp.random_base32()
    user.totp_secret = secret
    await user.save(update_fields=["totp_secret"])
    topic = await make_topic("Courts")
    token = csrf_from((await client.get("/login")).text)
    sent = await client.post(f"/topics/{topic.id}/replies", data={"csrf_token": token, "body": TEXT})
    fields = hidden(parse(sent))
    step = await client.post("/login", data={**fields, "username": "guarded_writer", "password": PASSWORD})
    assert step.status_code == 200 and parse(step).select_one("#login-code") is not None
    second = hidden(parse(step))
    assert second["kept_body"] == TEXT
    done = await client.post("/login/code", data={**second, "code": pyotp.TOTP(secret).now()})
    textarea = parse(done).select_one("#reply-body")
    assert textarea is not None and textarea.get_text() == TEXT
