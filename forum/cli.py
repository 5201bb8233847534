"""The `forum` command: serve, migrate, seed, users, rerender, reindex, backup, restore, export, import."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

from tortoise.transactions import in_transaction

from forum import archive, backup, db, seed
from forum.accounts.auth import configure_hashing, create_user, set_password, username_key
from forum.accounts.resets import issue_reset_link
from forum.archive import ArchiveError
from forum.config import ConfigError, Settings, default_config_path, load_settings, secret_key
from forum.discussions.posts import rerender_all
from forum.errors import ValidationFailed
from forum.models import Role, User
from forum.search import index as search_index


async def _with_database(settings: Settings, work: Callable[[], Awaitable[None]]) -> None:
    configure_hashing(settings.security)
    await db.connect(settings)
    try:
        await db.migrate(settings)
        await work()
    finally:
        await db.close()


def _run(settings: Settings, work: Callable[[], Awaitable[None]]) -> None:
    """Run one command's work on the migrated database; a refused input ends the command with its message."""
    try:
        asyncio.run(_with_database(settings, work))
    except ValidationFailed as exc:
        raise SystemExit("; ".join(exc.errors.values())) from None


def cmd_serve(settings: Settings, args: argparse.Namespace) -> None:
    from forum import server

    workers = args.workers or settings.server.workers
    server.prepare(settings, workers)

    async def first_start() -> None:
        created = await seed.seed_topics()
        if created:
            print(f"Seeded {created} topics.", flush=True)
        password = await seed.ensure_admin()
        if password:
            print("Created the administrator account. This password is shown only once:")
            print(f"    username: {seed.ADMIN_NAME}")
            print(f"    password: {password}", flush=True)

    _run(settings, first_start)
    server.run(settings, args.config, args.host or settings.server.host, args.port or settings.server.port, workers)


def cmd_migrate(settings: Settings, args: argparse.Namespace) -> None:
    async def done() -> None:
        print("The database is up to date.")

    _run(settings, done)


def cmd_seed(settings: Settings, args: argparse.Namespace) -> None:
    async def work() -> None:
        print(f"Topics created: {await seed.seed_topics()}")
        if args.demo:
            print(f"Demo replies created: {await seed.seed_demo(settings)}")

    _run(settings, work)


def _read_password() -> str:
    """From a prompt (asked twice) on a terminal, else the first line of standard input."""
    if sys.stdin.isatty():
        password = getpass.getpass("Password: ")
        if getpass.getpass("Password again: ") != password:
            raise SystemExit("The two passwords differ.")
        return password
    return sys.stdin.readline().rstrip("\r\n")


def cmd_users_create(settings: Settings, args: argparse.Namespace) -> None:
    password = _read_password()

    async def work() -> None:
        user = await create_user(args.name, password, role=Role(args.role))
        print(f"Created {user.role} {user.username}.")

    _run(settings, work)


def cmd_users_reset_link(settings: Settings, args: argparse.Namespace) -> None:
    async def work() -> None:
        user = await User.get_or_none(username_key=username_key(args.name.strip()))
        if user is None:
            raise SystemExit(f"No account is named {args.name}.")
        token = await issue_reset_link(user, None, secret_key(settings))
        base = settings.server.base_url.rstrip("/") or f"http://{settings.server.host}:{settings.server.port}"
        print(f"{base}/reset?token={token}")
        print(f"Valid for a day and once, for {user.username}.", file=sys.stderr)

    _run(settings, work)


def cmd_users_set_password(settings: Settings, args: argparse.Namespace) -> None:
    password = _read_password()

    async def work() -> None:
        user = await User.get_or_none(username_key=username_key(args.name.strip()))
        if user is None:
            raise SystemExit(f"No account is named {args.name}.")
        await set_password(user, password)
        print(f"New password set for {user.username}; their sessions have ended.")

    _run(settings, work)


def cmd_users_list(settings: Settings, args: argparse.Namespace) -> None:
    async def work() -> None:
        now = datetime.now(UTC)
        print(f"{'id':>6}  {'username':<32}  {'role':<9}  {'level':<7}  {'joined':<10}  {'approved':>8}  suspended")
        for user in await User.all().order_by("id"):
            suspended = (
                user.suspended_until.date().isoformat() if user.suspended_until and user.suspended_until > now else ""
            )
            # Moderators and administrators are trusted by their role; their level means nothing.
            level = "-" if user.is_moderator else user.trust_level.value
            print(
                f"{user.id:>6}  {user.username:<32}  {user.role.value:<9}  {level:<7}"
                f"  {user.created_at.date().isoformat():<10}"
                f"  {user.approved_count:>8}  {suspended}"
            )

    _run(settings, work)


def cmd_rerender(settings: Settings, args: argparse.Namespace) -> None:
    async def work() -> None:
        posts, texts = await rerender_all()
        print(f"Rendered again: {posts} posts and revisions, {texts} topic texts.")

    _run(settings, work)


async def _reindex() -> None:
    # One transaction: searches keep using the old index until the new one is complete.
    async with in_transaction():
        posts, texts = await search_index.rebuild()
    print(f"Search index rebuilt: {posts} posts and {texts} topic texts.")


def cmd_reindex(settings: Settings, args: argparse.Namespace) -> None:
    _run(settings, _reindex)


def _run_archive(settings: Settings, work: Callable[[], Awaitable[None]]) -> None:
    """Like _run, for the data commands: an unusable file or database ends the command with its message."""
    try:
        _run(settings, work)
    except ArchiveError as exc:
        raise SystemExit(f"forum: {exc}") from None


def _rows(counts: dict[str, int]) -> str:
    return ", ".join(f"{rows} {table}" for table, rows in counts.items())


def cmd_backup(settings: Settings, args: argparse.Namespace) -> None:
    async def work() -> None:
        counts = await backup.backup(settings, args.path)
        print(f"Backed up to {args.path}: {_rows(counts)}.")

    _run_archive(settings, work)


def cmd_restore(settings: Settings, args: argparse.Namespace) -> None:
    async def sqlite_restored() -> None:
        # _run has brought a backup from an older version up to date.
        print(f"Restored {args.path}: {_rows(counts)}.")

    async def imported() -> None:
        print(f"Restored {args.path}: {_rows(await archive.import_file(args.path, replace=args.replace))}.")
        await _reindex()

    try:
        sqlite = backup.is_sqlite_file(args.path)
        if sqlite:
            counts = backup.restore_sqlite(settings, args.path, replace=args.replace)
    except ArchiveError as exc:
        raise SystemExit(f"forum: {exc}") from None
    _run_archive(settings, sqlite_restored if sqlite else imported)


def cmd_export(settings: Settings, args: argparse.Namespace) -> None:
    async def work() -> None:
        print(f"Exported to {args.file}: {_rows(await archive.export(args.file))}.")

    _run_archive(settings, work)


def cmd_import(settings: Settings, args: argparse.Namespace) -> None:
    async def work() -> None:
        print(f"Imported {args.file}: {_rows(await archive.import_file(args.file))}.")
        await _reindex()

    _run_archive(settings, work)


def _add_data_commands(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], config: argparse.ArgumentParser
) -> None:
    """backup, restore, export, import: the operators' data path."""
    backup_parser = commands.add_parser(
        "backup", parents=[config], help="write a consistent copy of the running forum (mode 600)"
    )
    backup_parser.add_argument("path", type=Path)
    backup_parser.set_defaults(handler=cmd_backup)
    restore = commands.add_parser("restore", parents=[config], help="put a backup back (with the forum stopped)")
    restore.add_argument("path", type=Path)
    restore.add_argument("--replace", action="store_true", help="overwrite the forum the database holds now")
    restore.set_defaults(handler=cmd_restore)
    export = commands.add_parser("export", parents=[config], help="write the whole forum as one portable file")
    export.add_argument("file", type=Path)
    export.set_defaults(handler=cmd_export)
    import_parser = commands.add_parser("import", parents=[config], help="load an export into an empty database")
    import_parser.add_argument("file", type=Path)
    import_parser.set_defaults(handler=cmd_import)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="forum", description="A moderated, threaded, trilingual forum.")
    config = argparse.ArgumentParser(add_help=False)
    config.add_argument(
        "--config",
        type=Path,
        default=None,
        help="configuration file (default: $FORUM_CONFIG, else ./config.toml)",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", parents=[config], help="migrate, seed, and serve the forum")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--workers", type=int, help="number of worker processes")
    serve.set_defaults(handler=cmd_serve)

    commands.add_parser("migrate", parents=[config], help="apply database migrations").set_defaults(handler=cmd_migrate)

    seed_parser = commands.add_parser("seed", parents=[config], help="create the seeded topics")
    seed_parser.add_argument("--demo", action="store_true", help="also add a demo discussion")
    seed_parser.set_defaults(handler=cmd_seed)

    users = commands.add_parser("users", help="manage accounts").add_subparsers(dest="users_command", required=True)
    create = users.add_parser(
        "create", parents=[config], help="create an account (password from standard input or a prompt)"
    )
    create.add_argument("name")
    create.add_argument("--role", choices=[role.value for role in Role], default=Role.MEMBER.value)
    create.set_defaults(handler=cmd_users_create)
    set_password_parser = users.add_parser(
        "set-password", parents=[config], help="give an account a new password (from standard input or a prompt)"
    )
    set_password_parser.add_argument("name")
    set_password_parser.set_defaults(handler=cmd_users_set_password)
    reset_link = users.add_parser("reset-link", parents=[config], help="print a one-time password reset link (a day)")
    reset_link.add_argument("name")
    reset_link.set_defaults(handler=cmd_users_reset_link)
    users.add_parser("list", parents=[config], help="list the accounts").set_defaults(handler=cmd_users_list)

    commands.add_parser("rerender", parents=[config], help="render all stored Markdown again").set_defaults(
        handler=cmd_rerender
    )
    commands.add_parser("reindex", parents=[config], help="rebuild the search index").set_defaults(handler=cmd_reindex)
    _add_data_commands(commands, config)
    return parser


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings(args.config)
        args.config = (args.config or default_config_path()).resolve()
    except ConfigError as exc:
        raise SystemExit(f"forum: configuration: {exc}") from None
    args.handler(settings, args)
