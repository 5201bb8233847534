"""Translations: offering one, its versions, asking for one, the wanted list, the reader's choice, and the queue."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from forum.accounts.auth import require_moderator, require_user
from forum.config import LANGUAGES
from forum.discussions import threads
from forum.errors import NotFound, PermissionDenied, RateLimited, ValidationFailed
from forum.forms import read_form
from forum.i18n import current_language
from forum.models import Translation, TranslationStatus, pick_text
from forum.moderation.actions import AlreadyHandled
from forum.routing import parse_id
from forum.templating import render
from forum.translations import reading, service, topic_texts
from forum.trust import is_premoderated
from forum.trust.levels import standing


def _permalink(request: Request, post_id: int, read: str | None = None) -> RedirectResponse:
    url = str(request.url_for("post_permalink", post_id=post_id))
    return RedirectResponse(f"{url}?read={read}" if read else url, status_code=303)


async def translation_offer(request: Request) -> Response:
    """Offer a translation of a published post; the translator of the current one edits it here too."""
    user = require_user(request)
    post = await service.get_translatable(request.path_params["post_id"])
    settings = request.app.state.settings
    wanted = request.query_params.get("into", "")
    if wanted not in LANGUAGES or wanted == post.language:
        wanted = next(code for code in (current_language(), *LANGUAGES) if code != post.language)
    current = await service.current_translation(post, wanted)
    # A new version starts from the current one: an edit keeps the earlier text as history.
    values = {"body": current.source if current else "", "lang": wanted}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        try:
            form = await read_form(request)
            values = {"body": form.get("body", ""), "lang": form.get("lang", "")}
            rule = "reply_untrusted" if is_premoderated(user, settings) else "reply"
            await request.app.state.limiter.hit(rule, str(user.id))
            translation = await service.offer_translation(post, user, values["body"], values["lang"], settings)
            if translation.status == TranslationStatus.APPROVED:
                return _permalink(request, post.id, translation.language)
            return render(request, "translations/offered.html", {"post": post, "translation": translation})
        except ValidationFailed as exc:
            values.update(exc.values)
            errors, status = exc.errors, 422
        except RateLimited as exc:
            errors, status = {"": exc.message}, 429
    context = {"post": post, "values": values, "errors": errors, "current": current}
    return render(request, "translations/offer.html", context, status_code=status)


async def translation_history(request: Request) -> Response:
    """Every published version of a post's translation into one language, newest first."""
    language = request.path_params["language"]
    post = await service.get_translatable(request.path_params["post_id"])
    if language not in LANGUAGES:
        raise NotFound()
    versions = await service.history(post, language)
    if not versions:
        raise NotFound()
    return render(request, "translations/history.html", {"post": post, "language": language, "versions": versions})


async def translation_request(request: Request) -> Response:
    """ "I would like to read this in Persian": counted once per reader, post and language."""
    user = require_user(request)
    form = await read_form(request)
    post = await service.get_translatable(request.path_params["post_id"])
    await request.app.state.limiter.hit("flag", str(user.id))
    await service.request_translation(post, user, form.get("lang", ""))
    return _permalink(request, post.id)


async def translation_preference(request: Request) -> Response:
    """Show translations in the reader's language first: a profile setting for members, this visit's for others.

    Anonymous readers follow a link (as with `?lang=`): a form on every thread page
    would give each of them a session only to carry its CSRF token.
    """
    user = request.state.user
    if request.method == "GET" and user is not None:
        raise PermissionDenied()
    form = await read_form(request) if request.method == "POST" else request.query_params
    prefer = form.get("prefer") == "1"
    if user is not None:
        user.prefer_translations = prefer
        await user.save(update_fields=["prefer_translations"])
    else:
        request.session[reading.SESSION_KEY] = prefer
    if (topic_id := parse_id(form.get("topic_id"))) is not None:
        return RedirectResponse(request.url_for("topic_detail", topic_id=topic_id), status_code=303)
    return RedirectResponse(request.url_for("home"), status_code=303)


async def translations_wanted(request: Request) -> Response:
    """Posts readers asked to read in another language, for members who read both, most asked for first."""
    user = require_user(request)
    reads = [code for code in LANGUAGES if code in user.reads_languages.split(",")]
    items = [item for item in await service.wanted(reads) if item.post.language in reads] if len(reads) > 1 else []
    return render(request, "translations/wanted.html", {"items": items, "reads": reads})


async def translation_flag(request: Request) -> Response:
    """Report a published translation to the moderators (one report per reader and translation)."""
    user = require_user(request)
    translation = await Translation.get_or_none(
        id=request.path_params["translation_id"], status=TranslationStatus.APPROVED
    ).select_related("translator", "post")
    if translation is None:
        raise NotFound()
    values = {"reason": "", "text": ""}
    errors: dict[str, str] = {}
    status = 200
    done = False
    if request.method == "POST":
        form = await read_form(request)
        values = {"reason": form.get("reason", ""), "text": form.get("text", "")}
        try:
            await request.app.state.limiter.hit("flag", str(user.id))
            await service.flag_translation(
                translation, user, values["reason"], values["text"], request.app.state.settings
            )
            done = True
        except ValidationFailed as exc:
            errors, status = exc.errors, 422
        except RateLimited as exc:
            errors, status = {"": exc.message}, 429
    context = {"translation": translation, "done": done, "values": values, "errors": errors}
    return render(request, "translations/flag.html", context, status_code=status)


async def topic_translation_offer(request: Request) -> Response:
    """Offer a topic's title and text in a language it lacks."""
    user = require_user(request)
    topic = await threads.get_topic(request.path_params["topic_id"])
    missing = topic_texts.missing_languages(topic)
    if not missing:
        raise NotFound()
    language = request.query_params.get("into", "")
    values = {"lang": language if language in missing else missing[0], "title": "", "body": ""}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        settings = request.app.state.settings
        try:
            form = await read_form(request)
            values = {key: form.get(key, "") for key in ("lang", "title", "body")}
            rule = "reply_untrusted" if is_premoderated(user, settings) else "reply"
            await request.app.state.limiter.hit(rule, str(user.id))
            offer = await topic_texts.offer_topic_text(
                topic, user, values["lang"], values["title"], values["body"], settings
            )
            if offer.status == TranslationStatus.APPROVED:
                url = request.url_for("topic_detail", topic_id=topic.id).include_query_params(lang=offer.language)
                return RedirectResponse(str(url), status_code=303)
            return render(request, "translations/topic_offered.html", {"topic": topic, "offer": offer})
        except ValidationFailed as exc:
            # The topics' checks name their fields by language (title_fa): the form has one of each.
            errors = {key.split("_")[0]: message for key, message in exc.errors.items()}
            status = 422
        except RateLimited as exc:
            errors, status = {"": exc.message}, 429
    text = pick_text(list(topic.texts), current_language())
    context = {"topic": topic, "text": text, "missing": missing, "values": values, "errors": errors}
    return render(request, "translations/topic_offer.html", context, status_code=status)


async def topic_translation_moderate(request: Request) -> Response:
    moderator = require_moderator(request)
    form = await read_form(request)
    action = request.path_params["action"]
    if action not in ("approve", "reject"):
        raise NotFound()
    try:
        await topic_texts.decide_topic_text(
            request.path_params["offer_id"], moderator, action == "approve", form.get("reason", "")
        )
    except ValidationFailed as exc:
        return await _queue(request, exc.errors)
    return RedirectResponse(request.url_for("translation_queue"), status_code=303)


async def _queue(request: Request, errors: dict[str, str] | None = None) -> Response:
    context = {
        "topic_texts": await topic_texts.pending_topic_texts(),
        "pick_text": pick_text,
        "items": await service.pending_translations(),
        "flagged": await service.flagged_translations(),
        "errors": errors or {},
        "standing": standing,
    }
    return render(request, "translations/queue.html", context, status_code=422 if errors else 200)


async def translation_queue(request: Request) -> Response:
    """Pending translations beside their originals, oldest first, then reported ones."""
    require_moderator(request)
    return await _queue(request)


async def translation_moderate(request: Request) -> Response:
    moderator = require_moderator(request)
    form = await read_form(request)
    translation_id = request.path_params["translation_id"]
    action = request.path_params["action"]
    try:
        if action == "approve":
            await service.approve_translation(translation_id, moderator)
        elif action == "reject":
            await service.reject_translation(translation_id, moderator, form.get("reason", ""))
        elif action == "hide":
            await service.hide_translation(
                translation_id, moderator, form.get("reason_code", ""), form.get("reason", "")
            )
        elif action == "dismiss":
            await service.dismiss_translation_flags(translation_id, moderator)
        else:
            raise NotFound()
    except ValidationFailed as exc:
        return await _queue(request, exc.errors)
    except AlreadyHandled:
        if not await Translation.exists(id=translation_id):
            raise NotFound() from None
        raise
    return RedirectResponse(request.url_for("translation_queue"), status_code=303)


routes = [
    Route("/posts/{post_id:id}/translate", translation_offer, methods=["GET", "POST"], name="translation_offer"),
    Route(
        "/posts/{post_id:id}/translations/request",
        translation_request,
        methods=["POST"],
        name="translation_request",
    ),
    Route("/posts/{post_id:id}/translations/{language:str}", translation_history, name="translation_history"),
    Route("/translations/preference", translation_preference, methods=["GET", "POST"], name="translation_preference"),
    Route("/translations/wanted", translations_wanted, name="translations_wanted"),
    Route("/translations/{translation_id:id}/flag", translation_flag, methods=["GET", "POST"], name="translation_flag"),
    Route("/moderation/translations", translation_queue, name="translation_queue"),
    Route(
        "/topics/{topic_id:id}/translate",
        topic_translation_offer,
        methods=["GET", "POST"],
        name="topic_translation_offer",
    ),
    Route(
        "/moderation/topic-texts/{offer_id:id}/{action:str}",
        topic_translation_moderate,
        methods=["POST"],
        name="topic_translation_moderate",
    ),
    Route(
        "/moderation/translations/{translation_id:id}/{action:str}",
        translation_moderate,
        methods=["POST"],
        name="translation_moderate",
    ),
]
