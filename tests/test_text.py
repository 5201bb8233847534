from __future__ import annotations

import time

import pytest

from forum.markup import render
from forum.text import detect_language, direction, excerpt, has_format_controls, is_blank, normalise


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("e\u0301te\u0301", "été"),
        ("A\u030a", "Å"),
        ("e\x00\u0301", "é"),
        ("a\r\nb", "a\nb"),
        ("a\rb", "a\nb"),
        ("a\r\n\r\nb\r", "a\n\nb"),
        ("a\x00b", "ab"),
        ("a\x07b", "ab"),
        ("a\x1b[31mb", "a[31mb"),
        ("a\x7fb\x85c\x9fd", "abcd"),
        ("a\x0bb\x0cc", "abc"),
        ("a\tb\nc", "a\tb\nc"),
        ("می\u200cخواهم", "می\u200cخواهم"),
        ("a\u200db\u200ec\u200fd", "a\u200db\u200ec\u200fd"),
        ("text  \n\n \t", "text"),
        ("\n \n\t\n    code\n", "    code"),
        ("  first line", "  first line"),
        ("hard  \nbreak", "hard  \nbreak"),
        ("", ""),
    ],
)
def test_normalise(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


@pytest.mark.parametrize(
    ("text", "blank"),
    [
        ("", True),
        (" \n\t", True),
        ("\u00a0\u2003", True),
        ("\u3000", True),
        ("\u200b", True),
        ("\u200c\u200d", True),
        ("\u200e\u200f\u061c", True),
        ("\u202e\u2066\u2069", True),
        ("\ufeff\u2060", True),
        ("\u3164\u115f", True),
        ("\u2028\u2029", True),
        ("a", False),
        (".", False),
        ("0", False),
        ("سلام", False),
        ("\u200bx\u200b", False),
        ("\U0001f600", False),
    ],
)
def test_is_blank(text: str, blank: bool) -> None:
    assert is_blank(text) is blank


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Hello world, how are you?", "en"),
        ("", "en"),
        ("12345 !!! ???", "en"),
        ("؟؟ ١٢٣", "en"),
        ("https://example.com/سلام-دنیا-و-مرحبا", "en"),
        ("Use `print('مرحبا بالعالم')` for that", "en"),
        ("```\nمرحبا بالعالم يا أصدقاء\n```\nThis is English.", "en"),
        ("# Title\n\n- item **bold** [link](https://x.example/سلام)", "en"),
        ("Mostly English with one word سلام in it", "en"),
        ("Привет, мир", "en"),
        ("مرحبا بالعالم", "ar"),
        ("سلام", "ar"),
        ("في المدرسة", "ar"),
        ("كيف حالك؟", "ar"),
        ("إن شاء الله", "ar"),
        ("# عنوان\n\n- **عنصر** [رابط](https://example.com/english/words/here)", "ar"),
        ("هذا نص عربي طويل with English", "ar"),
        ("https://example.com مرحبا بكم", "ar"),
        ("مرسی", "fa"),
        ("می\u200cخواهم بروم", "fa"),
        ("سلام، چطوری؟", "fa"),
        ("این یک متن فارسی است", "fa"),
        ("## گزارش\n\n1. **کار** انجام شد\n2. [پیوند](https://example.com/a/b)", "fa"),
        ("Note: یک کلمه فارسی بیشتر از انگلیسی", "fa"),
        ("قیمت ۱۲۰ تومان", "fa"),
    ],
)
def test_detect_language(text: str, language: str) -> None:
    assert detect_language(text) == language


@pytest.mark.parametrize(
    "text", ["a" * 200_000, "`" * 100_000, "a." * 100_000, "a@" * 100_000, "x:" * 100_000, "](" * 100_000]
)
def test_detect_language_is_linear(text: str) -> None:
    started = time.perf_counter()
    detect_language(text)
    assert time.perf_counter() - started < 1.0


@pytest.mark.parametrize(
    ("language", "expected"),
    [("ar", "rtl"), ("fa", "rtl"), ("en", "ltr"), ("fr", "ltr"), ("", "ltr")],
)
def test_direction(language: str, expected: str) -> None:
    assert direction(language) == expected


@pytest.mark.parametrize(
    "text",
    [
        *(f"ad{chr(c)}min" for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))),
        "a\u200eb", "a\u200fb", "a\u061cb", "a\u200bb", "a\u200cb", "a\u200db",
        "a\u2060b", "\ufeffab", "a\x00b", "a\x1bb", "a\u00adb", "a\u3164b",
        # Default-ignorables that are not format characters: variation selectors (also the
        # supplementary ones), the combining grapheme joiner, Mongolian selectors, tags, fillers.
        "admin\ufe0f", "bo\u034fb", "modmarie\u180b", "carol\U000e0100", "a\U000e0041b", "a\u115fb", "a\uffa0b",
    ],
)  # fmt: skip
def test_has_format_controls(text: str) -> None:
    assert has_format_controls(text)


@pytest.mark.parametrize("text", ["alice", "علی", "مریم", "user_1", "José", "Zoë", ""])
def test_has_no_format_controls(text: str) -> None:
    assert not has_format_controls(text)


@pytest.mark.parametrize(
    ("html", "limit", "expected"),
    [
        ("<p>Hello <strong>world</strong></p>", 200, "Hello world"),
        ("<p>a &amp; b &lt;c&gt; &quot;d&quot;</p>", 200, 'a & b <c> "d"'),
        ("<p>one</p><p>two</p>", 200, "one two"),
        ("<ul>\n<li>a</li>\n<li>b</li>\n</ul>", 200, "a b"),
        ("<p>wo<em>r</em>d<br>next</p>", 200, "word next"),
        ("<p>a\n\n   b</p>", 200, "a b"),
        ("<pre><code>&lt;script&gt;</code></pre>", 200, "<script>"),
        ("<p>The quick brown fox jumps</p>", 12, "The quick…"),
        ("<p>The quick brown fox</p>", 10, "The quick…"),
        ("<p>The quick</p>", 9, "The quick"),
        ("<p>abcdefghij</p>", 5, "abcd…"),
        ("<p>سلام دنیا، این یک متن است</p>", 12, "سلام دنیا،…"),
        ("<p>می\u200cخواهم</p>", 200, "می\u200cخواهم"),
        ("", 200, ""),
    ],
)
def test_excerpt(html: str, limit: int, expected: str) -> None:
    assert excerpt(html, limit) == expected


@pytest.mark.parametrize("limit", [1, 2, 7, 20, 50])
def test_excerpt_respects_limit(limit: int) -> None:
    html = render("Lorem **ipsum** dolor sit amet, consectetur adipiscing elit " * 3)
    assert len(excerpt(html, limit)) <= limit


def test_excerpt_rejects_non_positive_limit() -> None:
    with pytest.raises(ValueError):
        excerpt("<p>x</p>", 0)


def test_normalise_removes_noncharacters_that_xml_forbids() -> None:
    assert normalise("a\uffff b\ufffe c\ufdd0 d\U0010ffff e\ud800 f\u200cg") == "a b c d e f\u200cg"
