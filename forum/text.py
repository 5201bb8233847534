"""Plain-text helpers: input normalisation, invisible characters, language guess, excerpts."""

from __future__ import annotations

import re
import unicodedata
from html.parser import HTMLParser

import regex

RTL_LANGUAGES = frozenset({"ar", "fa"})

# Characters that show nothing or steer the direction of the text around them: Unicode's
# default-ignorables (zero-width and direction marks, variation selectors, tags, Hangul
# fillers…) and every format or control character.
_INVISIBLE = regex.compile(r"[\p{Default_Ignorable_Code_Point}\p{Cc}\p{Cf}]")
# A symbol by category, yet it prints as a blank.
_BRAILLE_BLANK = "\u2800"

_NEWLINES = re.compile(r"\r\n?")
# C0/C1 controls (but tab and newline), lone surrogates and the noncharacters:
# none is text, and XML (the feeds) forbids most of them.
_NONCHARACTERS = "".join(chr(plane * 0x10000 + last) for plane in range(17) for last in (0xFFFE, 0xFFFF))
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufdd0-\ufdef\ud800-\udfff" + _NONCHARACTERS + "]")
_LEADING_BLANK_LINES = re.compile(r"\A(?:[^\S\n]*\n)+")

# Patterns that can fail after a long scan would go quadratic on hostile input, so
# each one either always succeeds once started or has a bounded repetition.
_CODE_BLOCK = re.compile(r"^ {0,3}(`{3,}|~{3,}).*?(?:^ {0,3}\1[`~]*[^\S\n]*$|\Z)", re.M | re.S)
_CODE_SPAN = re.compile(r"`[^`]*`")
_LINK_LIKE = re.compile(
    r"\]\([^)\s]*|(?:\b[a-z][a-z0-9+.-]{0,31}:|\bwww\.)[^\s<>()\[\]]+"
    r"|[\w.+-]{1,64}@[\w-]+(?:\.[\w-]+)+",
    re.I,
)
_ARABIC_SCRIPT = re.compile(r"[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
_LATIN = re.compile(r"[a-z\u00c0-\u024f\u1e00-\u1eff]", re.I)
# ZWNJ and Persian digits are not letters but are strong signs of Persian text.
_PERSIAN_MARKERS = frozenset("پچژگیک\u200c۰۱۲۳۴۵۶۷۸۹")
# Alef with hamza and tanween occur in Persian loanwords too, but far less often.
_ARABIC_MARKERS = frozenset("يكةىأإؤ\u064b\u064c\u064d")

_BLOCK_TAGS = frozenset(
    {"p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote",
     "ul", "ol", "li", "table", "tr", "th", "td", "div"}
)  # fmt: skip


def normalise(text: str) -> str:
    """Return text in the stored form: NFC, LF newlines, no control characters, trimmed."""
    text = _CONTROLS.sub("", _NEWLINES.sub("\n", text))
    # After removing controls, so characters they separated can still compose.
    text = unicodedata.normalize("NFC", text)
    return _LEADING_BLANK_LINES.sub("", text.rstrip())


def is_blank(text: str) -> bool:
    """Return True when text would display as nothing at all."""
    return all(ch.isspace() or ch == _BRAILLE_BLANK or _INVISIBLE.match(ch) for ch in text)


def detect_language(text: str) -> str:
    """Guess "en", "ar" or "fa" from the letters outside code and URLs."""
    prose = _LINK_LIKE.sub(" ", _CODE_SPAN.sub(" ", _CODE_BLOCK.sub(" ", text)))
    arabic_script = sum(ch.isalpha() for ch in _ARABIC_SCRIPT.findall(prose))
    if arabic_script <= sum(ch.isalpha() for ch in _LATIN.findall(prose)):
        return "en"
    persian = sum(ch in _PERSIAN_MARKERS for ch in prose)
    arabic = sum(ch in _ARABIC_MARKERS for ch in prose)
    return "fa" if persian > arabic else "ar"


def direction(language: str) -> str:
    """Return the CSS/HTML text direction for a language code."""
    return "rtl" if language in RTL_LANGUAGES else "ltr"


def has_format_controls(text: str) -> bool:
    """Return True when text holds invisible or direction-changing characters."""
    return _INVISIBLE.search(text) is not None


class _TextExtractor(HTMLParser):
    """Collect the text of an HTML fragment, with a space where blocks meet."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def isolate(text: str) -> str:
    """Wrap user-written text in first-strong isolate marks, for plain-text places (attributes, feed titles)
    where <bdi> is not available: it keeps its own direction inside a sentence of the other."""
    return f"\u2068{text}\u2069"


def excerpt(html: str, limit: int = 200) -> str:
    """Return the plain text of stored HTML, cut at a word to at most limit characters."""
    if limit < 1:
        raise ValueError("limit must be positive")
    extractor = _TextExtractor()
    extractor.feed(html)
    extractor.close()
    text = " ".join("".join(extractor.parts).split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    # Back up to the last space unless the cut already falls between words.
    if text[limit - 1] != " " and " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip() + "…"
