"""What readers are shown for the stored codes: statuses, roles, reasons and audit actions.

Each value is English source text, extracted for translation here and
translated where it is shown.
"""

from __future__ import annotations

from forum.i18n import lazy
from forum.models import Action, FlagReason, PostStatus, Role, TrustLevel

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
    Action.TRUST: lazy("Ended pre-moderation of a member"),
    Action.PROMOTE: lazy("Trust level raised by activity"),
    Action.SET_TRUST_LEVEL: lazy("Set a trust level"),
    Action.HIDE: lazy("Hid a post"),
    Action.AUTO_HIDE: lazy("Hidden after readers' reports, awaiting a moderator"),
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
    Action.ALLOW_MEMBER_TOPICS: lazy("Let trusted members open topics in a category"),
    Action.DISALLOW_MEMBER_TOPICS: lazy("Stopped trusted members opening topics in a category"),
    Action.ISSUE_RESET_LINK: lazy("Made a password reset link"),
    Action.DELETE_ACCOUNT: lazy("A member deleted their account"),
    Action.APPROVE_TRANSLATION: lazy("Approved a translation"),
    Action.REJECT_TRANSLATION: lazy("Rejected a translation"),
    Action.HIDE_TRANSLATION: lazy("Hid a translation"),
}
ROLE_NAMES = {Role.MEMBER: lazy("Member"), Role.MODERATOR: lazy("Moderator"), Role.ADMIN: lazy("Administrator")}
# A member's standing as moderators see it: the trust level, or the role that supersedes it (trust.levels.standing).
STANDING_NAMES = {
    TrustLevel.NEW: lazy("New member"),
    TrustLevel.MEMBER: lazy("Member"),
    TrustLevel.TRUSTED: lazy("Trusted member"),
    Role.MODERATOR: lazy("Moderator"),
    Role.ADMIN: lazy("Administrator"),
    # A moderator handed the level back to automatic promotion.
    "automatic": lazy("Follows activity"),
}
STATUS_NAMES = {
    PostStatus.PENDING: lazy("Awaiting approval"),
    PostStatus.APPROVED: lazy("Published"),
    PostStatus.REJECTED: lazy("Rejected"),
    PostStatus.HIDDEN: lazy("Hidden by the moderators"),
    PostStatus.DELETED: lazy("Deleted"),
}
