"""In Chromium: a Persian paragraph in an English post is right-aligned with its full stop at the left end, and
the reverse; quote bars and list markers sit on each block's own side; the forum's own font is used."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser import LiveForum, browser_page, live_forum, requires_chromium, screenshot
from tests.mixed import ENGLISH_SENTENCE, PERSIAN_SENTENCE, post_mixed_replies

pytestmark = requires_chromium

FEDERALISM = 4  # the seeded topic the demo thread answers

# Where a paragraph's text sits in its box, and where its last character (the full stop) sits in the text.
GEOMETRY = """
(needle) => {
  const block = [...document.querySelectorAll('.post-body p')].find(p => p.textContent.startsWith(needle));
  const text = block.firstChild;
  const line = document.createRange();
  line.selectNodeContents(block);
  const stop = document.createRange();
  stop.setStart(text, text.length - 1);
  stop.setEnd(text, text.length);
  const style = getComputedStyle(block);
  const box = block.getBoundingClientRect();
  const [l, s] = [line.getBoundingClientRect(), stop.getBoundingClientRect()];
  return {
    direction: style.direction, textLeft: l.left, textRight: l.right, stopLeft: s.left, stopRight: s.right,
    boxLeft: box.left + parseFloat(style.paddingLeft), boxRight: box.right - parseFloat(style.paddingRight),
  };
}
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveForum]:
    for forum in live_forum(tmp_path_factory.mktemp("bidi"), FORUM_RATELIMIT_REPLY="100/second"):
        forum.command("seed", "--demo")
        post_mixed_replies(forum.url, "admin", forum.admin_password, FEDERALISM)
        yield forum


def assert_reads_right_to_left(geometry: dict[str, Any]) -> None:
    assert geometry["direction"] == "rtl"
    assert abs(geometry["textRight"] - geometry["boxRight"]) < 1.5, geometry  # right-aligned
    assert geometry["textLeft"] > geometry["boxLeft"] + 20, geometry  # a short line: room on the left
    assert abs(geometry["stopLeft"] - geometry["textLeft"]) < 1.5, geometry  # the full stop ends it, on the left


def assert_reads_left_to_right(geometry: dict[str, Any]) -> None:
    assert geometry["direction"] == "ltr"
    assert abs(geometry["textLeft"] - geometry["boxLeft"]) < 1.5, geometry
    assert geometry["textRight"] < geometry["boxRight"] - 20, geometry
    assert abs(geometry["stopRight"] - geometry["textRight"]) < 1.5, geometry


@pytest.mark.parametrize("language", ["en", "fa", "ar"])
async def test_each_paragraph_reads_in_its_own_direction(server: LiveForum, language: str) -> None:
    async with browser_page(language) as page:
        fonts: list[str] = []
        page.on("request", lambda request: fonts.append(request.url) if "font" in request.resource_type else None)  # type: ignore[attr-defined]
        await page.goto(f"{server.url}/topics/{FEDERALISM}?lang={language}")  # type: ignore[attr-defined]
        assert_reads_right_to_left(await page.evaluate(GEOMETRY, PERSIAN_SENTENCE))  # type: ignore[attr-defined]
        assert_reads_left_to_right(await page.evaluate(GEOMETRY, ENGLISH_SENTENCE))  # type: ignore[attr-defined]

        # The Persian quote in the English post has its bar on the right; its list's Persian item its marker room.
        quote = await page.evaluate(  # type: ignore[attr-defined]
            """(needle) => {
                const q = [...document.querySelectorAll('.post-body[lang=en] blockquote')]
                    .find(b => b.textContent.includes(needle));
                const s = getComputedStyle(q);
                return [s.borderRightWidth, s.borderLeftWidth];
            }""",
            PERSIAN_SENTENCE,
        )
        assert quote == ["3px", "0px"]
        margins = await page.evaluate(  # type: ignore[attr-defined]
            """() => [...document.querySelectorAll('.post-body[lang=en] li')].map(li => {
                const s = getComputedStyle(li);
                return [li.getAttribute('dir'), parseFloat(s.marginLeft) > 0, parseFloat(s.marginRight) > 0];
            })"""
        )
        assert ["rtl", False, True] in margins and ["ltr", True, False] in margins

        # English emphasis stays italic in every interface; Arabic emphasis is set in weight instead.
        styles = await page.evaluate(  # type: ignore[attr-defined]
            """() => Object.fromEntries(['en', 'ar'].map(code => {
                const s = getComputedStyle(document.querySelector(`.post-body[lang=${code}] em`));
                return [code, [s.fontStyle, s.fontWeight]];
            }))"""
        )
        assert styles["en"][0] == "italic" and styles["ar"] == ["normal", "600"]

        # Arabic-script text is set in the forum's own Vazirmatn, fetched from the forum itself.
        await page.evaluate("document.fonts.ready")  # type: ignore[attr-defined]
        loaded = await page.evaluate(  # type: ignore[attr-defined]
            "[...document.fonts].filter(f => f.status === 'loaded').map(f => f.family)"
        )
        assert any("Vazirmatn" in family for family in loaded)
        assert fonts and all(url.startswith(f"{server.url}/static/fonts/") for url in fonts)
        await screenshot(page, f"mixed-thread-{language}")
