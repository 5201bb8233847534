"""Test data built through the same service functions the forum uses."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime, timedelta

import httpx

from forum import markup
from forum.accounts.auth import create_user
from forum.config import Settings
from forum.discussions import posts
from forum.models import Category, Post, Role, Topic, TopicText, TrustLevel, User

PASSWORD = "correct horse battery staple"
_sequence = itertools.count(1)


async def make_user(
    name: str | None = None,
    *,
    role: Role = Role.MEMBER,
    trusted: bool = False,
    level: TrustLevel | None = None,
    language: str | None = None,
    age: timedelta | None = None,
) -> User:
    """A new account; `trusted` (or `level`) sets its trust level, `age` backdates its creation."""
    user = await create_user(name or f"member{next(_sequence)}", PASSWORD, role=role, language=language)
    level = level or (TrustLevel.TRUSTED if trusted else None)
    if level is not None:
        user.trust_level = level
        await user.save(update_fields=["trust_level"])
    if age is not None:
        user.created_at = datetime.now(UTC) - age
        await User.filter(id=user.id).update(created_at=user.created_at)
    return user


async def make_topic(title: str = "A question", *, texts: dict[str, str] | None = None, locked: bool = False) -> Topic:
    category = await Category.first() or await Category.create(
        slug="questions", names={"en": "Questions", "ar": "أسئلة", "fa": "پرسش‌ها"}
    )
    topic = await Topic.create(category=category, locked=locked, last_activity_at=datetime.now(UTC))
    for language, text in (texts or {"en": title}).items():
        body = f"{text}\n\nWhat do you think?"
        await TopicText.create(topic=topic, language=language, title=text, source=body, html=markup.render(body))
    return topic


async def make_reply(
    topic: Topic,
    author: User,
    settings: Settings,
    body: str = "A reply.",
    *,
    parent: Post | None = None,
    language: str | None = None,
) -> Post:
    return await posts.create_reply(
        topic, author, body, settings, parent_id=parent.id if parent else None, language=language
    )


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the page has no CSRF token"
    return match.group(1)


async def login(client: httpx.AsyncClient, username: str, password: str = PASSWORD) -> str:
    """Log in through the form; returns the new session's CSRF token."""
    page = await client.get("/login")
    response = await client.post(
        "/login", data={"username": username, "password": password, "csrf_token": csrf_from(page.text)}
    )
    assert response.status_code == 303, response.text
    return csrf_from((await client.get("/")).text)
