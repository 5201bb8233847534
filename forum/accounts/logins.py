"""Logging in with a password: limits that slow guessing down without locking the owner out.

Only failures count. Past the limit for one name from one address, or for one
address, that address is refused for a while. Past the limit for one name from
anywhere, nobody is refused (strangers could otherwise keep the owner out by
guessing): each further attempt waits a little longer, up to a bound, except from
a browser that has logged in to that account before and holds the signed cookie
that says so.
"""

from __future__ import annotations

import asyncio
import functools
from dataclasses import dataclass

from itsdangerous import BadSignature, Signer, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

from forum.accounts import auth
from forum.config import Settings, secret_key
from forum.errors import RateLimited, ValidationFailed
from forum.i18n import gettext
from forum.models import User
from forum.ratelimit import RateLimiter

DEVICE_COOKIE = "forum_device"
DEVICE_AGE = 365 * 24 * 3600
# Accounts one browser is remembered for: enough for a shared family computer.
DEVICE_ACCOUNTS = 8


@dataclass(frozen=True)
class _Attempt:
    limiter: RateLimiter
    address: str
    key: str | None

    async def admit(self) -> None:
        allowed = await self.limiter.allowed("login_ip", self.address)
        if allowed and self.key is not None:
            allowed = await self.limiter.allowed("login_pair", self.key, self.address)
        if not allowed:
            raise RateLimited(gettext("Too many attempts. Wait a few minutes before trying again."))

    async def failed(self) -> None:
        await self.limiter.record("login_ip", self.address)
        if self.key is not None:
            await self.limiter.record("login_pair", self.key, self.address)
            await self.limiter.record("login_username", self.key)


async def check_password(
    limiter: RateLimiter, username: str, password: str, *, address: str, known_device: bool
) -> User:
    """The account these credentials open. Raises ValidationFailed when they open none, RateLimited while
    this address is refused or too many logins wait for their check; waits first when the name is under attack."""
    name = username.strip()
    attempt = _Attempt(limiter, address, auth.login_key(name))
    # Refused before any wait, so that a refused address holds nothing open.
    await attempt.admit()
    if attempt.key is not None and not known_device:
        await asyncio.sleep(await limiter.delay("login_username", attempt.key))
    user = await auth.authenticate(name, password, attempt)
    if user is None:
        raise ValidationFailed(
            {"": gettext("That username and password do not match an account.")},
            {"username": name[: auth.USERNAME_MAX]},
        )
    return user


class KnownDevices:
    """The accounts this browser has logged in to before, kept in a long-lived signed cookie.

    The cookie holds keyed hashes of the accounts, not their names: on a shared
    computer it must not tell the next person who has used it.
    """

    def __init__(self, request: Request) -> None:
        settings: Settings = request.app.state.settings
        self.secure = settings.server.base_url.startswith("https://")
        self.serializer, self.signer = _signing(secret_key(settings))
        self.tags: list[str] = []
        raw = request.cookies.get(DEVICE_COOKIE)
        if raw:
            try:
                loaded = self.serializer.loads(raw, max_age=DEVICE_AGE)
            except BadSignature:
                loaded = []
            if isinstance(loaded, list):
                self.tags = [tag for tag in loaded if isinstance(tag, str)][:DEVICE_ACCOUNTS]

    def _tag(self, key: str) -> str:
        return self.signer.get_signature(key).decode("ascii")

    def knows(self, username: str) -> bool:
        key = auth.login_key(username.strip())
        return key is not None and self._tag(key) in self.tags

    def remember(self, response: Response, user: User) -> None:
        """Add `user` to the browser's accounts (the most recent first) and renew the cookie's age."""
        tag = self._tag(user.username_key)
        tags = [tag, *(kept for kept in self.tags if kept != tag)][:DEVICE_ACCOUNTS]
        response.set_cookie(
            DEVICE_COOKIE,
            self.serializer.dumps(tags),
            max_age=DEVICE_AGE,
            httponly=True,
            samesite="lax",
            secure=self.secure,
        )


@functools.cache
def _signing(secret: str) -> tuple[URLSafeTimedSerializer, Signer]:
    return (
        URLSafeTimedSerializer(secret, salt="forum.known-device"),
        Signer(secret, salt="forum.known-device.account"),
    )
