"""Accounts: passwords, usernames, sessions and the current user."""

from __future__ import annotations

import asyncio
import re
import secrets
import unicodedata
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from tortoise.exceptions import IntegrityError
from zxcvbn import zxcvbn

from forum import identity
from forum.config import SecuritySettings
from forum.errors import LoginRequired, PermissionDenied, RateLimited, TwoFactorRequired, ValidationFailed
from forum.i18n import format_number, gettext, lazy
from forum.models import Role, Session, User
from forum.search.members import fold_name

if TYPE_CHECKING:
    from zxcvbn.matching import _Match

PASSWORD_MIN = 10
# Long passphrases are welcome; the cap only bounds the hashing work per attempt.
PASSWORD_MAX = 1024
USERNAME_MIN = 3
USERNAME_MAX = 32
USERNAME_PUNCTUATION = frozenset("_-.")
# The stored case-folded key and skeleton (see models.User) hold this many characters.
KEY_MAX = 64
SKELETON_MAX = 255
ZWNJ = "\u200c"


class _HashSlots:
    """At most `at_once` password checks hash at a time in this process, and `waiting` more wait their turn.

    Each argon2 hash takes its whole memory cost while it runs, so parallel logins
    would otherwise add that much memory each; past the queue, refusing at once is
    kinder than a wait that would outlast the reader's patience.
    """

    def __init__(self, at_once: int, waiting: int) -> None:
        self.semaphore = asyncio.Semaphore(at_once)
        self.waiting_max = waiting
        self.waiting = 0

    @asynccontextmanager
    async def held(self) -> AsyncIterator[None]:
        """Hold a slot; raises RateLimited when every slot is taken and the queue is full."""
        if self.semaphore.locked() and self.waiting >= self.waiting_max:
            raise RateLimited(gettext("Many people are logging in right now. Please try again in a few seconds."))
        self.waiting += 1
        try:
            await self.semaphore.acquire()
        finally:
            self.waiting -= 1
        try:
            yield
        finally:
            self.semaphore.release()


class _Hashing:
    """The process's password hasher: argon2id with the library's recommended parameters,
    unless configure_hashing() set others (tests lower the memory)."""

    hasher = PasswordHasher()
    # Verified against when the name is unknown, so both cases cost the same time.
    dummy = hasher.hash(secrets.token_urlsafe(16))
    slots = _HashSlots(SecuritySettings.password_hashes_at_once, SecuritySettings.password_hashes_waiting)


def configure_hashing(settings: SecuritySettings) -> None:
    """Hash new passwords with the configured argon2id cost (older hashes are upgraded at login), and
    bound the password checks that hash at once."""
    # New slots for each app: an asyncio semaphore belongs to the event loop that first waits on it.
    _Hashing.slots = _HashSlots(settings.password_hashes_at_once, settings.password_hashes_waiting)
    current = _Hashing.hasher
    if (current.memory_cost, current.time_cost) == (settings.password_memory_kib, settings.password_time_cost):
        return
    _Hashing.hasher = PasswordHasher(memory_cost=settings.password_memory_kib, time_cost=settings.password_time_cost)
    _Hashing.dummy = _Hashing.hasher.hash(secrets.token_urlsafe(16))


def password_hasher() -> PasswordHasher:
    return _Hashing.hasher


def username_key(name: str) -> str:
    return unicodedata.normalize("NFKC", name).casefold()


def _length_message() -> str:
    return gettext(
        "A username has %(min)s to %(max)s characters.",
        min=format_number(USERNAME_MIN),
        max=format_number(USERNAME_MAX),
    )


def _script_message(problem: identity.ScriptProblem) -> str:
    if problem is identity.ScriptProblem.UNCOMMON_SCRIPT:
        return gettext("A username can only use letters of scripts in everyday use, such as Latin, Arabic or Cyrillic.")
    if problem is identity.ScriptProblem.MIXED_SCRIPTS:
        return gettext(
            "A username is written in one script: it cannot mix, for example, Latin and Arabic letters,"
            " or Latin letters and Persian digits."
        )
    return gettext("A username cannot mix digits of different kinds, such as 1 and ۱.")


def username_error(name: str) -> str | None:
    """Why `name` cannot be a username (translated), or None."""
    if not USERNAME_MIN <= len(name) <= USERNAME_MAX:
        return _length_message()
    if identity.hidden_characters(name):
        return gettext("A username cannot contain invisible, control or direction-changing characters.")
    for ch in name:
        # hidden_characters() let a zero-width non-joiner through only between two letters it keeps apart.
        if not (unicodedata.category(ch)[0] in "LMN" or ch in USERNAME_PUNCTUATION or ch == ZWNJ):
            return gettext("A username may hold letters, digits and the signs _ - . only.")
    if unicodedata.category(name[0])[0] not in "LN" or unicodedata.category(name[-1])[0] == "P":
        return gettext("A username starts with a letter or a digit and does not end with a sign.")
    if unicodedata.normalize("NFKC", name) != name:
        # Full-width, bold or circled letters, ligatures, presentation forms: each has a plain spelling.
        return gettext("A username cannot contain full-width, stylised or joined forms of letters; type them plainly.")
    if problem := identity.script_problem(name):
        return _script_message(problem)
    if len(username_key(name)) > KEY_MAX or len(identity.skeleton(name)) > SKELETON_MAX:
        # Some letters expand when case-folded or mapped to their look-alikes.
        return _length_message()
    return None


# The strength estimate looks at this many characters. Its work grows steeply with
# the length (a random 100-character password costs it seconds); a password whose
# first 50 characters are hard to guess is hard to guess.
PASSWORD_CHECKED = 50
# zxcvbn's score 2 means at least a million guesses (10^6, its estimate). Logins are throttled per address
# and per account name, so that many guesses is out of an online attacker's reach,
# while score 3 would refuse memorable passphrases of two uncommon words and a number.
PASSWORD_MIN_SCORE = 2
_NAME_PARTS = re.compile(r"[_.\-\u200c]+")


# What made zxcvbn's guess easy, in the forum's own words: its feedback is English only.
_BUILT_FROM_NAME = lazy("This password is too easy to guess: it is built from the username.")
_WEAKNESSES = {
    "passwords": lazy("This password is too easy to guess: it is one of the most common passwords."),
    "dictionary": lazy("This password is too easy to guess: it is a common word or name. Add a few unrelated words."),
    "repeat": lazy("This password is too easy to guess: it repeats the same characters."),
    "sequence": lazy("This password is too easy to guess: it is a sequence such as 1234 or abcd."),
    "spatial": lazy("This password is too easy to guess: it follows a row of keys on the keyboard."),
    "date": lazy("This password is too easy to guess: it is a date or a year."),
    "regex": lazy("This password is too easy to guess: it is a date or a year."),
}
_WEAK = lazy("This password is too easy to guess. A few unrelated words make a strong one.")


def _weak_password_message(sequence: list[_Match]) -> str:
    if any(m.get("dictionary_name") == "user_inputs" for m in sequence):
        return gettext(_BUILT_FROM_NAME)
    # The longest stretch of the password that a pattern explains is what gave it away.
    match = max(sequence, key=lambda m: len(m["token"]))
    weakness = "passwords" if match.get("dictionary_name") == "passwords" else match["pattern"]
    return gettext(_WEAKNESSES.get(weakness, _WEAK))


def password_error(password: str, username: str = "") -> str | None:
    """Why `password` cannot be used (translated), or None: too short or long, or easy to guess
    (a common password, a pattern, or built from the username). Takes milliseconds of CPU: call
    it off the event loop."""
    if len(password) < PASSWORD_MIN:
        return gettext("The password needs at least %(min)s characters.", min=format_number(PASSWORD_MIN))
    if len(password) > PASSWORD_MAX:
        return gettext("The password can have at most %(max)s characters.", max=format_number(PASSWORD_MAX))
    names = [name.casefold() for name in (username, *_NAME_PARTS.split(username)) if len(name) >= 3]
    checked = password[:PASSWORD_CHECKED]
    result = zxcvbn(checked, user_inputs=names)
    if result["score"] < PASSWORD_MIN_SCORE:
        return _weak_password_message(result["sequence"])
    # zxcvbn prices the name as one cheap word, so the name and a symbol-laden year can pass
    # it: a password holding the name must be hard to guess without it.
    for name in (name for name in names if name in checked.casefold()):
        rest = checked.casefold().replace(name, "")
        if not rest or zxcvbn(rest)["score"] < PASSWORD_MIN_SCORE:
            return gettext(_BUILT_FROM_NAME)
    return None


async def _hash(password: str) -> str:
    """A new password's hash, in a thread and within the process's hashing slots (see _HashSlots)."""
    async with _Hashing.slots.held():
        return await run_in_threadpool(_Hashing.hasher.hash, password)


async def create_user(username: str, password: str, *, role: Role = Role.MEMBER, language: str | None = None) -> User:
    """Create an account. Raises ValidationFailed naming the field at fault."""
    username = unicodedata.normalize("NFC", username.strip())
    taken = gettext("That username is taken, or too easily mistaken for one that is.")
    errors = {}
    skeleton = ""
    if problem := username_error(username):
        errors["username"] = problem
    else:
        skeleton = identity.skeleton(username)
        if await User.filter(skeleton=skeleton).exists():
            errors["username"] = taken
    # zxcvbn takes milliseconds of CPU (more for long passwords): in a thread, the other requests go on.
    if problem := await run_in_threadpool(password_error, password, username):
        errors["password"] = problem
    if errors:
        raise ValidationFailed(errors, {"username": username})
    try:
        return await User.create(
            username=username,
            username_key=username_key(username),
            skeleton=skeleton,
            name_folded=fold_name(username),
            password_hash=await _hash(password),
            role=role,
            language=language,
        )
    except IntegrityError:
        # Two registrations of one name at the same moment: the unique key decides.
        raise ValidationFailed({"username": taken}, {"username": username}) from None


def login_key(name: str) -> str | None:
    """The stored key of the account `name` would log in to, or None when no account can have that name."""
    # Length first: a hostile name can be megabytes, and normalising it would cost as much.
    if len(name) > USERNAME_MAX:
        return None
    key = username_key(name)
    return key if len(key) <= KEY_MAX else None


class Attempt(Protocol):
    """The limits on one login attempt: admitted once its hashing slot is held, told of a failure before
    the slot is released, so that attempts sent all at once are counted one slot at a time."""

    async def admit(self) -> None: ...

    async def failed(self) -> None: ...


async def authenticate(username: str, password: str, attempt: Attempt | None = None) -> User | None:
    """The user these credentials belong to, or None. Upgrades an outdated hash in passing.

    A name or password longer than any account can have matches nothing and is not
    hashed. Raises RateLimited when too many checks already wait for a hashing slot,
    and whatever `attempt.admit()` raises.
    """
    key = login_key(username.strip())
    if key is None or len(password) > PASSWORD_MAX:
        if attempt:
            await attempt.admit()
            await attempt.failed()
        return None
    async with _Hashing.slots.held():
        if attempt:
            await attempt.admit()
        user = await User.get_or_none(username_key=key)
        try:
            # Hashing takes tens of milliseconds of CPU: in a thread, the other requests go on.
            await run_in_threadpool(_Hashing.hasher.verify, user.password_hash if user else _Hashing.dummy, password)
            verified = user is not None
        except (VerificationError, InvalidHashError):
            verified = False
        if user is None or not verified:
            if attempt:
                await attempt.failed()
            return None
        if _Hashing.hasher.check_needs_rehash(user.password_hash):
            user.password_hash = await run_in_threadpool(_Hashing.hasher.hash, password)
            await user.save(update_fields=["password_hash"])
    return user


async def set_password(user: User, password: str, *, keep_session: str | None = None) -> None:
    """Give the account a new password and end every session it has but `keep_session`.
    Raises ValidationFailed for a bad one."""
    if problem := await run_in_threadpool(password_error, password, user.username):
        raise ValidationFailed({"password": problem})
    user.password_hash = await _hash(password)
    await User.filter(id=user.id).update(password_hash=user.password_hash)
    query = Session.filter(user_id=user.id)
    await (query.exclude(id=keep_session) if keep_session else query).delete()


async def check_current_password(user: User, password: str) -> bool:
    """Whether `password` is the account's, hashing within the process's slots."""
    if len(password) > PASSWORD_MAX:
        return False
    async with _Hashing.slots.held():
        try:
            return bool(await run_in_threadpool(_Hashing.hasher.verify, user.password_hash, password))
        except (VerificationError, InvalidHashError):
            return False


def current_user(request: Request) -> User | None:
    user: User | None = request.state.user
    return user


def require_user(request: Request) -> User:
    user = current_user(request)
    if user is None:
        raise LoginRequired(gettext("Please log in first."))
    return user


def _require_second_factor(request: Request, user: User) -> None:
    if user.totp_secret is None and user.role.value in request.app.state.settings.security.require_2fa_for:
        raise TwoFactorRequired(gettext("Turn on two-factor sign-in first."))


def require_moderator(request: Request) -> User:
    user = require_user(request)
    if not user.is_moderator:
        raise PermissionDenied(gettext("This page is for moderators."))
    _require_second_factor(request, user)
    if user.suspended_until and user.suspended_until > datetime.now(UTC):
        raise PermissionDenied(gettext("Your account is suspended, so you cannot moderate for now."))
    return user


def require_admin(request: Request) -> User:
    user = require_user(request)
    if not user.is_admin:
        raise PermissionDenied(gettext("This is for administrators."))
    _require_second_factor(request, user)
    return user
