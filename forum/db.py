"""The only Tortoise setup: connect, migrate, close."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from tortoise import Tortoise, connections
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.migrations.executor import MigrationExecutor

from forum import sqlite
from forum.config import Settings, load_settings

APP = "forum"


def tortoise_config(settings: Settings) -> dict[str, Any]:
    url = settings.database_url
    connection: str | dict[str, Any]
    if url.startswith("sqlite://"):
        # As in Tortoise's own URLs, query parameters become pragmas ("?busy_timeout=50" in milliseconds).
        path, _, query = url.removeprefix("sqlite://").partition("?")
        credentials = sqlite.credentials(path, settings.database.busy_timeout)
        credentials.update(parse_qsl(query))
        connection = {"engine": "forum.sqlite", "credentials": credentials}
    elif url.startswith("postgresql://"):
        connection = "postgres://" + url.removeprefix("postgresql://")
    else:
        connection = url
    return {
        "connections": {"default": connection},
        "apps": {APP: {"models": ["forum.models"], "migrations": "forum.migrations"}},
        "use_tz": True,
        "timezone": "UTC",
    }


def __getattr__(name: str) -> Any:
    # `python -m tortoise makemigrations` reads `forum.db.TORTOISE_ORM` (see pyproject.toml);
    # computed on access so that importing this module reads no configuration.
    if name == "TORTOISE_ORM":
        return tortoise_config(load_settings())
    raise AttributeError(name)


async def connect(settings: Settings) -> None:
    """Open the connection pool; creates the SQLite data folder when needed."""
    if settings.database_url.startswith("sqlite://"):
        settings.data_path.mkdir(parents=True, exist_ok=True)
    # Tortoise caches prepared SQL per connection name, not per dialect: a process
    # that reconnects to another kind of database (the test suite) must start afresh.
    EXECUTOR_CACHE.clear()
    # The global fallback lets request tasks see the context the lifespan task created.
    await Tortoise.init(config=tortoise_config(settings), _enable_global_fallback=True)


async def migrate(settings: Settings) -> None:
    """Apply every committed migration not yet applied, on the connection `connect` opened."""
    # Not tortoise.migrations.api.migrate: that re-initialises Tortoise and would
    # drop the connection and context the app is using.
    executor = MigrationExecutor(connections.get("default"), tortoise_config(settings)["apps"])
    await executor.migrate()
    # A data migration queries through a historical model, and Tortoise caches the SQL it
    # built per table: the current models must not insert with a past version's columns.
    EXECUTOR_CACHE.clear()


async def close() -> None:
    await Tortoise.close_connections()
