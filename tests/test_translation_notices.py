"""Notices about translations: the author and the readers who asked are told when one is published."""

from __future__ import annotations

import httpx
from bs4 import BeautifulSoup

from forum.config import Settings
from forum.models import Role, Translation, TranslationStatus, TrustLevel, User
from forum.translations import service
from tests.factories import make_user
from tests.test_notifications import header_count, notices, switch
from tests.test_translations import arabic_post


async def test_the_author_and_the_askers_are_told_when_a_translation_is_published(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    author = await make_user("rania", trusted=True)
    post = await arabic_post(settings, author)
    asker, other_asker, english_asker = (
        await make_user("dariush", trusted=True),
        await make_user("shirin", trusted=True),
        await make_user("tom", trusted=True),
    )
    for reader in (asker, other_asker):
        await service.request_translation(post, reader, "fa")
    await service.request_translation(post, english_asker, "en")
    newcomer = await make_user("kaveh")
    await User.filter(id=newcomer.id).update(trust_level=TrustLevel.NEW)
    moderator = await make_user("moderator", role=Role.MODERATOR)

    # A translation waiting for a moderator tells nobody.
    waiting = await service.offer_translation(post, newcomer, "ترجمهٔ فارسی این پاسخ", "fa", settings)
    await switch(client, author)
    assert await notices(client) == []

    await service.approve_translation(waiting.id, moderator)
    assert await notices(client) == ["kaveh translated your post in “Strikes” into Persian"]
    assert await header_count(client) == 1
    page = BeautifulSoup((await client.get("/notifications")).text, "html.parser")
    link = page.select_one("li.notice-item a")
    assert link is not None and str(link["href"]).endswith(f"/posts/{post.id}?read=fa")
    for reader in (asker, other_asker):
        await switch(client, reader)
        assert await notices(client) == ["The Persian translation you asked for in “Strikes” is here, by kaveh"]
    # Asked for another language: not told; the translator is never told of their own work.
    await switch(client, english_asker)
    assert await notices(client) == []
    await switch(client, newcomer)
    assert await notices(client) == []

    # A better version replacing it tells nobody twice.
    await service.offer_translation(post, asker, "ترجمهٔ بهتر این پاسخ", "fa", settings)
    await switch(client, other_asker)
    assert len(await notices(client)) == 1

    # Hidden, the translation takes its notices with it.
    translation = await Translation.get(post_id=post.id, language="fa", status=TranslationStatus.APPROVED)
    await service.hide_translation(translation.id, moderator, "spam")
    assert await notices(client) == []
    await switch(client, author)
    assert await notices(client) == []
    assert await header_count(client) == 0
