"""A Tortoise engine for SQLite whose write transactions take the write lock up front.

Tortoise's own SQLite client opens transactions with a plain (deferred) BEGIN.
In WAL mode a deferred transaction that read first and then writes cannot wait
for another process's writer: SQLite answers "database is locked" at once
instead of calling the busy handler, because waiting could deadlock. With two
workers that is exactly what a moderator approving while members post runs
into. `BEGIN IMMEDIATE` asks for the write lock before the first read, where
the busy timeout applies, so writers from several processes queue instead of
failing. (https://www.sqlite.org/lang_transaction.html, "BEGIN IMMEDIATE")
"""

from __future__ import annotations

import sqlite3
from typing import Any

from tortoise.backends.base.client import TransactionContext
from tortoise.backends.sqlite import client as tortoise_sqlite
from tortoise.exceptions import TransactionManagementError


class ImmediateTransactionWrapper(tortoise_sqlite.SqliteTransactionWrapper):
    async def begin(self) -> None:
        try:
            await self._connection.commit()
            await self._connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise TransactionManagementError(exc) from exc


class SqliteClient(tortoise_sqlite.SqliteClient):
    def _in_transaction(self) -> TransactionContext:
        return tortoise_sqlite.SqliteTransactionContext(ImmediateTransactionWrapper(self), self._lock)


client_class = SqliteClient


def credentials(path: str, busy_timeout: float) -> dict[str, Any]:
    """The connection settings: WAL, foreign keys, and how long a writer waits for another (in seconds)."""
    return {
        "file_path": path,
        # Each key becomes a PRAGMA on every new connection.
        "journal_mode": "WAL",
        "journal_size_limit": 16384,
        "foreign_keys": "ON",
        "busy_timeout": int(busy_timeout * 1000),
    }
