"""Topics opened by moderators (and by trusted members where allowed), edited by moderators:
a title and Markdown body in one or more languages."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from tortoise.transactions import in_transaction

from forum import identity, markup, text
from forum.config import LANGUAGES, Settings
from forum.errors import PermissionDenied, ValidationFailed
from forum.i18n import gettext
from forum.models import Action, Category, Topic, TopicText, User
from forum.moderation import actions
from forum.notifications import following
from forum.search import index as search_index
from forum.trust import levels

TITLE_MAX = 300
BODY_MAX = 20000


def clean_texts(fields: Mapping[str, str]) -> dict[str, tuple[str, str]]:
    """{language: (title, body)} from form fields title_en, body_en, …; ValidationFailed when unusable."""
    texts: dict[str, tuple[str, str]] = {}
    errors: dict[str, str] = {}
    for language in LANGUAGES:
        title = " ".join(text.normalise(fields.get(f"title_{language}", "")).split())
        body = text.normalise(fields.get(f"body_{language}", ""))
        if text.is_blank(title) and text.is_blank(body):
            continue
        if text.is_blank(title) or len(title) > TITLE_MAX:
            errors[f"title_{language}"] = gettext("A title of 1 to 300 characters is needed.")
        elif identity.hidden_characters(title):
            # Refused rather than removed: the moderator sees what was pasted and decides.
            errors[f"title_{language}"] = gettext(
                "A title cannot contain invisible or direction-changing characters"
                " (a zero-width non-joiner between two letters is fine)."
            )
        if text.is_blank(body) or len(body) > BODY_MAX:
            errors[f"body_{language}"] = gettext("A text of 1 to 20,000 characters is needed.")
        texts[language] = (title, body)
    if not texts and not errors:
        errors[""] = gettext("Write the topic in at least one of the three languages.")
    if errors:
        raise ValidationFailed(errors, dict(fields))
    return texts


async def create_topic(author: User, category_id: int, fields: Mapping[str, str], settings: Settings) -> Topic:
    """Open a topic; logged in the audit log.

    Raises PermissionDenied when the author may not open topics in that category (see trust.levels).
    """
    texts = clean_texts(fields)
    category = await Category.get_or_none(id=category_id)
    if category is None:
        raise ValidationFailed({"category": gettext("Choose a category.")}, dict(fields))
    if not levels.may_open_topics(author, category, settings):
        raise PermissionDenied(gettext("You cannot open topics in this category."))
    # Rendered before the transaction, which holds the database's write lock.
    html = {lang: await markup.render_async(body) for lang, (_, body) in texts.items()}
    async with in_transaction():
        topic = await Topic.create(category=category, author=author, last_activity_at=datetime.now(UTC))
        await TopicText.bulk_create(
            [
                TopicText(topic=topic, language=lang, title=title, source=body, html=html[lang])
                for lang, (title, body) in texts.items()
            ]
        )
        await actions.log(author, Action.CREATE_TOPIC, topic_id=topic.id)
        await search_index.sync_topics([topic.id])
    # Its author hears of the replies, as if they had replied (unless they chose otherwise).
    await following.watch_after_reply(author, topic.id)
    return topic


async def edit_topic(topic: Topic, moderator: User, fields: Mapping[str, str]) -> None:
    """Replace the topic's texts (a language left empty is removed); logged in the audit log."""
    texts = clean_texts(fields)
    html = {lang: await markup.render_async(body) for lang, (_, body) in texts.items()}
    async with in_transaction():
        await TopicText.filter(topic=topic).exclude(language__in=list(texts)).delete()
        existing = {t.language: t for t in await TopicText.filter(topic=topic)}
        for lang, (title, body) in texts.items():
            row = existing.get(lang) or TopicText(topic=topic, language=lang)
            row.title, row.source, row.html = title, body, html[lang]
            await row.save()
        await Topic.filter(id=topic.id).update(texts_changed_at=datetime.now(UTC))
        await actions.log(moderator, Action.EDIT_TOPIC, topic_id=topic.id)
        await search_index.sync_topics([topic.id])
