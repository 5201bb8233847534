"""`@name` in a post: the members it names, resolved when the post is written; and the posts it quotes."""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import unquote

from forum.accounts.auth import USERNAME_MAX, USERNAME_MIN, username_key
from forum.markup import MENTION, mention_name
from forum.models import User

# Mentions that become links (and notices) in one post; fewer for a member under pre-moderation.
MAX_MENTIONS = 10
# Names looked up for one text: a text full of "@x" costs one bounded query.
MAX_CANDIDATES = 50
# Posts one reply may quote with a notice to their authors.
MAX_QUOTED = 5
# How bleach writes a mention link (see markup._mentions); only this form counts as one.
_MENTION_LINK = re.compile(r'<a href="/members/([^"?#/]+)" class="mention"')
_QUOTED_POST = re.compile(r"\]\(/posts/(\d{1,10})\)")


def candidates(source: str) -> list[str]:
    """The names written after "@" in `source`, first appearance first."""
    found: dict[str, None] = {}
    for match in MENTION.finditer(source):
        name = mention_name(match[1])
        if USERNAME_MIN <= len(name) <= USERNAME_MAX:
            found.setdefault(name)
            if len(found) >= MAX_CANDIDATES:
                break
    return list(found)


async def resolve(sources: Iterable[str]) -> dict[str, str]:
    """{name as written: username} for the names in `sources` that are members', in one query.

    Names compare as registration compares them (auth.username_key): "@Omar" and "@omar" name the same member.
    """
    written = {name for source in sources for name in candidates(source)}
    if not written:
        return {}
    keys = {username_key(name) for name in written}
    rows = await User.filter(username_key__in=sorted(keys)).values_list("username_key", "username")
    existing = {str(key): str(username) for key, username in rows}
    return {name: existing[username_key(name)] for name in written if username_key(name) in existing}


def mentioned_names(html: str) -> list[str]:
    """The usernames a post's stored HTML links as mentions."""
    return list(dict.fromkeys(unquote(match[1]) for match in _MENTION_LINK.finditer(html)))


def count_in(html: str) -> int:
    """Mention links in stored HTML: they do not count as links toward a new member's limit."""
    return len(_MENTION_LINK.findall(html))


def quoted_post_ids(source: str) -> list[int]:
    """The posts a text quotes by linking to them, as the "Quote" action writes it."""
    return list(dict.fromkeys(int(match[1]) for match in _QUOTED_POST.finditer(source)))[:MAX_QUOTED]
