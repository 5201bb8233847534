from __future__ import annotations

import json
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from tortoise import connections

from forum import archive
from forum.archive import ArchiveError
from forum.config import Settings
from forum.models import Post, Topic, User
from tests.conftest import POSTGRES_URL, TABLES, make_settings
from tests.factories import PASSWORD, csrf_from, login, make_forum
from tests.pages import assert_same_pages, connected, moderator_pages, public_pages
from tests.test_cli import forum


async def counts() -> dict[str, int]:
    return {table.name: await table.model.all().count() for table in archive.tables()}


def leftovers(folder: Path) -> list[str]:
    return [path.name for path in folder.iterdir() if path.name.endswith(".part")]


def body_lines(path: Path) -> list[str]:
    """The rows of an export, without the header (whose exported_at differs between two exports)."""
    return path.read_text("utf-8").splitlines()[1:]


async def test_export_then_import_gives_back_every_row_exactly(
    database: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Small batches, so that both sides cross batch boundaries inside a table.
    monkeypatch.setattr(archive, "BATCH", 7)
    await make_forum(database)
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    exported = await archive.export(first)
    assert exported == await counts() and all(exported.values()), "every table holds rows"
    assert oct(first.stat().st_mode & 0o777) == "0o600"
    header = json.loads(first.read_text("utf-8").splitlines()[0])
    assert header["format"] == "forum-export" and header["version"] == 1 and header["counts"] == exported
    await archive.delete_everything()
    assert await archive.import_file(first) == exported
    await archive.export(second)
    # Same ids, same values to the microsecond, same order: the second export is the first one.
    assert body_lines(second) == body_lines(first)
    row = json.loads(next(line for line in body_lines(first) if '"table":"users"' in line))["row"]
    assert row["password_hash"].startswith("$argon2id$") and "totp_secret" in row
    assert row["created_at"].endswith("+00:00")


async def test_the_export_covers_every_table_and_column(database: Settings) -> None:
    connection = connections.get("default")
    if database.database_url.startswith("postgres"):
        _, rows = await connection.execute_query(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public'"
        )
        columns = [(row["table_name"], row["column_name"]) for row in rows]
    else:
        _, names = await connection.execute_query("SELECT name FROM sqlite_master WHERE type = 'table'")
        columns = []
        for name in (row["name"] for row in names if not row["name"].startswith("sqlite_")):
            _, info = await connection.execute_query(f'PRAGMA table_info("{name}")')
            columns += [(name, row["name"]) for row in info]
    in_database: dict[str, set[str]] = {}
    for table, column in columns:
        in_database.setdefault(table, set()).add(column)
    # The migration runner's own bookkeeping is rebuilt by `forum migrate` on the target.
    in_database.pop("tortoise_migrations")
    # The search index is derived from the posts: `forum import` rebuilds it, as `forum reindex` does.
    index = {name for name in in_database if name.startswith("search_")}
    for name in index:
        in_database.pop(name)
    # The page cache's change stamp belongs to the database it counts changes in.
    in_database.pop("page_stamp")
    assert {table.name: set(table.columns) for table in archive.tables()} == in_database
    # The test suite empties the same tables (and the PostgreSQL index) after each PostgreSQL test.
    assert set(TABLES) - {"search_index"} == set(in_database)


def damaged(source: Path, target: Path, change: str) -> Path:
    lines = source.read_bytes().splitlines(keepends=True)
    header = json.loads(lines[0])
    if change == "cut inside a line":
        target.write_bytes(b"".join(lines[:-3]) + lines[-3][: len(lines[-3]) // 2])
    elif change == "cut between lines":
        target.write_bytes(b"".join(lines[:-3]))
    elif change == "version 2":
        target.write_bytes(json.dumps({**header, "version": 2}).encode() + b"\n" + b"".join(lines[1:]))
    elif change == "not JSON":
        target.write_bytes(b"id,username\n1,admin\n")
    elif change == "binary":
        target.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe\x00\x00")
    elif change == "foreign JSON":
        target.write_bytes(b'{"format": "another-forum", "version": 1}\n')
    elif change == "empty":
        target.write_bytes(b"")
    elif change == "unknown column":
        row = json.loads(lines[-1])
        row["row"]["colour"] = "red"
        target.write_bytes(b"".join(lines[:-1]) + json.dumps(row).encode() + b"\n")
    elif change == "bad date":
        row = json.loads(lines[-1])
        row["row"]["created_at"] = "yesterday"
        target.write_bytes(b"".join(lines[:-1]) + json.dumps(row).encode() + b"\n")
    elif change == "duplicate id":
        target.write_bytes(b"".join(lines[:-1]) + lines[-2])
    elif change == "rows out of order":
        target.write_bytes(b"".join([*lines[:-1], lines[1]]))
    elif change == "counts missing a table":
        del header["counts"]["flags"]
        target.write_bytes(json.dumps(header).encode() + b"\n" + b"".join(lines[1:]))
    elif change == "not a row":
        target.write_bytes(b"".join([*lines[:-1], b'["users", 1]\n']))
    elif change == "unknown table":
        target.write_bytes(b"".join([*lines[:-1], b'{"table": "visits", "row": {}}\n']))
    else:
        row = json.loads(lines[-1])
        row["row"]["id"] = None if change == "empty id" else True
        target.write_bytes(b"".join(lines[:-1]) + json.dumps(row).encode() + b"\n")
    return target


DAMAGE = {
    "cut inside a line": "is not valid JSON (the file may be cut short)",
    "cut between lines": "the file is incomplete or altered",
    "version 2": "export version 2 is not supported; this forum reads version 1",
    "not JSON": "this is not a forum export",
    "binary": "is not UTF-8 text",
    "foreign JSON": "this is not a forum export",
    "empty": "this is not a forum export",
    "unknown column": "does not match this forum's columns (unknown colour)",
    "bad date": "created_at: 'yesterday' is not a date and time with its offset",
    "duplicate id": "the database refused them",
    "rows out of order": "categories rows must come before",
    "counts missing a table": "the header must count the rows of exactly these tables",
    "not a row": 'expected {"table": ..., "row": {...}}',
    "unknown table": "unknown table 'visits'",
    "empty id": ".id: may not be empty",
    "true for an id": ".id: True is not of type int",
}


async def test_a_damaged_file_is_refused_and_nothing_is_written(database: Settings, tmp_path: Path) -> None:
    await make_forum(database)
    good = tmp_path / "good.jsonl"
    await archive.export(good)
    await archive.delete_everything()
    for change, message in DAMAGE.items():
        bad = damaged(good, tmp_path / f"{change}.jsonl", change)
        with pytest.raises(ArchiveError) as refused:
            await archive.import_file(bad)
        assert message in str(refused.value), change
        # Refused at the last rows too: what was inserted before them is rolled back.
        assert not any((await counts()).values()), change
    for change in ("version 2", "cut between lines"):
        result = forum(database, "import", str(tmp_path / f"{change}.jsonl"))
        assert result.returncode == 1 and DAMAGE[change] in result.stderr and "Traceback" not in result.stderr
    assert not any((await counts()).values())


async def test_import_refuses_a_database_that_holds_a_forum(database: Settings, tmp_path: Path) -> None:
    await make_forum(database)
    export = tmp_path / "forum.jsonl"
    before = await archive.export(export)
    result = forum(database, "import", str(export))
    assert result.returncode == 1
    assert "the database already holds a forum" in result.stderr and "import into an empty one" in result.stderr
    assert await counts() == before
    restored = forum(database, "restore", str(export), "--replace")
    assert restored.returncode == 0, restored.stderr
    assert await counts() == before


async def test_export_refuses_an_unwritable_place_and_import_a_missing_file(database: Settings, tmp_path: Path) -> None:
    nowhere = forum(database, "export", str(tmp_path / "no-such-folder" / "forum.jsonl"))
    assert nowhere.returncode == 1 and "cannot write" in nowhere.stderr
    missing = forum(database, "import", str(tmp_path / "missing.jsonl"))
    assert missing.returncode == 1 and "cannot read" in missing.stderr
    assert leftovers(tmp_path) == []


@pytest.mark.skipif(not POSTGRES_URL, reason="PostgreSQL tests need FORUM_TEST_POSTGRES_URL")
async def test_sqlite_moves_to_postgres_and_back_with_the_same_pages(tmp_path: Path) -> None:
    sqlite = make_settings(tmp_path / "one", f"sqlite://{tmp_path / 'one.sqlite3'}")
    postgres = make_settings(tmp_path / "two", POSTGRES_URL)
    sqlite_again = make_settings(tmp_path / "three", f"sqlite://{tmp_path / 'three.sqlite3'}")
    to_postgres, to_sqlite = tmp_path / "to-postgres.jsonl", tmp_path / "to-sqlite.jsonl"

    async with connected(sqlite) as client:
        names = {role: user.username for role, user in (await make_forum(sqlite)).items()}
        sqlite_backup = forum(sqlite, "backup", str(tmp_path / "sqlite.backup"))
        assert sqlite_backup.returncode == 0, sqlite_backup.stderr
        pages = await public_pages(client)
        moderated = await moderator_pages(client, names["moderator"])
        exported = await archive.export(to_postgres)
        last_post, last_user = await Post.all().order_by("-id").first(), await User.all().order_by("-id").first()
        assert last_post is not None and last_user is not None
        # The topic make_forum opened (seeded ones may be locked).
        topic = await Topic.all().order_by("-id").first()
        assert topic is not None

    async with connected(postgres) as client:
        wrong_kind = forum(postgres, "restore", str(tmp_path / "sqlite.backup"))
        assert wrong_kind.returncode == 1 and "this forum uses PostgreSQL" in wrong_kind.stderr
        result = forum(postgres, "import", str(to_postgres))
        assert result.returncode == 0, result.stderr
        assert await counts() == exported
        assert_same_pages(await public_pages(client), pages)
        assert_same_pages(await moderator_pages(client, names["moderator"]), moderated)
        # The ids stayed, the sequences moved past them: a new reply gets the next one.
        csrf = await login(client, names["trusted"])
        response = await client.post(
            f"/topics/{topic.id}/replies", data={"body": "After the move.", "csrf_token": csrf}
        )
        assert response.status_code == 303 and response.headers["location"].endswith(f"/posts/{last_post.id + 1}")
        user = await User.create(username="fresh", username_key="fresh", skeleton="fresh", password_hash="x")
        assert user.id == last_user.id + 1
        await user.delete()
        pages_after = await public_pages(client)
        back = forum(postgres, "export", str(to_sqlite))
        assert back.returncode == 0, back.stderr

    async with connected(sqlite_again) as client:
        result = forum(sqlite_again, "import", str(to_sqlite))
        assert result.returncode == 0, result.stderr
        assert_same_pages(await public_pages(client), pages_after)
        page = BeautifulSoup(
            (await client.get(f"/posts/{last_post.id + 1}", follow_redirects=True)).text, "html.parser"
        )
        assert "After the move." in page.select_one(f"#post-{last_post.id + 1}").get_text()
        login_page = await client.get("/login")
        refused = await client.post(
            "/login",
            data={
                "username": names["member"],
                "password": "wrong" + PASSWORD,
                "csrf_token": csrf_from(login_page.text),
            },
        )
        assert refused.status_code == 422
        await login(client, names["member"])
