"""Reset links issued by staff or the command line: a day, once, logged."""

from __future__ import annotations

import subprocess
import sys

import httpx
from bs4 import BeautifulSoup

from forum.config import Settings
from forum.models import Action, ModerationAction, Role, User
from tests.factories import csrf_from, login, make_user
from tests.test_cli import ROOT, environment

NEW_PASSWORD = "seven quiet lanterns over the river"


def parse(response: httpx.Response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def reset_link(settings: Settings, name: str) -> subprocess.CompletedProcess[str]:
    """`forum users reset-link NAME`, with the secret the app under test signs with."""
    return subprocess.run(
        [sys.executable, "-m", "forum", "users", "reset-link", name, "--config", str(ROOT / "config.toml")],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
        env={**environment(settings), "FORUM_SECURITY_SECRET_KEY": settings.security.secret_key},
        cwd=ROOT,
    )


async def use_link(client: httpx.AsyncClient, link: str, password: str = NEW_PASSWORD) -> httpx.Response:
    path = "/reset?token=" + link.split("?token=", 1)[1]
    page = await client.get(path)
    if page.status_code != 200:
        return page
    data = {"csrf_token": csrf_from(page.text), "password": password, "password_confirm": password}
    return await client.post(path, data=data)


async def test_a_moderator_issues_a_link_that_works_once(client: httpx.AsyncClient) -> None:
    moderator = await make_user("keeper", role=Role.MODERATOR)
    member = await make_user("lost_everything")
    token = await login(client, "keeper")
    page = await client.post(f"/moderation/members/{member.id}/reset-link", data={"csrf_token": token})
    assert page.status_code == 200
    link_element = parse(page).select_one("code.reset-link")
    assert link_element is not None
    link = link_element.get_text()
    entry = await ModerationAction.get(action=Action.ISSUE_RESET_LINK)
    assert entry.moderator_id == moderator.id and entry.target_user_id == member.id
    assert "Made a password reset link" in (await client.get("/moderation/log")).text

    client.cookies.clear()
    weak = await use_link(client, link, "password123")
    assert weak.status_code == 422
    done = await use_link(client, link)
    assert done.status_code == 303
    assert (await client.get("/my/posts")).status_code == 200
    client.cookies.clear()
    await login(client, "lost_everything", NEW_PASSWORD)
    client.cookies.clear()
    again = await use_link(client, link, "yet another long passphrase here")
    assert again.status_code == 410
    assert (await client.get("/reset?token=forged-token")).status_code == 410
    assert (await client.get("/reset")).status_code == 410


async def test_a_moderator_cannot_reset_another_moderator(client: httpx.AsyncClient) -> None:
    await make_user("keeper", role=Role.MODERATOR)
    other = await make_user("colleague", role=Role.MODERATOR)
    token = await login(client, "keeper")
    refused = await client.post(f"/moderation/members/{other.id}/reset-link", data={"csrf_token": token})
    assert refused.status_code == 403
    assert not await ModerationAction.filter(action=Action.ISSUE_RESET_LINK).exists()


async def test_the_command_prints_a_working_link(client: httpx.AsyncClient, database: Settings) -> None:
    await make_user("admin", role=Role.ADMIN)
    result = reset_link(database, "ADMIN")
    assert result.returncode == 0, result.stderr
    link = result.stdout.strip()
    assert "/reset?token=" in link
    entry = await ModerationAction.get(action=Action.ISSUE_RESET_LINK)
    assert entry.moderator_id is None and entry.target_user_id == (await User.get(username="admin")).id
    assert (await use_link(client, link)).status_code == 303
    client.cookies.clear()
    await login(client, "admin", NEW_PASSWORD)
    unknown = reset_link(database, "nobody-here")
    assert unknown.returncode != 0 and "No account" in unknown.stderr
