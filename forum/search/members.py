"""The moderators' member search, with the folding of search: علي, علی and على find one another."""

from __future__ import annotations

from forum.models import User
from forum.search.folding import fold

# The column's width: NFKC can make a 32-character name longer than itself (ﷺ is 18 letters).
FOLDED_NAME_MAX = 255


def fold_name(name: str) -> str:
    """What `users.name_folded` holds for a name: set where an account is made, and by migrations."""
    return fold(name)[:FOLDED_NAME_MAX]


async def find_members(text: str, limit: int) -> list[User]:
    """The newest members whose folded name contains the folded `text` (all of them for an empty text).

    One statement: the database compares the folded names stored with each
    account, newest first, and stops at `limit`; no name is read into Python to
    be folded. The containment test is a plain LIKE, which the database's case
    folding cannot disturb, since both sides are already folded.
    """
    wanted = fold_name(text)
    members = User.all().order_by("-id").limit(limit)
    if wanted:
        members = members.filter(name_folded__contains=wanted)
    return await members
