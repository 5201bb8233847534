"""Tortoise models: fields, relations and small query helpers only; rules live in the services."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class Role(StrEnum):
    MEMBER = "member"
    MODERATOR = "moderator"
    ADMIN = "admin"


class PostStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    HIDDEN = "hidden"
    DELETED = "deleted"


class TrustLevel(StrEnum):
    """How far the forum trusts a member (moderators and administrators are trusted by their role)."""

    NEW = "new"
    MEMBER = "member"
    TRUSTED = "trusted"


class FlagReason(StrEnum):
    SPAM = "spam"
    ABUSE = "abuse"
    OFF_TOPIC = "off-topic"
    OTHER = "other"


class Action(StrEnum):
    """What a ModerationAction records."""

    APPROVE = "approve"
    REJECT = "reject"
    APPROVE_EDIT = "approve-edit"
    REJECT_EDIT = "reject-edit"
    TRUST = "trust"
    PROMOTE = "promote"
    SET_TRUST_LEVEL = "set-trust-level"
    HIDE = "hide"
    AUTO_HIDE = "auto-hide"
    RESTORE = "restore"
    DISMISS_FLAGS = "dismiss-flags"
    LOCK = "lock"
    UNLOCK = "unlock"
    CREATE_TOPIC = "create-topic"
    EDIT_TOPIC = "edit-topic"
    SUSPEND = "suspend"
    UNSUSPEND = "unsuspend"
    GRANT_MODERATOR = "grant-moderator"
    REVOKE_MODERATOR = "revoke-moderator"
    ALLOW_MEMBER_TOPICS = "allow-member-topics"
    DISALLOW_MEMBER_TOPICS = "disallow-member-topics"
    ISSUE_RESET_LINK = "issue-reset-link"
    DELETE_ACCOUNT = "delete-account"
    APPROVE_TRANSLATION = "approve-translation"
    REJECT_TRANSLATION = "reject-translation"
    HIDE_TRANSLATION = "hide-translation"


class User(Model):
    id = fields.IntField(primary_key=True)
    username = fields.CharField(max_length=32)
    # NFKC + casefold of the name: the unique key that makes names case-insensitive.
    username_key = fields.CharField(max_length=64, unique=True)
    # The name's confusable skeleton (forum.identity.skeleton), compared on registration.
    # Migrations recompute it when the rules or Unicode's data change.
    skeleton = fields.CharField(max_length=255, db_index=True)
    # The name under the folding of search (forum.search.folding.fold), for the
    # moderators' member search. Migrations recompute it when the folding changes.
    name_folded = fields.CharField(max_length=255, default="", db_default="", db_index=True)
    password_hash = fields.CharField(max_length=255)
    role = fields.CharEnumField(Role, max_length=16, default=Role.MEMBER)
    language = fields.CharField(max_length=2, null=True)
    # IANA name of the zone the member reads times in; null: the forum's default.
    timezone = fields.CharField(max_length=64, null=True)
    # Languages a moderator reads, comma-separated ("en,fa"); orders their queue.
    reads_languages = fields.CharField(max_length=16, default="")
    approved_count = fields.IntField(default=0)
    rejected_count = fields.IntField(default=0)
    trust_level = fields.CharEnumField(TrustLevel, max_length=16, default=TrustLevel.NEW, db_default=TrustLevel.NEW)
    # Set by a moderator's choice of level: automatic promotion leaves the member alone.
    trust_locked = fields.BooleanField(default=False, db_default=False)
    # What promotion looks at: distinct days with a thread page read (UTC), and posts shown on them.
    last_seen_on = fields.DateField(null=True)
    days_visited = fields.IntField(default=0, db_default=0)
    posts_read = fields.IntField(default=0, db_default=0)
    # Outcomes of this member's own flags: upheld by a moderator, or dismissed.
    flags_upheld = fields.IntField(default=0, db_default=0)
    flags_dismissed = fields.IntField(default=0, db_default=0)
    suspended_until = fields.DatetimeField(null=True)
    suspension_reason = fields.TextField(default="")
    # Show a post's translation into the interface language first, when one exists.
    prefer_translations = fields.BooleanField(default=False, db_default=False)
    created_at = fields.DatetimeField(auto_now_add=True)
    # Base32 TOTP secret once two-factor sign-in is on, and the last 30-second step a code was accepted for.
    totp_secret = fields.CharField(max_length=64, null=True)
    totp_last_step = fields.BigIntField(null=True)
    # When the member deleted the account: the row stays, under a neutral name, for the posts kept.
    deleted_at = fields.DatetimeField(null=True)

    sessions: fields.ReverseRelation[Session]
    recovery_codes: fields.ReverseRelation[RecoveryCode]

    class Meta:
        table = "users"

    @property
    def is_moderator(self) -> bool:
        return self.role in (Role.MODERATOR, Role.ADMIN)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN


class Category(Model):
    id = fields.IntField(primary_key=True)
    slug = fields.CharField(max_length=64, unique=True)
    position = fields.IntField(default=0)
    # {"en": ..., "ar": ..., "fa": ...}
    names: dict[str, str] = fields.JSONField(default=dict)
    descriptions: dict[str, str] = fields.JSONField(default=dict)
    # Moderators open topics anywhere; trusted members only where this is on.
    trusted_may_open = fields.BooleanField(default=False, db_default=False)

    topics: fields.ReverseRelation[Topic]

    class Meta:
        table = "categories"
        ordering = ["position", "id"]


class Topic(Model):
    id = fields.IntField(primary_key=True)
    category: fields.ForeignKeyRelation[Category] = fields.ForeignKeyField(
        "forum.Category", related_name="topics", on_delete=fields.RESTRICT
    )
    category_id: int
    # Stable key of a seeded topic, so that seeding twice changes nothing.
    seed_key = fields.CharField(max_length=64, unique=True, null=True)
    author: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "forum.User", related_name="topics", null=True, on_delete=fields.SET_NULL
    )
    author_id: int | None
    locked = fields.BooleanField(default=False)
    reply_count = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_activity_at = fields.DatetimeField(db_index=True)
    # When the texts last changed: part of the topic feed's freshness.
    texts_changed_at = fields.DatetimeField(null=True)

    texts: fields.ReverseRelation[TopicText]
    posts: fields.ReverseRelation[Post]

    class Meta:
        table = "topics"
        indexes = (("category_id", "last_activity_at"),)


class TopicText(Model):
    """The title and body of a topic in one language."""

    id = fields.IntField(primary_key=True)
    topic: fields.ForeignKeyRelation[Topic] = fields.ForeignKeyField(
        "forum.Topic", related_name="texts", on_delete=fields.CASCADE
    )
    topic_id: int
    language = fields.CharField(max_length=2)
    title = fields.CharField(max_length=300)
    source = fields.TextField()
    html = fields.TextField()

    class Meta:
        table = "topic_texts"
        unique_together = (("topic", "language"),)


def pick_text(texts: list[TopicText], language: str) -> TopicText:
    """The topic text in `language`, else English, else whichever exists."""
    by_language = {text.language: text for text in texts}
    return by_language.get(language) or by_language.get("en") or texts[0]


class Post(Model):
    id = fields.IntField(primary_key=True)
    topic: fields.ForeignKeyRelation[Topic] = fields.ForeignKeyField(
        "forum.Topic", related_name="posts", on_delete=fields.CASCADE
    )
    topic_id: int
    parent: fields.ForeignKeyNullableRelation[Post] = fields.ForeignKeyField(
        "forum.Post", related_name="children", null=True, on_delete=fields.RESTRICT
    )
    parent_id: int | None
    # The top-level reply this post hangs under (its own id when top-level):
    # a page of the thread is "these roots and everything under them".
    root_id = fields.IntField(null=True, db_index=True)
    # Zero-padded ids from the root down, "0000000012/0000000040": ordering by
    # it yields the tree in reading order with one query.
    path = fields.CharField(max_length=1000, default="")
    depth = fields.IntField(default=0)
    author: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "forum.User", related_name="posts", on_delete=fields.RESTRICT
    )
    author_id: int
    language = fields.CharField(max_length=2)
    source = fields.TextField()
    html = fields.TextField()
    status = fields.CharEnumField(PostStatus, max_length=16, db_index=True)
    reject_reason = fields.TextField(default="")
    # Hidden because readers' reports weighed enough, and no moderator has decided yet.
    auto_hidden = fields.BooleanField(default=False, db_default=False)
    # When its author deleted it and what it was before: the author may undo that for a while.
    deleted_at = fields.DatetimeField(null=True)
    deleted_from = fields.CharEnumField(PostStatus, max_length=16, null=True)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)
    edited_at = fields.DatetimeField(null=True)
    # When the post last became visible, or stopped being: what feeds key their freshness on.
    changed_at = fields.DatetimeField(auto_now_add=True)
    approved_at = fields.DatetimeField(null=True)
    approved_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "forum.User", related_name="approved_posts", null=True, on_delete=fields.SET_NULL
    )
    approved_by_id: int | None
    # An edit waiting for approval while the approved version stays visible.
    pending_source: str | None = fields.TextField(null=True)
    pending_html = fields.TextField(null=True)
    pending_language = fields.CharField(max_length=2, null=True)

    children: fields.ReverseRelation[Post]
    revisions: fields.ReverseRelation[Revision]

    class Meta:
        table = "posts"
        indexes = (
            ("topic_id", "root_id"),
            ("topic_id", "status"),
            ("changed_at",),
            ("status", "approved_at"),
            ("topic_id", "changed_at"),
        )


class Revision(Model):
    """An earlier version of an edited post."""

    id = fields.IntField(primary_key=True)
    post: fields.ForeignKeyRelation[Post] = fields.ForeignKeyField(
        "forum.Post", related_name="revisions", on_delete=fields.CASCADE
    )
    post_id: int
    editor: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "forum.User", related_name="revisions", null=True, on_delete=fields.SET_NULL
    )
    editor_id: int | None
    language = fields.CharField(max_length=2)
    source = fields.TextField()
    html = fields.TextField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "revisions"
        ordering = ["-id"]


# Model docstrings become SQL table comments, and the migration runner splits
# statements on ";": keep semicolons and apostrophes out of them.


class Flag(Model):
    """A report by a reader on a post, one per reader and post."""

    id = fields.IntField(primary_key=True)
    post: fields.ForeignKeyRelation[Post] = fields.ForeignKeyField(
        "forum.Post", related_name="flags", on_delete=fields.CASCADE
    )
    post_id: int
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "forum.User", related_name="flags", on_delete=fields.CASCADE
    )
    user_id: int
    reason = fields.CharEnumField(FlagReason, max_length=16)
    text = fields.TextField(default="")
    # What the report counted toward hiding the post, given the reader's trust when they sent it.
    weight = fields.IntField(default=0, db_default=0)
    created_at = fields.DatetimeField(auto_now_add=True)
    resolved_at = fields.DatetimeField(null=True)
    # The moderator's verdict: True upheld (the post was hidden), False dismissed, None still open.
    upheld = fields.BooleanField(null=True)
    resolved_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "forum.User", related_name="resolved_flags", null=True, on_delete=fields.SET_NULL
    )
    resolved_by_id: int | None

    class Meta:
        table = "flags"
        unique_together = (("post", "user"),)


class ModerationAction(Model):
    """The append-only audit log: who did what to which post, topic or member, and why."""

    id = fields.IntField(primary_key=True)
    moderator: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "forum.User", related_name="actions_taken", null=True, on_delete=fields.RESTRICT
    )
    moderator_id: int | None
    action = fields.CharField(max_length=32, db_index=True)
    post: fields.ForeignKeyNullableRelation[Post] = fields.ForeignKeyField(
        "forum.Post", related_name="actions", null=True, on_delete=fields.RESTRICT
    )
    post_id: int | None
    topic: fields.ForeignKeyNullableRelation[Topic] = fields.ForeignKeyField(
        "forum.Topic", related_name="actions", null=True, on_delete=fields.RESTRICT
    )
    topic_id: int | None
    target_user: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "forum.User", related_name="actions_received", null=True, on_delete=fields.RESTRICT
    )
    target_user_id: int | None
    reason_code = fields.CharField(max_length=32, default="")
    reason = fields.TextField(default="")
    # Shown on the public transparency page.
    public = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "moderation_actions"
        ordering = ["-id"]


class Session(Model):
    """One login of a member, ended by logging out here or from the list of sessions."""

    # SHA-256 of the random token the signed cookie carries: a copy of the table opens no session.
    id = fields.CharField(max_length=64, primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "forum.User", related_name="sessions", on_delete=fields.CASCADE
    )
    user_id: int
    # A coarse description such as "Firefox on Android", never the address.
    device = fields.CharField(max_length=64, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    last_seen_at = fields.DatetimeField()

    class Meta:
        table = "sessions"


class RecoveryCode(Model):
    """A one-time code that resets a password or stands in for a second factor, kept as a keyed hash."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "forum.User", related_name="recovery_codes", on_delete=fields.CASCADE
    )
    user_id: int
    code_hash = fields.CharField(max_length=64, unique=True)

    class Meta:
        table = "recovery_codes"


class NoticeKind(StrEnum):
    """Why a member is told about a post."""

    REPLY = "reply"
    WATCHED = "watched"
    MENTION = "mention"
    QUOTE = "quote"
    APPROVED = "approved"
    REJECTED = "rejected"
    FLAG_UPHELD = "flag-upheld"
    FLAG_DISMISSED = "flag-dismissed"
    # A translation became current: to the post's author, and to those who asked for that language.
    TRANSLATED = "translated"
    ASKED_ARRIVED = "asked-arrived"


class WatchLevel(StrEnum):
    WATCHING = "watching"
    MUTED = "muted"


class Notification(Model):
    """A notice to a member about a post: an answer, a mention, a quote or a decision."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "forum.User", related_name="notifications", on_delete=fields.CASCADE
    )
    user_id: int
    kind = fields.CharEnumField(NoticeKind, max_length=16)
    post: fields.ForeignKeyRelation[Post] = fields.ForeignKeyField(
        "forum.Post", related_name="notifications", on_delete=fields.CASCADE
    )
    post_id: int
    # Who wrote the post or made the decision.
    actor: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "forum.User", related_name="notices_caused", null=True, on_delete=fields.SET_NULL
    )
    actor_id: int | None
    reason = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    read_at = fields.DatetimeField(null=True)

    class Meta:
        table = "notifications"
        indexes = (("user_id", "read_at"), ("post_id", "user_id"))


class TopicState(Model):
    """A member and a topic: how far they have read it, and whether they watch or mute it.

    `last_read_id`: every post of the topic up to this id was on a page they opened.
    """

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "forum.User", related_name="topic_states", on_delete=fields.CASCADE
    )
    user_id: int
    topic: fields.ForeignKeyRelation[Topic] = fields.ForeignKeyField(
        "forum.Topic", related_name="member_states", on_delete=fields.CASCADE
    )
    topic_id: int
    # Watching: told of every new reply. Muted: told of nothing in it. Null: the usual notices.
    level = fields.CharEnumField(WatchLevel, max_length=16, null=True)
    last_read_id = fields.IntField(default=0)
    watched_at = fields.DatetimeField(null=True)

    class Meta:
        table = "topic_states"
        unique_together = (("user", "topic"),)
        indexes = (("topic_id", "level"),)


class Draft(Model):
    """A reply being written, kept for its author per topic and parent post (0: the topic itself)."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "forum.User", related_name="drafts", on_delete=fields.CASCADE
    )
    user_id: int
    topic: fields.ForeignKeyRelation[Topic] = fields.ForeignKeyField(
        "forum.Topic", related_name="drafts", on_delete=fields.CASCADE
    )
    topic_id: int
    parent_key = fields.IntField(default=0)
    body = fields.TextField()
    language = fields.CharField(max_length=2, default="")
    # Set by the save (not auto_now, which an import would overwrite).
    updated_at = fields.DatetimeField()

    class Meta:
        table = "drafts"
        unique_together = (("user", "topic", "parent_key"),)


class NoticeSettings(Model):
    """The choices of a member about notices, and the generation of their personal feed address."""

    id = fields.IntField(primary_key=True)
    user: fields.OneToOneRelation[User] = fields.OneToOneField(
        "forum.User", related_name="notice_settings", on_delete=fields.CASCADE
    )
    user_id: int
    # Replying to a topic starts watching it.
    watch_replied = fields.BooleanField(default=True)
    # Raised to give the personal feed a new address: the old one then answers 404.
    feed_generation = fields.IntField(default=0)

    class Meta:
        table = "notice_settings"


class TranslationStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    HIDDEN = "hidden"
    # An earlier approved version, kept as history after a newer one was approved.
    REPLACED = "replaced"


class Translation(Model):
    """A translation of a post by a member into another language, at most one approved per post and language."""

    id = fields.IntField(primary_key=True)
    post: fields.ForeignKeyRelation[Post] = fields.ForeignKeyField(
        "forum.Post", related_name="translations", on_delete=fields.CASCADE
    )
    post_id: int
    language = fields.CharField(max_length=2)
    translator: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "forum.User", related_name="translations", on_delete=fields.RESTRICT
    )
    translator_id: int
    source = fields.TextField()
    html = fields.TextField()
    status = fields.CharEnumField(TranslationStatus, max_length=16, db_index=True)
    reject_reason = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    # When it last became visible or stopped being: what feeds key their freshness on.
    changed_at = fields.DatetimeField(auto_now_add=True, db_index=True)
    approved_at = fields.DatetimeField(null=True)
    approved_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "forum.User", related_name="approved_translations", null=True, on_delete=fields.SET_NULL
    )
    approved_by_id: int | None

    class Meta:
        table = "translations"
        indexes = (("post_id", "language", "status"),)


class TranslationRequest(Model):
    """A reader asking to read a post in a language, one per reader, post and language."""

    id = fields.IntField(primary_key=True)
    post: fields.ForeignKeyRelation[Post] = fields.ForeignKeyField(
        "forum.Post", related_name="translation_requests", on_delete=fields.CASCADE
    )
    post_id: int
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "forum.User", related_name="translation_requests", on_delete=fields.CASCADE
    )
    user_id: int
    language = fields.CharField(max_length=2, db_index=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "translation_requests"
        unique_together = (("post", "user", "language"),)


class TranslationFlag(Model):
    """A report by a reader on a translation, one per reader and translation."""

    id = fields.IntField(primary_key=True)
    translation: fields.ForeignKeyRelation[Translation] = fields.ForeignKeyField(
        "forum.Translation", related_name="flags", on_delete=fields.CASCADE
    )
    translation_id: int
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "forum.User", related_name="translation_flags", on_delete=fields.CASCADE
    )
    user_id: int
    reason = fields.CharEnumField(FlagReason, max_length=16)
    text = fields.TextField(default="")
    # What the report counted toward hiding the translation, given the reader's trust when they sent it.
    weight = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)
    resolved_at = fields.DatetimeField(null=True, db_index=True)

    class Meta:
        table = "translation_flags"
        unique_together = (("translation", "user"),)


class TopicTranslation(Model):
    """A title and text offered by a member for a topic in a language it lacks, until a moderator decides."""

    id = fields.IntField(primary_key=True)
    topic: fields.ForeignKeyRelation[Topic] = fields.ForeignKeyField(
        "forum.Topic", related_name="translations", on_delete=fields.CASCADE
    )
    topic_id: int
    language = fields.CharField(max_length=2)
    translator: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "forum.User", related_name="topic_translations", on_delete=fields.RESTRICT
    )
    translator_id: int
    title = fields.CharField(max_length=300)
    source = fields.TextField()
    html = fields.TextField()
    status = fields.CharEnumField(TranslationStatus, max_length=16, db_index=True)
    reject_reason = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    approved_at = fields.DatetimeField(null=True)
    approved_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "forum.User", related_name="approved_topic_translations", null=True, on_delete=fields.SET_NULL
    )
    approved_by_id: int | None

    class Meta:
        table = "topic_translations"
