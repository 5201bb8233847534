"""Parallel wrong logins from one address, each for another name (so no per-name limit applies), against a real `forum serve` with the production argon2 cost.

Reports the worker's memory (resident set before, sampled during, and its peak) and /healthz latency meanwhile.

python bench/login_flood.py [--attempts 40] [--source CHECKOUT]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
from pathlib import Path

import httpx
from served import ROOT, Probe, csrf_token, served

PASSWORD = "correct horse battery staple"


async def flood(url: str, attempts: int, probe: Probe) -> collections.Counter[int]:
    async with httpx.AsyncClient(base_url=url, timeout=600) as client:
        token = await csrf_token(client, "/login")
        async with probe.running():
            responses = await asyncio.gather(
                *(
                    client.post(
                        "/login",
                        data={"username": f"member{n}", "password": f"wrong guess {n}", "csrf_token": token},
                    )
                    for n in range(attempts)
                )
            )
    return collections.Counter(response.status_code for response in responses)


def main(attempts: int, source: Path) -> None:
    # One name exists, the others do not: both cost a hash, so that timing tells nothing.
    with served(source, {"member0": PASSWORD}) as server:
        before = server.memory_kib()
        probe = Probe(server)
        statuses = asyncio.run(flood(server.url, attempts, probe))
        peak = server.memory_kib("VmHWM")
        print(f"{attempts} parallel wrong logins: statuses {dict(sorted(statuses.items()))}")
        print(f"worker RSS before {before / 1024:.0f} MiB, peak (VmHWM) {peak / 1024:.0f} MiB")
        print(probe.summary())


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--attempts", type=int, default=40)
    parser.add_argument("--source", type=Path, default=ROOT, help="the checkout to serve (default: this one)")
    args = parser.parse_args()
    main(args.attempts, args.source.resolve())
