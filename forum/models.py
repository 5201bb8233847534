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


class User(Model):
    id = fields.IntField(primary_key=True)
    username = fields.CharField(max_length=32)
    # NFKC + casefold of the name: the unique key that makes names case-insensitive.
    username_key = fields.CharField(max_length=64, unique=True)
    # The name's confusable skeleton (forum.identity.skeleton), compared on registration.
    # Migrations recompute it when the rules or Unicode's data change.
    skeleton = fields.CharField(max_length=255, db_index=True)
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
    # Sessions carry the epoch they were made in; logging out raises it, which ends
    # every session of the account, copied cookies included.
    session_epoch = fields.IntField(default=0, db_default=0)
    created_at = fields.DatetimeField(auto_now_add=True)

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
