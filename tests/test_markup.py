from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit

import pytest

from forum import markup
from forum.markup import render

SPEC_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "del", "s",
    "code", "pre", "blockquote", "ul", "ol", "li", "a", "table", "thead", "tbody",
    "tr", "th", "td", "sup", "sub",
}  # fmt: skip
REL = 'rel="nofollow ugc noopener"'
BIDI_CONTROLS = [chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))]
SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")
DANGEROUS = ("javascript:", "vbscript:", "data:")
# Characters that show as nothing (Unicode's default-ignorables, but for the joiners Persian needs in words).
INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u180b-\u180f\u200b\u200e\u200f\u202a-\u202e\u2060-\u206f\ufe00-\ufe0f\ufeff\U000e0000-\U000e0fff]"
)


class TagCollector(HTMLParser):
    """Record every start tag with its attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def squash(value: str) -> str:
    """Undo the tricks a browser would undo before reading a URL scheme."""
    return re.sub(r"[\x00-\x20\x7f-\xa0\s]+", "", html.unescape(value)).lower()


def assert_safe(output: str) -> None:
    """Fail if the HTML could execute anything or carries disallowed markup."""
    assert isinstance(output, str)
    collector = TagCollector()
    collector.feed(output)
    collector.close()
    for tag, attrs in collector.tags:
        assert tag in SPEC_TAGS, tag
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name)
            assert name != "style", tag
            cleaned = squash(value or "")
            assert not any(bad in cleaned for bad in DANGEROUS), (tag, name, value)
            if name == "href":
                scheme = SCHEME.match(cleaned)
                assert scheme is None or scheme[1] in {"http", "https", "mailto"}, value
        if tag == "a":
            assert_link_is_what_it_shows(dict(attrs))
    assert not any(ch in output for ch in BIDI_CONTROLS)


def assert_link_is_what_it_shows(attrs: dict[str, str | None]) -> None:
    """Nothing invisible in the address, and the ASCII form of an internationalised host on hover."""
    href = attrs.get("href") or ""
    assert not INVISIBLE.search(unquote(href)), href
    parts = urlsplit(href)
    host = parts.hostname or (parts.path.rpartition("@")[2] if parts.scheme == "mailto" else "")
    assert host.isascii() and "\u200c" not in unquote(host) and "\u200d" not in unquote(host), href
    if any(label.startswith("xn--") for label in host.split(".")):
        assert href in (attrs.get("title") or ""), attrs


HOSTILE = {
    "script": "<script>alert(1)</script>",
    "script-inline": "hello <script src=//evil.example/x.js></script> world",
    "img-onerror": "<img src=x onerror=alert(1)>",
    "svg-onload": "<svg onload=alert(1)>",
    "svg-xlink": '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    "math-xlink": '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    "iframe": '<iframe src="javascript:alert(1)"></iframe>',
    "iframe-srcdoc": '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>',
    "object": '<object data="javascript:alert(1)"></object>',
    "embed": '<embed src="data:text/html,<script>alert(1)</script>">',
    "style-tag": "<style>body{background:url(javascript:alert(1))}</style>",
    "style-attr": '<p style="background:url(javascript:alert(1))">x</p>',
    "form": '<form action="javascript:alert(1)"><input type=submit>'
    '<button formaction="javascript:alert(1)">x</button></form>',
    "base": '<base href="javascript:alert(1)//">',
    "meta-refresh": '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "link-tag": '<link rel=stylesheet href="javascript:alert(1)">',
    "raw-anchor": '<a href="javascript:alert(1)">x</a> <a href=# onclick=alert(1)>y</a>',
    "md-javascript": "[x](javascript:alert(1))",
    "md-mixed-case": "[x](JaVaScRiPt:alert(1))",
    "md-vbscript": "[x](vbscript:msgbox(1))",
    "md-data": "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "md-reference": "[x][r]\n\n[r]: javascript:alert(1)",
    "md-reference-title": '[x][r]\n\n[r]: <javascript:alert(1)> "t"',
    "autolink": "<javascript:alert(1)>",
    "autolink-data": "<data:text/html,<script>alert(1)</script>>",
    "autolink-quote": '<https://a.example/"onmouseover="alert(1)">',
    "linkify-bare": "javascript:alert(1) vbscript:msgbox(1) data:text/html,x",
    "linkify-quote": 'http://a.example/?"onmouseover=alert(1)',
    "entity-decimal": "[x](&#106;avascript:alert(1))",
    "entity-hex": "[x](&#x6A;avascript:alert(1))",
    "entity-tab": "[x](java&#x09;script:alert(1))",
    "entity-colon": "[x](javascript&colon;alert(1))",
    "entity-leading-space": "[x](&#32;javascript:alert(1))",
    "raw-tab": "[x](<java\tscript:alert(1)>)",
    "raw-newline": "[x](<java\nscript:alert(1)>)",
    "raw-nul": "[x](java\x00script:alert(1))",
    "leading-spaces": "[x](   javascript:alert(1))",
    "leading-control": "[x](\x01javascript:alert(1))",
    "fullwidth-j": "[x](\uff4aavascript:alert(1))",
    "image-javascript": "![x](javascript:alert(1))",
    "image-data-svg": "![x](data:image/svg+xml;base64,PHN2Zz4=)",
    "image-data-png": "![x](data:image/png;base64,iVBORw0KGgo=)",
    "image-entity": "![x](&#x6A;avascript:alert(1))",
    "image-vbscript": "![](vbscript:msgbox(1))",
    "image-in-link": "[![x](javascript:alert(1))](javascript:alert(2))",
    "title-quote-break": '[x](http://a.com "\\" onmouseover=alert(1) x=\\"")',
    "url-quote-break": '[x](http://a.com/"onmouseover="alert(1))',
    "title-single-quote": "[x](http://a.com 'a' onmouseover='alert(1)')",
    "image-title-break": '![x](http://a.com/i.png "\\" onerror=alert(1) x=\\"")',
    "noscript-mxss": '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "svg-style-mxss": "<svg><style><img src=x onerror=alert(1)></style></svg>",
    "math-mglyph-mxss": "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "comment": "<!--><script>alert(1)</script>-->",
    "comment-bang": "<!-- --!><img src=x onerror=alert(1)> -->",
    "cdata": "<![CDATA[<script>alert(1)</script>]]>",
    "code-span": "`<script>alert(1)</script>`",
    "fenced-code": "```html\n<script>alert(1)</script>\n```",
    "fence-info": '```js" onclick="alert(1)\nx\n```',
    "table-cells": "| a | b |\n|:--|--:|\n| <img src=x onerror=alert(1)> | [x](javascript:alert(1)) |",
    "quote-list-html": "> - <iframe src=javascript:alert(1)>\n>   > 1. <b onclick=alert(1)>x</b>",
    "link-text-url": "[https://ok.example](javascript:alert(1))",
    "bidi-overrides": "user\u202egnp.exe \u2066x\u2069 \u202a\u202b\u202c\u202d\u2067\u2068",
    "bidi-entities": "&#x202E;a &#8238;b &#x2066;c",
    "big-paragraph": "word " * 40_000,
    "nested-quotes": ">" * 10_000 + " x",
    "nested-brackets": "[" * 5_000,
    "nested-image-brackets": "![" * 5_000,
    "stars": "*" * 50_000,
    "nested-strong": "**" * 10_000 + "x" + "**" * 10_000,
    "nested-lists": "- " * 10_000 + "x",
    "indented-lists": "".join("  " * i + "- x\n" for i in range(500)),
    "quote-list-mix": "> 1. " * 5_000 + "x",
    "images-unclosed": "![" * 10_000,
    "brackets-unclosed": "[" * 20_000,
    "links-many": "[a](http://e.example) " * 2_800,
    "linkify-many": "http://e.example " * 1_600,
    "zero-width-host": "http://pay\u200bpal.invalid",
    "zero-width-link": "[PayPal](https://pay\u200bpal.invalid/login)",
    "zero-width-autolink": "<https://pay\u200bpal.invalid>",
    "zero-width-email": "x@pay\u200bpal.invalid",
    "soft-hyphen-host": "https://pay\u00adpal.invalid",
    "joiners-in-host": "https://pay\u200cpal.invalid https://pay\u200dpal.invalid",
    "bidi-in-url": "http://a.example/\u202etxt.exe [x](http://b\u2067.example)",
    "ignorables-in-url": "https://a\ufe0f\u034f\u2060\ufeff\U000e0041.example/\u180b",
    "homograph-host": "http://p\u0430ypal.com/login www.\u0430pple.com",
    "homograph-link": '[PayPal](https://p\u0430ypal.com "Log in")',
    "homograph-email": "<mailto:x@p\u0430ypal.com>",
    "homograph-image": "![logo](https://p\u0430ypal.com/logo.png)",
}


@pytest.mark.parametrize("source", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_input_renders_inert(source: str) -> None:
    assert_safe(render(source))


@pytest.mark.parametrize(
    "source",
    [
        ">" * 10_000,
        "[" * 5_000,
        "![" * 10_000,
        "*" * 50_000,
        "- " * 10_000 + "x",
        "**" * 10_000 + "x" + "**" * 10_000,
        "word " * 40_000,
    ],
    ids=["quotes", "brackets", "images", "stars", "list-items", "strong", "200kb"],
)
def test_pathological_input_stays_bounded(source: str) -> None:
    """Nesting is capped (what made the parser and sanitiser go quadratic) and the output stays in proportion."""
    html = render(source)
    depth = deepest = 0
    for tag in re.finditer(r"<(/?)(blockquote|ul|ol|li|strong|em|a)\b", html):
        depth += -1 if tag.group(1) else 1
        deepest = max(deepest, depth)
    assert deepest <= 2 * markup.MAX_NESTING
    assert len(html) <= 10 * len(source)


@pytest.mark.parametrize(
    "source",
    [
        "- " * 10_000 + "the end",
        ">" * 10_000 + " the end",
        "> 1. " * 5_000 + "the end",
        "".join("  " * i + "- x\n" for i in range(100)) + "  " * 100 + "- the end",
        "> " * 40 + "the **end**",
    ],
    ids=["list-items", "quotes", "quote-list-mix", "indented-lists", "quotes-then-emphasis"],
)
def test_text_past_the_nesting_cut_is_kept_as_text(source: str) -> None:
    html = render(source)
    text = re.sub(r"<[^>]+>", "", html).strip()
    assert text.endswith(("the end", "the **end**"))


def test_links_past_the_limit_show_their_text_and_address() -> None:
    html = render("[a](http://e.example) " * (markup.MAX_LINKS + 2) + "http://f.example")
    assert html.count("<a ") == markup.MAX_LINKS
    assert html.endswith("a (http://e.example) a (http://e.example) http://f.example</p>")


def test_bare_addresses_past_the_limit_stay_text() -> None:
    html = render("http://e.example " * (markup.MAX_LINKS + 5))
    assert html.count("<a ") == markup.MAX_LINKS
    assert re.sub(r"<[^>]+>", "", html).split() == ["http://e.example"] * (markup.MAX_LINKS + 5)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("http://pay\u200bpal.invalid", f'<a href="http://paypal.invalid" {REL}>http://paypal.invalid</a>'),
        ("[P](https://pay\u00adpal.invalid/a\u200bb)", f'<a href="https://paypal.invalid/ab" {REL}>P</a>'),
        ("<https://pay\ufeffpal.invalid>", f'<a href="https://paypal.invalid" {REL}>https://paypal.invalid</a>'),
        # A joiner cannot be part of a host name, but belongs in Persian words further on.
        (
            "https://a\u200c.example/\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",
            f'<a href="https://a.example/%D9%85%DB%8C%E2%80%8C%D8%AE%D9%88%D8%A7%D9%87%D9%85" {REL}>'
            "https://a.example/\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645</a>",
        ),
        (
            "http://p\u0430ypal.com/login",
            f'<a href="http://xn--pypal-4ve.com/login" title="http://xn--pypal-4ve.com/login" {REL}>'
            "http://p\u0430ypal.com/login</a>",
        ),
        (
            '[Books](https://b\u00fccher.example "Shop")',
            f'<a href="https://xn--bcher-kva.example" title="Shop (https://xn--bcher-kva.example)" {REL}>Books</a>',
        ),
        (
            "x@b\u00fccher.de",
            f'<a href="mailto:x@xn--bcher-kva.de" title="mailto:x@xn--bcher-kva.de" {REL}>x@b\u00fccher.de</a>',
        ),
    ],
)  # fmt: skip
def test_links_are_what_they_show(source: str, expected: str) -> None:
    # Only the links are compared here; the paragraph's direction is tested in test_direction.py.
    assert re.sub(r"^<p dir=\"(?:ltr|rtl)\">", "<p>", render(source)) == f"<p>{expected}</p>"


async def test_rendering_in_a_thread_gives_the_same_html() -> None:
    assert await markup.render_async(ENGLISH_POST) == render(ENGLISH_POST)


def test_parser_failure_degrades_to_escaped_text(monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(source: str) -> str:
        raise RecursionError

    monkeypatch.setattr(markup._md, "render", explode)
    assert render("<b>hi</b> & *x*") == '<p dir="ltr">&lt;b&gt;hi&lt;/b&gt; &amp; *x*</p>'


@pytest.mark.parametrize("source", ["", " ", "\n\t\n", "\u3000"])
def test_blank_source_renders_empty(source: str) -> None:
    assert render(source) == ""


ENGLISH_POST = """# Release notes

Some **bold**, some *em*, some `code` and ~~strike~~.

- first
- second

```python
print("<hi>")
```

| Name | Score |
|:-----|------:|
| Ann  | 10    |

Read [the guide](https://example.com/guide "Guide") or https://example.org/page?a=1&b=2.
"""


@pytest.mark.parametrize(
    "fragment",
    [
        '<h4 dir="ltr">Release notes</h4>',
        "<strong>bold</strong>",
        "<em>em</em>",
        "<code>code</code>",
        "<s>strike</s>",
        '<ul dir="ltr">\n<li dir="ltr">first</li>\n<li dir="ltr">second</li>\n</ul>',
        '<pre dir="ltr"><code class="language-python">print(&quot;&lt;hi&gt;&quot;)\n</code></pre>',
        '<th dir="ltr">Name</th>',
        "<td>10</td>",
        f'<a href="https://example.com/guide" title="Guide" {REL}>the guide</a>',
        f'<a href="https://example.org/page?a=1&amp;b=2" {REL}>https://example.org/page?a=1&amp;b=2</a>',
    ],
)
def test_english_markdown_survives(fragment: str) -> None:
    assert fragment in render(ENGLISH_POST)


def test_table_alignment_style_dropped() -> None:
    output = render(ENGLISH_POST)
    assert "style" not in output
    assert_safe(output)


def test_every_link_has_exactly_one_rel() -> None:
    output = render(ENGLISH_POST + "\n<https://a.example> www.b.org c@d.org [e](/f)")
    assert output.count("<a ") == 6
    assert output.count("rel=") == output.count(REL) == 6


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("# a", "h4"),
        ("## a", "h5"),
        ("### a", "h6"),
        ("#### a", "h6"),
        ("###### a", "h6"),
        ("a\n===", "h4"),
    ],
)
def test_headings_are_demoted(source: str, expected: str) -> None:
    """Below the page's h1, its sections' h2 and the post's own h3 (the author's name in a thread)."""
    assert render(source) == f'<{expected} dir="ltr">a</{expected}>'


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("![a cat](https://e.example/cat.png)", f'<a href="https://e.example/cat.png" {REL}>a cat</a>'),
        # A link showing its own address has no letters that count for the direction.
        ("![](https://e.example/c.png)", f'<p><a href="https://e.example/c.png" {REL}>https://e.example/c.png</a></p>'),
        ('![*x*](/i.png "T")', f'<a href="/i.png" title="T" {REL}>x</a>'),
        ("[![alt](/i.png)](https://l.example)", f'<a href="https://l.example" {REL}>alt</a>'),
        ("![x](javascript:alert(1))", "![x](javascript:alert(1))"),
    ],
)  # fmt: skip
def test_images_become_links(source: str, expected: str) -> None:
    assert render(source) == (expected if expected.startswith("<p") else f'<p dir="ltr">{expected}</p>')


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("[a](/t/1)", f'<a href="/t/1" {REL}>a</a>'),
        ("[a](#c2)", f'<a href="#c2" {REL}>a</a>'),
        ("[a](mailto:x@y.example)", f'<a href="mailto:x@y.example" {REL}>a</a>'),
        ("[a](ftp://x.example)", "[a](ftp://x.example)"),
    ],
)
def test_inline_output(source: str, expected: str) -> None:
    assert render(source) == f'<p dir="ltr">{expected}</p>'


def test_inline_code_is_escaped_text() -> None:
    # Code says nothing about the direction of the prose: the paragraph keeps the post's.
    assert render("`<script>x</script>`") == "<p><code>&lt;script&gt;x&lt;/script&gt;</code></p>"


def test_ordered_list_start_kept() -> None:
    assert render("3. a\n4. b").startswith('<ol start="3" dir="ltr">')


@pytest.mark.parametrize("control", BIDI_CONTROLS)
def test_bidi_controls_removed(control: str) -> None:
    assert render(f"a{control}b") == '<p dir="ltr">ab</p>'


@pytest.mark.parametrize("kept", ["\u200c", "\u200d", "\u200e", "\u200f"])
def test_joiners_and_marks_kept(kept: str) -> None:
    assert render(f"a{kept}b") == f'<p dir="ltr">a{kept}b</p>'


ARABIC = "مرحبا بكم في المنتدى، هذه مشاركة تجريبية."
ARABIC_ITEMS = ["العنصر الأول", "العنصر الثاني"]
PERSIAN = "من می\u200cخواهم این متن را بنویسم و کتاب\u200cها را بخوانم."


def test_arabic_text_survives_byte_for_byte() -> None:
    output = render(f"{ARABIC}\n\n- {ARABIC_ITEMS[0]}\n- **{ARABIC_ITEMS[1]}**")
    assert f'<p dir="rtl">{ARABIC}</p>' in output
    assert f'<li dir="rtl">{ARABIC_ITEMS[0]}</li>' in output
    assert f'<li dir="rtl"><strong>{ARABIC_ITEMS[1]}</strong></li>' in output
    assert ARABIC.encode() in output.encode()


def test_persian_zwnj_survives_byte_for_byte() -> None:
    output = render(PERSIAN)
    assert output == f'<p dir="rtl">{PERSIAN}</p>'
    assert "می\u200cخواهم".encode() in output.encode()


@pytest.mark.parametrize(
    "unsafe",
    [
        "<script>alert(1)</script>",
        "<img src=x>",
        '<a href="java&#x09;script:alert(1)">x</a>',
        '<a href=" JAVASCRIPT:alert(1)">x</a>',
        '<a href="ftp://x.example">x</a>',
        '<a title="data:text/html,x">x</a>',
        "<a onclick=alert(1)>x</a>",
        '<p style="color:red">x</p>',
        "<p>\u202e</p>",
        '<a href="http://xn--pypal-4ve.com">paypal</a>',
        '<a href="http://pay%E2%80%8Bpal.example">paypal</a>',
    ],
)
def test_checker_rejects_unsafe_html(unsafe: str) -> None:
    with pytest.raises(AssertionError):
        assert_safe(unsafe)
