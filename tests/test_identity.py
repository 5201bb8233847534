from __future__ import annotations

import unicodedata
from collections.abc import Iterator

import httpx
import pytest
import regex
from bs4 import BeautifulSoup
from tortoise import connections
from tortoise.migrations.executor import MigrationExecutor, MigrationTarget

from forum import db, identity
from forum.accounts import auth
from forum.config import Settings
from forum.errors import ValidationFailed
from forum.identity import ScriptProblem, hidden_characters, script_problem, skeleton
from forum.models import Role, User
from forum.seed_data import CATEGORIES, TOPICS
from tests.factories import PASSWORD, csrf_from, empty_database, login, make_reply, make_topic, make_user

# Names a brigade would like to pass for: staff-like ones in English, an Arabic and a Persian one.
STAFF_NAMES = ("admin", "moderator", "support", "مشرف", "مدیر")
DEFAULT_IGNORABLES = [
    chr(cp)
    for cp in range(0x110000)
    if regex.match(r"\p{Default_Ignorable_Code_Point}", chr(cp)) and unicodedata.category(chr(cp)) != "Cn"
]


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("Admin", "admіn"),
        ("ADMIN", "admin"),
        ("ADMlN", "admin"),
        ("ADMІN", "admin"),
        ("ɑdmin", "admin"),
        ("admɩn", "admin"),
        ("ali_reza", "ali.reza"),
        ("ali-reza", "alireza"),
        ("Paul", "PauI"),
        ("paypal", "pаypal"),
        ("ｐａｙｐａｌ", "paypal"),
        ("𝐚𝐝𝐦𝐢𝐧", "admin"),
        ("Ѕаm", "sam"),
        ("ΑΒΕ", "abe"),
        ("user1", "userl"),
        ("user1", "user۱"),
        ("user2", "user٢"),
        ("user4", "user۴"),
        ("cool0", "coolo"),
        ("modern", "modem"),
        ("ali\u200breza", "alireza"),
        ("admin\ufe0f", "admin"),
        ("bo\u034fb", "bob"),
        ("modmarie\u180b", "modmarie"),
        ("carol\U000e0100", "carol"),
        ("مريم", "مریم"),
        ("علي", "علی"),
        ("كريم", "کریم"),
        ("فاطمة", "فاطمه"),
        ("أحمد", "احمد"),
        ("إيمان", "ایمان"),
        ("ٱلنور", "النور"),
        ("مُحَمَّد", "محمد"),
        ("مـريم", "مریم"),
        ("علی‌اکبر", "علیاکبر"),
        ("علی١", "علیا"),
    ],
)
def test_skeleton_equal(left: str, right: str) -> None:
    assert skeleton(left) == skeleton(right)


@pytest.mark.parametrize(
    ("left", "right"),
    [("ali", "alice"), ("admin", "admins"), ("مریم", "مرتضی"), ("bob", "rob"), ("user1", "user2"), ("نرگس", "نرجس")],
)
def test_skeleton_different(left: str, right: str) -> None:
    assert skeleton(left) != skeleton(right)


def test_the_data_is_unicode_confusables_17() -> None:
    header = identity.CONFUSABLES.read_text(encoding="utf-8").splitlines()[:10]
    assert "# Version: 17.0.0" in header
    assert len(identity.PROTOTYPES) == 6565
    assert identity.PROTOTYPES["\u0430"] == "a" and identity.PROTOTYPES["m"] == "rn"


def test_the_skeleton_is_stable() -> None:
    # Every character the data speaks of, and its case forms: one more pass changes nothing.
    characters = set(identity.PROTOTYPES) | {ch for value in identity.PROTOTYPES.values() for ch in value}
    characters |= {variant for ch in list(characters) for variant in (ch.upper(), ch.lower(), ch.casefold())}
    unstable = [ch for ch in characters if skeleton(skeleton(ch)) != skeleton(ch)]
    assert not unstable


def test_the_forum_keeps_only_the_arabic_folds_confusables_lacks() -> None:
    # Unicode's data already joins these spellings; the forum's own table does not repeat them.
    for variants in ("يیى", "كک", "هەہھ"):
        assert len({identity.PROTOTYPES.get(ch, ch) for ch in variants}) == 1
    # ...and leaves these apart, which the forum folds for its readers.
    for letter, spelling in (("ة", "ه"), ("ٱ", "ا"), ("٢", "2"), ("۲", "2")):
        assert identity.PROTOTYPES.get(letter, letter) != identity.PROTOTYPES.get(spelling, spelling)
        assert skeleton(letter) == skeleton(spelling)


@pytest.mark.parametrize(
    ("value", "hidden"),
    [
        ("admin\ufe0f", True),
        ("bo\u034fb", True),
        ("modmarie\u180b", True),
        ("carol\U000e0100", True),
        ("tag\U000e0041", True),
        ("\u3164name", True),
        ("evil\u202eadmin", True),
        ("rtl\u200fmark", True),
        ("a\u200cb", True),  # a non-joiner between Latin letters does nothing visible
        ("مرا\u200cد", True),  # alef never joins the next letter: nothing for ZWNJ to part
        ("می\u200cخواهم", False),
        ("پژوهش\u200cها", False),
        ("خانه\u200cای", False),
        ("Roses \u2764\ufe0f", False),
        ("plain title", False),
    ],
)
def test_hidden_characters(value: str, hidden: bool) -> None:
    assert hidden_characters(value) is hidden


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("sam_o", None),
        ("user42", None),
        ("نرگس", None),
        ("علی۱۳۷۰", None),
        ("سليم٤٢", None),
        ("علی42", None),
        ("Иван", None),
        ("Σωκράτης", None),
        ("山田太郎", None),
        ("やまだtaro", None),
        ("김민수kim", None),
        ("pаypal", ScriptProblem.MIXED_SCRIPTS),
        ("ali_علی", ScriptProblem.MIXED_SCRIPTS),
        ("user۱", ScriptProblem.MIXED_SCRIPTS),
        ("Ꭺdmin", ScriptProblem.UNCOMMON_SCRIPT),
        ("user1۲", ScriptProblem.MIXED_SCRIPTS),
        ("علی۱٢", ScriptProblem.MIXED_DIGITS),
        ("رضا4۴", ScriptProblem.MIXED_DIGITS),
    ],
)
def test_script_problem(name: str, problem: ScriptProblem | None) -> None:
    assert script_problem(name) is problem


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("Ꭺdmin", "scripts in everyday use"),
        ("pаypal", "written in one script"),
        ("علی۱٢", "digits of different kinds"),
        ("ｐａｙｐａｌ", "full-width, stylised or joined"),
        ("𝐚𝐝𝐦𝐢𝐧", "full-width, stylised or joined"),
        ("ﻋﻠﻰ", "full-width, stylised or joined"),  # Arabic presentation forms
        ("ΐ" * 22, "3 to 32 characters"),  # 22 letters, but 66 once case-folded: more than the key holds
        ("a\u200cb", "invisible"),
    ],
)
def test_username_rules_each_have_their_message(name: str, message: str) -> None:
    problem = auth.username_error(name)
    assert problem is not None and message in problem


def lookalikes(name: str) -> Iterator[str]:
    """The name with one letter replaced by each of its look-alikes in Unicode's data."""
    for i, letter in enumerate(name):
        prototype = identity.PROTOTYPES.get(letter, letter)
        for source, target in identity.PROTOTYPES.items():
            if target == prototype and source != letter:
                yield name[:i] + source + name[i + 1 :]
        if prototype != letter:
            yield name[:i] + prototype + name[i + 1 :]


def with_ignorables(name: str) -> Iterator[str]:
    """The name with each default-ignorable code point that Unicode assigns inserted in it."""
    for ch in DEFAULT_IGNORABLES:
        yield name[:2] + ch + name[2:]


async def test_lookalikes_of_staff_names_from_unicode_data_are_all_refused(database: Settings) -> None:
    for name in STAFF_NAMES:
        await make_user(name, role=Role.MODERATOR)
    corpus = {(fake, name) for name in STAFF_NAMES for fake in (*lookalikes(name), *with_ignorables(name))}
    assert len(corpus) > 2500
    # The skeleton alone would catch every one of them...
    assert not [fake for fake, name in corpus if skeleton(unicodedata.normalize("NFC", fake)) != skeleton(name)]
    # ...and registration refuses every one, most before the skeleton is even asked.
    reasons: dict[str, int] = {}
    for fake, _ in sorted(corpus):
        # A short password keeps zxcvbn out of it; only the username's verdict is looked at.
        with pytest.raises(ValidationFailed) as refused:
            await auth.create_user(fake, "short")
        assert "username" in refused.value.errors, fake
        reason = refused.value.errors["username"]
        reasons[reason] = reasons.get(reason, 0) + 1
    assert await User.all().count() == len(STAFF_NAMES)
    assert reasons["A username cannot contain invisible, control or direction-changing characters."] > 2000
    assert sum(count for reason, count in reasons.items() if "stylised" in reason) > 400
    assert sum(count for reason, count in reasons.items() if "script" in reason) > 150
    assert reasons["That username is taken, or too easily mistaken for one that is."] > 40


@pytest.mark.parametrize(
    "name",
    ["sam_o", "lina.k", "Élodie-2", "Иван", "Σωκράτης", "山田太郎", "نرگس", "سليم.ع", "علی‌اکبر", "فاطمه‌زهرا", "نیک‌نام"],
)
async def test_ordinary_names_are_still_accepted(database: Settings, name: str) -> None:
    for staff in STAFF_NAMES:
        await make_user(staff, role=Role.MODERATOR)
    user = await auth.create_user(name, PASSWORD)
    assert user.username == name and user.skeleton == skeleton(name)


async def register(
    client: httpx.AsyncClient, username: str, password: str = PASSWORD, language: str = "en"
) -> BeautifulSoup:
    page = await client.get(f"/register?lang={language}")
    response = await client.post(
        "/register",
        data={
            "username": username,
            "password": password,
            "password_confirm": password,
            "csrf_token": csrf_from(page.text),
        },
    )
    # 200: registered, on the page that shows the recovery codes.
    assert response.status_code in (200, 422), response.status_code
    return BeautifulSoup(response.text, "html.parser")


def error(page: BeautifulSoup, field: str) -> str:
    element = page.find(id=f"register-{field}-error")
    return element.get_text() if element else ""


@pytest.mark.parametrize(
    ("real", "fake", "english", "persian"),
    [
        ("admin", "admin\ufe0f", "invisible", "نامرئی"),
        ("bob", "bo\u034fb", "invisible", "نامرئی"),
        ("modmarie", "modmarie\u180b", "invisible", "نامرئی"),
        ("carol", "carol\U000e0100", "invisible", "نامرئی"),
        ("admin", "ɑdmin", "mistaken", "اشتباه"),
        ("admin", "admɩn", "mistaken", "اشتباه"),
        ("admin", "аdmin", "one script", "یک خط"),
    ],
)
async def test_the_reported_impersonations_are_refused(
    client: httpx.AsyncClient, real: str, fake: str, english: str, persian: str
) -> None:
    await make_user(real, role=Role.ADMIN)
    assert english in error(await register(client, fake), "username")
    assert persian in error(await register(client, fake, language="fa"), "username")
    assert await User.all().count() == 1


@pytest.mark.parametrize(
    ("username", "password", "english", "persian"),
    [
        ("sara_k", "1234567890", "most common passwords", "رایج‌ترین رمزهای عبور"),
        ("sara_k", "password12", "most common passwords", "رایج‌ترین رمزهای عبور"),
        ("sara_k", " " * 10, "repeats the same characters", "تکرار می‌کند"),
        ("sara_karimi", "sara_karimi", "built from the username", "از نام کاربری ساخته شده"),
        ("darya_m", "darya_m12345", "built from the username", "از نام کاربری ساخته شده"),
        ("darya_m", "darya2024!!", "built from the username", "از نام کاربری ساخته شده"),
        ("sara_k", "qwertyuiop[]", "row of keys", "ردیف صفحه‌کلید"),
        ("sara_k", "abcdefghijk", "sequence", "دنباله"),
        ("sara_k", "1990-12-31!", "date or a year", "تاریخ یا سال"),
        ("sara_k", "Philadelphia", "common word or name", "واژه یا نام رایج"),
    ],
)
async def test_guessable_passwords_are_refused(
    client: httpx.AsyncClient, username: str, password: str, english: str, persian: str
) -> None:
    assert english in error(await register(client, username, password), "password")
    assert persian in error(await register(client, username, password, language="fa"), "password")
    assert await User.all().count() == 0


async def test_a_strong_password_is_accepted_and_long_ones_are_checked_in_part(client: httpx.AsyncClient) -> None:
    page = await register(client, "sara_k", "a walrus in the pantry ate 7 figs")
    assert not error(page, "password") and await User.filter(username="sara_k").exists()
    # Only the first 50 characters go to the estimator; a long repetition is caught all the same.
    assert "repeats" in error(await register(client, "sara_m", "ab" * 500), "password")


async def test_new_passwords_set_by_the_service_the_command_uses_are_checked(database: Settings) -> None:
    user = await make_user("rahel_t")
    for weak in ("rahel_t2024", "iloveyou12", "abcdefghijkl"):
        with pytest.raises(ValidationFailed):
            await auth.set_password(user, weak)
    await auth.set_password(user, "violet tractor under seven moons")


@pytest.mark.parametrize(
    ("field", "title", "accepted"),
    [
        ("title_en", "Who decides\u200f?", False),
        ("title_en", "Self\u200bdetermination", False),
        ("title_en", "Federalism\ufe00", False),
        ("title_fa", "مرا\u200cد", False),
        ("title_fa", "پژوهش\u200cها و پرسش\u200cها", True),
        ("title_en", "Roses \u2764\ufe0f and bread", True),
    ],
)
async def test_topic_titles_refuse_invisible_characters(
    client: httpx.AsyncClient, field: str, title: str, accepted: bool
) -> None:
    topic = await make_topic("Existing")
    await make_user("rahel", role=Role.MODERATOR)
    token = await login(client, "rahel")
    body = "body_" + field.removeprefix("title_")
    data = {"csrf_token": token, "category": str(topic.category_id), field: title, body: "Text"}
    response = await client.post("/moderation/topics/new", data=data)
    if accepted:
        assert response.status_code == 303
        return
    assert response.status_code == 422
    message = BeautifulSoup(response.text, "html.parser").select_one(f"#title-{field[-2:]} ~ .form-error")
    assert message is not None and "invisible" in message.get_text()
    edit = await client.post(f"/moderation/topics/{topic.id}/edit", data={**data, "title_en": "Fine", "body_en": "x"})
    assert edit.status_code == (303 if field == "title_en" else 422)


def test_seeded_category_names_and_titles_obey_the_same_rule() -> None:
    names = [name for category in CATEGORIES for name in category["names"].values()]
    titles = [text["title"] for topic in TOPICS for text in topic["texts"].values()]
    assert names and titles
    assert not [value for value in names + titles if hidden_characters(value)]


def role_badges(page: str, post_id: int) -> list[str]:
    article = BeautifulSoup(page, "html.parser").find(id=f"post-{post_id}")
    assert article is not None
    return [badge.get_text() for badge in article.select(".post-author .badge-role")]


@pytest.mark.parametrize(
    ("language", "moderator", "administrator"),
    [("en", "Moderator", "Administrator"), ("fa", "ناظر", "مدیر"), ("ar", "مشرف", "مدير الموقع")],
)
async def test_staff_names_carry_their_role_in_threads(
    client: httpx.AsyncClient, settings: Settings, language: str, moderator: str, administrator: str
) -> None:
    topic = await make_topic()
    staff = await make_reply(topic, await make_user("rahel", role=Role.MODERATOR), settings, "From the moderators.")
    admin = await make_reply(topic, await make_user("boss", role=Role.ADMIN), settings, "From the administrators.")
    # What the badge is there for: a member whose name claims the role it does not have.
    member = await make_reply(topic, await make_user("rahel_mod", trusted=True), settings, "Me too.")
    page = (await client.get(f"/topics/{topic.id}?lang={language}")).text
    assert role_badges(page, staff.id) == [moderator]
    assert role_badges(page, admin.id) == [administrator]
    assert role_badges(page, member.id) == []


async def test_staff_names_carry_their_role_in_the_queue_member_and_history_pages(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    topic = await make_topic()
    rahel = await make_user("rahel", role=Role.MODERATOR)
    answered = await make_reply(topic, rahel, settings, "A question from the moderators.")
    newcomer = await make_user("newcomer")
    await make_reply(topic, newcomer, settings, "An answer.", parent=answered)
    await login(client, "rahel")

    queue = BeautifulSoup((await client.get("/moderation")).text, "html.parser")
    assert [badge.get_text() for badge in queue.select(".hint .badge-role")] == ["Moderator"]
    assert not queue.select(".queue-author .badge-role")

    member_page = BeautifulSoup((await client.get(f"/moderation/members/{rahel.id}")).text, "html.parser")
    assert [badge.get_text() for badge in member_page.select("h1 .badge-role")] == ["Moderator"]

    page = await client.get(f"/posts/{answered.id}/edit")
    await client.post(
        f"/posts/{answered.id}/edit", data={"csrf_token": csrf_from(page.text), "body": "A clearer question."}
    )
    history = BeautifulSoup((await client.get(f"/posts/{answered.id}/history?lang=fa")).text, "html.parser")
    assert [badge.get_text() for badge in history.select("main .badge-role")] == ["ناظر", "ناظر"]


async def test_the_migration_recomputes_stored_skeletons(database: Settings) -> None:
    await empty_database(database)
    executor = MigrationExecutor(connections.get("default"), db.tortoise_config(database)["apps"])
    await executor.migrate([MigrationTarget("forum", "0003_drop_post_flag_count")])
    # A name stored with the hand-kept table's skeleton, which folded no Latin alpha.
    # In SQL: the model of today has columns that version of the table has not.
    await connections.get("default").execute_query(
        "INSERT INTO users (username, username_key, skeleton, password_hash, role, reads_languages,"
        " approved_count, rejected_count, trusted, suspension_reason, session_epoch, created_at)"
        " VALUES ('ɑdmin', 'ɑdmin', 'ɑdmln', 'x', 'member', '', 0, 0, FALSE, '', 0, CURRENT_TIMESTAMP)"
    )
    await db.migrate(database)
    assert (await User.get(username="ɑdmin")).skeleton == skeleton("admin")
    with pytest.raises(ValidationFailed):
        await auth.create_user("admin", PASSWORD)
