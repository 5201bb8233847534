"""Seeding: the categories and topics of the community's open questions, a demo thread, the first admin."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

from tortoise.transactions import in_transaction

from forum import markup
from forum.accounts.auth import create_user, username_key
from forum.config import Settings
from forum.discussions import posts
from forum.models import Category, Post, Role, Topic, TopicText, TrustLevel, User
from forum.search import index as search_index
from forum.seed_data import CATEGORIES, DEMO_THREAD, DEMO_USERS, TOPICS

ADMIN_NAME = "admin"


async def seed_topics() -> int:
    """Create the seeded categories and topics that do not exist yet; returns how many topics were made.

    Existing ones are left as they are, so running it again changes nothing,
    not even texts a moderator has edited since.
    """
    created = 0
    async with in_transaction():
        categories = {category.slug: category for category in await Category.all()}
        for position, data in enumerate(CATEGORIES):
            if data["slug"] not in categories:
                categories[data["slug"]] = await Category.create(
                    slug=data["slug"], position=position, names=data["names"], descriptions=data["descriptions"]
                )
        existing = set(await Topic.filter(seed_key__not_isnull=True).values_list("seed_key", flat=True))
        for data in TOPICS:
            if data["key"] in existing:
                continue
            topic = await Topic.create(
                category=categories[data["category"]], seed_key=data["key"], last_activity_at=datetime.now(UTC)
            )
            await TopicText.bulk_create(
                [
                    TopicText(
                        topic=topic,
                        language=language,
                        title=text["title"],
                        source=text["body"],
                        html=markup.render(text["body"]),
                    )
                    for language, text in data["texts"].items()
                ]
            )
            await search_index.sync_topics([topic.id])
            created += 1
    return created


async def seed_demo(settings: Settings) -> int:
    """Add the demo thread (invented members, replies nested in three languages) once; returns replies made."""
    topic = await Topic.get_or_none(seed_key=DEMO_THREAD["topic"])
    if topic is None:
        return 0
    users = {}
    for data in DEMO_USERS:
        user = await User.get_or_none(username_key=username_key(data["username"]))
        if user is None:
            # Demo members cannot log in (nobody knows the password) and skip the queue.
            user = await create_user(data["username"], secrets.token_urlsafe(24), language=data["language"])
            user.trust_level = TrustLevel.MEMBER
            await user.save(update_fields=["trust_level"])
        users[data["username"]] = user
    if await Post.filter(topic=topic, author_id__in=[u.id for u in users.values()]).exists():
        return 0
    return await _add_replies(topic, DEMO_THREAD["replies"], None, users, settings)


async def _add_replies(
    topic: Topic, replies: list[dict[str, Any]], parent: Post | None, users: dict[str, User], settings: Settings
) -> int:
    made = 0
    for data in replies:
        post = await posts.create_reply(
            topic,
            users[data["author"]],
            data["body"],
            settings,
            parent_id=parent.id if parent else None,
            language=data["lang"],
        )
        made += 1 + await _add_replies(topic, data.get("replies", []), post, users, settings)
    return made


async def ensure_admin() -> str | None:
    """Create the first admin when there is none; returns its one-time password, else None."""
    if await User.filter(role=Role.ADMIN).exists():
        return None
    password = secrets.token_urlsafe(15)
    await create_user(ADMIN_NAME, password, role=Role.ADMIN)
    return password
