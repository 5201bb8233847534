"""Worst-case Markdown: the CPU time of each hostile input, and /healthz latency while ten previews of the
worst one run at once against a real `forum serve`.

python bench/preview_flood.py [--previews 10] [--source CHECKOUT]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import sys
import time
from pathlib import Path

import httpx
from served import ROOT, Probe, log_in, served

PASSWORD = "correct horse battery staple"
# Each at the longest post allowed (20,000 characters).
WORST = {
    "![ x 10,000": "![" * 10_000,
    "[ x 20,000": "[" * 20_000,
    "[]( x 6,666": "[](" * 6_666,
    "* x 20,000": "*" * 20_000,
    "> x 20,000": ">" * 19_998 + " x",
    "- x 10,000 then x": "- " * 9_999 + "x",
    "> 1. x 4,000": "> 1. " * 3_999 + "x",
    "e-mail addresses x 2,800": "a@b.co " * 2_857,
    "bare URLs x 1,800": "http://a.co " * 1_666,
    "links x 2,800": "[a](b) " * 2_857,
    "table 100 x 150": "|a" * 100 + "|\n" + "|-" * 100 + "|\n" + ("|x" * 100 + "|\n") * 95,
    "< x 20,000": "<" * 20_000,
}


def cpu_times(source: Path) -> str:
    sys.path.insert(0, str(source))
    from forum.markup import render

    lines = []
    for name, text in WORST.items():
        start = time.process_time()
        render(text[:20_000])
        lines.append(f"  {name:<26} {time.process_time() - start:6.3f} s CPU")
    return "\n".join(lines)


async def flood(url: str, previews: int, probe: Probe) -> collections.Counter[int]:
    async with httpx.AsyncClient(base_url=url, timeout=600) as client:
        token = await log_in(client, "writer", PASSWORD)
        body = WORST["![ x 10,000"]
        async with probe.running():
            responses = await asyncio.gather(
                *(
                    client.post("/topics/1/replies", data={"body": body, "action": "preview", "csrf_token": token})
                    for _ in range(previews)
                )
            )
    return collections.Counter(response.status_code for response in responses)


def main(previews: int, source: Path) -> None:
    print("CPU time of one render, in this process:")
    print(cpu_times(source))
    with served(source, {"writer": PASSWORD}) as server:
        probe = Probe(server)
        statuses = asyncio.run(flood(server.url, previews, probe))
        print(f"{previews} previews of '![' x 10,000 at once: statuses {dict(sorted(statuses.items()))}")
        print(probe.summary())


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--previews", type=int, default=10)
    parser.add_argument("--source", type=Path, default=ROOT, help="the checkout to serve (default: this one)")
    args = parser.parse_args()
    main(args.previews, args.source.resolve())
