"""The moderators' member search, with the folding of search: علي, علی and على find one another."""

from __future__ import annotations

from forum.models import User
from forum.search.folding import fold


async def find_members(text: str, limit: int) -> list[User]:
    """The newest members whose folded name contains the folded `text` (all of them for an empty text).

    The names are folded here rather than stored folded: one pass over the names
    (each folding cached) serves a moderators' page well into tens of thousands
    of members, and needs no second copy of each name to keep in step.
    """
    wanted = fold(text)
    if not wanted:
        return await User.all().order_by("-id").limit(limit)
    names = await User.all().order_by("-id").values_list("id", "username")
    ids = [user_id for user_id, name in names if wanted in fold(name)][:limit]
    found = {user.id: user for user in await User.filter(id__in=ids)}
    return [found[user_id] for user_id in ids]
