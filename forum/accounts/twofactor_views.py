"""Two-factor pages: turning it on and off on the profile, and the second step of logging in."""

from __future__ import annotations

import time

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from forum.accounts import auth, carried, logins, sessions, twofactor
from forum.accounts.security import client_address
from forum.config import secret_key
from forum.errors import RateLimited
from forum.forms import read_form
from forum.i18n import gettext
from forum.models import User
from forum.templating import render

# A password accepted this long ago still waits for its second step; then the member starts again.
PENDING_SECONDS = 300
PENDING = "pending_login"


def hold_pending_login(request: Request, user: User, next_url: str, kept: dict[str, str]) -> Response:
    """Keep the password step's result in the session (not logged in yet) and ask for the second factor;
    a reply carried through the login goes on in the second step's form."""
    request.session.clear()
    request.session[PENDING] = {"uid": user.id, "at": int(time.time()), "next": next_url}
    if kept:
        return render(request, "accounts/login_code.html", {"errors": {}, "kept": kept})
    return RedirectResponse(request.url_for("login_second_step"), status_code=303)


async def _pending_user(request: Request) -> tuple[User, str] | None:
    pending = request.session.get(PENDING)
    if not isinstance(pending, dict) or not isinstance(pending.get("uid"), int):
        return None
    if not isinstance(pending.get("at"), int) or time.time() - pending["at"] > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        return None
    user = await User.get_or_none(id=pending["uid"])
    if user is None or user.totp_secret is None:
        return None
    return user, str(pending.get("next") or "/")


async def login_second_step(request: Request) -> Response:
    # The token first, as on every form: a post from elsewhere learns nothing of a pending login.
    form = await read_form(request) if request.method == "POST" else None
    held = await _pending_user(request)
    if held is None:
        return RedirectResponse(request.url_for("login").include_query_params(expired="1"), status_code=303)
    user, next_url = held
    errors: dict[str, str] = {}
    status = 200
    kept: dict[str, str] = {}
    if form is not None:
        kept = carried.kept_reply(form)
        limiter = request.app.state.limiter
        address = client_address(request)
        try:
            if not await limiter.allowed("login_ip", address) or not await limiter.allowed(
                "login_pair", user.username_key, address
            ):
                raise RateLimited(gettext("Too many attempts. Wait a few minutes before trying again."))
            if await twofactor.verify(user, form.get("code", ""), secret_key(request.app.state.settings)):
                await sessions.log_in(request, user)
                response = await carried.after_login(request, next_url, kept)
                logins.KnownDevices(request).remember(response, user)
                return response
            await limiter.record("login_ip", address)
            await limiter.record("login_pair", user.username_key, address)
            errors, status = {"code": gettext("That code is not right, or was used already.")}, 422
        except RateLimited as exc:
            errors, status = {"": exc.message}, 429
    return render(request, "accounts/login_code.html", {"errors": errors, "kept": kept}, status_code=status)


async def two_factor_setup(request: Request) -> Response:
    user = auth.require_user(request)
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        form = await read_form(request)
        secret = request.session.get("totp_setup")
        if user.totp_secret is None and isinstance(secret, str):
            if await twofactor.enable(user, secret, form.get("code", "")):
                request.session.pop("totp_setup", None)
                return RedirectResponse(request.url_for("two_factor_setup").include_query_params(on="1"), 303)
            errors, status = (
                {"code": gettext("That code is not right. Check the time on your phone and try again.")},
                422,
            )
    secret = None
    if user.totp_secret is None:
        # The same secret until it is confirmed, so that a reload does not void a scanned code.
        if not isinstance(request.session.get("totp_setup"), str):
            request.session["totp_setup"] = twofactor.new_secret()
        secret = str(request.session["totp_setup"])
    settings = request.app.state.settings
    # The app shows a neutral issuer, not the forum's address: a phone may be searched.
    uri = twofactor.provisioning_uri(secret, user.username) if secret else ""
    context = {
        "errors": errors,
        "secret": secret,
        "qr": twofactor.qr_code(uri) if secret else "",
        "turned_on": request.query_params.get("on") == "1",
        "required": user.role.value in settings.security.require_2fa_for,
    }
    return render(request, "accounts/two_factor.html", context, status_code=status)


async def two_factor_off(request: Request) -> Response:
    user = auth.require_user(request)
    form = await read_form(request)
    if user.role.value in request.app.state.settings.security.require_2fa_for:
        return RedirectResponse(request.url_for("two_factor_setup"), status_code=303)
    if not await auth.check_current_password(user, form.get("current_password", "")):
        context = {
            "errors": {"current_password": gettext("That is not your current password.")},
            "secret": None,
            "qr": "",
            "turned_on": False,
            "required": False,
        }
        return render(request, "accounts/two_factor.html", context, status_code=422)
    await twofactor.disable(user)
    return RedirectResponse(request.url_for("two_factor_setup"), status_code=303)


routes = [
    Route("/login/code", login_second_step, methods=["GET", "POST"], name="login_second_step"),
    Route("/profile/two-factor", two_factor_setup, methods=["GET", "POST"], name="two_factor_setup"),
    Route("/profile/two-factor/off", two_factor_off, methods=["POST"], name="two_factor_off"),
]
