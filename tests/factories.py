"""Test data built through the same service functions the forum uses."""

from __future__ import annotations

import contextlib
import itertools
import os
import re
from datetime import UTC, datetime, timedelta

import httpx
from tortoise import connections

from forum import db, markup, seed
from forum.accounts import recovery
from forum.accounts.auth import create_user
from forum.config import Settings, secret_key
from forum.discussions import posts, topics
from forum.models import Category, Post, Role, Session, Topic, TopicText, TrustLevel, User
from forum.moderation import actions
from forum.notifications import drafts, feed
from forum.translations import service as translations
from forum.translations import topic_texts

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


async def make_forum(settings: Settings) -> dict[str, User]:
    """A forum with a row in every table and every kind of state: the seeded topics and demo thread,
    nested replies in three languages, pending, rejected, hidden and deleted posts, an edit and an
    edit awaiting approval, flags open and resolved, a locked topic, a suspension and the audit log.
    Returns the accounts by role; every one logs in with PASSWORD."""
    await seed.seed_topics()
    await seed.seed_demo(settings)
    admin = await make_user("admin-one", role=Role.ADMIN)
    moderator = await make_user("شیرین", role=Role.MODERATOR, language="fa")
    member = await make_user("member-new", language="ar")
    trusted = await make_user("Omar", trusted=True, language="en")
    suspended = await make_user("to-suspend", trusted=True)
    category = await Category.first()
    assert category is not None
    topic = await topics.create_topic(
        moderator,
        category.id,
        {"title_en": "Joint action", "body_en": "How?", "title_fa": "اقدام مشترک", "body_fa": "چگونه؟"},
        settings,
    )
    root = await make_reply(topic, moderator, settings, "**Root** reply with a [link](https://example.org)")
    answer = await make_reply(topic, member, settings, "ردّ على الجذر", parent=root, language="ar")
    answer = await actions.approve(answer.id, moderator)
    await make_reply(topic, member, settings, "Still waiting for a moderator.", parent=answer)
    rejected = await make_reply(topic, member, settings, "Rejected words.")
    await actions.reject(rejected.id, moderator, "Off topic, please stay with the question.")
    deep = await make_reply(topic, trusted, settings, "پاسخی عمیق‌تر", parent=answer, language="fa")
    await posts.edit_post(deep, trusted, "پاسخی عمیق‌تر، ویرایش‌شده", settings, language="fa")
    await posts.edit_post(answer, member, "ردّ معدّل ينتظر الموافقة", settings, language="ar")
    deleted = await make_reply(topic, trusted, settings, "Said in haste.")
    await posts.delete_post(deleted, trusted)
    hidden = await make_reply(topic, trusted, settings, "Something hurtful.")
    await actions.flag(hidden, member, "abuse", "", settings)
    await actions.hide(hidden.id, moderator, "abuse", "Insults")
    flagged = await make_reply(topic, suspended, settings, "Buy now!")
    await actions.flag(flagged, trusted, "spam", "", settings)
    await actions.flag(root, member, "other", "Wrong link?", settings)
    await actions.dismiss_flags(root.id, moderator)
    await actions.suspend(suspended, moderator, datetime.now(UTC) + timedelta(days=7), "spam", "Advertising")
    locked = await Topic.exclude(id=topic.id).first()
    assert locked is not None
    await actions.set_locked(locked.id, moderator, True, "heated", "A pause")
    await recovery.new_codes(member, secret_key(settings))
    await Session.create(id="0" * 64, user=member, device="Firefox|Android", last_seen_at=datetime.now(UTC))
    # Notices came with the replies and decisions; a draft and a member's own settings complete the tables.
    await drafts.save(member, topic.id, root.id, "نصف فكرة…", "ar")
    await feed.regenerate(trusted)
    # Translations: a current one with an earlier version, one waiting, and a reader asking for another.
    await translations.offer_translation(answer, trusted, "Reply to the root", "en", settings)
    current = await translations.offer_translation(answer, moderator, "Replying to the root", "en", settings)
    await translations.flag_translation(current, member, "other", "Not what the reply says", settings)
    await translations.offer_translation(root, member, "**پاسخ** اصلی", "fa", settings)
    await translations.request_translation(root, member, "ar")
    await topic_texts.offer_topic_text(topic, member, "ar", "عمل مشترك", "كيف؟", settings)
    return {"admin": admin, "moderator": moderator, "member": member, "trusted": trusted}


async def empty_database(settings: Settings) -> None:
    """No tables at all, so that the migrations can be applied from the start (later ones are not reversible)."""
    if settings.database_url.startswith("postgres"):
        await connections.get("default").execute_script("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        return
    await db.close()
    path = settings.database_url.removeprefix("sqlite://")
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.remove(path + suffix)
    await db.connect(settings)
