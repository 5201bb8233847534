"""Public profiles: what any reader may see of a member, from their approved posts only."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from forum.accounts import auth
from forum.errors import NotFound
from forum.i18n import current_language
from forum.models import Post, PostStatus, User, pick_text
from forum.templating import render
from forum.trust.levels import standing

RECENT_POSTS = 20


@dataclass(frozen=True)
class Profile:
    member: User
    standing: str
    # (post, title of its topic in the reader's language), newest first.
    recent: list[tuple[Post, str]]
    languages: list[str]


async def public_profile(name: str, language: str) -> Profile:
    """The public profile of the member called `name` (any case). Raises NotFound.

    A fixed number of queries: the member, their recent approved posts with their
    topics, the topics' texts, the languages they wrote in.
    """
    key = auth.login_key(name)
    member = await User.get_or_none(username_key=key) if key else None
    if member is None or member.deleted_at is not None:
        raise NotFound()
    approved = Post.filter(author_id=member.id, status=PostStatus.APPROVED)
    posts = await approved.order_by("-id").limit(RECENT_POSTS).prefetch_related("topic__texts")
    languages = await approved.distinct().order_by("language").values_list("language", flat=True)
    recent = [(post, pick_text(list(post.topic.texts), language).title) for post in posts]
    return Profile(member, standing(member), recent, [str(code) for code in languages])


async def member_profile(request: Request) -> Response:
    profile = await public_profile(request.path_params["username"], current_language())
    return render(request, "accounts/member.html", {"profile": profile})


routes = [Route("/members/{username:str}", member_profile, name="member_profile")]
