"""One folding of text for search, applied alike to what is indexed, to what is searched for and to what is highlighted.

An Arabic and a Persian speaker type the same word with different code points,
with or without tashkeel, tatweel or ZWNJ, with digits in three scripts; Arabic
glues the article and some prepositions to the word, Persian attaches plural and
pronoun suffixes after a ZWNJ, English inflects. `terms()` reduces all of that
to the same search terms, so a word is found whichever way it was typed.

The steps, in order:

1. NFKC: presentation forms and ligatures (ﻻ, ﷲ, ﬁ) and full-width letters become
   the plain letters they show.
2. Case folding (str.casefold: ß and ss, Σ and σ are one).
3. LETTERS below: the Arabic-script letter variants, hamza carriers, tatweel and
   the Arabic-Indic and Persian digits.
4. Every combining mark is dropped (after NFKD): tashkeel (fatha, kasra, shadda,
   sukun, tanween, dagger alef), the hamza and madda written as marks, and Latin
   diacritics (é and e), which readers of all three languages type or leave out.
5. Every format character (category Cf) is dropped: ZWJ, the bidi marks and
   isolates, zero-width spaces, soft hyphens. ZWNJ first marks where a Persian
   suffix was attached (below), then goes too.
6. Light stemming (`stem`), chosen for what a reader expects to find, not for
   linguistic roots: Persian suffixes after a ZWNJ; the Arabic light stemmer
   "Light10" (Larkey, Ballesteros and Connell, the one Lucene's and Elasticsearch's
   Arabic analyser use) over the folded letters; English through Snowball's
   English (Porter 2) stemmer from PyStemmer.

The representatives follow forum.text.skeleton where the two overlap (ی, ک, ه, ا),
so a name folds the same way in both; digits differ on purpose: the skeleton
folds ٠ and ١ to the Latin letters o and l they can pass for, search to 0 and 1.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator

import Stemmer

ZWNJ = "\u200c"

# What the folding table maps, and why. Applied after NFKC and casefold; every
# value is a final representative, so one translate() pass is enough.
LETTERS: dict[str, str] = {
    # Yeh: Arabic ي, alef maksura ى and Persian ی are one letter to readers of both
    # languages (على and علی, ایران typed with ي on an Arabic keyboard).
    "ي": "ی", "ى": "ی", "ۍ": "ی", "ې": "ی",
    # Kaf: Arabic ك and Persian keheh ک, and the swash kaf of some fonts.
    "ك": "ک", "ڪ": "ک",
    # Teh marbuta is written as heh in Persian and often by Arabic typists
    # (مدينة, مدينه); heh with yeh above and the heh forms of other keyboards.
    "ة": "ه", "ۃ": "ه", "ۀ": "ه", "ە": "ه", "ہ": "ه", "ھ": "ه",
    # Alef with hamza above or below, with madda, and wasla: mostly typed as bare alef.
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا",
    # Hamza carriers: waw and yeh with hamza, typed without it as often as with
    # (رؤية and روية, پائیز and پاییز); a hamza on the line is often left out (اشياء, اشيا).
    "ؤ": "و", "ئ": "ی", "ء": "",
    # Tatweel only stretches a word on screen.
    "ـ": "",
    # Arabic-Indic and Persian digits are the digits 0 to 9.
    **{chr(0x0660 + d): str(d) for d in range(10)},
    **{chr(0x06F0 + d): str(d) for d in range(10)},
}  # fmt: skip
_LETTER_TABLE = str.maketrans(LETTERS)

# Persian suffixes written after a ZWNJ: plural, the indefinite and ezafe yeh,
# pronoun endings, the comparative and superlative (کتاب‌ها, کتاب‌هایشان, خانه‌ای,
# بزرگ‌تر, بزرگ‌ترین). After a ZWNJ they cannot be part of the stem.
PERSIAN_SUFFIXES = frozenset(
    {"ها", "های", "هایی", "هایم", "هایت", "هایش", "هایمان", "هایتان", "هایشان",
     "ای", "ی", "یی", "ام", "ات", "اش", "ایم", "اید", "اند", "مان", "تان", "شان",
     "تر", "ترین"}
)  # fmt: skip

# Light10's prefixes in the folded letters: the article alone or after و ف ب ک
# (and, so, with, like), and لل (for the); each must leave at least two letters.
# The conjunction و alone must leave three, so that وطن stays whole.
ARTICLE_PREFIXES = ("وال", "بال", "کال", "فال", "لل", "ال")
CONJUNCTION = "و"
# Light10's suffixes in the folded letters (ة and یة are folded into ه and یه),
# after the Persian plural های and هایی it lacks; each must leave two letters.
# One pass in this order, so کتابهای, کتابها and کتاب meet at کتاب.
SUFFIXES = ("هایی", "های", "ها", "ان", "ات", "ون", "ین", "یه", "ه", "ی")

# Longer words are cut: a search term is a word, not a pasted blob.
MAX_TERM = 64

# Combining marks and format characters: dropped from the folded text.
_DROPPED = frozenset({"Mn", "Mc", "Me", "Cf"})
_ENGLISH = Stemmer.Stemmer("english")
_ARABIC_SCRIPT = re.compile(r"[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff]")
_ENGLISH_WORD = re.compile(r"[a-z]+")


def _marks_and_format_classes() -> tuple[str, str]:
    """Regex classes of every combining mark and format character, in the BMP and above it.

    They belong to the word they sit in. The two are kept apart because a class
    of BMP characters is a bitmap to the regex engine, one with astral ranges a
    list it walks for every character: a tenth of the speed on every word.
    """
    ranges: list[list[int]] = []
    # Planes 0 and 1 and the tag characters of plane 14 hold every mark and format character.
    for code in (*range(0x20000), *range(0xE0000, 0xE1000)):
        if unicodedata.category(chr(code)) in _DROPPED:
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1][1] = code
            else:
                ranges.append([code, code])

    def spell(part: list[list[int]]) -> str:
        return "".join(f"{re.escape(chr(a))}-{re.escape(chr(b))}" if a != b else re.escape(chr(a)) for a, b in part)

    return spell([r for r in ranges if r[1] < 0x10000]), spell([r for r in ranges if r[0] >= 0x10000])


_INSIDE_BMP, _INSIDE_ASTRAL = _marks_and_format_classes()
assert not any(ord(ch) > 0xFFFF for ch in _INSIDE_BMP), "a range crosses the BMP's end"
# A word of the original text: letters and digits with the marks, joiners and
# controls inside it (كِتَاب, می‌خواهم, a word with a bidi mark pasted into it).
# An underscore stays in it here; word_terms() splits the word there.
# Astral marks are looked for only where a run of the others ends (a word made
# of them alone has no terms anyway), and only in a text that has astral characters.
WORD = re.compile(rf"[\w{_INSIDE_BMP}]+(?:[{_INSIDE_ASTRAL}]+[\w{_INSIDE_BMP}]*)*")
_BMP_WORD = re.compile(rf"[\w{_INSIDE_BMP}]+")


def words(text: str, end: int | None = None) -> Iterator[re.Match[str]]:
    """The words of the original text (up to `end`), as WORD finds them."""
    text = text if end is None else text[:end]
    pattern = _BMP_WORD if not text or max(text) <= "\uffff" else WORD
    return pattern.finditer(text)


# A word after folding: letters and digits, parts joined by ZWNJ.
_FOLDED_WORD = re.compile(rf"[^\W_]+(?:{ZWNJ}+[^\W_]+)*")


def _fold_characters(text: str, keep: str = "") -> str:
    """Steps 1 to 5; format characters in `keep` stay."""
    text = unicodedata.normalize("NFKC", text).casefold().translate(_LETTER_TABLE)
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(ch for ch in decomposed if ch in keep or unicodedata.category(ch) not in _DROPPED)
    return unicodedata.normalize("NFC", kept)


@functools.lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """The text with letter variants, marks and invisible characters folded away, but not stemmed (for names)."""
    return _fold_characters(text)


def stem_arabic_script(word: str) -> str:
    """Light10 over the folded letters, with the Persian plural suffixes: one prefix, then one pass of suffixes."""
    for prefix in ARTICLE_PREFIXES:
        if word.startswith(prefix) and len(word) >= len(prefix) + 2:
            word = word[len(prefix) :]
            break
    else:
        if word.startswith(CONJUNCTION) and len(word) >= 4:
            word = word[1:]
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) >= len(suffix) + 2:
            word = word[: -len(suffix)]
    return word


def stem(word: str) -> str:
    """The search term of one folded word (ZWNJ still marking its suffixes)."""
    parts = word.split(ZWNJ)
    while len(parts) > 1 and parts[-1] in PERSIAN_SUFFIXES:
        parts.pop()
    word = "".join(parts)
    if _ENGLISH_WORD.fullmatch(word):
        word = _ENGLISH.stemWord(word)
    elif _ARABIC_SCRIPT.search(word):
        word = stem_arabic_script(word)
    return word[:MAX_TERM]


@functools.lru_cache(maxsize=65536)
def word_terms(word: str) -> tuple[str, ...]:
    """The terms of one word of the original text (NFKC can make a ligature several words)."""
    return tuple(stem(part) for part in _FOLDED_WORD.findall(_fold_characters(word, keep=ZWNJ)))


def terms(text: str) -> list[str]:
    """The search terms of a text, in order: what the index stores and what a query looks for."""
    return [term for word in words(text) for term in word_terms(word.group())]
