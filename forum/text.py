"""Plain-text helpers: input normalisation, language guess, confusable skeletons, excerpts."""

from __future__ import annotations

import re
import unicodedata
from html.parser import HTMLParser

RTL_LANGUAGES = frozenset({"ar", "fa"})

# Named explicitly so the intent is readable; the Cc/Cf category test in
# has_format_controls covers the rest.  The Hangul fillers and Braille blank are
# letters/symbols by category yet render as nothing, so only this set catches them.
FORMAT_CONTROLS = frozenset(
    "\u061c\u200b\u200c\u200d\u200e\u200f\u2060\ufeff"
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
    "\u115f\u1160\u3164\uffa0\u2800"
)

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

# Every value is a final representative: no value contains a key, so one
# translate() pass is enough.  Applied after NFKC and casefold.
HOMOGLYPHS: dict[str, str] = {
    # Cyrillic look-alikes of Latin letters
    "а": "a", "в": "b", "ь": "b", "с": "c", "ԁ": "d", "е": "e", "ё": "e", "һ": "h",
    "н": "h", "і": "l", "ї": "l", "ӏ": "l", "ј": "j", "к": "k", "м": "m", "о": "o",
    "р": "p", "ԛ": "q", "ѕ": "s", "т": "t", "у": "y", "ԝ": "w", "х": "x",
    # Greek look-alikes of Latin letters
    "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "l", "κ": "k", "μ": "m", "ν": "v",
    "ο": "o", "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "ζ": "z",
    # Latin letters, digits and symbols that pass for one another
    "i": "l", "1": "l", "|": "l", "ı": "l", "0": "o", "ɡ": "g",
    # Separators, including the dashes NFKC leaves alone, and Arabic tatweel
    "_": "", "-": "", ".": "", "‐": "", "‑": "", "‒": "", "–": "", "—": "", "−": "",
    "·": "", "ـ": "",
    # Arabic and Persian spellings of the same letter
    "ي": "ی", "ى": "ی", "ك": "ک", "ة": "ه", "ۀ": "ه", "ە": "ه", "ہ": "ه", "ھ": "ه",
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا",
    # Arabic-Indic and Persian digits; zero and one follow their ASCII look-alikes
    "٠": "o", "١": "l", "۰": "o", "۱": "l",
    **{chr(0x0660 + d): str(d) for d in range(2, 10)},
    **{chr(0x06F0 + d): str(d) for d in range(2, 10)},
    # Arabic harakat, which readers skim past
    **{chr(c): "" for c in (*range(0x064B, 0x0660), 0x0670)},
}  # fmt: skip
_HOMOGLYPH_TABLE = str.maketrans(HOMOGLYPHS)
_MULTI_GLYPHS = (("rn", "m"), ("vv", "w"))

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


def _is_format_control(ch: str) -> bool:
    return ch in FORMAT_CONTROLS or unicodedata.category(ch) in {"Cc", "Cf"}


def is_blank(text: str) -> bool:
    """Return True when text would display as nothing at all."""
    return all(ch.isspace() or _is_format_control(ch) for ch in text)


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
    return any(_is_format_control(ch) for ch in text)


def skeleton(text: str) -> str:
    """Reduce a name to a form equal for names a reader could mistake for each other."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    visible = "".join(ch for ch in folded if not _is_format_control(ch))
    result = visible.translate(_HOMOGLYPH_TABLE)
    for sequence, replacement in _MULTI_GLYPHS:
        result = result.replace(sequence, replacement)
    return result


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
