"""Members posting and moderators approving at once, over HTTP against a running `forum serve`.

Shared by the SQLite-with-two-workers test and `bench/sqlite_workers.py`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import re
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from forum import db
from forum.config import Settings
from forum.models import Role
from tests.factories import PASSWORD, csrf_from, make_topic, make_user

ROOT = Path(__file__).resolve().parent.parent
_POST_ID = re.compile(r"/posts/(\d+)$")


@dataclasses.dataclass
class BurstResult:
    posts_sent: int = 0
    approvals_sent: int = 0
    statuses: Counter[str] = dataclasses.field(default_factory=Counter)

    @property
    def errors(self) -> int:
        return sum(count for key, count in self.statuses.items() if key.split()[1].startswith("5"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve_environment(settings: Settings) -> dict[str, str]:
    """`forum serve` on the test's database, with every post queued and limits out of the way."""
    return {
        **os.environ,
        "FORUM_SERVER_DATA_DIR": settings.server.data_dir,
        "FORUM_DATABASE_URL": settings.database_url,
        "FORUM_SECURITY_SECRET_KEY": "burst-secret-key",
        "FORUM_SECURITY_PASSWORD_MEMORY_KIB": "64",
        "FORUM_SECURITY_PASSWORD_TIME_COST": "1",
        # Every member logs in at the same moment: let them all queue for a password check.
        "FORUM_SECURITY_PASSWORD_HASHES_WAITING": "1000",
        "FORUM_MODERATION_MODE": "all",
        # The moderators here act without two-factor sign-in (its own tests require it).
        "FORUM_SECURITY_REQUIRE_2FA_FOR": "",
        "FORUM_RATELIMIT_REPLY": "1000/second",
        "FORUM_RATELIMIT_REPLY_UNTRUSTED": "1000/second",
        "FORUM_RATELIMIT_LOGIN_IP": "1000/second",
    }


@contextmanager
def running_forum(settings: Settings, workers: int) -> Iterator[str]:
    """A `forum serve` process on a free port; yields its base URL and stops it afterwards."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "forum", "serve", "--port", str(port), "--workers", str(workers)],
        cwd=ROOT,
        env=serve_environment(settings),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            raise RuntimeError("forum serve did not start")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


async def prepare(settings: Settings, members: int, moderators: int) -> tuple[int, list[str], list[str]]:
    """Create the accounts and a topic in the database; returns the topic id and the names."""
    await db.connect(settings)
    try:
        await db.migrate(settings)
        topic = await make_topic("Burst")
        member_names = [(await make_user(f"poster{n}")).username for n in range(members)]
        moderator_names = [(await make_user(f"approver{n}", role=Role.MODERATOR)).username for n in range(moderators)]
    finally:
        await db.close()
    return topic.id, member_names, moderator_names


async def _log_in(client: httpx.AsyncClient, name: str) -> str:
    page = await client.get("/login")
    await client.post("/login", data={"username": name, "password": PASSWORD, "csrf_token": csrf_from(page.text)})
    return csrf_from((await client.get("/")).text)


async def run_burst(
    base: str, topic_id: int, members: list[str], moderators: list[str], posts_each: int
) -> BurstResult:
    """Every member posts `posts_each` replies while the moderators approve each one as it arrives."""
    result = BurstResult()
    pending: asyncio.Queue[int | None] = asyncio.Queue()

    async def member(name: str) -> None:
        async with httpx.AsyncClient(base_url=base, timeout=120) as client:
            token = await _log_in(client, name)
            for n in range(posts_each):
                response = await client.post(
                    f"/topics/{topic_id}/replies", data={"body": f"Reply {n} from {name}", "csrf_token": token}
                )
                result.posts_sent += 1
                result.statuses[f"reply {response.status_code}"] += 1
                if match := _POST_ID.search(response.headers.get("location", "")):
                    await pending.put(int(match.group(1)))

    async def moderator(name: str) -> None:
        async with httpx.AsyncClient(base_url=base, timeout=120) as client:
            token = await _log_in(client, name)
            while (post_id := await pending.get()) is not None:
                response = await client.post(f"/moderation/posts/{post_id}/approve", data={"csrf_token": token})
                result.approvals_sent += 1
                result.statuses[f"approve {response.status_code}"] += 1

    approvers = [asyncio.create_task(moderator(name)) for name in moderators]
    await asyncio.gather(*(member(name) for name in members))
    for _ in approvers:
        await pending.put(None)
    await asyncio.gather(*approvers)
    return result
