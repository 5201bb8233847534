"""Reset links: a one-time address, valid for a day, that lets a member set a new password.

Issued by an administrator (for anyone) or a moderator (for members), or by
`forum users reset-link NAME`; every issue is in the audit log. The signed token
holds the account and a digest of its password hash, so it stops working once
the password changes: it is single-use without being stored.
"""

from __future__ import annotations

import hashlib

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from forum import routing
from forum.accounts import auth, sessions
from forum.config import secret_key
from forum.errors import NotFound, PermissionDenied, ValidationFailed
from forum.forms import read_form
from forum.i18n import gettext
from forum.models import Action, ModerationAction, Role, User
from forum.templating import render

VALID_SECONDS = 24 * 3600
_SALT = "forum.password-reset"


def _digest(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:20]


def reset_token(user: User, secret: str) -> str:
    return URLSafeTimedSerializer(secret, salt=_SALT).dumps({"u": user.id, "p": _digest(user)})


async def issue_reset_link(member: User, issuer: User | None, secret: str) -> str:
    """A token for `member`'s reset page, logged in the audit log. Raises PermissionDenied when a
    moderator asks for another moderator's or an administrator's."""
    if issuer is not None and not issuer.is_admin and member.role != Role.MEMBER:
        raise PermissionDenied(gettext("Only an administrator can reset the password of a moderator."))
    await ModerationAction.create(moderator=issuer, action=Action.ISSUE_RESET_LINK, target_user=member)
    return reset_token(member, secret)


async def user_for_token(token: str, secret: str) -> User | None:
    """The account a token still opens: signed here, under a day old, and its password unchanged since."""
    try:
        data = URLSafeTimedSerializer(secret, salt=_SALT).loads(token[:512], max_age=VALID_SECONDS)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    user = await User.get_or_none(id=data["u"])
    return user if user is not None and data.get("p") == _digest(user) else None


async def reset_link_create(request: Request) -> Response:
    moderator = auth.require_moderator(request)
    await read_form(request)
    member = await User.get_or_none(id=request.path_params["user_id"])
    if member is None:
        raise NotFound()
    token = await issue_reset_link(member, moderator, secret_key(request.app.state.settings))
    link = str(request.url_for("password_reset").include_query_params(token=token))
    return render(request, "moderation/reset_link.html", {"member": member, "link": link})


async def password_reset(request: Request) -> Response:
    secret = secret_key(request.app.state.settings)
    form = await read_form(request) if request.method == "POST" else None
    user = await user_for_token(request.query_params.get("token", ""), secret)
    if user is None:
        message = gettext("This reset link has expired or was used already. Ask a moderator for a new one.")
        return render(request, "errors/error.html", {"status": 410, "message": message}, status_code=410)
    errors: dict[str, str] = {}
    if form is not None:
        password = form.get("password", "")
        try:
            if password != form.get("password_confirm", password):
                raise ValidationFailed({"password_confirm": gettext("The two passwords differ.")})
            await auth.set_password(user, password)
            await sessions.log_in(request, user)
            return RedirectResponse(request.url_for("session_list").include_query_params(changed="1"), 303)
        except ValidationFailed as exc:
            errors = exc.errors
    return render(
        request, "accounts/reset.html", {"member": user, "errors": errors}, status_code=422 if errors else 200
    )


# The {user_id:id} convertor is registered by forum.routing, imported for it.
assert routing.IdConvertor is not None

routes = [
    Route("/moderation/members/{user_id:id}/reset-link", reset_link_create, methods=["POST"], name="reset_link_create"),
    # The token in the query string, which the request log never records (see forum.logs).
    Route("/reset", password_reset, methods=["GET", "POST"], name="password_reset"),
]
