"""Recovery codes: one-time codes that reset a forgotten password, or stand in for a second factor.

Shown once, stored as a keyed hash (HMAC-SHA256 with the site's secret: the
codes are random enough that a slow hash would add nothing but cost).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from starlette.concurrency import run_in_threadpool
from tortoise.transactions import in_transaction

from forum.accounts import auth
from forum.errors import RateLimited, ValidationFailed
from forum.i18n import gettext
from forum.models import RecoveryCode, User
from forum.ratelimit import RateLimiter

CODES = 10
# 31 letters and digits that cannot be mistaken for one another (no 0/o, 1/l/i).
ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
GROUPS = 3
GROUP_LENGTH = 4
# Persian and Arabic-Indic digits, as a phone keyboard may type them.
_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")


def _code() -> str:
    return "-".join("".join(secrets.choice(ALPHABET) for _ in range(GROUP_LENGTH)) for _ in range(GROUPS))


def normalise(code: str) -> str:
    """The code as stored: case, spaces, dashes and the kind of digits do not matter."""
    return "".join(ch for ch in code[:64].translate(_DIGITS).lower() if ch.isalnum())


def _hashed(secret: str, code: str) -> str:
    return hmac.new(secret.encode(), normalise(code).encode(), hashlib.sha256).hexdigest()


async def new_codes(user: User, secret: str) -> list[str]:
    """A fresh set of codes for `user`, replacing any earlier set; only the hashes are kept."""
    codes = [_code() for _ in range(CODES)]
    async with in_transaction():
        await RecoveryCode.filter(user_id=user.id).delete()
        await RecoveryCode.bulk_create([RecoveryCode(user_id=user.id, code_hash=_hashed(secret, c)) for c in codes])
    return codes


async def remaining(user: User) -> int:
    return await RecoveryCode.filter(user_id=user.id).count()


async def use_code(user: User, code: str, secret: str) -> bool:
    """Spend one of `user`'s codes: True when `code` was one of them (it is then used up)."""
    wanted = _hashed(secret, code)
    rows = await RecoveryCode.filter(user_id=user.id)
    # Compared one by one in constant time, rather than looked up by the hash.
    match = next((row for row in rows if hmac.compare_digest(row.code_hash, wanted)), None)
    if match is None:
        return False
    # Deleted by id and counted: of two uses at once, one wins.
    return await RecoveryCode.filter(id=match.id).delete() == 1


async def reset_with_code(
    limiter: RateLimiter, username: str, code: str, password: str, *, secret: str, address: str
) -> User:
    """Set a new password for the account whose recovery code this is, spending the code.

    Raises RateLimited past the login limits (failures count as failed logins), and
    ValidationFailed for a name and code that do not match or a password refused.
    """
    key = auth.login_key(username.strip())
    if not await limiter.allowed("login_ip", address) or (
        key is not None and not await limiter.allowed("login_pair", key, address)
    ):
        raise RateLimited(gettext("Too many attempts. Wait a few minutes before trying again."))
    user = await User.get_or_none(username_key=key) if key else None
    # The password is checked first, so that a weak one does not spend the code.
    if user is not None and (problem := await run_in_threadpool(auth.password_error, password, user.username)):
        raise ValidationFailed({"password": problem}, {"username": username.strip()[: auth.USERNAME_MAX]})
    if user is None or not await use_code(user, code, secret):
        await limiter.record("login_ip", address)
        if key is not None:
            await limiter.record("login_pair", key, address)
        raise ValidationFailed(
            {"code": gettext("That username and recovery code do not match.")},
            {"username": username.strip()[: auth.USERNAME_MAX]},
        )
    await auth.set_password(user, password)
    return user
