"""Sessions: one row per login, named by a hash of the random token the signed cookie carries.

Logging out ends this session only; a member can see their other sessions and
end any of them. No address is kept, only a coarse description of the device.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from starlette.requests import Request

from forum.csrf import new_token
from forum.i18n import gettext
from forum.models import Session, User

# A session unused this long has ended, as its cookie has.
SESSION_AGE = timedelta(days=30)
# last_seen_at is written at most this often, so that reading pages writes nothing most of the time.
SEEN_EVERY = timedelta(minutes=1)

# The first pattern that matches names the browser, then the system; order matters
# (Edge and Opera say "Chrome" too, Chrome says "Safari", Android says "Linux").
_BROWSERS = (
    ("Edge", re.compile(r"Edg(e|A|iOS)?/")),
    ("Opera", re.compile(r"OPR/|Opera")),
    ("Samsung Internet", re.compile(r"SamsungBrowser/")),
    ("Firefox", re.compile(r"Firefox/|FxiOS/")),
    ("Chrome", re.compile(r"Chrome/|CriOS/|Chromium/")),
    ("Safari", re.compile(r"Safari/")),
)
_SYSTEMS = (
    ("Android", re.compile(r"Android")),
    ("iOS", re.compile(r"iPhone|iPad|iPod")),
    ("ChromeOS", re.compile(r"CrOS")),
    ("Windows", re.compile(r"Windows")),
    ("macOS", re.compile(r"Mac OS X|Macintosh")),
    ("Linux", re.compile(r"Linux|X11")),
)


def device_of(user_agent: str) -> str:
    """ "browser|system" from a User-Agent, either part empty when unknown."""
    agent = user_agent[:512]
    browser = next((name for name, pattern in _BROWSERS if pattern.search(agent)), "")
    system = next((name for name, pattern in _SYSTEMS if pattern.search(agent)), "")
    return f"{browser}|{system}"


def device_label(device: str) -> str:
    """The stored device described in the interface language."""
    browser, _, system = device.partition("|")
    if browser and system:
        return gettext("%(browser)s on %(system)s", browser=browser, system=system)
    return browser or system or gettext("An unknown device")


def _hashed(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


@dataclass(frozen=True)
class Current:
    """The session a request belongs to and its member."""

    id: str
    user: User


async def current(token: object) -> Current | None:
    """The live session the cookie's token names, with its member (one query), or None.
    Notes that it was used, at most once a minute."""
    if not isinstance(token, str) or not token:
        return None
    row = await Session.filter(id=_hashed(token)).select_related("user").first()
    if row is None:
        return None
    now = datetime.now(UTC)
    if row.last_seen_at < now - SESSION_AGE:
        await row.delete()
        return None
    if row.last_seen_at < now - SEEN_EVERY:
        await Session.filter(id=row.id).update(last_seen_at=now)
    return Current(row.id, row.user)


async def log_in(request: Request, user: User) -> None:
    """Start a new session for `user` in this browser."""
    # A fresh session, so that a token planted before login is worth nothing after it.
    request.session.clear()
    token = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    await Session.filter(user_id=user.id, last_seen_at__lt=now - SESSION_AGE).delete()
    await Session.create(
        id=_hashed(token), user=user, device=device_of(request.headers.get("user-agent", "")), last_seen_at=now
    )
    request.session["sid"] = token
    request.session["csrf"] = new_token()


async def log_out(request: Request) -> None:
    """End this session only: a signed cookie copied before stays useless."""
    token = request.session.get("sid")
    request.session.clear()
    if isinstance(token, str):
        await Session.filter(id=_hashed(token)).delete()


def session_id(request: Request) -> str | None:
    """The stored id of this request's session."""
    token = request.session.get("sid")
    return _hashed(token) if isinstance(token, str) else None


async def end_session(user: User, stored_id: str) -> None:
    """End one of `user`'s sessions (none of another member's)."""
    await Session.filter(user_id=user.id, id=stored_id).delete()


async def end_other_sessions(user: User, keep: str | None) -> None:
    """End every session of `user` but `keep` (every one when None)."""
    query = Session.filter(user_id=user.id)
    if keep is not None:
        query = query.exclude(id=keep)
    await query.delete()


async def list_sessions(user: User) -> list[Session]:
    return await Session.filter(user_id=user.id).order_by("-last_seen_at")
