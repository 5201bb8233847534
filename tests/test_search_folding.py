"""Search finds a word however it was typed: every folding and stemming rule, over HTTP, on both databases."""

from __future__ import annotations

import httpx
import pytest
from bs4 import BeautifulSoup

from forum.config import Settings
from forum.models import Role, User
from forum.search import folding
from tests.conftest import QueryCounter
from tests.factories import login, make_reply, make_topic, make_user

# (rule, what the post says, what the reader types). Each written word is in no other post.
CASES = [
    ("yeh: Arabic ي typed as Persian ی", "ندوة في بيروت", "بیروت"),
    ("yeh: Persian ی typed as Arabic ي", "سفر به شیراز", "شيراز"),
    ("alef maksura ى typed as ی", "في المستشفى", "مستشفی"),
    ("kaf ك typed as keheh ک", "حقوق الكرد", "کرد"),
    ("keheh ک typed as kaf ك", "کوبانی مقاومت کرد", "كوباني"),
    ("teh marbuta ة typed as heh ه", "ثورة شعبية", "ثوره"),
    ("alef with hamza above", "أمل كبير", "امل"),
    ("alef with hamza below", "إضراب عام", "اضراب"),
    ("alef with madda", "آزادی بیان", "ازادی"),
    ("hamza on waw", "رؤية مشتركة", "روية"),
    ("hamza on yeh", "پائیز امسال", "پاییز"),
    ("tashkeel", "العَدَالَةُ الاجْتِمَاعِيَّة", "العدالة"),
    ("tatweel", "نضـــــال طويل", "نضال"),
    ("ZWNJ inside a word", "ما می‌خواهیم", "میخواهیم"),
    ("zero-width and bidi characters pasted inside a word", "demo\u200bcra\u200fcy now", "democracy"),
    ("Persian digits typed as ASCII", "قطعنامهٔ ۲۲۵۴ شورای امنیت", "2254"),
    ("Arabic-Indic digits typed as ASCII", "منذ عام ٢٠١١", "2011"),
    ("ASCII digits typed as Persian", "in 1979 the revolution", "۱۹۷۹"),
    ("case", "The UNHCR report", "unhcr"),
    ("NFKC: full-width letters", "ＩＬＯ conventions", "ilo"),
    ("NFKC: the lam-alef ligature", "ﻻجئون", "لاجئون"),
    ("Latin diacritics", "Öcalan's writings", "ocalan"),
    ("Arabic article", "الحرية للمعتقلين", "حرية"),
    ("and + article", "والمساواة", "مساواة"),
    ("with + article", "بالسلاح", "سلاح"),
    ("like + article", "كالعادة", "عادة"),
    ("so + article", "فالتغيير قادم", "تغيير"),
    ("for + article (لل)", "السلطة للشعب", "شعب"),
    ("the conjunction و alone", "ودمشق", "دمشق"),
    ("Arabic plural ـين", "المعتقلين", "معتقل"),
    ("Arabic plural ـات", "العاملات", "عامل"),
    ("Persian plural after ZWNJ", "کتاب‌ها را خواندیم", "کتاب"),
    ("Persian plural without ZWNJ", "شهرها", "شهر"),
    ("Persian plural های after ZWNJ", "اعتصاب‌های کارگری", "اعتصاب"),
    ("Persian pronoun suffix after ZWNJ", "حقوق‌شان", "حقوق"),
    ("Persian superlative after ZWNJ", "بزرگ‌ترین تظاهرات", "بزرگ"),
    ("Persian indefinite after ZWNJ", "خانه‌ای در تهران", "خانه"),
    ("Persian plural ـان", "کارگران نفت", "کارگر"),
    ("English plural", "the unions met", "union"),
    ("English inflection", "organising together", "organised"),
    ("English derivation Snowball keeps together", "federalists argue", "federalist"),
]


def result_links(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    page = BeautifulSoup(response.text, "html.parser")
    return [str(a["href"]) for a in page.select(".search-result-title a")]


async def test_every_rule_finds_a_word_typed_the_other_way(client: httpx.AsyncClient, settings: Settings) -> None:
    topic = await make_topic("Words")
    author = await make_user(trusted=True)
    posts = {rule: await make_reply(topic, author, settings, written) for rule, written, _ in CASES}
    missed = []
    for rule, written, typed in CASES:
        links = result_links(await client.get("/search", params={"q": typed}))
        if f"/posts/{posts[rule].id}" not in links:
            missed.append(f"{rule}: {typed!r} did not find {written!r}")
    assert not missed, "\n".join(missed)


async def test_a_query_spelled_with_marks_and_variants_finds_the_plain_word(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    topic = await make_topic()
    author = await make_user(trusted=True)
    post = await make_reply(topic, author, settings, "الاشتراكية والديمقراطية")
    for typed in ("الاشْتِراكِيّة", "اشتراکیه", "والاشتراكيه", "الديمقراطيـــة", "ديمقراطیه"):
        links = result_links(await client.get("/search", params={"q": typed}))
        assert f"/posts/{post.id}" in links, typed


async def test_the_snippet_marks_the_word_as_the_post_spells_it(client: httpx.AsyncClient, settings: Settings) -> None:
    topic = await make_topic()
    author = await make_user(trusted=True)
    await make_reply(topic, author, settings, "نحن نطالب بالحرية والكرامة لكل المعتقلين في سوريا.", language="ar")
    response = await client.get("/search", params={"q": "حريه", "lang": "fa"})
    page = BeautifulSoup(response.text, "html.parser")
    snippet = page.select_one(".search-snippet")
    assert snippet is not None
    assert [mark.get_text() for mark in snippet.select("mark")] == ["بالحرية"]
    assert snippet["lang"] == "ar" and snippet["dir"] == "rtl"
    assert page.html is not None and page.html["dir"] == "rtl"


async def test_moderators_find_members_with_the_same_folding(client: httpx.AsyncClient) -> None:
    for name in ("علي_حسن", "Kâveh", "كمال", "narges"):
        await make_user(name)
    await make_user("mod", role=Role.MODERATOR)
    await login(client, "mod")
    for typed, expected in (("علی", "علي_حسن"), ("KAVEH", "Kâveh"), ("کمال", "كمال"), ("عَلي", "علي_حسن")):
        response = await client.get("/moderation/members", params={"q": typed})
        page = BeautifulSoup(response.text, "html.parser")
        names = [cell.get_text() for cell in page.select("tbody td:first-child bdi")]
        assert names == [expected], (typed, names)


async def test_member_search_reads_the_folded_names_in_one_statement(
    client: httpx.AsyncClient, count_queries: QueryCounter
) -> None:
    await make_user("mod", role=Role.MODERATOR)
    await login(client, "mod")
    statements = []
    for batch in range(2):
        for n in range(10):
            await make_user(f"كاوه_{batch}_{n}")
        count_queries.statements.clear()
        response = await client.get("/moderation/members", params={"q": "کاوه_"})
        names = [
            cell.get_text() for cell in BeautifulSoup(response.text, "html.parser").select("tbody td:first-child bdi")
        ]
        assert names == [f"كاوه_{b}_{n}" for b in range(batch, -1, -1) for n in range(9, -1, -1)]
        statements.append(len(count_queries.statements))
    # The same statements for 10 and for 20 matching members: the names are compared in the database.
    assert statements[0] == statements[1]
    assert any("name_folded" in statement for statement in count_queries.statements)
    assert (await User.get(username="كاوه_0_0")).name_folded == "کاوه_0_0"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("الكتاب والكتب", ["کتاب", "کتب"]),
        ("کتاب‌های ما", ["کتاب", "ما"]),
        ("x" * 100, ["x" * folding.MAX_TERM]),
        ("\u202e\u2066", []),
        ("well-being e-mail", ["well", "be", "e", "mail"]),
        ("ﷺ", ["صل", "له", "عل", "سلم"]),
        # An underscore parts words; an astral format character (a tag) inside a word does not,
        # in a text with astral letters (𝕏 is X) as in one without.
        ("علي_حسن", ["عل", "حسن"]),
        ("demo\U000e0041cracy 𝕏", ["democraci", "x"]),
        ("demo\u200bcracy", ["democraci"]),
    ],
)
def test_terms(text: str, expected: list[str]) -> None:
    assert folding.terms(text) == expected


def test_names_fold_like_the_skeleton_where_both_fold() -> None:
    """Spellings of one name that registration takes for the same name are one name to search too."""
    from forum.identity import skeleton

    for arabic, persian in (("علي", "علی"), ("كاوه", "کاوه"), ("فاطمة", "فاطمه"), ("أحمد", "احمد"), ("عـلـي", "علی")):
        assert skeleton(arabic) == skeleton(persian), arabic
        assert folding.fold(arabic) == folding.fold(persian), arabic
