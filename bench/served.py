"""What the load benchmarks share: a real `forum serve` process, its memory, and /healthz timings meanwhile."""

from __future__ import annotations

import asyncio
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Server:
    url: str
    pid: int
    env: dict[str, str]
    cwd: Path

    def memory_kib(self, field_name: str = "VmRSS") -> int:
        """A line of /proc/PID/status: VmRSS now, VmHWM the peak so far."""
        status = Path(f"/proc/{self.pid}/status").read_text()
        match = re.search(rf"^{field_name}:\s+(\d+) kB", status, re.M)
        assert match, field_name
        return int(match.group(1))

    def forum(self, *args: str, stdin: str = "") -> None:
        """Run a `forum` command against the served data (e.g. to create an account)."""
        subprocess.run(
            [sys.executable, "-m", "forum", *args], input=stdin, text=True, env=self.env, cwd=self.cwd, check=True
        )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def served(source: Path, accounts: dict[str, str], **config: str) -> Iterator[Server]:
    """`forum serve` from the checkout at `source`, on a fresh SQLite database, with `accounts` created first.

    `config` holds FORUM_SECTION_KEY overrides; the argon2 cost stays the production default unless given.
    """
    with tempfile.TemporaryDirectory() as tmp:
        port = _free_port()
        env = {
            **os.environ,
            "PYTHONPATH": str(source),
            "FORUM_SERVER_DATA_DIR": str(Path(tmp) / "var"),
            "FORUM_SERVER_PORT": str(port),
            **config,
        }
        env.pop("FORUM_CONFIG", None)
        server = Server(f"http://127.0.0.1:{port}", 0, env, Path(tmp))
        for name, password in accounts.items():
            server.forum("users", "create", name, stdin=password + "\n")
        with open(Path(tmp) / "serve.log", "w") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "forum", "serve"], env=env, cwd=tmp, stdout=log, stderr=subprocess.STDOUT
            )
        server.pid = process.pid
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(f"{server.url}/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline or process.poll() is not None:
                    raise SystemExit((Path(tmp) / "serve.log").read_text())
                time.sleep(0.2)
            yield server
        finally:
            process.terminate()
            process.wait(30)


async def csrf_token(client: httpx.AsyncClient, path: str) -> str:
    match = CSRF.search((await client.get(path)).text)
    assert match, path
    return match.group(1)


async def log_in(client: httpx.AsyncClient, username: str, password: str) -> str:
    """Log the client in; returns the session's CSRF token."""
    token = await csrf_token(client, "/login")
    response = await client.post("/login", data={"username": username, "password": password, "csrf_token": token})
    assert response.status_code == 303, response.status_code
    return await csrf_token(client, "/")


@dataclass
class Probe:
    """Times GET /healthz one after another and samples the server's memory while the load runs."""

    server: Server
    latencies: list[float] = field(default_factory=list)
    rss_kib: list[int] = field(default_factory=list)

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        stop = asyncio.Event()

        async def health() -> None:
            async with httpx.AsyncClient(base_url=self.server.url, timeout=120) as client:
                while not stop.is_set():
                    start = time.perf_counter()
                    await client.get("/healthz")
                    self.latencies.append((time.perf_counter() - start) * 1000)

        async def memory() -> None:
            while not stop.is_set():
                self.rss_kib.append(self.server.memory_kib())
                await asyncio.sleep(0.02)

        tasks = [asyncio.create_task(health()), asyncio.create_task(memory())]
        try:
            yield
        finally:
            stop.set()
            await asyncio.gather(*tasks)

    def summary(self) -> str:
        timings = sorted(self.latencies)
        p99 = timings[min(len(timings) - 1, int(len(timings) * 0.99))]
        return (
            f"/healthz during the load: {len(timings)} requests, p50 {statistics.median(timings):.1f} ms, "
            f"p99 {p99:.1f} ms, max {timings[-1]:.1f} ms; "
            f"worker RSS sampled max {max(self.rss_kib) / 1024:.0f} MiB"
        )
