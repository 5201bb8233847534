"""The `forum` command: serve, migrate, seed, users create, rerender, reindex."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from tortoise.transactions import in_transaction

from forum import db, seed
from forum.accounts.auth import configure_hashing, create_user, set_password, username_key
from forum.app import create_app
from forum.config import ConfigError, Settings, default_config_path, load_settings
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


# One line per record with time and level, for the server's own records and the forum's.
LOG_CONFIG: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        "access": {
            "()": "uvicorn.logging.AccessFormatter",
            "fmt": '%(asctime)s %(levelname)s access: %(client_addr)s "%(request_line)s" %(status_code)s',
        },
    },
    "handlers": {
        "plain": {"class": "logging.StreamHandler", "formatter": "plain", "stream": "ext://sys.stderr"},
        "access": {"class": "logging.StreamHandler", "formatter": "access", "stream": "ext://sys.stdout"},
    },
    "loggers": {
        "forum": {"handlers": ["plain"], "level": "INFO", "propagate": False},
        "uvicorn": {"handlers": ["plain"], "level": "INFO", "propagate": False},
        "uvicorn.error": {"level": "INFO"},
        "uvicorn.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
    },
}


def _run(settings: Settings, work: Callable[[], Awaitable[None]]) -> None:
    """Run one command's work on the migrated database; a refused input ends the command with its message."""
    try:
        asyncio.run(_with_database(settings, work))
    except ValidationFailed as exc:
        raise SystemExit("; ".join(exc.errors.values())) from None


def cmd_serve(settings: Settings, args: argparse.Namespace) -> None:
    import uvicorn

    async def prepare() -> None:
        created = await seed.seed_topics()
        if created:
            print(f"Seeded {created} topics.", flush=True)
        password = await seed.ensure_admin()
        if password:
            print("Created the administrator account. This password is shown only once:")
            print(f"    username: {seed.ADMIN_NAME}")
            print(f"    password: {password}", flush=True)

    _run(settings, prepare)
    host = args.host or settings.server.host
    port = args.port or settings.server.port
    workers = args.workers or settings.server.workers
    # Workers import the app by name, reading the same configuration file.
    if args.config.is_file():
        os.environ["FORUM_CONFIG"] = str(args.config)
    uvicorn.run(
        "forum.cli:app_factory",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        server_header=False,
        log_level="info",
        log_config=LOG_CONFIG,
    )


def app_factory() -> Starlette:
    return create_app(load_settings())


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
        print(f"{'id':>6}  {'username':<32}  {'role':<9}  {'joined':<10}  {'approved':>8}  suspended")
        for user in await User.all().order_by("id"):
            suspended = (
                user.suspended_until.date().isoformat() if user.suspended_until and user.suspended_until > now else ""
            )
            print(
                f"{user.id:>6}  {user.username:<32}  {user.role.value:<9}  {user.created_at.date().isoformat():<10}"
                f"  {user.approved_count:>8}  {suspended}"
            )

    _run(settings, work)


def cmd_rerender(settings: Settings, args: argparse.Namespace) -> None:
    async def work() -> None:
        posts, texts = await rerender_all()
        print(f"Rendered again: {posts} posts and revisions, {texts} topic texts.")

    _run(settings, work)


def cmd_reindex(settings: Settings, args: argparse.Namespace) -> None:
    async def work() -> None:
        # One transaction: searches keep using the old index until the new one is complete.
        async with in_transaction():
            posts, texts = await search_index.rebuild()
        print(f"Search index rebuilt: {posts} posts and {texts} topic texts.")

    _run(settings, work)


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
    users.add_parser("list", parents=[config], help="list the accounts").set_defaults(handler=cmd_users_list)

    commands.add_parser("rerender", parents=[config], help="render all stored Markdown again").set_defaults(
        handler=cmd_rerender
    )

    commands.add_parser("reindex", parents=[config], help="rebuild the search index").set_defaults(handler=cmd_reindex)
    return parser


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings(args.config)
        args.config = (args.config or default_config_path()).resolve()
    except ConfigError as exc:
        raise SystemExit(f"forum: configuration: {exc}") from None
    args.handler(settings, args)
