"""The translations' write path: offer through the posts' pipeline, approve or reject, replace, hide, ask for one.

A translation is a row per version: the current one is the approved row of its
post and language, and approving a newer version marks the earlier one
replaced, which keeps it as history. Every change that alters what readers see
updates the search index in the same transaction.
"""

from __future__ import annotations

import contextlib
import dataclasses
from datetime import UTC, datetime

from tortoise.exceptions import IntegrityError
from tortoise.functions import Count
from tortoise.transactions import in_transaction

from forum import markup
from forum.config import LANGUAGES, Settings
from forum.discussions import posts
from forum.errors import NotFound, PermissionDenied, ValidationFailed
from forum.i18n import gettext
from forum.labels import REASON_CODES
from forum.models import (
    Action,
    FlagReason,
    Post,
    PostStatus,
    Translation,
    TranslationFlag,
    TranslationRequest,
    TranslationStatus,
    User,
)
from forum.moderation import actions
from forum.moderation.actions import AlreadyHandled
from forum.notifications import notices
from forum.search import index as search_index
from forum.trust import flags as flag_weights

# Wanted translations listed at once; the most asked for come first.
WANTED_LIMIT = 100
# Versions on the history page of one translation.
HISTORY_LIMIT = 100


def check_language(post: Post, language: str, values: dict[str, str]) -> None:
    if language not in LANGUAGES or language == post.language:
        raise ValidationFailed(
            {"lang": gettext("Choose a language other than the one the post is written in.")}, values
        )


async def get_translatable(post_id: int) -> Post:
    """A published post (its author and topic loaded), or NotFound: only what everyone reads is translated."""
    post = await Post.get_or_none(id=post_id, status=PostStatus.APPROVED).select_related("author", "topic")
    if post is None:
        raise NotFound()
    return post


async def offer_translation(
    post: Post, translator: User, source: str, language: str, settings: Settings
) -> Translation:
    """Store a translation of `post` with the status the moderation policy gives its translator.

    Approved at once, it becomes the current translation (the earlier one is kept
    as history). Raises PermissionDenied for a suspended translator and
    ValidationFailed for a language the post is written in, or a bad body.
    """
    values = {"body": source, "lang": language}
    posts.ensure_can_post(translator)
    check_language(post, language, values)
    body = posts.clean_body(source, settings, values)
    html = await markup.render_async(body)
    posts.check_links(html, translator, settings, values)
    approved = actions.initial_status(translator, settings) == PostStatus.APPROVED
    now = datetime.now(UTC)
    async with in_transaction():
        translation = await Translation.create(
            post=post,
            language=language,
            translator=translator,
            source=body,
            html=html,
            status=TranslationStatus.APPROVED if approved else TranslationStatus.PENDING,
            approved_at=now if approved else None,
        )
        if approved:
            await _make_current(translation, now)
    return translation


async def _make_current(translation: Translation, now: datetime) -> None:
    """The earlier approved version of the same post and language becomes history; the index follows."""
    await (
        Translation.filter(
            post_id=translation.post_id, language=translation.language, status=TranslationStatus.APPROVED
        )
        .exclude(id=translation.id)
        .update(status=TranslationStatus.REPLACED, changed_at=now)
    )
    await search_index.sync_posts([translation.post_id])
    await notices.translation_published(translation, translation.post.author_id)


async def _transition(translation_id: int, expected: TranslationStatus, **changes: object) -> Translation:
    if not await Translation.filter(id=translation_id, status=expected).update(**changes):
        raise AlreadyHandled()
    return await Translation.get(id=translation_id).select_related("post", "translator")


async def approve_translation(translation_id: int, moderator: User) -> Translation:
    """Publish a pending translation as the current one; raises AlreadyHandled when it no longer waits."""
    now = datetime.now(UTC)
    async with in_transaction():
        translation = await _transition(
            translation_id,
            TranslationStatus.PENDING,
            status=TranslationStatus.APPROVED,
            approved_at=now,
            approved_by_id=moderator.id,
            changed_at=now,
        )
        await _make_current(translation, now)
        await actions.log(moderator, Action.APPROVE_TRANSLATION, post=translation.post, target=translation.translator)
    return translation


async def reject_translation(translation_id: int, moderator: User, reason: str) -> Translation:
    """Refuse a pending translation with a reason its translator will read."""
    reason = reason.strip()
    if not reason:
        raise ValidationFailed({"reason": gettext("Say why, so that the author can understand the decision.")})
    async with in_transaction():
        translation = await _transition(
            translation_id, TranslationStatus.PENDING, status=TranslationStatus.REJECTED, reject_reason=reason
        )
        await actions.log(
            moderator, Action.REJECT_TRANSLATION, post=translation.post, target=translation.translator, reason=reason
        )
    return translation


async def hide_translation(
    translation_id: int, moderator: User | None, reason_code: str, reason: str = ""
) -> Translation:
    """Take a published translation out of view (the original stays); the index forgets its words.

    `moderator` None: readers' reports hid it. A moderator also keeps one that
    reports hid; either way a moderator's decision closes the open reports.
    """
    if reason_code not in REASON_CODES:
        raise ValidationFailed({"reason_code": gettext("Choose a reason.")})
    now = datetime.now(UTC)
    async with in_transaction():
        kept = (
            moderator is not None
            and await TranslationFlag.filter(
                translation_id=translation_id, resolved_at=None, translation__status=TranslationStatus.HIDDEN
            ).exists()
        )
        if kept:
            translation = await Translation.get(id=translation_id).select_related("post", "translator")
        else:
            translation = await _transition(
                translation_id, TranslationStatus.APPROVED, status=TranslationStatus.HIDDEN, changed_at=now
            )
        if moderator is not None:
            await TranslationFlag.filter(translation_id=translation_id, resolved_at=None).update(resolved_at=now)
        await search_index.sync_posts([translation.post_id])
        await actions.log(
            moderator,
            Action.HIDE_TRANSLATION,
            post=translation.post,
            target=translation.translator,
            reason_code=reason_code,
            reason=reason,
        )
    return translation


async def flag_translation(translation: Translation, reader: User, reason: str, text: str, settings: Settings) -> None:
    """Record a reader's report on a published translation, weighed by their trust; reports that weigh
    `[trust] hide_at_flag_weight` hide it until a moderator decides."""
    posts.ensure_can_post(reader)
    if translation.translator_id == reader.id:
        raise PermissionDenied(gettext("You cannot flag your own post."))
    if reason not in FlagReason.__members__.values():
        raise ValidationFailed({"reason": gettext("Choose a reason.")}, {"reason": reason, "text": text})
    text = text.strip()[:1000]
    if reason == FlagReason.OTHER and not text:
        raise ValidationFailed(
            {"text": gettext("Say briefly what is wrong with this post.")}, {"reason": reason, "text": text}
        )
    weight = flag_weights.flag_weight(reader, settings)
    with contextlib.suppress(IntegrityError):
        async with in_transaction():
            await TranslationFlag.create(
                translation=translation, user=reader, reason=FlagReason(reason), text=text, weight=weight
            )
    reports = await TranslationFlag.filter(translation_id=translation.id, resolved_at=None).only("id", "weight")
    if weight and sum(report.weight for report in reports) >= settings.trust.hide_at_flag_weight:
        with contextlib.suppress(AlreadyHandled):
            await hide_translation(translation.id, None, "flagged")


async def dismiss_translation_flags(translation_id: int, moderator: User) -> Translation:
    """Close the open reports on a translation; one that the reports hid is published again."""
    now = datetime.now(UTC)
    async with in_transaction():
        if not await TranslationFlag.filter(translation_id=translation_id, resolved_at=None).update(resolved_at=now):
            raise AlreadyHandled()
        translation = await Translation.get(id=translation_id).select_related("post", "translator")
        if translation.status == TranslationStatus.HIDDEN:
            await Translation.filter(id=translation_id).update(status=TranslationStatus.APPROVED, changed_at=now)
            translation.status = TranslationStatus.APPROVED
            await _make_current(translation, now)
    return translation


async def flagged_translations(limit: int = 50) -> list[tuple[Translation, list[TranslationFlag]]]:
    """Translations with open reports, oldest report first, with those reports (two queries)."""
    reports = await TranslationFlag.filter(resolved_at=None).order_by("id").limit(limit * 5)
    by_translation: dict[int, list[TranslationFlag]] = {}
    for report in reports:
        by_translation.setdefault(report.translation_id, []).append(report)
    ids = list(by_translation)[:limit]
    rows = {t.id: t for t in await Translation.filter(id__in=ids).select_related("post", "post__author", "translator")}
    return [(rows[i], by_translation[i]) for i in ids if i in rows]


async def pending_translations(limit: int = 50) -> list[Translation]:
    """Translations waiting for a moderator, oldest first, each with its post, the post's author and the translator."""
    return await (
        Translation.filter(status=TranslationStatus.PENDING)
        .order_by("id")
        .limit(limit)
        .select_related("post", "post__author", "translator")
    )


async def history(post: Post, language: str) -> list[Translation]:
    """Every published version of the post's translation into `language`, newest first (hidden ones are left out)."""
    return await (
        Translation.filter(
            post_id=post.id, language=language, status__in=[TranslationStatus.APPROVED, TranslationStatus.REPLACED]
        )
        .order_by("-approved_at", "-id")
        .limit(HISTORY_LIMIT)
        .select_related("translator")
    )


async def current_translation(post: Post, language: str) -> Translation | None:
    return await (
        Translation.filter(post_id=post.id, language=language, status=TranslationStatus.APPROVED)
        .order_by("-approved_at", "-id")
        .first()
        .select_related("translator")
    )


async def request_translation(post: Post, reader: User, language: str) -> None:
    """Record that `reader` would like to read `post` in `language` (asking twice counts once)."""
    check_language(post, language, {})
    with contextlib.suppress(IntegrityError):
        async with in_transaction():
            await TranslationRequest.create(post=post, user=reader, language=language)


@dataclasses.dataclass(frozen=True)
class Wanted:
    post: Post
    language: str
    asks: int


async def wanted(languages: list[str]) -> list[Wanted]:
    """Published posts readers asked to read in one of `languages` with no published translation there yet,
    most asked for first; three queries however many were asked for."""
    rows = await (
        TranslationRequest.filter(language__in=languages, post__status=PostStatus.APPROVED)
        .annotate(asks=Count("id"))
        .group_by("post_id", "language")
        .order_by("-asks", "post_id")
        .limit(WANTED_LIMIT * 2)
        .values_list("post_id", "language", "asks")
    )
    post_ids = {int(row[0]) for row in rows}
    done = set(
        await Translation.filter(post_id__in=post_ids, status=TranslationStatus.APPROVED).values_list(
            "post_id", "language"
        )
    )
    shown = [(int(p), str(lang), int(asks)) for p, lang, asks in rows if (p, lang) not in done][:WANTED_LIMIT]
    by_id = {
        post.id: post for post in await Post.filter(id__in=[row[0] for row in shown]).select_related("author", "topic")
    }
    return [Wanted(by_id[p], lang, asks) for p, lang, asks in shown if p in by_id]
