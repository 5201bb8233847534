from __future__ import annotations

import re
import subprocess
import sys
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
