from __future__ import annotations

import logging
import os
import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from tortoise import connections

from forum import db
from forum.accounts import auth
from forum.app import create_app
from forum.config import Settings

POSTGRES_URL = os.environ.get("FORUM_TEST_POSTGRES_URL", "")
TABLES = (
    "sessions",
    "recovery_codes",
    "notifications",
    "topic_states",
    "drafts",
    "notice_settings",
    "topic_translations",
    "translation_flags",
    "translation_requests",
    "translations",
    "moderation_actions",
    "flags",
    "revisions",
    "posts",
    "topic_texts",
    "topics",
    "categories",
    "users",
    "search_index",
)


def make_settings(tmp_path: Path, database_url: str = "", **sections: dict[str, object]) -> Settings:
    base = Settings().replace(
        server={"data_dir": str(tmp_path / "var")},
        database={"url": database_url},
        # Cheap hashes: argon2id at 64 MiB made every login in the suite cost 0.3 s.
        security={
            "secret_key": "test-secret-key-not-for-production",
            "password_memory_kib": 64,
            "password_time_cost": 1,
            # Test clients fill in the registration form in no time; the check has tests of its own.
            "register_min_seconds": 0,
            # Staff in tests log in with a password alone; the requirement has tests of its own.
            "require_2fa_for": (),
        },
        # Tests post quickly; the rate limits have tests of their own with the real defaults.
        ratelimit={"reply": "1000/second", "reply_untrusted": "1000/second", "register": "1000/second"},
        # Tests post the same short text again and again; the duplicate check has tests of its own.
        posts={"duplicate_window_seconds": 0},
        # Tests change the database between requests: the page cache reads the change stamp every time.
        cache={"check_milliseconds": 0},
    )
    return base.replace(**sections) if sections else base


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite://{tmp_path / 'forum.sqlite3'}"
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL tests need FORUM_TEST_POSTGRES_URL")
    return POSTGRES_URL


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    return make_settings(tmp_path, db_url)


@pytest.fixture
async def database(settings: Settings) -> AsyncIterator[Settings]:
    """A migrated, empty database for one test (PostgreSQL tables are emptied afterwards)."""
    auth.configure_hashing(settings.security)
    await db.connect(settings)
    await db.migrate(settings)  # the same migrations `forum migrate` applies
    try:
        yield settings
    finally:
        if settings.database_url.startswith("postgres"):
            await connections.get("default").execute_script(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")
        await db.close()


@pytest.fixture
async def client(database: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(database, manage_database=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        c.app = app  # type: ignore[attr-defined]
        yield c


class QueryCounter(logging.Handler):
    """Counts the SQL statements Tortoise sends (it logs each one on `tortoise.db_client`)."""

    STATEMENT = re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\b", re.I)

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.statements: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if self.STATEMENT.match(message):
            self.statements.append(message)


@pytest.fixture
def count_queries() -> Iterator[QueryCounter]:
    logger = logging.getLogger("tortoise.db_client")
    counter = QueryCounter()
    level = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(counter)
    try:
        yield counter
    finally:
        logger.removeHandler(counter)
        logger.setLevel(level)
