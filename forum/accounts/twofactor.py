"""Two-factor sign-in: time-based one-time codes (RFC 6238) from an authenticator app, or a recovery code."""

from __future__ import annotations

import hmac
import time
from datetime import UTC, datetime

import pyotp
import segno
from markupsafe import Markup
from tortoise.expressions import Q

from forum.accounts import recovery
from forum.models import User

ISSUER = "Forum"
# Codes of the step before and after the current one are accepted too: phone clocks drift.
VALID_WINDOW = 1
_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, username: str, issuer: str = ISSUER) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=issuer)


def qr_code(uri: str) -> Markup:
    """The URI as an inline SVG QR code, drawn here: no request leaves for a third party."""
    svg = segno.make(uri, error="m").svg_inline(scale=5, dark="#000", light="#fff", border=4)
    return Markup(svg)  # segno's own markup, nothing of the user's


def _digits(code: str) -> str:
    return "".join(ch for ch in code[:32].translate(_DIGITS) if not ch.isspace())


def is_totp_shaped(code: str) -> bool:
    digits = _digits(code)
    return len(digits) == 6 and digits.isascii() and digits.isdigit()


def matching_step(secret: str, code: str, after: int | None, now: float | None = None) -> int | None:
    """The time step `code` is valid for (within the window, later than `after`), or None."""
    if not is_totp_shaped(code):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(_moment(now))
    digits = _digits(code)
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if (after is None or step > after) and hmac.compare_digest(totp.generate_otp(step), digits):
            return step
    return None


def _moment(now: float | None) -> datetime:
    return datetime.fromtimestamp(time.time() if now is None else now, UTC)


async def enable(user: User, secret: str, code: str) -> bool:
    """Turn two-factor sign-in on with `secret` once `code` proves the app holds it."""
    step = matching_step(secret, code, None)
    if step is None:
        return False
    await User.filter(id=user.id).update(totp_secret=secret, totp_last_step=step)
    user.totp_secret, user.totp_last_step = secret, step
    return True


async def disable(user: User) -> None:
    await User.filter(id=user.id).update(totp_secret=None, totp_last_step=None)
    user.totp_secret = user.totp_last_step = None


async def verify(user: User, code: str, secret_key: str) -> bool:
    """Whether `code` is a second factor of `user`: a TOTP code not used before, or an unused recovery code
    (which is then used up)."""
    if user.totp_secret is None:
        return False
    if is_totp_shaped(code):
        step = matching_step(user.totp_secret, code, user.totp_last_step)
        if step is None:
            return False
        # Conditional on the last step, so that one code sent twice at once opens one session.
        newer = Q(totp_last_step__isnull=True) | Q(totp_last_step__lt=step)
        return await User.filter(newer, id=user.id).update(totp_last_step=step) == 1
    return await recovery.use_code(user, code, secret_key)
