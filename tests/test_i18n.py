from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from babel.messages.pofile import read_po

from forum import i18n
from forum.config import LANGUAGES

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


@pytest.mark.parametrize("language", ["ar", "fa"])
def test_every_catalog_entry_is_translated(language: str) -> None:
    with (i18n.LOCALE_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f, locale=language)
    untranslated = [
        m.id
        for m in catalog
        if m.id and (m.fuzzy or not m.string or (isinstance(m.string, tuple) and not all(m.string)))
    ]
    assert untranslated == []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        wanted = set(PLACEHOLDER.findall(" ".join(ids)))
        for text in message.string if isinstance(message.string, tuple) else (message.string,):
            assert set(PLACEHOLDER.findall(text)) <= wanted, message.id
            if not isinstance(message.id, tuple):
                assert set(PLACEHOLDER.findall(text)) == wanted, message.id


def test_persian_uses_persian_letters() -> None:
    text = (i18n.LOCALE_DIR / "fa" / "LC_MESSAGES" / "messages.po").read_text("utf-8")
    translated = "".join(re.findall(r'^msgstr(?:\[\d\])? "(.*)"$', text, re.M))
    assert "\u064a" not in translated and "\u0643" not in translated


def test_the_catalogs_hold_every_string_of_the_code_and_templates(tmp_path: Path) -> None:
    template = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "lazy",
            "-k",
            "gettext",
            "-k",
            "ngettext:1,2",
            "-o",
            str(template),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with template.open("rb") as f:
        wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}
    for language in ("ar", "fa"):
        with (i18n.LOCALE_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as f:
            have = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f, locale=language) if m.id}
        assert wanted - have == set(), f"run pybabel extract/update: {language} lacks these"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("fa-IR,fa;q=0.9,en;q=0.5", "fa"),
        ("ar-EG", "ar"),
        ("de-DE, en-GB;q=0.3", "en"),
        ("", "en"),
        ("x;q=oops, fa", "fa"),
    ],
)
def test_accept_language_negotiation(header: str, expected: str) -> None:
    assert i18n.negotiate(None, None, None, header, "en") == expected


def test_query_beats_preference_beats_cookie() -> None:
    assert i18n.negotiate("ar", "fa", "en", "en", "en") == "ar"
    assert i18n.negotiate(None, "fa", "ar", "en", "en") == "fa"
    assert i18n.negotiate(None, None, "ar", "fa", "en") == "ar"
    assert i18n.negotiate("xx", None, None, None, "fa") == "fa"


def test_numbers_and_dates_follow_the_locale() -> None:
    from datetime import UTC, datetime, timedelta

    with i18n.use_language("fa"):
        assert i18n.format_number(1234567) == "۱٬۲۳۴٬۵۶۷"
        assert "۳" in i18n.time_ago(datetime.now(UTC) - timedelta(hours=3))
    with i18n.use_language("ar"):
        assert i18n.format_number(1234567) == "1,234,567"  # CLDR: Arabic uses Latin digits by default
        assert "ساعات" in i18n.time_ago(datetime.now(UTC) - timedelta(hours=3))
    with i18n.use_language("en"):
        assert i18n.time_ago(datetime.now(UTC) - timedelta(hours=3)) == "3 hours ago"


@pytest.mark.parametrize("language", LANGUAGES)
async def test_pages_speak_the_interface_language(client: httpx.AsyncClient, language: str) -> None:
    page = (await client.get(f"/login?lang={language}")).text
    english = ["Log in", "Password", "Register", "Skip to content"]
    for word in english:
        assert (word in page) == (language == "en"), word


GLOSSARY = i18n.LOCALE_DIR / "GLOSSARY.md"
# Short vowels, shadda, superscript alef, tatweel and ZWNJ: written or not, the word is the same.
UNMARKED = dict.fromkeys([*range(0x064B, 0x0653), 0x0670, 0x0640, 0x200C])


@dataclass(frozen=True)
class Term:
    concept: str
    english: re.Pattern[str]
    accepted: dict[str, list[str]]
    rejected: dict[str, list[str]]


def unmarked(text: str) -> str:
    return text.translate(UNMARKED)


def glossary() -> list[Term]:
    """The rows of forum/locale/GLOSSARY.md: concept, English words, then accepted and rejected words per language."""

    def words(cell: str) -> list[str]:
        return [unmarked(word.strip()) for word in re.split("[،,]", cell) if word.strip()]

    terms = []
    for line in GLOSSARY.read_text("utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if not line.startswith("|") or cells[0] in ("Concept", "---"):
            continue
        concept, english, arabic, not_arabic, persian, not_persian = cells[:6]
        pattern = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words(english)) + r")\b", re.I)
        terms.append(
            Term(
                concept,
                pattern,
                {"ar": words(arabic), "fa": words(persian)},
                {"ar": words(not_arabic), "fa": words(not_persian)},
            )
        )
    return terms


def test_the_glossary_names_the_interfaces_concepts() -> None:
    concepts = {term.concept.split(" (")[0] for term in glossary()}
    assert {"approve", "reject", "hide", "restore", "flag", "topic", "reply", "post", "member", "moderator"} <= concepts
    assert {"administrator", "awaiting", "lock", "suspend", "feed", "thread"} <= concepts
    assert {"session", "two-factor sign-in", "recovery code", "notification", "watch", "mute", "draft"} <= concepts
    assert {"mention", "quote", "translation"} <= concepts


@pytest.mark.parametrize("language", ["ar", "fa"])
def test_the_catalog_keeps_to_the_glossary(language: str) -> None:
    with (i18n.LOCALE_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f, locale=language)
    terms = glossary()
    translations = []
    problems = []
    for message in catalog:
        if not message.id:
            continue
        english = " ".join(message.id) if isinstance(message.id, tuple) else message.id
        texts = [unmarked(t) for t in (message.string if isinstance(message.string, tuple) else (message.string,))]
        translations.extend(texts)
        named = [term for term in terms if term.english.search(english)]
        for term in named:
            # «مدیر» is rejected for "moderator" but is the word for "administrator", which the same text may name.
            others = {word for other in named if other is not term for word in other.accepted[language]}
            for variant in term.rejected[language]:
                if variant not in others and any(variant in text for text in texts):
                    problems.append(f"{english!r}: {variant} for {term.concept}")
    assert problems == []
    everything = "\n".join(translations)
    unused = [f"{term.concept}: {word}" for term in terms for word in term.accepted[language] if word not in everything]
    assert unused == []
