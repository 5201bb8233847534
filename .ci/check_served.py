"""Check a running forum as a first reader would: home, Persian home, a topic, a static file, the feed."""

from __future__ import annotations

import re
import sys
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET


def get(url: str) -> tuple[int, str, str]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.headers.get("content-type", ""), response.read().decode("utf-8")


def main(base: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            if get(f"{base}/healthz")[0] == 200:
                break
        except (urllib.error.URLError, ConnectionError):
            pass
        if time.monotonic() > deadline:
            sys.exit("the forum did not answer /healthz within 60 s")
        time.sleep(0.2)

    status, _, home = get(f"{base}/")
    topics = re.findall(r'<a class="topic-title" href="[^"]*?(/topics/\d+)"[^>]*>([^<]+)</a>', home)
    assert status == 200 and len(topics) >= 7, "the home page lists no seeded topics"

    status, _, persian = get(f"{base}/?lang=fa")
    assert status == 200 and re.search(r'<html lang="fa" dir="rtl"', persian), "no right-to-left Persian page"
    # The site name and navigation come from the Persian catalog, not English fallbacks.
    assert "انجمن" in persian and "ورود" in persian, "the Persian page is not translated"

    path, title = topics[0]
    status, _, topic = get(base + path)
    heading = re.search(r'<h1 id="topic-title"[^>]*>([^<]+)</h1>', topic)
    assert status == 200 and heading and heading.group(1) == title, "the topic page does not show its topic"

    stylesheet = re.search(r'href="[^"]*?(/static/[^"]+\.css)"', home)
    assert stylesheet, "the page links no stylesheet"
    status, content_type, css = get(base + stylesheet.group(1))
    assert status == 200 and content_type.startswith("text/css") and len(css) > 1000, "the stylesheet is not served"

    status, content_type, feed = get(f"{base}/feeds/latest.rss")
    channel = ET.fromstring(feed.encode()).find("channel")
    assert status == 200 and "rss" in content_type and channel is not None, "the feed is not RSS"
    print(f"served: home ({len(topics)} topics), Persian home, a topic, {stylesheet.group(1)}, the latest feed")


if __name__ == "__main__":
    main(sys.argv[1])
