"""What crawlers are told: robots.txt (where not to go) and sitemap.xml (the index, categories and topics)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from forum.models import Category, Topic

SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
# The protocol's limit for one file.
MAX_URLS = 50_000
# Pages for one person, forms, and searches (endless, and each a query): not for crawlers.
PRIVATE_PATHS = ("/moderation", "/login", "/register", "/profile", "/my/", "/search", "/posts/", "/topics/new")


async def robots_txt(request: Request) -> Response:
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in PRIVATE_PATHS), ""]
    lines.append(f"Sitemap: {request.url_for('sitemap_xml')}")
    return PlainTextResponse("\n".join(lines) + "\n")


async def sitemap_xml(request: Request) -> Response:
    """Every public listing and topic, each topic with the time of its last activity (three queries)."""
    urlset = ET.Element("urlset", {"xmlns": SITEMAP})

    def add(url: object, modified: str | None = None) -> None:
        entry = ET.SubElement(urlset, "url")
        ET.SubElement(entry, "loc").text = str(url)
        if modified:
            ET.SubElement(entry, "lastmod").text = modified

    add(request.url_for("home"))
    add(request.url_for("transparency"))
    for category_id in await Category.all().values_list("id", flat=True):
        add(request.url_for("category_detail", category_id=category_id))
    topics = Topic.all().order_by("-last_activity_at", "-id").limit(MAX_URLS - len(urlset))
    for topic_id, last_activity in await topics.values_list("id", "last_activity_at"):
        add(request.url_for("topic_detail", topic_id=topic_id), last_activity.date().isoformat())
    body: bytes = ET.tostring(urlset, encoding="utf-8", xml_declaration=True)
    return Response(body, media_type="application/xml")


routes = [
    Route("/robots.txt", robots_txt, name="robots_txt"),
    Route("/sitemap.xml", sitemap_xml, name="sitemap_xml"),
]
