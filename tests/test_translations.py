"""Translations of posts by members: offer, queue, approve, show, replace with history, hide, ask for one."""

from __future__ import annotations

from datetime import timedelta

import httpx
from bs4 import BeautifulSoup

from forum.config import Settings
from forum.models import Action, ModerationAction, Post, Role, Translation, TranslationStatus, TrustLevel, User
from forum.translations import service
from tests.conftest import QueryCounter
from tests.factories import login, make_reply, make_topic, make_user
from tests.test_read_cost import grow_thread, queries_for_thread

PERSIAN = "این یک ترجمهٔ فارسی است دربارهٔ اعتصاب کارگران"
ARABIC = "إضراب العمال في المصانع مستمر منذ أسبوع"


def soup(response: httpx.Response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


async def arabic_post(settings: Settings, author: User | None = None) -> Post:
    topic = await make_topic("Strikes")
    author = author or await make_user(trusted=True)
    return await make_reply(topic, author, settings, ARABIC, language="ar")


async def offer(client: httpx.AsyncClient, token: str, post: Post, body: str, lang: str = "fa") -> httpx.Response:
    return await client.post(f"/posts/{post.id}/translate", data={"csrf_token": token, "body": body, "lang": lang})


async def thread(client: httpx.AsyncClient, post: Post, query: str = "") -> BeautifulSoup:
    response = await client.get(f"/topics/{post.topic_id}{query}")
    assert response.status_code == 200
    return soup(response)


async def test_a_new_members_translation_waits_and_a_moderator_approves_it_beside_the_original(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    post = await arabic_post(settings)
    translator = await make_user("sara")
    token = await login(client, "sara")

    form = await client.get(f"/posts/{post.id}/translate?into=fa")
    assert form.status_code == 200
    assert soup(form).select_one(".original .post-body[lang=ar][dir=rtl]") is not None
    response = await offer(client, token, post, PERSIAN)
    assert response.status_code == 200
    assert soup(response).select_one("[role=status]") is not None
    translation = await Translation.get(post_id=post.id)
    assert translation.status == TranslationStatus.PENDING and translation.translator_id == translator.id

    # Pending: neither others nor the translator's readers see it in the thread.
    client.cookies.clear()
    page = await thread(client, post)
    assert page.select(f"#post-{post.id} [data-text=fa]") == []
    assert PERSIAN not in str(page)

    await make_user("mod", role=Role.MODERATOR)
    token = await login(client, "mod")
    queue = soup(await client.get("/moderation/translations"))
    item = queue.select_one(f"#translation-{translation.id}")
    assert item is not None
    assert item.select_one(".original .post-body[lang=ar]") is not None
    assert item.select_one(".post-body[lang=fa][dir=rtl]") is not None
    assert "New member" in item.select_one(".badge-level").get_text()
    response = await client.post(f"/moderation/translations/{translation.id}/approve", data={"csrf_token": token})
    assert response.status_code == 303
    assert (await Translation.get(id=translation.id)).status == TranslationStatus.APPROVED
    assert await ModerationAction.exists(action=Action.APPROVE_TRANSLATION, post_id=post.id)

    client.cookies.clear()
    page = await thread(client, post)
    shown = page.select_one(f"#post-{post.id} .post-translation[data-text=fa]")
    assert shown is not None and shown.has_attr("hidden")
    assert shown.select_one(".post-body[lang=fa][dir=rtl]").get_text(strip=True) == PERSIAN
    assert "sara" in shown.select_one(".translation-note").get_text()
    links = page.select(f"#post-{post.id} .read-in a")
    assert [a["data-text"] for a in links] == ["original", "fa"]

    # Without JavaScript: the permalink with ?read=fa leads to the thread with the translation first.
    response = await client.get(f"/posts/{post.id}?read=fa")
    assert response.status_code == 303
    assert "read=fa" in response.headers["location"]
    page = await thread(client, post, "?read=fa")
    assert not page.select_one(f"#post-{post.id} .post-translation[data-text=fa]").has_attr("hidden")
    assert page.select_one(f"#post-{post.id} .post-body[data-text=original]").has_attr("hidden")
    assert page.select_one(f"#post-{post.id} .read-in a[aria-current]")["data-text"] == "fa"


async def test_a_trusted_translation_replaces_the_current_one_which_stays_in_history(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    post = await arabic_post(settings)
    first = await make_user("first", trusted=True)
    await make_user("second", trusted=True)
    await service.offer_translation(post, first, "ترجمهٔ نخست", "fa", settings)
    token = await login(client, "second")
    form = soup(await client.get(f"/posts/{post.id}/translate?into=fa"))
    assert form.select_one("textarea").get_text() == "ترجمهٔ نخست"
    response = await offer(client, token, post, "ترجمهٔ بهتر")
    assert response.status_code == 303
    rows = await Translation.filter(post_id=post.id).order_by("id").values_list("status", flat=True)
    assert rows == [TranslationStatus.REPLACED, TranslationStatus.APPROVED]

    page = await thread(client, post, "?read=fa")
    assert page.select_one(f"#post-{post.id} .post-translation .post-body").get_text(strip=True) == "ترجمهٔ بهتر"
    history = soup(await client.get(f"/posts/{post.id}/translations/fa"))
    versions = [body.get_text(strip=True) for body in history.select(".revision .post-body")]
    assert versions == ["ترجمهٔ بهتر", "ترجمهٔ نخست"]


async def test_a_moderator_hides_a_translation_and_the_original_stays(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    post = await arabic_post(settings)
    translator = await make_user(trusted=True)
    translation = await service.offer_translation(post, translator, PERSIAN, "fa", settings)
    await make_user("mod", role=Role.MODERATOR)
    token = await login(client, "mod")
    response = await client.post(
        f"/moderation/translations/{translation.id}/hide", data={"csrf_token": token, "reason_code": "abuse"}
    )
    assert response.status_code == 303
    assert (await Translation.get(id=translation.id)).status == TranslationStatus.HIDDEN
    page = await thread(client, post)
    assert page.select(f"#post-{post.id} .post-translation") == []
    assert page.select_one(f"#post-{post.id} .post-body[lang=ar]") is not None
    again = await client.post(
        f"/moderation/translations/{translation.id}/hide", data={"csrf_token": token, "reason_code": "abuse"}
    )
    assert again.status_code == 409


async def test_offers_that_cannot_be_taken_keep_the_text_and_say_why(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    post = await arabic_post(settings)
    await make_user("sara", trusted=True)
    token = await login(client, "sara")
    same = await offer(client, token, post, "نص بالعربية", lang="ar")
    assert same.status_code == 422
    page = soup(same)
    assert page.select_one("#translation-lang-error") is not None
    assert page.select_one("textarea").get_text() == "نص بالعربية"
    empty = await offer(client, token, post, "   ")
    assert empty.status_code == 422 and soup(empty).select_one("#translation-body-error") is not None
    assert (await client.get("/posts/999999/translate")).status_code == 404
    assert not await Translation.exists()


async def test_the_reader_preference_shows_translations_first(client: httpx.AsyncClient, settings: Settings) -> None:
    post = await arabic_post(settings)
    await service.offer_translation(post, await make_user(trusted=True), PERSIAN, "fa", settings)
    # An anonymous reader, for this visit.
    page = await thread(client, post, "?lang=fa")
    assert "forum_session" not in client.cookies
    toggle = page.select_one(".reading-tools a[href*='/translations/preference']")
    assert toggle is not None
    response = await client.get(toggle["href"])
    assert response.status_code == 303
    page = await thread(client, post)
    assert not page.select_one(f"#post-{post.id} .post-translation[data-text=fa]").has_attr("hidden")
    original = await thread(client, post, "?read=original")
    assert original.select_one(f"#post-{post.id} .post-translation").has_attr("hidden")
    # A member, in their profile.
    client.cookies.clear()
    reader = await make_user("reader", language="fa")
    token = await login(client, "reader")
    response = await client.post(
        "/profile", data={"csrf_token": token, "language": "fa", "timezone": "", "prefer_translations": "1"}
    )
    assert response.status_code == 200
    assert (await User.get(id=reader.id)).prefer_translations
    page = await thread(client, post)
    assert not page.select_one(f"#post-{post.id} .post-translation[data-text=fa]").has_attr("hidden")


async def test_readers_ask_for_translations_and_bilingual_members_see_the_most_wanted_first(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    once = await arabic_post(settings)
    twice = await make_reply(await make_topic("Other"), await make_user(trusted=True), settings, ARABIC, language="ar")
    for name, posts in (("asker-one", [twice]), ("asker-two", [twice, once])):
        await make_user(name, language="fa")
        token = await login(client, name)
        for post in posts:
            page = await thread(client, post, "?lang=fa")
            button = page.select_one(f"#post-{post.id} form[action$='/translations/request'] button")
            assert button is not None
            response = await client.post(
                f"/posts/{post.id}/translations/request", data={"csrf_token": token, "lang": "fa"}
            )
            assert response.status_code == 303
        # Asking twice counts once.
        await client.post(f"/posts/{posts[0].id}/translations/request", data={"csrf_token": token, "lang": "fa"})
        client.cookies.clear()
    bilingual = await make_user("bilingual")
    bilingual.reads_languages = "ar,fa"
    await bilingual.save()
    await login(client, "bilingual")
    page = soup(await client.get("/translations/wanted"))
    offers = [a["href"].removeprefix("http://testserver") for a in page.select(".wanted a")]
    assert offers == [f"/posts/{twice.id}/translate?into=fa", f"/posts/{once.id}/translate?into=fa"]
    await service.offer_translation(twice, await make_user(trusted=True), PERSIAN, "fa", settings)
    page = soup(await client.get("/translations/wanted"))
    assert [a["href"].removeprefix("http://testserver") for a in page.select(".wanted a")] == [
        f"/posts/{once.id}/translate?into=fa"
    ]


async def test_a_thread_costs_the_same_queries_with_and_without_translations(
    client: httpx.AsyncClient, settings: Settings, count_queries: QueryCounter
) -> None:
    authors = [await make_user(trusted=True) for _ in range(3)]
    plain, translated = await make_topic("Plain"), await make_topic("Translated")
    await grow_thread(plain, authors, settings, 30)
    posts = await grow_thread(translated, authors, settings, 30)
    translator = await make_user(trusted=True)
    for post in posts:
        for language in ("ar", "fa"):
            await service.offer_translation(post, translator, f"ترجمه {post.id} {language}", language, settings)
    without = await queries_for_thread(client, plain, count_queries)
    with_translations = await queries_for_thread(client, translated, count_queries)
    assert without == with_translations, count_queries.statements
    count_queries.statements.clear()
    response = await client.get(f"/topics/{translated.id}?read=fa&only=fa")
    # No more than the first reading (the thread's shape, counted then, is kept).
    assert len(count_queries.statements) <= without
    page = soup(response)
    assert len(page.select(".post-translation:not([hidden]) .post-body[lang=fa]")) == 30


async def test_readers_flags_hide_a_translation_until_a_moderator_dismisses_them(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    post = await arabic_post(settings)
    translation = await service.offer_translation(post, await make_user(trusted=True), PERSIAN, "fa", settings)
    for n in range(3):
        reader = await make_user(f"old.{n}", level=TrustLevel.MEMBER, age=timedelta(days=30))
        token = await login(client, reader.username)
        page = await thread(client, post)
        flag = page.select_one(f"#post-{post.id} .translation-note a[href$='/flag']")
        assert flag is not None
        form = await client.get(flag["href"])
        assert form.status_code == 200
        response = await client.post(flag["href"], data={"csrf_token": token, "reason": "abuse"})
        assert response.status_code == 200 and soup(response).select_one("[role=status]") is not None
        client.cookies.clear()
    assert (await Translation.get(id=translation.id)).status == TranslationStatus.HIDDEN
    assert (await thread(client, post)).select(f"#post-{post.id} .post-translation") == []

    await make_user("mod", role=Role.MODERATOR)
    token = await login(client, "mod")
    queue = soup(await client.get("/moderation/translations"))
    reported = queue.select_one(f"#reported-{translation.id}")
    assert reported is not None and len(reported.select("ul li")) == 3
    response = await client.post(f"/moderation/translations/{translation.id}/dismiss", data={"csrf_token": token})
    assert response.status_code == 303
    assert (await Translation.get(id=translation.id)).status == TranslationStatus.APPROVED
    assert (await thread(client, post)).select_one(f"#post-{post.id} .post-translation[data-text=fa]") is not None
    assert soup(await client.get("/moderation/translations")).select_one(f"#reported-{translation.id}") is None


async def test_odd_reading_parameters_never_break_a_page(client: httpx.AsyncClient, settings: Settings) -> None:
    post = await arabic_post(settings)
    await service.offer_translation(post, await make_user(trusted=True), PERSIAN, "fa", settings)
    for query in ("?read=xx", "?read=<b>", "?only=zz&only=fa", "?only=", "?read=original&only=en", "?lang=fa&read=fa"):
        page = await thread(client, post, query)
        assert page.select_one(f"#post-{post.id}") is not None
    assert (await client.get(f"/topics/{post.topic_id}?show=abc")).status_code == 404
    assert (await client.get(f"/posts/{post.id}?read=../x")).headers["location"].endswith(f"#post-{post.id}")
    assert (await client.get(f"/posts/{post.id}/translations/xx")).status_code == 404
    assert (await client.get(f"/posts/{post.id}/translations/en")).status_code == 404
    assert (await client.get("/translations/99999/flag")).status_code in (303, 404)


async def test_hidden_translations_are_on_the_transparency_page(client: httpx.AsyncClient, settings: Settings) -> None:
    post = await arabic_post(settings)
    translation = await service.offer_translation(post, await make_user(trusted=True), PERSIAN, "fa", settings)
    await service.hide_translation(translation.id, await make_user("mod", role=Role.MODERATOR), "abuse")
    page = soup(await client.get("/transparency"))
    assert "Hid a translation" in page.get_text()


async def test_a_topic_text_in_a_missing_language_is_offered_moderated_and_found(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    topic = await make_topic("Councils")
    await make_user("sara")
    token = await login(client, "sara")
    page = await thread(client, await make_reply(topic, await make_user(trusted=True), settings, "Hi"))
    link = page.select_one(".topic-translate a")
    assert link is not None
    form = soup(await client.get(link["href"]))
    assert [o["value"] for o in form.select("select[name=lang] option")] == ["ar", "fa"]
    refused = await client.post(
        f"/topics/{topic.id}/translate", data={"csrf_token": token, "lang": "en", "title": "Again", "body": "x"}
    )
    assert refused.status_code == 422 and soup(refused).select_one("#topic-translation-lang-error") is not None
    empty = await client.post(
        f"/topics/{topic.id}/translate", data={"csrf_token": token, "lang": "fa", "title": "", "body": "متن"}
    )
    assert empty.status_code == 422 and soup(empty).select_one("#topic-translation-title-error") is not None
    assert soup(empty).select_one("textarea").get_text() == "متن"
    sent = await client.post(
        f"/topics/{topic.id}/translate",
        data={"csrf_token": token, "lang": "fa", "title": "شوراها", "body": "دربارهٔ شوراهای کارگری"},
    )
    assert sent.status_code == 200 and soup(sent).select_one("[role=status]") is not None
    client.cookies.clear()
    assert "شوراها" not in (await client.get(f"/topics/{topic.id}?lang=fa")).text

    await make_user("mod", role=Role.MODERATOR)
    token = await login(client, "mod")
    queue = soup(await client.get("/moderation/translations"))
    item = queue.select_one(".queue-item[id^=topic-text-]")
    assert item is not None and item.select_one("h3[lang=fa]").get_text() == "شوراها"
    offer_id = str(item["id"]).removeprefix("topic-text-")
    response = await client.post(f"/moderation/topic-texts/{offer_id}/approve", data={"csrf_token": token})
    assert response.status_code == 303
    again = await client.post(f"/moderation/topic-texts/{offer_id}/approve", data={"csrf_token": token})
    assert again.status_code == 409
    title = soup(await client.get(f"/topics/{topic.id}?lang=fa")).select_one("#topic-title")
    assert title is not None and title.get_text() == "شوراها" and title["lang"] == "fa"
    results = soup(await client.get("/search", params={"q": "شوراهای"}))
    assert results.select(".search-result-title a")
