"""Every page, in every language, is valid HTML for the W3C Nu checker."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from forum import seed
from forum.config import LANGUAGES, Settings
from forum.discussions import posts
from forum.models import Post, Role, Topic, TrustLevel, User
from forum.moderation import actions
from forum.translations import service as translations
from forum.translations import topic_texts
from tests.factories import csrf_from, login, make_reply, make_topic, make_user
from tests.mixed import MIXED_REPLIES

OLD = timedelta(days=30)

ROOT = Path(__file__).resolve().parent.parent
VNU = ROOT / ".tools" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

requires_vnu = pytest.mark.skipif(
    not VNU.exists() and not os.environ.get("CI"), reason="the Nu HTML checker needs .tools (see .ci/run)"
)


async def collect_pages(client: httpx.AsyncClient, settings: Settings) -> dict[str, str]:
    """The forum's pages as a member, a moderator and a visitor see them, in each language."""
    await seed.seed_topics()
    await seed.seed_demo(settings)
    topic = await Topic.get(seed_key="federalism")
    member = await make_user("member.one")
    admin = await make_user("boss", role=Role.ADMIN)
    demo_post = await Post.filter(topic=topic).order_by("id").first()
    assert demo_post is not None
    own = await make_reply(topic, member, settings, "My *pending* reply", parent=demo_post)
    # Posts that quote, list and tabulate in the other scripts, with headings of their own.
    for language, body in MIXED_REPLIES:
        await make_reply(topic, admin, settings, body, language=language)
    rejected = await make_reply(topic, member, settings, "Rejected words")
    await actions.reject(rejected.id, admin, "Off topic")
    flagger = await make_user("reader.two")
    await actions.flag(demo_post, flagger, "other", "Needs a look", settings)
    await actions.hide((await Post.filter(topic=topic, status="approved").order_by("-id").first()).id, admin, "spam")  # type: ignore[union-attr]
    await actions.set_locked((await Topic.get(seed_key="joint-actions")).id, admin, True, "heated")
    # A short flagged reply under a parent of the longest length allowed, and a reply hidden by readers' flags.
    long_parent = await make_reply(topic, admin, settings, ("A statement pasted whole. " * 800)[:20_000])
    answer = await make_reply(topic, await make_user("answerer", trusted=True), settings, "Short", parent=long_parent)
    await actions.flag(answer, flagger, "abuse", "", settings)
    reported = await make_reply(topic, await make_user("reported", trusted=True), settings, "Reported words")
    for n in range(3):
        await actions.flag(
            reported, await make_user(f"old.{n}", level=TrustLevel.MEMBER, age=OLD), "spam", "", settings
        )
    deleted = await make_reply(topic, member, settings, "Deleted words")
    await posts.delete_post(deleted, member)
    # Translations in all three languages, one replaced, one waiting, and one asked for.
    translator = await make_user("translator", trusted=True)
    translated = await make_reply(topic, translator, settings, "الإضراب مستمر.", language="ar")
    for language, body in (("en", "The strike goes on."), ("fa", "اعتصاب ادامه دارد."), ("fa", "اعتصاب *ادامه* دارد.")):
        await translations.offer_translation(translated, translator, body, language, settings)
    await translations.offer_translation(translated, member, "The strike continues.", "en", settings)
    await translations.request_translation(demo_post, member, "fa")
    english_only = await make_topic("Workers' councils")
    await topic_texts.offer_topic_text(english_only, member, "fa", "شوراهای کارگری", "چگونه؟", settings)
    member.reads_languages = "en,fa"
    await member.save()

    pages: dict[str, str] = {}

    async def grab(name: str, url: str, status: int = 200) -> None:
        for language in LANGUAGES:
            response = await client.get(url, params={"lang": language})
            assert response.status_code == status, (url, response.status_code)
            pages[f"{name}-{language}"] = response.text

    for name, url in (
        ("home", "/"),
        ("topic", f"/topics/{topic.id}"),
        ("login", "/login"),
        ("register", "/register"),
        ("transparency", "/transparency"),
        ("search", "/search?q=federalism+the&language=en"),
        ("search-nothing", f"/search?q=zzzz&language=ar&topic={topic.id}"),
        ("search-start", "/search"),
    ):
        await grab(name, url)
    await grab("not-found", "/topics/9999", 404)
    token = csrf_from((await client.get("/register")).text)
    for language in LANGUAGES:
        refused = await client.post(
            f"/register?lang={language}", data={"csrf_token": token, "username": "x", "password": "y"}
        )
        pages[f"register-errors-{language}"] = refused.text

    await login(client, "member.one")
    for name, url in (
        ("member-topic", f"/topics/{topic.id}"),
        ("profile", "/profile"),
        ("my-posts", "/my/posts"),
        ("reply", f"/topics/{topic.id}/reply?parent_id={demo_post.id}"),
        ("edit", f"/posts/{own.id}/edit"),
        ("history", f"/posts/{own.id}/history"),
        ("flag", f"/posts/{demo_post.id}/flag"),
        ("delete", f"/posts/{own.id}/delete"),
        ("translate", f"/posts/{translated.id}/translate?into=fa"),
        ("translation-versions", f"/posts/{translated.id}/translations/fa"),
        ("wanted", "/translations/wanted"),
        ("topic-in-persian", f"/topics/{topic.id}?read=fa&only=fa&only=ar"),
        ("topic-translate", f"/topics/{english_only.id}/translate"),
    ):
        await grab(name, url)
    token = csrf_from(pages["reply-en"])
    for language in LANGUAGES:
        preview = await client.post(
            f"/topics/{topic.id}/replies?lang={language}",
            data={"csrf_token": token, "body": "**Preview** | a\n---|---\nx | y", "action": "preview"},
        )
        pages[f"preview-{language}"] = preview.text

    client.cookies.clear()
    await login(client, "boss")
    for name, url in (
        ("queue", "/moderation"),
        ("log", "/moderation/log"),
        ("members", "/moderation/members"),
        ("member", f"/moderation/members/{member.id}"),
        ("topic-new", "/moderation/topics/new"),
        ("topic-edit", f"/moderation/topics/{topic.id}/edit"),
        ("moderator-topic", f"/topics/{topic.id}"),
        ("hide", f"/moderation/posts/{answer.id}/hide?from=queue"),
        ("keep-hidden", f"/moderation/posts/{reported.id}/hide"),
        ("categories", "/moderation/categories"),
        ("topic-open", "/topics/new"),
        ("translation-queue", "/moderation/translations"),
    ):
        await grab(name, url)
    token = csrf_from(pages["hide-en"])
    for language in LANGUAGES:
        refused = await client.post(f"/moderation/posts/{answer.id}/hide?lang={language}", data={"csrf_token": token})
        assert refused.status_code == 422
        pages[f"hide-errors-{language}"] = refused.text
        refused = await client.post(
            f"/moderation/members/{member.id}/trust?lang={language}", data={"csrf_token": token, "level": "new"}
        )
        assert refused.status_code == 422
        pages[f"trust-errors-{language}"] = refused.text
    assert await User.all().count() >= 3
    return pages


@requires_vnu
async def test_every_page_is_valid_html(client: httpx.AsyncClient, settings: Settings, tmp_path: Path) -> None:
    pages = await collect_pages(client, settings)
    files = []
    for name, html in pages.items():
        path = tmp_path / f"{name}.html"
        path.write_text(html, "utf-8")
        files.append(str(path))
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", "--exit-zero-always", *files],
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(result.stderr or result.stdout)["messages"]
    errors = [
        f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m['message']}" for m in messages if m["type"] == "error"
    ]
    assert len(pages) >= 60
    assert all("Two readings of the call" in pages[f"topic-{language}"] for language in LANGUAGES)
    assert errors == []
