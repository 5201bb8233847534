"""A reply sent after the session had ended, carried through the login forms and given back in the reply form."""

from __future__ import annotations

from starlette.datastructures import ImmutableMultiDict
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from forum.discussions import views as discussion_views
from forum.routing import parse_id


def kept_reply(form: ImmutableMultiDict[str, str]) -> dict[str, str]:
    """The reply a login form carries back (see discussions.views.reply_create), or nothing."""
    if not form.get("kept_body"):
        return {}
    return {name: form.get(f"kept_{name}", "") for name in ("topic", "body", "parent_id", "lang")}


async def after_login(request: Request, next_url: str, kept: dict[str, str]) -> Response:
    """Where a member lands once logged in: the reply form holding the text they had sent, else `next_url`."""
    topic_id = parse_id(kept.get("topic"))
    if topic_id is not None:
        values = {name: kept[name] for name in ("body", "parent_id", "lang")}
        return await discussion_views.reply_form_kept(request, topic_id, values)
    return RedirectResponse(next_url, status_code=303)
