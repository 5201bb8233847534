"""Accounts: register, log in, log out, profile, my posts."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from forum.accounts import auth, carried, leaving, logins, recovery, security, sessions, spam, twofactor_views
from forum.config import LANGUAGES, secret_key
from forum.discussions.threads import undo_window_start
from forum.errors import RateLimited, ValidationFailed
from forum.forms import read_form
from forum.i18n import (
    COMMON_TIMEZONES,
    current_language,
    gettext,
    is_timezone,
    set_language,
    set_timezone,
    timezone_choice,
)
from forum.models import Post
from forum.notifications import profile as notices_profile
from forum.templating import render


def _next_url(raw: str | None) -> str:
    """Only a path on this site: never an open redirect."""
    if not raw:
        return "/"
    parts = urlsplit(raw)
    if parts.scheme or parts.netloc or not raw.startswith("/") or raw.startswith("//") or "\\" in raw:
        return "/"
    return raw


def _client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def register(request: Request) -> Response:
    values = {"username": "", "next": _next_url(request.query_params.get("next"))}
    errors: dict[str, str] = {}
    status = 200
    settings = request.app.state.settings
    secret = secret_key(settings)
    if request.method == "POST":
        try:
            form = await read_form(request)
            values = {"username": form.get("username", ""), "next": _next_url(form.get("next"))}
            spam.check_person(form, secret, settings.security.register_min_seconds, values)
            password = form.get("password", "")
            if password != form.get("password_confirm", password):
                raise ValidationFailed({"password_confirm": gettext("The two passwords differ.")}, values)
            await request.app.state.limiter.hit("register", _client_ip(request))
            await leaving.free_quarantined_names(settings.accounts.username_quarantine_days)
            user = await auth.create_user(values["username"], password, language=current_language())
            await sessions.log_in(request, user)
            # Shown once, on the answer to this form: never kept anywhere they could be read again.
            return security.show_codes(request, await recovery.new_codes(user, secret), values["next"])
        except ValidationFailed as exc:
            values.update({k: v for k, v in exc.values.items() if k in values})
            errors, status = exc.errors, 422
        except RateLimited as exc:
            errors, status = {"": exc.message}, 429
    context = {
        "values": values,
        "errors": errors,
        "honeypot_field": spam.HONEYPOT_FIELD,
        "stamp_field": spam.STAMP_FIELD,
        "stamp": spam.form_stamp(secret),
    }
    return render(request, "accounts/register.html", context, status_code=status)


async def login(request: Request) -> Response:
    values = {"username": "", "next": _next_url(request.query_params.get("next"))}
    errors: dict[str, str] = {}
    status = 200
    kept: dict[str, str] = {}
    if request.method == "POST":
        try:
            form = await read_form(request)
            kept = carried.kept_reply(form)
            username = form.get("username", "")
            # Shown again in the form: no longer than any account's name (a hostile one can be megabytes).
            values = {"username": username.strip()[: auth.USERNAME_MAX], "next": _next_url(form.get("next"))}
            devices = logins.KnownDevices(request)
            user = await logins.check_password(
                request.app.state.limiter,
                username,
                form.get("password", ""),
                address=_client_ip(request),
                known_device=devices.knows(username),
            )
            if user.totp_secret is not None:
                return twofactor_views.hold_pending_login(request, user, values["next"], kept)
            await sessions.log_in(request, user)
            response = await carried.after_login(request, values["next"], kept)
            devices.remember(response, user)
            return response
        except ValidationFailed as exc:
            errors, status = exc.errors, 422
        except RateLimited as exc:
            errors, status = {"": exc.message}, 429
    context = {
        "values": values,
        "errors": errors,
        "code_expired": request.query_params.get("expired") == "1",
        "kept": kept,
    }
    return render(request, "accounts/login.html", context, status_code=status)


async def logout(request: Request) -> Response:
    await read_form(request)
    await sessions.log_out(request)
    return RedirectResponse("/", status_code=303)


async def profile(request: Request) -> Response:
    user = auth.require_user(request)
    errors: dict[str, str] = {}
    saved = False
    if request.method == "POST":
        form = await read_form(request)
        language = form.get("language", "")
        # Empty: the forum's default zone, whatever it becomes.
        timezone = form.get("timezone", "")
        if language not in LANGUAGES:
            errors["language"] = gettext("Choose one of the offered languages.")
        if timezone and not is_timezone(timezone):
            errors["timezone"] = gettext("Choose one of the offered time zones.")
        if not errors:
            reads = [code for code in LANGUAGES if form.get(f"reads_{code}")]
            user.language = language
            user.timezone = timezone or None
            user.reads_languages = ",".join(reads)
            user.prefer_translations = form.get("prefer_translations") == "1"
            await user.save(update_fields=["language", "timezone", "reads_languages", "prefer_translations"])
            set_language(language)
            set_timezone(timezone or request.app.state.settings.languages.timezone)
            saved = True
    context = {
        "errors": errors,
        "saved": saved,
        "timezones": _timezone_choices(user.timezone),
        "default_timezone": request.app.state.settings.languages.timezone,
        **await notices_profile.profile_context(request, user),
    }
    return render(request, "accounts/profile.html", context, status_code=422 if errors else 200)


def _timezone_choices(current: str | None) -> list[tuple[str, str]]:
    """The common zones, and the member's own if it is another, as (name, label) from west to east."""
    names = set(COMMON_TIMEZONES) | ({current} if current and is_timezone(current) else set())
    now = datetime.now(UTC)
    return [
        (name, timezone_choice(name, now))
        for name in sorted(names, key=lambda name: (now.astimezone(ZoneInfo(name)).utcoffset(), name))
    ]


async def my_posts(request: Request) -> Response:
    user = auth.require_user(request)
    posts = await Post.filter(author=user).order_by("-id").limit(200).select_related("topic")
    undo_since = undo_window_start(request.app.state.settings)
    return render(request, "accounts/my_posts.html", {"posts": posts, "undo_since": undo_since})


routes = [
    Route("/register", register, methods=["GET", "POST"], name="register"),
    Route("/login", login, methods=["GET", "POST"], name="login"),
    Route("/logout", logout, methods=["POST"], name="logout"),
    Route("/profile", profile, methods=["GET", "POST"], name="profile"),
    Route("/my/posts", my_posts, name="my_posts"),
]
