"""Requests per second of the forum's pages against the machine's ceiling, measured in one run.

python bench/ceiling.py [--seconds 10] [--rounds 3] [--compare REV] [--replies 100]

Starts, side by side, a minimal Starlette app that serves a saved copy of the
forum's thread page from memory (the ceiling: what this machine serves at all
through uvicorn), and `forum serve` of this checkout (and of git revision REV
with --compare), each with 2 workers on SQLite holding the same seeded thread.
Each target is loaded in turn (wrk with 2 threads and 16 connections when it
is installed, else a bounded Python load generator), round after round, and
the median of the rounds is reported with its ratio to the ceiling. Machines
differ: compare the ratios, not the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from io import BytesIO
from pathlib import Path

import httpx
from served import ROOT, Server, _free_port, log_in, served

PASSWORD = "a bench password, long enough"
CONNECTIONS = 16
CEILING_APP = """
from pathlib import Path
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

BODY = Path(__file__).with_name("page.html").read_bytes()


async def page(request):
    return Response(BODY, media_type="text/html; charset=utf-8")


app = Starlette(routes=[Route("/", page)])
"""


@contextmanager
def ceiling(page: bytes) -> Iterator[str]:
    """The saved page served from memory by a bare Starlette app under uvicorn, 2 workers."""
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "page.html").write_bytes(page)
        Path(tmp, "ceiling_app.py").write_text(CEILING_APP)
        port = _free_port()
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "ceiling_app:app",
                "--workers",
                "2",
                "--port",
                str(port),
                "--no-access-log",
                "--log-level",
                "warning",
            ],
            cwd=tmp,
        )
        url = f"http://127.0.0.1:{port}/"
        try:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                try:
                    httpx.get(url)
                    break
                except httpx.TransportError:
                    time.sleep(0.2)
            yield url
        finally:
            process.terminate()
            process.wait(30)


def checkout(rev: str, into: Path) -> Path:
    """The files of git revision `rev`, to serve beside this checkout."""
    archive = subprocess.run(["git", "archive", rev], cwd=ROOT, check=True, capture_output=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    # The package serves its templates and static files through links into the checkout's top level.
    return into


def seed(server: Server, replies: int) -> int:
    """A topic with `replies` approved replies by several members, written into the served database."""
    script = f"""
import asyncio
from forum import db
from forum.config import load_settings
from forum.models import Role
from tests.factories import make_topic, make_user
from tests.test_read_cost import grow_thread

async def main():
    settings = load_settings()
    await db.connect(settings)
    authors = [await make_user(role=Role.MODERATOR) for _ in range(6)]
    topic = await make_topic("A thread of {replies} replies")
    await grow_thread(topic, authors, settings, {replies})
    print(topic.id)
    await db.close()

asyncio.run(main())
"""
    done = subprocess.run(
        [sys.executable, "-c", script], env=server.env, cwd=server.cwd, check=True, capture_output=True, text=True
    )
    return int(done.stdout.split()[-1])


def load(url: str, seconds: int, headers: dict[str, str]) -> float:
    """Requests per second answered with 2xx or 304 under CONNECTIONS connections."""
    if shutil.which("wrk"):
        command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "10s"]
        for name, value in headers.items():
            command += ["-H", f"{name}: {value}"]
        output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
        if "Non-2xx or 3xx responses" in output:
            raise SystemExit(f"{url}: errors under load\n{output}")
        match = re.search(r"Requests/sec:\s+([\d.]+)", output)
        assert match, output
        return float(match.group(1))
    return asyncio.run(_python_load(url, seconds, headers))


async def _python_load(url: str, seconds: int, headers: dict[str, str]) -> float:
    done = 0
    deadline = time.monotonic() + seconds

    async def connection() -> None:
        nonlocal done
        async with httpx.AsyncClient(headers=headers, timeout=30) as client:
            while time.monotonic() < deadline:
                response = await client.get(url)
                assert response.status_code in (200, 304), (url, response.status_code)
                done += 1

    started = time.monotonic()
    await asyncio.gather(*(connection() for _ in range(CONNECTIONS)))
    return done / (time.monotonic() - started)


def targets(server: Server, topic_id: int) -> dict[str, tuple[str, dict[str, str]]]:
    """Each page to load, with the headers of its requests (a member's session cookie, a feed's ETag)."""
    base = server.url
    etag = httpx.get(f"{base}/feeds/latest.rss").headers["etag"]
    cookie = asyncio.run(_member_cookie(base))
    return {
        "topic page, anonymous": (f"{base}/topics/{topic_id}", {}),
        "topic page, member": (f"{base}/topics/{topic_id}", {"Cookie": f"forum_session={cookie}"}),
        "index": (f"{base}/", {}),
        "latest feed, full": (f"{base}/feeds/latest.rss", {}),
        "latest feed, 304": (f"{base}/feeds/latest.rss", {"If-None-Match": etag}),
    }


async def _member_cookie(base: str) -> str:
    async with httpx.AsyncClient(base_url=base) as client:
        await log_in(client, "bench-member", PASSWORD)
        return str(client.cookies["forum_session"])


def main(seconds: int, rounds: int, compare: str | None, replies: int) -> None:
    with ExitStack() as stack:
        sources = {"this checkout": ROOT}
        if compare:
            tmp = Path(stack.enter_context(tempfile.TemporaryDirectory()))
            sources = {compare: checkout(compare, tmp), **sources}
        config = {
            "FORUM_SERVER_WORKERS": "2",
            "FORUM_SECURITY_SECRET_KEY": "bench-secret-key-for-this-run-only",
            "FORUM_SECURITY_PASSWORD_MEMORY_KIB": "64",
            "FORUM_SECURITY_PASSWORD_TIME_COST": "1",
            "FORUM_RATELIMIT_LOGIN_IP": "1000/second",
            "FORUM_RATELIMIT_LOGIN_PAIR": "1000/second",
            "FORUM_RATELIMIT_LOGIN_USERNAME": "1000/second",
        }
        plan: dict[str, tuple[str, dict[str, str]]] = {}
        page = b""
        for label, source in sources.items():
            server = stack.enter_context(served(source, {"bench-member": PASSWORD}, **config))
            topic_id = seed(server, replies)
            for name, target in targets(server, topic_id).items():
                plan[f"{name} ({label})"] = target
            page = httpx.get(f"{server.url}/topics/{topic_id}").content
        plan["ceiling: the same page from memory"] = (stack.enter_context(ceiling(page)), {})
        print(
            f"thread page: {replies} replies seeded, {len(page) / 1024:.1f} KiB served; wrk: {bool(shutil.which('wrk'))}"
        )
        results: dict[str, list[float]] = {name: [] for name in plan}
        for _ in range(rounds):
            for name, (url, headers) in plan.items():
                load(url, 1, headers)  # warm: templates, catalogs, the page cache
                results[name].append(load(url, seconds, headers))
        top = statistics.median(results["ceiling: the same page from memory"])
        width = max(map(len, results))
        for name, figures in results.items():
            rate = statistics.median(figures)
            print(f"{name:<{width}}  {rate:9.1f} req/s  {100 * rate / top:6.2f} % of the ceiling")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--compare", help="a git revision to serve and measure beside this checkout")
    parser.add_argument("--replies", type=int, default=100)
    args = parser.parse_args()
    main(args.seconds, args.rounds, args.compare, args.replies)
