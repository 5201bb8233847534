"""The write path: check, normalise, render once, store, and set the status the policy gives."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from forum import markup, text
from forum.config import LANGUAGES, Settings
from forum.discussions.threads import path_segment
from forum.errors import NotFound, PermissionDenied, ValidationFailed
from forum.i18n import format_number, gettext, ngettext
from forum.models import Post, PostStatus, Revision, Topic, TopicText, User
from forum.moderation import actions
from forum.notifications import drafts, following, mentions, notices
from forum.search import index as search_index
from forum.trust import levels

# Deeper replies attach beside their parent: the stored path must stay bounded.
MAX_STORED_DEPTH = 60
# bleach writes every tag it keeps as "<name" and escapes every "<" of the text, so this finds exactly the links.
_LINK = re.compile(r"<a[\s>]")
# A member's recent posts compared with a new one; the reply rate limits keep the real number far lower.
MAX_RECENT_COMPARED = 100
# Earlier versions on one page of a post's history.
HISTORY_PAGE = 20


def clean_body(source: str, settings: Settings, values: dict[str, str]) -> str:
    """The normalised body, or ValidationFailed (with the form's values kept) saying what is wrong."""
    body = text.normalise(source)
    if text.is_blank(body):
        raise ValidationFailed({"body": gettext("Write something before sending.")}, values)
    limit = settings.posts.max_length
    if len(body) > limit:
        raise ValidationFailed(
            {
                "body": gettext(
                    "This text has %(length)s characters; a post can have at most %(limit)s. "
                    "Shorten it or split it into several replies.",
                    length=format_number(len(body)),
                    limit=format_number(limit),
                )
            },
            values,
        )
    return body


def check_links(html: str, author: User, settings: Settings, values: dict[str, str]) -> None:
    """ValidationFailed when a member not yet trusted put more links in a post than `max_links_untrusted`.

    Counted in the rendered HTML, so that bare addresses made into links count too; mentions
    of members do not count (they have a limit of their own, see render_post).
    """
    limit = settings.moderation.max_links_untrusted
    links = len(_LINK.findall(html)) - mentions.count_in(html)
    if levels.is_premoderated(author, settings) and links > limit:
        message = ngettext(
            "Until some of your posts have been approved, a post can contain at most %(limit)s link. "
            "Remove some links and send again.",
            "Until some of your posts have been approved, a post can contain at most %(limit)s links. "
            "Remove some links and send again.",
            limit,
            limit=format_number(limit),
        )
        raise ValidationFailed({"body": message}, values)


async def ensure_not_repeated(author: User, body: str, settings: Settings, values: dict[str, str]) -> None:
    """ValidationFailed when `author` posted the same text (spacing and case aside) within the configured window.

    Catches a form sent twice and the same message sprayed over several
    topics. Two copies sent at the same instant are stopped earlier, by the
    reply rate limit.
    """
    window = settings.posts.duplicate_window_seconds
    if not window:
        return
    since = datetime.now(UTC) - timedelta(seconds=window)
    recent = (
        await Post.filter(author_id=author.id, created_at__gte=since)
        .exclude(status=PostStatus.DELETED)
        .order_by("-id")
        .limit(MAX_RECENT_COMPARED)
        .values_list("source", flat=True)
    )
    wanted = _comparable(body)
    if any(_comparable(str(source)) == wanted for source in recent):
        raise ValidationFailed(
            {
                "body": gettext(
                    "You posted this same text a few minutes ago, so it was not posted again. "
                    "Change it if you meant to write a new reply."
                )
            },
            values,
        )


def _comparable(body: str) -> str:
    return " ".join(body.split()).casefold()


def mention_limit(author: User, settings: Settings) -> int:
    if levels.is_premoderated(author, settings):
        return min(settings.moderation.max_mentions_untrusted, mentions.MAX_MENTIONS)
    return mentions.MAX_MENTIONS


async def render_post(body: str, author: User, settings: Settings) -> str:
    """The post's HTML, with `@name` linked for the members it names (at most mention_limit of them)."""
    return await markup.render_async(body, await mentions.resolve([body]), mention_limit(author, settings))


def choose_language(requested: str | None, body: str) -> str:
    return requested if requested in LANGUAGES else text.detect_language(body)


def ensure_can_post(user: User) -> None:
    if user.suspended_until and user.suspended_until > datetime.now(UTC):
        raise PermissionDenied(gettext("Your account is suspended, so you cannot post or flag for now."))


async def create_reply(
    topic: Topic,
    author: User,
    source: str,
    settings: Settings,
    *,
    parent_id: int | None = None,
    language: str | None = None,
) -> Post:
    """Store a reply to `topic` (or to one of its posts) with the status the moderation policy gives.

    Raises PermissionDenied for a locked topic or a suspended author, NotFound
    for an unknown or unreadable parent, and ValidationFailed for a bad body: empty, too long, the
    author's same text again, or more links than a new member may post.
    """
    values = {"body": source, "parent_id": str(parent_id or ""), "lang": language or ""}
    ensure_can_post(author)
    if topic.locked:
        raise PermissionDenied(gettext("This topic is locked: it takes no new replies."))
    body = clean_body(source, settings, values)
    parent = None
    if parent_id is not None:
        parent = await Post.get_or_none(id=parent_id)
        if parent is None or parent.topic_id != topic.id:
            raise ValidationFailed({"parent_id": gettext("The post you are replying to is not in this topic.")}, values)
        readable = parent.status == PostStatus.APPROVED or (
            parent.author_id == author.id and parent.status == PostStatus.PENDING
        )
        if not readable:
            raise ValidationFailed(
                {"parent_id": gettext("The post you are replying to has been removed or is not visible.")}, values
            )
        while parent.depth >= MAX_STORED_DEPTH and parent.parent_id:
            parent = await Post.get(id=parent.parent_id)
    await ensure_not_repeated(author, body, settings, values)
    language = choose_language(language, body)
    html = await render_post(body, author, settings)
    check_links(html, author, settings, values)
    status = actions.initial_status(author, settings)
    now = datetime.now(UTC)
    async with in_transaction():
        post = await Post.create(
            topic=topic,
            parent=parent,
            author=author,
            language=language,
            source=body,
            html=html,
            status=status,
            depth=parent.depth + 1 if parent else 0,
            approved_at=now if status == PostStatus.APPROVED else None,
        )
        post.root_id = parent.root_id if parent else post.id
        post.path = f"{parent.path}/{path_segment(post.id)}" if parent else path_segment(post.id)
        await post.save(update_fields=["root_id", "path"])
        if status == PostStatus.APPROVED:
            await actions.count_approved(post, author, now)
            await search_index.sync_posts([post.id])
            await notices.post_published(post)
        await drafts.discard(author, topic.id, parent_id)
    await following.watch_after_reply(author, topic.id)
    return post


def ensure_may_edit(post: Post, user: User) -> None:
    """Only the author edits a post: moderators hide or restore, but never put words in a member's mouth."""
    if post.author_id != user.id:
        raise PermissionDenied(gettext("You can edit only your own posts."))


async def edit_post(post: Post, editor: User, source: str, settings: Settings, language: str | None = None) -> Post:
    """Change a post's text, keeping the earlier version as a revision.

    For an author still under pre-moderation the new text waits for approval
    while the approved version stays visible.
    """
    values = {"body": source, "lang": language or ""}
    ensure_can_post(editor)
    ensure_may_edit(post, editor)
    if post.status in (PostStatus.DELETED, PostStatus.REJECTED, PostStatus.HIDDEN):
        raise PermissionDenied(gettext("This post can no longer be edited."))
    body = clean_body(source, settings, values)
    language = choose_language(language, body)
    html = await render_post(body, editor, settings)
    check_links(html, editor, settings, values)
    now = datetime.now(UTC)
    queued = post.status == PostStatus.APPROVED and actions.initial_status(editor, settings) == PostStatus.PENDING
    if queued:
        # The earlier version becomes a revision when a moderator approves the edit.
        post.pending_source, post.pending_html, post.pending_language = body, html, language
        await post.save(update_fields=["pending_source", "pending_html", "pending_language"])
        return post
    async with in_transaction():
        await Revision.create(post=post, editor=editor, language=post.language, source=post.source, html=post.html)
        before = post.html
        post.source, post.html, post.language, post.edited_at = body, html, language, now
        post.changed_at = now
        await post.save(update_fields=["source", "html", "language", "edited_at", "changed_at"])
        await search_index.sync_posts([post.id])
        await notices.mentions_added(post, before)
    return post


async def history_page(post: Post, page: int) -> tuple[list[Revision], int]:
    """One page of the post's earlier versions, newest first, and the number of pages.

    Raises NotFound for a page past the last.
    """
    revisions = Revision.filter(post=post)
    pages = max(1, math.ceil(await revisions.count() / HISTORY_PAGE))
    if not 1 <= page <= pages:
        raise NotFound()
    shown = await revisions.offset((page - 1) * HISTORY_PAGE).limit(HISTORY_PAGE).select_related("editor")
    return shown, pages


def ensure_may_delete(post: Post, user: User) -> None:
    if post.author_id != user.id:
        raise PermissionDenied(gettext("You can delete only your own posts."))


async def delete_post(post: Post, user: User) -> None:
    """Soft-delete: the tree keeps a placeholder so that replies below stay in place.

    The status it had is kept, for the author to undo the deletion (see undelete_post).
    """
    ensure_may_delete(post, user)
    if post.status == PostStatus.DELETED:
        return
    now = datetime.now(UTC)
    async with in_transaction():
        was_approved = post.status == PostStatus.APPROVED
        updated = await Post.filter(id=post.id, status=post.status).update(
            status=PostStatus.DELETED, changed_at=now, deleted_at=now, deleted_from=post.status
        )
        if updated and was_approved:
            await Topic.filter(id=post.topic_id).update(reply_count=F("reply_count") - 1)
        await search_index.sync_posts([post.id])
    post.status, post.deleted_at = PostStatus.DELETED, now


def undelete_deadline(post: Post, settings: Settings) -> datetime | None:
    """Until when the author may still restore a post they deleted (None: they cannot)."""
    if post.status != PostStatus.DELETED or post.deleted_at is None or post.deleted_from is None:
        return None
    return post.deleted_at + timedelta(hours=settings.posts.undo_delete_hours)


async def undelete_post(post: Post, user: User, settings: Settings) -> None:
    """Undo the author's own deletion within `[posts] undo_delete_hours`: the post gets back the status it had."""
    ensure_may_delete(post, user)
    deadline = undelete_deadline(post, settings)
    if deadline is None or deadline < datetime.now(UTC):
        raise PermissionDenied(gettext("This post can no longer be restored."))
    previous = PostStatus(post.deleted_from)
    now = datetime.now(UTC)
    async with in_transaction():
        if not await Post.filter(id=post.id, status=PostStatus.DELETED).update(
            status=previous, changed_at=now, deleted_at=None, deleted_from=None
        ):
            return
        if previous == PostStatus.APPROVED:
            await Topic.filter(id=post.topic_id).update(reply_count=F("reply_count") + 1)
        await search_index.sync_posts([post.id])
    post.status = previous


async def get_post(post_id: int) -> Post:
    post = await Post.get_or_none(id=post_id)
    if post is None:
        raise NotFound()
    return post


_Rendered = TypeVar("_Rendered", Post, Revision)


async def _render_again(model: type[_Rendered]) -> int:
    """Render every row of `model` again; the posts whose HTML changed are indexed again in the same transaction."""
    async with in_transaction():
        rows = await model.all().only("id", "source", "html")
        # Mentions are linked again as the members stand now, up to the limit for anyone trusted.
        named = await mentions.resolve(row.source for row in rows)
        changed = []
        for row in rows:
            html = markup.render(row.source, named, mentions.MAX_MENTIONS)
            if html != row.html:
                row.html = html
                changed.append(row)
        if changed:
            await model.bulk_update(changed, fields=["html"], batch_size=500)
        if model is Post:
            await search_index.sync_posts(row.id for row in changed)
    return len(rows)


async def rerender_all() -> tuple[int, int]:
    """Render every stored Markdown source again, after a change of rules, and index again what that changed.

    Returns the number of posts and revisions, and of topic texts.
    """
    count = await _render_again(Post) + await _render_again(Revision)
    async with in_transaction():
        pending = await Post.filter(pending_source__not_isnull=True).only("id", "pending_source")
        named = await mentions.resolve(post.pending_source or "" for post in pending)
        for post in pending:
            post.pending_html = markup.render(post.pending_source or "", named, mentions.MAX_MENTIONS)
        if pending:
            await Post.bulk_update(pending, fields=["pending_html"], batch_size=500)
        texts = await TopicText.all().only("id", "topic_id", "source", "html")
        changed = []
        for text_row in texts:
            html = markup.render(text_row.source)
            if html != text_row.html:
                text_row.html = html
                changed.append(text_row)
        if changed:
            await TopicText.bulk_update(changed, fields=["html"], batch_size=500)
        await search_index.sync_topics(text_row.topic_id for text_row in changed)
    return count, len(texts)
