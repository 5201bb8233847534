"""Backups taken while the forum runs, and putting them back.

SQLite: a copy made by SQLite's online backup API, one consistent snapshot however
busy the forum is (copying the file itself misses what still sits in the write-ahead
log). PostgreSQL: an export (see archive.py) read in one snapshot.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from forum import archive
from forum.archive import ArchiveError
from forum.config import Settings
from forum.db import APP

# Kept by the migration runner: not counted as the forum's content.
MIGRATIONS_TABLE = "tortoise_migrations"


def sqlite_database(settings: Settings) -> Path | None:
    """The SQLite file the forum uses, or None for PostgreSQL."""
    url = settings.database_url
    if not url.startswith("sqlite://"):
        return None
    return Path(url.removeprefix("sqlite://").partition("?")[0])


def is_sqlite_file(path: Path) -> bool:
    try:
        with path.open("rb") as file:
            return file.read(len(archive.SQLITE_MAGIC)) == archive.SQLITE_MAGIC
    except OSError as exc:
        raise ArchiveError(f"cannot read {path}: {exc.strerror}") from None


async def backup(settings: Settings, target: Path) -> dict[str, int]:
    """Write a consistent copy of the running forum to `target` (mode 600); returns the rows per table.

    Needs the database connected (PostgreSQL is exported through it); raises ArchiveError.
    """
    database = sqlite_database(settings)
    if database is None:
        return await archive.export(target)
    return await asyncio.to_thread(_copy_sqlite, database, target)


def _copy_sqlite(database: Path, target: Path) -> dict[str, int]:
    if _same_file(target, database):
        raise ArchiveError(f"{target} is the forum's own database: write the backup elsewhere")
    with archive.private_path(target) as temporary, _open(database) as source, _open(temporary) as copy:
        # One step: the whole database is read under one read lock, so the copy is one moment.
        source.backup(copy)
        # A backup is one self-contained file, without a write-ahead log beside it.
        copy.execute("PRAGMA journal_mode=DELETE")
        _check_integrity(copy, target)
        return _counts(copy)


def restore_sqlite(settings: Settings, source: Path, *, replace: bool) -> dict[str, int]:
    """Put a SQLite backup back into the configured SQLite file; returns the rows per table.

    Refuses (ArchiveError) a damaged backup, a database that holds a forum unless
    `replace`, and one the forum still has open.
    """
    database = sqlite_database(settings)
    if database is None:
        raise ArchiveError(
            f"{source} is a SQLite backup and this forum uses PostgreSQL: restore it into a SQLite forum, "
            "then move it with `forum export` and `forum import`"
        )
    if _same_file(source, database):
        raise ArchiveError(f"{source} is the forum's own database, not a backup of it")
    with _open(source) as backup_copy:
        _check_integrity(backup_copy, source)
        if not _is_forum(backup_copy):
            raise ArchiveError(f"{source} is a SQLite database but not a forum backup")
        counts = _counts(backup_copy)
        database.parent.mkdir(parents=True, exist_ok=True)
        # Waiting would not help: a running forum keeps its connection open.
        with _open(database, timeout=1) as target:
            held = sum(_counts(target).values())
            if held and not replace:
                raise ArchiveError(
                    f"{database} already holds a forum ({held} rows); add --replace to overwrite it with the backup"
                )
            try:
                # Leaving write-ahead logging needs the only connection: this fails while the forum runs.
                target.execute("PRAGMA journal_mode=DELETE")
            except sqlite3.OperationalError:
                raise ArchiveError(f"{database} is in use: stop the forum before restoring") from None
            backup_copy.backup(target)
            _check_integrity(target, database)
    return counts


def _same_file(path: Path, database: Path) -> bool:
    return path.resolve() == database.resolve()


@contextmanager
def _open(path: Path, *, timeout: float = 30) -> Iterator[sqlite3.Connection]:
    try:
        with closing(sqlite3.connect(path, timeout=timeout)) as connection:
            yield connection
    except sqlite3.DatabaseError as exc:
        raise ArchiveError(f"{path}: {exc}") from None


def _check_integrity(connection: sqlite3.Connection, path: Path) -> None:
    try:
        result = [row[0] for row in connection.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as exc:
        result = [str(exc)]
    if result != ["ok"]:
        raise ArchiveError(f"{path} is damaged: {'; '.join(result[:5])}")


def _is_forum(connection: sqlite3.Connection) -> bool:
    """A forum's database records the forum's migrations."""
    try:
        query = f"SELECT count(*) FROM {MIGRATIONS_TABLE} WHERE app = ?"
        return bool(connection.execute(query, (APP,)).fetchone()[0])
    except sqlite3.OperationalError:
        return False


def _counts(connection: sqlite3.Connection) -> dict[str, int]:
    names = [
        row[0]
        for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != ?",
            (MIGRATIONS_TABLE,),
        )
    ]
    return {name: connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names}
