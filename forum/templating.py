"""The one Jinja environment: autoescape, i18n, filters and the values every page gets."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import jinja2
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from forum import i18n, labels, markup
from forum.csrf import LazyToken
from forum.models import Role, User
from forum.resources import TEMPLATES_DIR
from forum.text import direction, excerpt, isolate


def _page_context(request: Request) -> dict[str, Any]:
    language = i18n.current_language()
    return {
        # Error pages for failures outside the middleware stack have neither.
        "user": getattr(request.state, "user", None),
        "unread_notices": getattr(request.state, "unread_notices", 0),
        "lang": language,
        "dir": direction(language),
        "csrf_token": LazyToken(request),
    }


def bdi(value: object) -> Markup:
    """A user-written name isolated for the bidi algorithm, to sit inside a translated sentence."""
    return Markup("<bdi>%s</bdi>") % value


def person(user: User) -> Markup:
    """A member's name as bdi() gives it, followed by their role when they moderate: a name made
    to look like a moderator's still comes without the badge."""
    if user.deleted_at is not None:
        return Markup('<span class="deleted-member">%s</span>') % i18n.gettext("Deleted member")
    if user.role == Role.MEMBER:
        return bdi(user.username)
    role = i18n.gettext(labels.ROLE_NAMES[user.role])
    return Markup('<bdi>%s</bdi> <span class="badge badge-role">%s</span>') % (user.username, role)


@jinja2.pass_context
def path_for(context: Mapping[str, Any], name: str, **params: object) -> str:
    """The path of a named route, for links repeated once per post.

    url_for() tries every route in turn and builds an absolute URL; in a
    500-post thread that was the largest cost of the page.
    """
    # The same posts' links are built on every reading of a thread: kept, by route name and parameters
    # (every app of the forum has the same routes).
    key = (name, tuple(params.items()))
    path = _paths.get(key)
    if path is None:
        if len(_paths) >= MAX_PATHS:
            _paths.clear()
        route: Route = context["request"].app.state.routes_by_name[name]
        path = _paths[key] = str(route.url_path_for(name, **params))
    return path


MAX_PATHS = 16384
_paths: dict[tuple[str, tuple[tuple[str, object], ...]], str] = {}


@jinja2.pass_context
def member_link(context: Mapping[str, Any], user: User) -> Markup:
    """A member's name, as person() gives it, linked to their public profile."""
    if user.deleted_at is not None:
        return person(user)
    return Markup('<a href="%s">%s</a>') % (path_for(context, "member_profile", username=user.username), person(user))


_POST_HEADING = re.compile(r"<(/?)h([4-6])(?=[\s>])")


def outline(html: str, top: int) -> Markup:
    """A post's stored HTML with its headings moved so that the first level is `top`.

    Posts are stored with headings from h4, to sit under a thread's h3 (the
    author's name); a page that shows a post right under its h1 or an h2 moves
    them up, so that the page's outline never skips a level.
    """
    shift = top - markup.FIRST_HEADING
    if shift == 0:
        return Markup(html)
    return Markup(_POST_HEADING.sub(lambda m: f"<{m[1]}h{max(top, int(m[2]) + shift)}", html))


def iso(value: datetime) -> str:
    """A machine-readable time for <time datetime>, to the second, in UTC."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    # Jinja formats the placeholders itself (escaping them), so it gets the bare lookups.
    env.install_gettext_callables(  # type: ignore[attr-defined]  # added by the i18n extension
        lambda message: i18n.translations(i18n.current_language()).ugettext(message),
        lambda singular, plural, n: i18n.translations(i18n.current_language()).ungettext(singular, plural, n),
        newstyle=True,
    )
    env.globals.update(
        bdi=bdi,
        person=person,
        isolate=isolate,
        path_for=path_for,
        member_link=member_link,
        languages=i18n.LANGUAGE_NAMES,
        flag_reasons=labels.FLAG_REASONS,
        reason_codes=labels.REASON_CODES,
        action_names=labels.ACTION_NAMES,
        role_names=labels.ROLE_NAMES,
        status_names=labels.STATUS_NAMES,
        standing_names=labels.STANDING_NAMES,
    )
    env.filters.update(
        number=i18n.format_number,
        datetime=i18n.format_datetime,
        day=i18n.format_day,
        language_name=i18n.language_name,
        ago=i18n.time_ago,
        timezone_choice=i18n.timezone_choice,
        dir=direction,
        iso=iso,
        excerpt=excerpt,
        outline=outline,
    )
    return env


templates = Jinja2Templates(env=_environment(), context_processors=[_page_context])


def render(
    request: Request,
    name: str,
    context: Mapping[str, Any] | None = None,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    return templates.TemplateResponse(request, name, dict(context or {}), status_code=status_code, headers=headers)
