"""Every block of a post reads in the direction of its own text; a post's headings continue the page's outline."""

from __future__ import annotations

import itertools

import httpx
import pytest
from bs4 import BeautifulSoup, Tag

from forum.config import Settings
from forum.markup import render
from tests.factories import login, make_reply, make_topic, make_user
from tests.mixed import ENGLISH_POST, ENGLISH_SENTENCE, MIXED_REPLIES, PERSIAN_POST, PERSIAN_SENTENCE


def blocks(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def direction_of(soup: BeautifulSoup | Tag, name: str, text: str) -> str | None:
    """The dir of the first `name` element whose text contains `text`."""
    for element in soup.find_all(name):
        if text in element.get_text():
            value = element.get("dir")
            return value if isinstance(value, str) else None
    raise AssertionError(f"no <{name}> holds {text!r}")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Plain English.", "ltr"),
        ("متن فارسی.", "rtl"),
        ("نص عربي.", "rtl"),
        ("טקסט בעברית.", "rtl"),
        # Most letters decide, not the first: a Persian sentence that opens with a Latin name.
        ("Marx می‌گوید که تاریخ همهٔ جوامع تاریخ مبارزهٔ طبقاتی است.", "rtl"),
        ("The word «آزادی» means freedom in Persian.", "ltr"),
        ("2011 – ۱۳۹۰", None),
        ("", None),
    ],
)
def test_direction_of_a_paragraph(text: str, expected: str | None) -> None:
    paragraph = blocks(render(text)).p
    assert (paragraph.get("dir") if paragraph else None) == expected


def test_a_persian_paragraph_and_quote_in_an_english_post_read_right_to_left() -> None:
    soup = blocks(render(ENGLISH_POST))
    assert direction_of(soup, "p", "I agree with") == "ltr"
    assert direction_of(soup, "blockquote", PERSIAN_SENTENCE) == "rtl"
    for paragraph in soup.find_all("p"):
        if paragraph.get_text().startswith(PERSIAN_SENTENCE):
            assert paragraph["dir"] == "rtl"
    assert direction_of(soup, "h4", "Two readings") == "ltr"


def test_list_items_and_table_cells_each_take_their_own_direction() -> None:
    soup = blocks(render(ENGLISH_POST))
    assert direction_of(soup, "li", "Councils elected") == "ltr"
    assert direction_of(soup, "li", "شوراهای محلی") == "rtl"
    assert direction_of(soup, "ul", "Councils") == "ltr"
    assert direction_of(soup, "th", "Region") == "ltr"
    assert direction_of(soup, "th", "زبان‌ها") == "rtl"
    assert direction_of(soup, "td", "کردی") == "rtl"
    assert direction_of(soup, "td", "Rojava") == "ltr"


def test_an_english_paragraph_in_a_persian_post_reads_left_to_right() -> None:
    soup = blocks(render(PERSIAN_POST))
    assert direction_of(soup, "h4", "پاسخ") == "rtl"
    assert direction_of(soup, "p", ENGLISH_SENTENCE) == "ltr"
    assert direction_of(soup, "blockquote", "lesson of 2011") == "ltr"
    assert direction_of(soup, "ol", "شوراهای") == "rtl"
    assert direction_of(soup, "li", "Elected councils") == "ltr"


def test_code_is_left_to_right_and_addresses_do_not_count() -> None:
    soup = blocks(render(PERSIAN_POST))
    assert direction_of(soup, "pre", "federal = councils") == "ltr"
    # The long address has more Latin letters than the sentence has Persian ones.
    assert direction_of(soup, "p", "به نظر من") == "rtl"
    english = blocks(render(ENGLISH_POST))
    assert direction_of(english, "p", "for the text") == "ltr"
    assert blocks(render("`code` 12")).p.get("dir") is None  # type: ignore[union-attr]


def test_a_list_item_follows_its_own_text_not_its_sub_list() -> None:
    soup = blocks(render("- متن فارسی\n  - English one\n  - English two\n  - English three"))
    assert direction_of(soup, "li", "متن فارسی") == "rtl"
    assert direction_of(soup.find("ul").find("ul"), "li", "English one") == "ltr"  # type: ignore[union-attr]


def test_a_block_without_letters_inherits() -> None:
    soup = blocks(render("12 345\n\n---\n\n| 1 | 2 |\n|---|---|\n| 3 | 4 |"))
    assert all(element.get("dir") is None for element in soup.find_all(["p", "hr", "table", "td", "th"]))


async def test_a_mixed_thread_reads_in_each_blocks_direction(client: httpx.AsyncClient, settings: Settings) -> None:
    topic = await make_topic("Federalism")
    author = await make_user(trusted=True)
    for language, body in MIXED_REPLIES:
        await make_reply(topic, author, settings, body, language=language)
    for interface in ("en", "fa", "ar"):
        page = BeautifulSoup((await client.get(f"/topics/{topic.id}?lang={interface}")).text, "html.parser")
        bodies = {body["lang"]: body for body in page.select(".post-body")}
        assert bodies["en"]["dir"] == "ltr" and bodies["fa"]["dir"] == "rtl"
        assert direction_of(bodies["en"], "blockquote", PERSIAN_SENTENCE) == "rtl"
        assert direction_of(bodies["fa"], "p", ENGLISH_SENTENCE) == "ltr"
        assert direction_of(bodies["ar"], "blockquote", "Power has to be shared") == "ltr"


async def test_the_preview_shows_each_blocks_direction(client: httpx.AsyncClient) -> None:
    topic = await make_topic()
    token = await login(client, (await make_user()).username)
    response = await client.post(
        f"/topics/{topic.id}/replies", data={"csrf_token": token, "body": ENGLISH_POST, "action": "preview"}
    )
    assert response.status_code == 200
    preview = BeautifulSoup(response.text, "html.parser").select_one(".preview .post-body")
    assert preview is not None
    assert direction_of(preview, "blockquote", PERSIAN_SENTENCE) == "rtl"
    assert direction_of(preview, "p", "I agree") == "ltr"
    # Under the preview's h2: the post's first heading is an h3.
    assert [h.name for h in preview.find_all(["h2", "h3", "h4", "h5", "h6"])] == ["h3", "h4"]


def heading_levels(html: str) -> list[int]:
    soup = BeautifulSoup(html, "html.parser")
    main = soup.find("main")
    assert main is not None
    return [int(h.name[1]) for h in main.find_all(["h1", "h2", "h3", "h4", "h5", "h6"])]


def assert_no_skipped_level(levels: list[int]) -> None:
    assert levels[0] == 1
    for before, after in itertools.pairwise(levels):
        assert after <= before + 1, levels


async def test_headings_never_skip_a_level(client: httpx.AsyncClient, settings: Settings) -> None:
    topic = await make_topic("Federalism")
    text = await topic.texts.all().first()
    assert text is not None
    text.html = render("# Background\n\nWhy.\n\n## Detail\n\nMore.")
    await text.save()
    member = await make_user(trusted=True)
    reply = await make_reply(topic, member, settings, ENGLISH_POST, language="en")
    await make_reply(topic, member, settings, PERSIAN_POST, parent=reply, language="fa")
    thread = (await client.get(f"/topics/{topic.id}")).text
    levels = heading_levels(thread)
    assert_no_skipped_level(levels)
    assert levels[:3] == [1, 2, 3]  # the topic's title, then its own headings
    article = BeautifulSoup(thread, "html.parser").select_one(f"#post-{reply.id}")
    assert article is not None and article.h3 is not None and article.h3.get_text() == member.username
    await login(client, member.username)
    for path in ("/my/posts", f"/posts/{reply.id}/history", f"/topics/{topic.id}/reply?parent_id={reply.id}"):
        assert_no_skipped_level(heading_levels((await client.get(path)).text))
