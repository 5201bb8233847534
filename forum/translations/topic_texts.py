"""A topic's text offered by a member in a language the topic lacks: checked as topics are, moderated as
translations are, and on approval one more of the topic's texts."""

from __future__ import annotations

from datetime import UTC, datetime

from tortoise.transactions import in_transaction

from forum import markup
from forum.config import LANGUAGES, Settings
from forum.discussions import posts
from forum.discussions.topics import clean_texts
from forum.errors import ValidationFailed
from forum.i18n import gettext
from forum.models import Action, PostStatus, Topic, TopicText, TopicTranslation, TranslationStatus, User
from forum.moderation import actions
from forum.moderation.actions import AlreadyHandled
from forum.search import index as search_index


def missing_languages(topic: Topic) -> list[str]:
    """The languages the topic has no text in (its texts prefetched)."""
    present = {text.language for text in topic.texts}
    return [code for code in LANGUAGES if code not in present]


async def offer_topic_text(
    topic: Topic, translator: User, language: str, title: str, body: str, settings: Settings
) -> TopicTranslation:
    """Store a member's title and text for `topic` in `language`, with the status the policy gives them.

    Raises ValidationFailed for a language the topic already has, or an unusable title or text.
    """
    values = {"lang": language, f"title_{language}": title, f"body_{language}": body}
    posts.ensure_can_post(translator)
    present = {text.language for text in await TopicText.filter(topic_id=topic.id).only("id", "language")}
    if language not in LANGUAGES or language in present:
        raise ValidationFailed({"lang": gettext("This topic already has a text in that language.")}, values)
    [(clean_title, clean_body)] = clean_texts({f"title_{language}": title, f"body_{language}": body}).values()
    html = await markup.render_async(clean_body)
    approved = actions.initial_status(translator, settings) == PostStatus.APPROVED
    now = datetime.now(UTC)
    async with in_transaction():
        offer = await TopicTranslation.create(
            topic=topic,
            language=language,
            translator=translator,
            title=clean_title,
            source=clean_body,
            html=html,
            status=TranslationStatus.APPROVED if approved else TranslationStatus.PENDING,
            approved_at=now if approved else None,
        )
        if approved:
            await _publish(offer, now)
    return offer


async def _publish(offer: TopicTranslation, now: datetime) -> None:
    """The offer becomes the topic's text in its language, unless one appeared meanwhile."""
    if await TopicText.exists(topic_id=offer.topic_id, language=offer.language):
        raise AlreadyHandled()
    await TopicText.create(
        topic_id=offer.topic_id, language=offer.language, title=offer.title, source=offer.source, html=offer.html
    )
    await Topic.filter(id=offer.topic_id).update(texts_changed_at=now)
    await search_index.sync_topics([offer.topic_id])


async def decide_topic_text(offer_id: int, moderator: User, approve: bool, reason: str = "") -> TopicTranslation:
    """Publish a pending topic text, or refuse it with a reason; AlreadyHandled when it no longer waits."""
    reason = reason.strip()
    if not approve and not reason:
        raise ValidationFailed({"reason": gettext("Say why, so that the author can understand the decision.")})
    now = datetime.now(UTC)
    async with in_transaction():
        changes: dict[str, object] = (
            {"status": TranslationStatus.APPROVED, "approved_at": now, "approved_by_id": moderator.id}
            if approve
            else {"status": TranslationStatus.REJECTED, "reject_reason": reason}
        )
        if not await TopicTranslation.filter(id=offer_id, status=TranslationStatus.PENDING).update(**changes):
            raise AlreadyHandled()
        offer = await TopicTranslation.get(id=offer_id).select_related("translator")
        if approve:
            await _publish(offer, now)
        action = Action.APPROVE_TRANSLATION if approve else Action.REJECT_TRANSLATION
        await actions.log(moderator, action, topic_id=offer.topic_id, target=offer.translator, reason=reason)
    return offer


async def pending_topic_texts(limit: int = 50) -> list[TopicTranslation]:
    """Topic texts waiting for a moderator, oldest first, with their topic's texts and the translator."""
    return await (
        TopicTranslation.filter(status=TranslationStatus.PENDING)
        .order_by("id")
        .limit(limit)
        .select_related("translator", "topic")
        .prefetch_related("topic__texts")
    )
