"""Rate limits with `limits`: in memory by default, in Redis when configured so that workers share them.

When Redis cannot be reached the limits are counted in this process's memory
instead, so that an outage of Redis never refuses a reply or a login; Redis is
tried again every `recheck_seconds` and used again as soon as it answers. This
is Flask-Limiter's "in-memory fallback" (a `MemoryStorage` kept beside the
shared one, the shared storage's own `check()` as the probe), with a fixed
interval instead of its growing one, so that recovery is seen within a known time.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Awaitable, Callable
from typing import Literal, TypeVar

from limits import RateLimitItem, parse_many
from limits.aio.storage import MemoryStorage, RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError
from redis.asyncio import ConnectionPool

from forum.config import RatelimitSettings
from forum.errors import RateLimited

# Seconds to connect to Redis or to wait for its answer. Redis answers in
# milliseconds; a host that swallows packets must not hold a request for longer.
REDIS_TIMEOUT = 1.0

logger = logging.getLogger("forum")

LimiterState = Literal["ok", "degraded", "memory"]
T = TypeVar("T")


class RateLimiter:
    def __init__(self, settings: RatelimitSettings) -> None:
        self.in_memory = MovingWindowRateLimiter(MemoryStorage())
        # The Redis connections are ours, handed to `limits`, so that close() can end them.
        self.pool: ConnectionPool | None = None
        self.redis: RedisStorage | None = None
        self.shared: MovingWindowRateLimiter | None = None
        if settings.storage_url:
            # Timeouts given in the URL (?socket_timeout=) win over these.
            self.pool = ConnectionPool.from_url(
                settings.storage_url, socket_connect_timeout=REDIS_TIMEOUT, socket_timeout=REDIS_TIMEOUT
            )
            self.redis = RedisStorage(
                f"async+{settings.storage_url}",
                implementation="redispy",
                # Every client error arrives as StorageError, whatever the cause.
                wrap_exceptions=True,
                # A documented option, though the signature types options as scalars.
                connection_pool=self.pool,  # type: ignore[arg-type]
            )
            self.shared = MovingWindowRateLimiter(self.redis)
        self.recheck_seconds = settings.recheck_seconds
        # When Redis last failed (time.monotonic()); None while it answers.
        self._failed_at: float | None = None
        self.rules: dict[str, list[RateLimitItem]] = {
            name: parse_many(getattr(settings, name))
            for name in (
                "reply",
                "reply_untrusted",
                "register",
                "login_pair",
                "login_ip",
                "preview",
                "edit",
                "flag",
                "draft",
            )
        }
        # Rules that slow down instead of refusing. Each is counted past its limits (in the same
        # windows), far enough for the wait to reach its longest.
        self.delay_max = settings.login_delay_max
        headroom = self.delay_max.bit_length() + 1
        self.slowdowns: dict[str, list[tuple[RateLimitItem, RateLimitItem]]] = {
            "login_username": [(item, _widened(item, headroom)) for item in parse_many(settings.login_username)]
        }

    @property
    def state(self) -> LimiterState:
        """Where the limits are counted: "memory" without Redis, "ok" in Redis, "degraded" in memory instead of it."""
        if self.shared is None:
            return "memory"
        return "ok" if self._failed_at is None else "degraded"

    async def check(self) -> LimiterState:
        """Ask Redis whether it answers (while degraded, only once the recheck interval has passed); the state."""
        if self.redis is not None and (self._failed_at is None or self._recheck_due()):
            await self._probe()
        return self.state

    async def allowed(self, rule: str, *key: str) -> bool:
        """Whether one more `rule` action by `key` stays within every limit of the rule (nothing is counted)."""
        return await self._run(lambda strategy: self._allowed(strategy, rule, key))

    async def hit(self, rule: str, *key: str) -> None:
        """Count one `rule` action by `key`, or raise RateLimited when a limit is reached.

        Test and count are one atomic step per window (the storage's own hit),
        so requests sent all at once cannot slip past a limit together.
        """
        wait = await self._run(lambda strategy: self._hit(strategy, rule, key))
        if wait is not None:
            raise RateLimited(retry_after=wait)

    async def record(self, rule: str, *key: str) -> None:
        """Count one `rule` event by `key` that has already happened (a failed login): nothing is refused."""
        await self._run(lambda strategy: self._record(strategy, rule, key))

    async def delay(self, rule: str, *key: str) -> int:
        """Seconds the next `rule` action by `key` waits: none while within the rule's limits, then
        1 second, doubling with each further event, up to `delay_max`."""
        return await self._run(lambda strategy: self._delay(strategy, rule, key))

    async def close(self) -> None:
        if self.pool is not None:
            await self.pool.aclose()

    async def _run(self, work: Callable[[MovingWindowRateLimiter], Awaitable[T]]) -> T:
        """`work` on the shared counts, or on this process's when Redis fails (the failure is logged once)."""
        try:
            return await work(await self._strategy())
        except StorageError as exc:
            self._failed(exc)
            return await work(self.in_memory)

    async def _allowed(self, strategy: MovingWindowRateLimiter, rule: str, key: tuple[str, ...]) -> bool:
        for item in self.rules[rule]:
            if not await strategy.test(item, rule, *key):
                return False
        return True

    async def _hit(self, strategy: MovingWindowRateLimiter, rule: str, key: tuple[str, ...]) -> int | None:
        """Count the action: None when it fits, else the seconds until it would."""
        for item in self.rules[rule]:
            if not await strategy.hit(item, rule, *key):
                # The window's reset is when its oldest counted action expires: the next one then fits.
                stats = await strategy.get_window_stats(item, rule, *key)
                return max(1, math.ceil(stats.reset_time - time.time()))
        return None

    async def _record(self, strategy: MovingWindowRateLimiter, rule: str, key: tuple[str, ...]) -> None:
        for item in self.rules.get(rule, []):
            await strategy.hit(item, rule, *key)
        for _, counted in self.slowdowns.get(rule, []):
            await strategy.hit(counted, rule, *key)

    async def _delay(self, strategy: MovingWindowRateLimiter, rule: str, key: tuple[str, ...]) -> int:
        seconds = 0
        for limit, counted in self.slowdowns[rule]:
            stats = await strategy.get_window_stats(counted, rule, *key)
            past = counted.amount - stats.remaining - limit.amount
            if past >= 0:
                seconds = max(seconds, min(self.delay_max, 2**past))
        return seconds

    async def _strategy(self) -> MovingWindowRateLimiter:
        """Redis, unless it failed within the recheck interval: then memory, with no attempt to connect."""
        if self.shared is not None and (self._failed_at is None or (self._recheck_due() and await self._probe())):
            return self.shared
        return self.in_memory

    def _recheck_due(self) -> bool:
        return self._failed_at is not None and time.monotonic() - self._failed_at >= self.recheck_seconds

    async def _probe(self) -> bool:
        """PING Redis; records the outcome, logging only a change."""
        assert self.redis is not None and self.pool is not None
        was_down = self._failed_at is not None
        if was_down:
            # Claimed before the await: requests arriving meanwhile stay in memory instead of probing too.
            self._failed_at = time.monotonic()
            # Connections opened before the outage may be dead without knowing it yet; each would
            # fail once more after Redis is back and be taken for a new outage.
            await self.pool.disconnect()
        # limits' check() is a PING that answers False for any error.
        answers = await self.redis.check()
        if not answers:
            self._failed(None)
        elif was_down:
            self._failed_at = None
            logger.info("Rate limits: Redis answers again; limits are shared through it again.")
        return answers

    def _failed(self, exc: StorageError | None) -> None:
        if self._failed_at is None:
            cause = f" ({exc.storage_error!r})" if exc is not None else ""
            logger.warning(
                "Rate limits: Redis cannot be reached%s; counting in this process's memory until it answers again.",
                cause,
            )
        self._failed_at = time.monotonic()


def _widened(item: RateLimitItem, extra: int) -> RateLimitItem:
    """The same window as `item`, holding `extra` more events."""
    return type(item)(item.amount + extra, item.multiples, item.namespace)
