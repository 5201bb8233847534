"""A member's own security: password change, sessions, recovery codes, and a reset with a recovery code."""

from __future__ import annotations

from starlette.datastructures import ImmutableMultiDict
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from forum.accounts import auth, recovery, sessions
from forum.config import secret_key
from forum.errors import RateLimited, ValidationFailed
from forum.forms import read_form
from forum.i18n import gettext
from forum.templating import render


def client_address(request: Request) -> str:
    """The address rate limits count by; it is never stored in the database."""
    return request.client.host if request.client else "unknown"


def _new_password(form: ImmutableMultiDict[str, str], values: dict[str, str]) -> str:
    password = form.get("password", "")
    if password != form.get("password_confirm", password):
        raise ValidationFailed({"password_confirm": gettext("The two passwords differ.")}, values)
    return password


async def password_change(request: Request) -> Response:
    user = auth.require_user(request)
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = await read_form(request)
        try:
            password = _new_password(form, {})
            if not await auth.check_current_password(user, form.get("current_password", "")):
                raise ValidationFailed({"current_password": gettext("That is not your current password.")})
            await auth.set_password(user, password, keep_session=sessions.session_id(request))
            return RedirectResponse(request.url_for("session_list").include_query_params(changed="1"), 303)
        except ValidationFailed as exc:
            errors = exc.errors
        except RateLimited as exc:
            errors = {"": exc.message}
    return render(request, "accounts/password.html", {"errors": errors}, status_code=422 if errors else 200)


async def session_list(request: Request) -> Response:
    user = auth.require_user(request)
    rows = await sessions.list_sessions(user)
    context = {
        "sessions": [(row, sessions.device_label(row.device)) for row in rows],
        "this_session": sessions.session_id(request),
        "changed": request.query_params.get("changed") == "1",
        "codes_left": await recovery.remaining(user),
    }
    return render(request, "accounts/sessions.html", context)


async def session_end(request: Request) -> Response:
    user = auth.require_user(request)
    await read_form(request)
    stored_id = request.path_params["session_id"]
    if stored_id == sessions.session_id(request):
        await sessions.log_out(request)
        return RedirectResponse("/", status_code=303)
    await sessions.end_session(user, stored_id)
    return RedirectResponse(request.url_for("session_list"), status_code=303)


async def session_end_others(request: Request) -> Response:
    user = auth.require_user(request)
    await read_form(request)
    await sessions.end_other_sessions(user, keep=sessions.session_id(request))
    return RedirectResponse(request.url_for("session_list"), status_code=303)


def show_codes(request: Request, codes: list[str], next_url: str) -> Response:
    """The page that shows a new set of recovery codes, once."""
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": next_url})


async def recovery_codes_new(request: Request) -> Response:
    user = auth.require_user(request)
    form = await read_form(request)
    if not await auth.check_current_password(user, form.get("current_password", "")):
        context = {"errors": {"codes_password": gettext("That is not your current password.")}}
        return render(request, "accounts/password.html", context, status_code=422)
    codes = await recovery.new_codes(user, secret_key(request.app.state.settings))
    return show_codes(request, codes, str(request.url_for("session_list")))


async def password_recover(request: Request) -> Response:
    values = {"username": ""}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        form = await read_form(request)
        values = {"username": form.get("username", "").strip()[: auth.USERNAME_MAX]}
        try:
            password = _new_password(form, values)
            user = await recovery.reset_with_code(
                request.app.state.limiter,
                form.get("username", ""),
                form.get("code", ""),
                password,
                secret=secret_key(request.app.state.settings),
                address=client_address(request),
            )
            await sessions.log_in(request, user)
            return RedirectResponse(request.url_for("session_list").include_query_params(changed="1"), 303)
        except ValidationFailed as exc:
            errors, status = exc.errors, 422
            values.update({k: v for k, v in exc.values.items() if k in values})
        except RateLimited as exc:
            errors, status = {"": exc.message}, 429
    return render(request, "accounts/recover.html", {"values": values, "errors": errors}, status_code=status)


routes = [
    Route("/profile/password", password_change, methods=["GET", "POST"], name="password_change"),
    Route("/profile/sessions", session_list, name="session_list"),
    Route("/profile/sessions/others/end", session_end_others, methods=["POST"], name="session_end_others"),
    Route("/profile/sessions/{session_id:str}/end", session_end, methods=["POST"], name="session_end"),
    Route("/profile/recovery-codes", recovery_codes_new, methods=["POST"], name="recovery_codes_new"),
    Route("/recover", password_recover, methods=["GET", "POST"], name="password_recover"),
]
