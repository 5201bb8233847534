"""SQLite under `forum serve --workers 2`: members posting while moderators approve.

    .venv/bin/python bench/sqlite_workers.py [--members 60] [--moderators 4] [--posts 20]

Reports how many replies and approvals were answered with each status; any 5xx
is a failure ("database is locked" before writes took the lock up front).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.burst import prepare, run_burst, running_forum
from tests.conftest import make_settings


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=60)
    parser.add_argument("--moderators", type=int, default=4)
    parser.add_argument("--posts", type=int, default=20, help="replies per member")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = make_settings(Path(tmp), f"sqlite://{tmp}/forum.sqlite3")
        topic_id, members, moderators = await prepare(settings, args.members, args.moderators)
        with running_forum(settings, args.workers) as base:
            start = time.perf_counter()
            result = await run_burst(base, topic_id, members, moderators, args.posts)
            elapsed = time.perf_counter() - start
    print(f"{args.members} members x {args.posts} replies, {args.moderators} moderators, {args.workers} workers:")
    for key, count in sorted(result.statuses.items()):
        print(f"  {key}: {count}")
    print(f"  5xx answers: {result.errors} of {result.posts_sent + result.approvals_sent} requests in {elapsed:.1f} s")


if __name__ == "__main__":
    asyncio.run(main())
