"""What readers are shown for the stored codes: statuses, roles, reasons and audit actions.

Each value is English source text, extracted for translation here and
translated where it is shown.
"""

from __future__ import annotations

from forum.i18n import lazy
from forum.models import Action, FlagReason, PostStatus, Role

REASON_CODES = {
    "spam": lazy("Spam or advertising"),
    "abuse": lazy("Abuse, threats or hate"),
    "off-topic": lazy("Off topic"),
    "personal-information": lazy("Personal information about someone"),
    "heated": lazy("Discussion needs a pause"),
    "other": lazy("Other"),
    "flagged": lazy("Flagged by several readers"),
}

FLAG_REASONS = {
    FlagReason.SPAM: lazy("Spam or advertising"),
    FlagReason.ABUSE: lazy("Abuse, threats or hate"),
    FlagReason.OFF_TOPIC: lazy("Off topic"),
    FlagReason.OTHER: lazy("Something else"),
}
ACTION_NAMES = {
    Action.APPROVE: lazy("Approved a post"),
    Action.REJECT: lazy("Rejected a post"),
    Action.APPROVE_EDIT: lazy("Approved an edit"),
    Action.REJECT_EDIT: lazy("Rejected an edit"),
    Action.TRUST: lazy("Trusted a member"),
    Action.HIDE: lazy("Hid a post"),
    Action.AUTO_HIDE: lazy("Post hidden after flags"),
    Action.RESTORE: lazy("Restored a post"),
    Action.DISMISS_FLAGS: lazy("Dismissed flags"),
    Action.LOCK: lazy("Locked a topic"),
    Action.UNLOCK: lazy("Reopened a topic"),
    Action.CREATE_TOPIC: lazy("Opened a topic"),
    Action.EDIT_TOPIC: lazy("Edited a topic"),
    Action.SUSPEND: lazy("Suspended a member"),
    Action.UNSUSPEND: lazy("Lifted a suspension"),
    Action.GRANT_MODERATOR: lazy("Made a moderator"),
    Action.REVOKE_MODERATOR: lazy("Took the moderator role"),
}
ROLE_NAMES = {Role.MEMBER: lazy("Member"), Role.MODERATOR: lazy("Moderator"), Role.ADMIN: lazy("Administrator")}
STATUS_NAMES = {
    PostStatus.PENDING: lazy("Awaiting approval"),
    PostStatus.APPROVED: lazy("Published"),
    PostStatus.REJECTED: lazy("Rejected"),
    PostStatus.HIDDEN: lazy("Hidden by the moderators"),
    PostStatus.DELETED: lazy("Deleted"),
}
