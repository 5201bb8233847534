"""Rate limits with `limits`: in memory by default, in Redis when configured so that workers share them."""

from __future__ import annotations

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
            for name in ("reply", "reply_untrusted", "register", "login_pair", "login_ip", "preview", "edit", "flag")
        }
        # Rules that slow down instead of refusing. Each is counted past its limits (in the same
        # windows), far enough for the wait to reach its longest.
        self.delay_max = settings.login_delay_max
        headroom = self.delay_max.bit_length() + 1
        self.slowdowns: dict[str, list[tuple[RateLimitItem, RateLimitItem]]] = {
            "login_username": [(item, _widened(item, headroom)) for item in parse_many(settings.login_username)]
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
                raise RateLimited()

    async def record(self, rule: str, *key: str) -> None:
        """Count one `rule` event by `key` that has already happened (a failed login): nothing is refused."""
        for item in self.rules.get(rule, []):
            await self.strategy.hit(item, rule, *key)
        for _, counted in self.slowdowns.get(rule, []):
            await self.strategy.hit(counted, rule, *key)

    async def delay(self, rule: str, *key: str) -> int:
        """Seconds the next `rule` action by `key` waits: none while within the rule's limits, then
        1 second, doubling with each further event, up to `delay_max`."""
        seconds = 0
        for limit, counted in self.slowdowns[rule]:
            stats = await self.strategy.get_window_stats(counted, rule, *key)
            past = counted.amount - stats.remaining - limit.amount
            if past >= 0:
                seconds = max(seconds, min(self.delay_max, 2**past))
        return seconds

    async def reset(self) -> None:
        await self.storage.reset()

    async def close(self) -> None:
        if self.pool is not None:
            await self.pool.aclose()


def _widened(item: RateLimitItem, extra: int) -> RateLimitItem:
    """The same window as `item`, holding `extra` more events."""
    return type(item)(item.amount + extra, item.multiples, item.namespace)
