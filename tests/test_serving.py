"""`forum serve` as a client on the network meets it: bounded connections, start-up checks, files, logs.

Every test runs a real server (`python -m forum serve`) on a free port and talks to it over sockets.
The bounds asserted are the configured timeouts plus a margin, never a speed.
"""

from __future__ import annotations

import json
import os
import re
import select
import signal
import socket
import sqlite3
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

import h11
import httpx
import pytest
from bs4 import BeautifulSoup

from forum.config import Settings
from forum.i18n import translations
from tests.test_cli import ROOT, free_port

REDIS_URL = os.environ.get("FORUM_TEST_REDIS_URL", "")
MARGIN = 5  # seconds allowed beyond a configured bound, for a machine shared with other work
REQUEST_LINE = re.compile(r" INFO forum\.requests: (\S+) (\S+) (\d{3}) \d+\.\d ms$")


@dataclass
class Served:
    process: subprocess.Popen[bytes]
    port: int
    data: Path
    stderr: Path

    def log(self) -> str:
        return self.stderr.read_text("utf-8")

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@contextmanager
def serve(folder: Path, *args: str, **settings: str) -> Iterator[Served]:
    """`forum serve` with its data in `folder`; `settings` are FORUM_SECTION_KEY overrides."""
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    environment = {key: value for key, value in os.environ.items() if not key.startswith("FORUM_")}
    environment |= {"FORUM_SERVER_DATA_DIR": str(folder / "var"), **settings}
    stderr = folder / f"stderr-{port}.log"
    with stderr.open("wb") as errors:
        process = subprocess.Popen(
            [sys.executable, "-m", "forum", "serve", "--port", str(port), *args],
            cwd=ROOT,
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
    served = Served(process, port, folder / "var", stderr)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, served.log()
            try:
                if httpx.get(served.url("/healthz")).status_code == 200:
                    break
            except httpx.TransportError:
                assert time.monotonic() < deadline, f"no answer within 60 s:\n{served.log()}"
                time.sleep(0.2)
        yield served
    finally:
        served.stop()


class Connection:
    """One raw keep-alive connection, its HTTP parsed by h11 as a strict client would."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.http = h11.Connection(h11.CLIENT)

    def send(self, event: h11.Event) -> None:
        self.sock.sendall(self.http.send(event) or b"")

    def start(self, method: str, target: str, headers: list[tuple[str, str]]) -> None:
        self.send(h11.Request(method=method, target=target, headers=[("Host", "127.0.0.1"), *headers]))

    def response(self) -> tuple[h11.Response, bytes]:
        response: h11.Response | None = None
        body = b""
        while True:
            event = self.http.next_event()
            if event is h11.NEED_DATA:
                self.http.receive_data(self.sock.recv(65536))
            elif isinstance(event, h11.Response):
                response = event
            elif isinstance(event, h11.Data):
                body += event.data
            elif isinstance(event, h11.EndOfMessage):
                assert response is not None
                return response, body
            else:
                raise AssertionError(f"unexpected {event!r}")

    def request(
        self, method: str, target: str, body: bytes = b"", headers: list[tuple[str, str]] | None = None
    ) -> tuple[int, str]:
        """Sends a request and reads its answer; fails if the server closes or says it will."""
        self.start(method, target, [*(headers or []), ("Content-Length", str(len(body)))])
        if body:
            self.send(h11.Data(data=body))
        self.send(h11.EndOfMessage())
        response, content = self.response()
        assert dict(response.headers).get(b"connection") != b"close", (response.status_code, content[:200])
        self.http.start_next_cycle()
        return response.status_code, content.decode("utf-8")

    def closed_within(self, seconds: float) -> bool:
        """Whether the server closes the connection within `seconds`, whatever the client sends meanwhile."""
        self.sock.settimeout(seconds)
        try:
            return self.sock.recv(65536) == b""
        except TimeoutError:
            return False
        except ConnectionResetError:
            return True


Connect = Callable[[int], Connection]


@pytest.fixture
def connect() -> Iterator[Connect]:
    """Opens raw connections to a port, and closes them after the test."""
    opened: list[Connection] = []

    def open_connection(port: int) -> Connection:
        opened.append(Connection(port))
        return opened[-1]

    yield open_connection
    for connection in opened:
        connection.sock.close()


def header_value(response: h11.Response, name: bytes) -> bytes | None:
    return dict(response.headers).get(name)


def logged(served: Served, expected: str) -> str:
    """The log once `expected` is in it: a request's line is written just after its answer is sent."""
    deadline = time.monotonic() + MARGIN
    while expected not in served.log() and time.monotonic() < deadline:
        time.sleep(0.1)
    return served.log()


def request_lines(log: str) -> list[tuple[str, str, int]]:
    return [(match[1], match[2], int(match[3])) for line in log.splitlines() if (match := REQUEST_LINE.search(line))]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """One server with short bounds, for the tests that leave it as they found it."""
    with serve(
        tmp_path_factory.mktemp("served"),
        FORUM_SERVER_HEADER_TIMEOUT="2",
        FORUM_SERVER_BODY_TIMEOUT="2",
        FORUM_SERVER_KEEP_ALIVE_TIMEOUT="1",
    ) as served:
        yield served


def test_a_trickled_body_gets_408_in_the_readers_language_while_others_are_served(
    server: Served, connect: Connect
) -> None:
    slow = connect(server.port)
    slow.start(
        "POST",
        "/login",
        [
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Content-Length", "100000"),
            ("Accept-Language", "fa"),
        ],
    )
    started = time.monotonic()
    answered = None
    while time.monotonic() < started + 2 + MARGIN:
        slow.send(h11.Data(data=b"u"))
        # The worker answers everyone else meanwhile.
        assert httpx.get(server.url("/healthz")).status_code == 200
        if select.select([slow.sock], [], [], 0.5)[0]:
            answered = slow.response()
            break
    assert answered is not None, "no answer to the trickled body within body_timeout + margin"
    response, body = answered
    assert response.status_code == 408
    assert header_value(response, b"connection") == b"close"
    source = "Your request took too long to arrive and was not completed. Please check your connection and try again."
    expected = translations("fa").gettext(source)
    assert expected != source
    page = BeautifulSoup(body, "html.parser")
    assert page.html is not None and page.html["lang"] == "fa"
    assert page.h1 is not None and page.h1.get_text(strip=True) == expected
    assert slow.closed_within(MARGIN)


def test_an_idle_connection_is_closed_after_the_keep_alive_timeout(server: Served, connect: Connect) -> None:
    connection = connect(server.port)
    assert connection.request("GET", "/healthz")[0] == 200
    waited = time.monotonic()
    assert connection.closed_within(1 + MARGIN)
    # The close came from the keep-alive bound, not from something that ends connections at once.
    assert time.monotonic() - waited >= 0.9


def test_connections_that_never_finish_their_headers_are_closed(server: Served, connect: Connect) -> None:
    silent, trickling = connect(server.port).sock, connect(server.port).sock
    trickling.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    opened = time.monotonic()
    closed: set[socket.socket] = set()
    while time.monotonic() < opened + 2 + MARGIN and len(closed) < 2:
        for sock in select.select([silent, trickling], [], [], 0.5)[0]:
            try:
                if sock.recv(65536) == b"":
                    closed.add(sock)
            except ConnectionResetError:
                closed.add(sock)
        try:
            if trickling not in closed:
                trickling.sendall(b"X")  # a header a byte at a time, the way a slowloris client sends it
        except (BrokenPipeError, ConnectionResetError):
            closed.add(trickling)
    assert closed == {silent, trickling}, "a connection without a complete request head stayed open"
    # Both stayed open for the configured header_timeout first.
    assert time.monotonic() - opened >= 1.9


def test_error_answers_keep_the_connection_open(server: Served, connect: Connect) -> None:
    connection = connect(server.port)
    assert connection.request("GET", "/no-such-page")[0] == 404
    form = b"username=someone&password=guess"
    forged = connection.request("POST", "/login", form, headers=[("Content-Type", "application/x-www-form-urlencoded")])
    assert forged[0] == 403
    # A body the handler never reads is skipped by the server before the next request.
    assert connection.request("POST", "/no-such-page", b"x" * 5000)[0] == 404
    assert connection.request("DELETE", "/")[0] == 405
    assert connection.request("GET", "/topics/99999")[0] == 404
    status, page = connection.request("GET", "/")
    assert status == 200
    assert len(BeautifulSoup(page, "html.parser").select("a.topic-title")) == 7


def test_one_line_per_request_with_no_client_address_or_query(server: Served, connect: Connect) -> None:
    connection = connect(server.port)
    assert connection.request("GET", "/topics/1?q=a-search-term")[0] == 200
    assert connection.request("GET", "/logged-path%0Aforged")[0] == 404
    log = logged(server, "GET /logged-path%0Aforged 404")
    lines = request_lines(log)
    assert ("GET", "/topics/1", 200) in lines
    # The path as sent, still encoded: a request cannot write a line of its own into the log.
    assert ("GET", "/logged-path%0Aforged", 404) in lines
    assert "a-search-term" not in log
    for line in log.splitlines():
        if "forum.requests" in line:
            assert "127.0.0.1" not in line


def test_a_stopping_server_does_not_wait_for_a_trickling_upload(tmp_path: Path, connect: Connect) -> None:
    with serve(tmp_path, FORUM_SERVER_SHUTDOWN_TIMEOUT="2", FORUM_SERVER_BODY_TIMEOUT="600") as served:
        upload = connect(served.port)
        upload.start(
            "POST", "/login", [("Content-Type", "application/x-www-form-urlencoded"), ("Content-Length", "100000")]
        )
        upload.send(h11.Data(data=b"username="))
        time.sleep(1)  # the handler is now waiting for the body
        served.process.send_signal(signal.SIGTERM)
        stopping = time.monotonic()
        while served.process.poll() is None and time.monotonic() < stopping + 2 + MARGIN:
            try:
                upload.send(h11.Data(data=b"a"))
            except (BrokenPipeError, ConnectionResetError):
                break
            time.sleep(0.5)
        served.process.wait(timeout=2 + MARGIN - (time.monotonic() - stopping))
        log = served.log()
    assert "timeout graceful shutdown exceeded" in log


def test_a_server_error_keeps_the_connection_and_is_logged_once(tmp_path: Path, connect: Connect) -> None:
    with serve(tmp_path) as served:
        connection = connect(served.port)
        assert connection.request("GET", "/")[0] == 200
        # A broken database: a thread page fails, the health check's SELECT 1 still works.
        # (Not the home page again: the page cache would answer it from what it kept.)
        with closing(sqlite3.connect(served.data / "forum.sqlite3")) as database:
            database.execute("DROP TABLE topic_texts")
        status, page = connection.request("GET", "/topics/1")
        assert status == 500
        heading = BeautifulSoup(page, "html.parser").h1
        assert heading is not None and "Something went wrong on our side" in heading.get_text()
        assert connection.request("GET", "/healthz")[0] == 200
        served.stop()
        log = served.log()
    # One record, with its traceback; the server does not log the error a second time.
    assert log.count(" ERROR ") == 1 and "ERROR forum: Unhandled error on GET /topics/1\nTraceback" in log
    assert "no such table: topic_texts" in log
    assert ("GET", "/topics/1", 500) in request_lines(log)


def test_two_workers_on_sqlite_with_limits_in_memory_are_warned_about(tmp_path: Path) -> None:
    with serve(tmp_path, "--workers", "2") as served:
        # Both workers answer: the warnings do not refuse to start.
        assert httpx.get(served.url("/")).status_code == 200
        log = served.log()
    assert "2 workers share one SQLite database" in log and "use PostgreSQL" in log
    assert "each of the 2 workers counts on its own" in log and "[ratelimit] storage_url" in log
    assert log.count("base_url is not set") == 1


def home_and_log(folder: Path, *args: str, host: str | None = None, **settings: str) -> tuple[int, str]:
    with serve(folder, *args, **settings) as served:
        status = httpx.get(served.url("/"), headers={"host": host} if host else None).status_code
        return status, logged(served, "GET / ")


@pytest.mark.skipif(not REDIS_URL, reason="Redis tests need FORUM_TEST_REDIS_URL")
@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
async def test_no_warning_for_two_workers_on_postgres_with_shared_limits(tmp_path: Path, database: Settings) -> None:
    status, log = home_and_log(
        tmp_path,
        "--workers",
        "2",
        FORUM_DATABASE_URL=database.database_url,
        FORUM_RATELIMIT_STORAGE_URL=REDIS_URL,
        FORUM_SERVER_BASE_URL="https://forum.example.org",
        # As the reverse proxy passes it: a request for another host is refused (see forum.address).
        host="forum.example.org",
    )
    assert status == 200
    assert " WARNING " not in log and "base_url" not in log


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_data_folder_and_database_are_private_and_kept_so(tmp_path: Path) -> None:
    data = tmp_path / "var"
    with serve(tmp_path) as served:
        assert mode(data) == 0o700
        for name in ("forum.sqlite3", "forum.sqlite3-wal", "forum.sqlite3-shm", "secret_key"):
            assert mode(data / name) == 0o600, name
        assert "tightened" not in served.log()
    data.chmod(0o755)
    (data / "forum.sqlite3").chmod(0o644)
    (data / "secret_key").chmod(0o640)
    with serve(tmp_path) as served:
        assert mode(data) == 0o700
        assert mode(data / "forum.sqlite3") == 0o600
        assert mode(data / "secret_key") == 0o600
        log = served.log()
    assert f"{data} was open to other users of this machine (mode 755); tightened to 700." in log
    assert log.count("tightened to 600") == 2


def test_json_logs_are_one_object_per_line(tmp_path: Path) -> None:
    with serve(tmp_path, FORUM_LOGGING_FORMAT="json", FORUM_LOGGING_CLIENT_ADDRESSES="true") as served:
        assert httpx.get(served.url("/topics/1?q=a-search-term")).status_code == 200
        served.stop()
        lines = served.log().splitlines()
    records = [json.loads(line) for line in lines]
    assert records and all({"time", "level", "logger", "message"} <= set(record) for record in records)
    requests = [record for record in records if record["logger"] == "forum.requests"]
    page = next(record for record in requests if record["path"] == "/topics/1")
    assert page["method"] == "GET" and page["status"] == 200 and page["client"] == "127.0.0.1"
    assert isinstance(page["duration_ms"], float)
    assert "a-search-term" not in "\n".join(lines)
    assert any(
        record["logger"] == "uvicorn.error" and "Started server process" in record["message"] for record in records
    )
