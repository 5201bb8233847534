"""Rate limits with `limits`: in memory by default, in Redis when configured so that workers share them."""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse_many
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from redis.asyncio import ConnectionPool

from forum.config import RatelimitSettings
from forum.errors import RateLimited


class RateLimiter:
    def __init__(self, settings: RatelimitSettings) -> None:
        # The Redis connections are ours, handed to `limits`, so that close() can end them.
        self.pool: ConnectionPool | None = None
        self.storage: Storage = MemoryStorage()
        if settings.storage_url:
            self.pool = ConnectionPool.from_url(settings.storage_url)
            self.storage = RedisStorage(
                f"async+{settings.storage_url}",
                implementation="redispy",
                # A documented option, though the signature types options as scalars.
                connection_pool=self.pool,  # type: ignore[arg-type]
            )
        self.strategy = MovingWindowRateLimiter(self.storage)
        self.rules: dict[str, list[RateLimitItem]] = {
            name: parse_many(getattr(settings, name))
            for name in ("reply", "reply_untrusted", "register", "login_username", "login_ip", "flag")
        }

    async def allowed(self, rule: str, *key: str) -> bool:
        """Whether one more `rule` action by `key` stays within every limit of the rule (nothing is counted)."""
        for item in self.rules[rule]:
            if not await self.strategy.test(item, rule, *key):
                return False
        return True

    async def hit(self, rule: str, *key: str) -> None:
        """Count one `rule` action by `key`, or raise RateLimited when a limit is reached.

        Test and count are one atomic step per window (the storage's own hit),
        so requests sent all at once cannot slip past a limit together.
        """
        for item in self.rules[rule]:
            if not await self.strategy.hit(item, rule, *key):
                # The window's reset is when its oldest counted action expires: the next one then fits.
                stats = await self.strategy.get_window_stats(item, rule, *key)
                raise RateLimited(retry_after=max(1, math.ceil(stats.reset_time - time.time())))

    async def reset(self) -> None:
        await self.storage.reset()

    async def close(self) -> None:
        if self.pool is not None:
            await self.pool.aclose()
