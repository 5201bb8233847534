"""Accounts: passwords, usernames, sessions and the current user."""

from __future__ import annotations

import secrets
import unicodedata
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from tortoise.exceptions import IntegrityError
from tortoise.expressions import F

from forum import text
from forum.config import SecuritySettings
from forum.csrf import new_token
from forum.errors import LoginRequired, PermissionDenied, ValidationFailed
from forum.i18n import format_number, gettext
from forum.models import Role, User

PASSWORD_MIN = 10
# Long passphrases are welcome; the cap only bounds the hashing work per attempt.
PASSWORD_MAX = 1024
USERNAME_MIN = 3
USERNAME_MAX = 32
USERNAME_PUNCTUATION = frozenset("_-.")
# The stored case-folded key and skeleton (see models.User) hold this many characters.
KEY_MAX = 64


class _Hashing:
    """The process's password hasher: argon2id with the library's recommended parameters,
    unless configure_hashing() set others (tests lower the memory)."""

    hasher = PasswordHasher()
    # Verified against when the name is unknown, so both cases cost the same time.
    dummy = hasher.hash(secrets.token_urlsafe(16))


def configure_hashing(settings: SecuritySettings) -> None:
    """Hash new passwords with the configured argon2id cost; older hashes are upgraded at login."""
    current = _Hashing.hasher
    if (current.memory_cost, current.time_cost) == (settings.password_memory_kib, settings.password_time_cost):
        return
    _Hashing.hasher = PasswordHasher(memory_cost=settings.password_memory_kib, time_cost=settings.password_time_cost)
    _Hashing.dummy = _Hashing.hasher.hash(secrets.token_urlsafe(16))


def password_hasher() -> PasswordHasher:
    return _Hashing.hasher


def username_key(name: str) -> str:
    return unicodedata.normalize("NFKC", name).casefold()


def username_error(name: str) -> str | None:
    """Why `name` cannot be a username (translated), or None."""
    if not USERNAME_MIN <= len(name) <= USERNAME_MAX:
        return gettext(
            "A username has %(min)s to %(max)s characters.",
            min=format_number(USERNAME_MIN),
            max=format_number(USERNAME_MAX),
        )
    if len(username_key(name)) > KEY_MAX or len(text.skeleton(name)) > KEY_MAX:
        # Some characters expand under NFKC (one ligature becomes eighteen letters).
        return gettext(
            "A username has %(min)s to %(max)s characters.",
            min=format_number(USERNAME_MIN),
            max=format_number(USERNAME_MAX),
        )
    if text.has_format_controls(name):
        return gettext("A username cannot contain invisible, control or direction-changing characters.")
    for ch in name:
        if not (unicodedata.category(ch)[0] in "LMN" or ch in USERNAME_PUNCTUATION):
            return gettext("A username may hold letters, digits and the signs _ - . only.")
    if unicodedata.category(name[0])[0] not in "LN" or unicodedata.category(name[-1])[0] == "P":
        return gettext("A username starts with a letter or a digit and does not end with a sign.")
    return None


def password_error(password: str) -> str | None:
    if len(password) < PASSWORD_MIN:
        return gettext("The password needs at least %(min)s characters.", min=format_number(PASSWORD_MIN))
    if len(password) > PASSWORD_MAX:
        return gettext("The password can have at most %(max)s characters.", max=format_number(PASSWORD_MAX))
    return None


async def create_user(username: str, password: str, *, role: Role = Role.MEMBER, language: str | None = None) -> User:
    """Create an account. Raises ValidationFailed naming the field at fault."""
    username = unicodedata.normalize("NFC", username.strip())
    errors = {}
    if problem := username_error(username):
        errors["username"] = problem
    if problem := password_error(password):
        errors["password"] = problem
    if errors:
        raise ValidationFailed(errors, {"username": username})
    skeleton = text.skeleton(username)
    taken = gettext("That username is taken, or too easily mistaken for one that is.")
    if await User.filter(skeleton=skeleton).exists():
        raise ValidationFailed({"username": taken}, {"username": username})
    try:
        return await User.create(
            username=username,
            username_key=username_key(username),
            skeleton=skeleton,
            password_hash=await run_in_threadpool(_Hashing.hasher.hash, password),
            role=role,
            language=language,
        )
    except IntegrityError:
        # Two registrations of one name at the same moment: the unique key decides.
        raise ValidationFailed({"username": taken}, {"username": username}) from None


async def authenticate(username: str, password: str) -> User | None:
    """The user these credentials belong to, or None. Upgrades an outdated hash in passing."""
    user = await User.get_or_none(username_key=username_key(username.strip()))
    try:
        # Hashing takes tens of milliseconds of CPU: in a thread, the other requests go on.
        await run_in_threadpool(_Hashing.hasher.verify, user.password_hash if user else _Hashing.dummy, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None:
        return None
    if _Hashing.hasher.check_needs_rehash(user.password_hash):
        user.password_hash = await run_in_threadpool(_Hashing.hasher.hash, password)
        await user.save(update_fields=["password_hash"])
    return user


async def set_password(user: User, password: str) -> None:
    """Give the account a new password and end every session it has. Raises ValidationFailed for a bad one."""
    if problem := password_error(password):
        raise ValidationFailed({"password": problem})
    password_hash = await run_in_threadpool(_Hashing.hasher.hash, password)
    await User.filter(id=user.id).update(password_hash=password_hash, session_epoch=F("session_epoch") + 1)


def log_in(request: Request, user: User) -> None:
    # A fresh session, so that a token planted before login is worth nothing after it.
    request.session.clear()
    request.session["uid"] = user.id
    request.session["epoch"] = user.session_epoch
    request.session["csrf"] = new_token()


async def log_out(request: Request, user: User) -> None:
    """End this session and every other one of the account: a signed cookie copied before stays useless."""
    request.session.clear()
    await User.filter(id=user.id).update(session_epoch=F("session_epoch") + 1)


def current_user(request: Request) -> User | None:
    user: User | None = request.state.user
    return user


def require_user(request: Request) -> User:
    user = current_user(request)
    if user is None:
        raise LoginRequired(gettext("Please log in first."))
    return user


def require_moderator(request: Request) -> User:
    user = require_user(request)
    if not user.is_moderator:
        raise PermissionDenied(gettext("This page is for moderators."))
    if user.suspended_until and user.suspended_until > datetime.now(UTC):
        raise PermissionDenied(gettext("Your account is suspended, so you cannot moderate for now."))
    return user


def require_admin(request: Request) -> User:
    user = require_user(request)
    if not user.is_admin:
        raise PermissionDenied(gettext("This is for administrators."))
    return user
