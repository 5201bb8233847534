"""What a notice says, in the reader's language: the same sentence on the page and in the feed."""

from __future__ import annotations

from forum.i18n import gettext, language_name
from forum.models import NoticeKind
from forum.notifications.inbox import Entry
from forum.text import isolate


def describe(entry: Entry) -> str:
    """One sentence; names and titles isolated so that each keeps its own direction."""
    notice = entry.notice
    name = isolate(notice.actor.username) if notice.actor else gettext("a former member")
    topic = isolate(entry.title)
    kind = notice.kind
    if kind == NoticeKind.REPLY:
        return gettext("%(name)s replied to your post in “%(topic)s”", name=name, topic=topic)
    if kind == NoticeKind.MENTION:
        return gettext("%(name)s mentioned you in “%(topic)s”", name=name, topic=topic)
    if kind == NoticeKind.QUOTE:
        return gettext("%(name)s quoted your post in “%(topic)s”", name=name, topic=topic)
    if kind == NoticeKind.WATCHED:
        return gettext("%(name)s replied in “%(topic)s”, a topic you watch", name=name, topic=topic)
    if kind == NoticeKind.APPROVED:
        return gettext("Your post in “%(topic)s” was approved", topic=topic)
    if kind == NoticeKind.REJECTED:
        return gettext("Your post in “%(topic)s” was not approved: %(reason)s", topic=topic, reason=notice.reason)
    if kind == NoticeKind.TRANSLATED:
        return gettext(
            "%(name)s translated your post in “%(topic)s” into %(language)s",
            name=name,
            topic=topic,
            language=language_name(notice.reason),
        )
    if kind == NoticeKind.ASKED_ARRIVED:
        return gettext(
            "The %(language)s translation you asked for in “%(topic)s” is here, by %(name)s",
            name=name,
            topic=topic,
            language=language_name(notice.reason),
        )
    if kind == NoticeKind.FLAG_UPHELD:
        return gettext("The moderators hid a post you flagged in “%(topic)s”", topic=topic)
    return gettext("The moderators kept a post you flagged in “%(topic)s”", topic=topic)
