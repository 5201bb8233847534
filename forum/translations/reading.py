"""What readers see of translations: a page's translations in one query, the text each post shows first,
and the language filter that turns the other posts into placeholders."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING

from forum.config import LANGUAGES
from forum.models import Translation, TranslationStatus, User

if TYPE_CHECKING:
    from forum.discussions.threads import Node

# `?read=original` shows every post as written, whatever the reader's preference.
ORIGINAL = "original"
# Where an anonymous reader's "show translations in my language" lasts: the session of their visit.
SESSION_KEY = "prefer_translations"


async def approved_for(post_ids: Iterable[int]) -> dict[int, dict[str, Translation]]:
    """{post id: {language: its current translation}} for these posts, in one query."""
    ids = sorted(set(post_ids))
    found: dict[int, dict[str, Translation]] = defaultdict(dict)
    if not ids:
        return found
    rows = (
        await Translation.filter(post_id__in=ids, status=TranslationStatus.APPROVED)
        .order_by("approved_at", "id")
        .select_related("translator")
    )
    for translation in rows:
        # The newest wins should two approvals of one language have crossed.
        found[translation.post_id][translation.language] = translation
    return found


def read_choice(raw: str | None) -> str | None:
    """A `?read=` value: a language, "original", or None for anything else."""
    return raw if raw in (*LANGUAGES, ORIGINAL) else None


def language_filter(raw: Iterable[str]) -> frozenset[str] | None:
    """The languages of `?only=` (repeated); None when none is valid, which shows every post."""
    chosen = frozenset(code for code in raw if code in LANGUAGES)
    return chosen or None


def apply(
    nodes: list[Node],
    translations: dict[int, dict[str, Translation]],
    read: str | None,
    only: frozenset[str] | None,
    shown_id: int | None = None,
) -> None:
    """Give each node its translations and the text it shows first; mark the posts the filter leaves out.

    A post is kept by the filter when it is written or translated in one of
    `only`; `shown_id` is a post the reader chose to see anyway.
    """
    for node in nodes:
        post = node.post
        node.translations = translations.get(post.id, {})
        if read and read not in (ORIGINAL, node.language) and read in node.translations:
            node.reading = read
        if only is not None and post.id != shown_id and not node.placeholder:
            languages = {node.language, *node.translations}
            node.filtered = not languages & only
            if not node.filtered and node.reading is None and node.language not in only:
                # Kept for a translation: that translation is what the reader can read.
                node.reading = next(code for code in LANGUAGES if code in only and code in node.translations)
        apply(node.children, translations, read, only, shown_id)


def prefers_translations(user: User | None, session: dict[str, object]) -> bool:
    """The member's profile setting, or an anonymous reader's choice for this visit."""
    if user is not None:
        return user.prefer_translations
    return session.get(SESSION_KEY) is True
