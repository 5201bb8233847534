"""A live forum on a free port and headless Chromium driven by Playwright, for the browser journeys."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "tests" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

requires_chromium = pytest.mark.skipif(
    not Path(CHROMIUM).exists() and not os.environ.get("CI"), reason="browser journeys need chromium"
)


@dataclass
class LiveForum:
    url: str
    env: dict[str, str]
    admin_password: str

    def command(self, *args: str, stdin: str | None = None) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "forum", *args],
            cwd=ROOT,
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return result.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def live_forum(tmp: Path, **environment: str) -> Iterator[LiveForum]:
    """`forum serve` on a fresh SQLite database, as a newcomer would start it."""
    port = _free_port()
    # Staff log in with a password alone unless a journey asks for two-factor sign-in.
    env = {
        **os.environ,
        "FORUM_SERVER_DATA_DIR": str(tmp / "var"),
        "FORUM_SECURITY_REQUIRE_2FA_FOR": "",
        **environment,
    }
    env.pop("FORUM_DATABASE_URL", None)
    log_path = tmp / "serve.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "forum", "serve", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None and time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.1)
        password = log_path.read_text().split("password:")[1].split()[0]
        yield LiveForum(url, env, password)
    finally:
        process.terminate()
        process.wait(timeout=20)


@asynccontextmanager
async def browser_page(language: str = "en", *, javascript: bool = True) -> AsyncIterator[object]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            context = await browser.new_context(
                locale=language, viewport={"width": 1200, "height": 900}, java_script_enabled=javascript
            )
            yield await context.new_page()
        finally:
            await browser.close()


async def screenshot(page: object, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    # Full pages are tall (a thread holds a 20,000-character post) and CI machines are shared:
    # the screenshot is for people to look at, so it may take its time.
    await page.screenshot(path=str(path), full_page=True, timeout=180_000)  # type: ignore[attr-defined]
    return path


def chromium_available() -> bool:
    return Path(CHROMIUM).exists() or shutil.which("chromium") is not None
