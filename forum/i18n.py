"""Interface language: choosing it for a request, gettext, and Babel formatting."""

from __future__ import annotations

import contextvars
import functools
import io
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime as babel_format_datetime
from babel.dates import format_timedelta
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

from forum.config import LANGUAGES
from forum.resources import LOCALE_DIR

LANGUAGE_NAMES = {"en": "English", "ar": "العربية", "fa": "فارسی"}
LANGUAGE_COOKIE = "lang"

_current: contextvars.ContextVar[str] = contextvars.ContextVar("language", default="en")


@functools.cache
def translations(language: str) -> NullTranslations:
    """The catalog for `language`, compiled from its .po file once per process.

    Compiling in memory means a fresh checkout runs without a build step and a
    stale .mo file can never shadow an edited .po.
    """
    po = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    if not po.exists():
        return NullTranslations()
    with po.open("rb") as f:
        catalog = read_po(f, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(buffer)


def current_language() -> str:
    return _current.get()


@contextmanager
def use_language(language: str) -> Iterator[None]:
    token = _current.set(language)
    try:
        yield
    finally:
        _current.reset(token)


def set_language(language: str) -> None:
    _current.set(language)


def gettext(message: str, **variables: object) -> str:
    text = translations(_current.get()).ugettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables: object) -> str:
    """The form of a message for the number `n`, in the current language (Arabic has six)."""
    text = translations(_current.get()).ungettext(singular, plural, n)
    return text % variables if variables else text


def lazy(message: str) -> str:
    """Marks a string for extraction where it is defined; translate it with gettext() when used."""
    return message


def negotiate(
    query: str | None,
    preference: str | None,
    cookie: str | None,
    accept_language: str | None,
    default: str,
) -> str:
    """The interface language: ?lang=, the member's preference, the cookie, Accept-Language, default."""
    for candidate in (query, preference, cookie):
        if candidate in LANGUAGES:
            return candidate
    for tag in _accepted(accept_language or ""):
        base = tag.split("-")[0]
        if base in LANGUAGES:
            return base
    return default


def _accepted(header: str) -> list[str]:
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        if tag and quality > 0:
            ranked.append((-quality, index, tag.lower()))
    return [tag for *_, tag in sorted(ranked)]


def format_number(value: int | float) -> str:
    text = format_decimal(value, locale=_current.get(), numbering_system="default")
    return _localise_digits(text)


def format_day(value: datetime) -> str:
    return _localise_digits(babel_format_date(value, format="long", locale=_current.get()))


def language_name(code: str) -> str:
    """The name of a language in the interface language ("انگلیسی" for "en" on a Persian page)."""
    return Locale.parse(code).get_language_name(_current.get()) or code


def format_datetime(value: datetime, format: str = "medium") -> str:
    return _localise_digits(babel_format_datetime(value, format=format, locale=_current.get()))


def time_ago(value: datetime, now: datetime | None = None) -> str:
    delta = value - (now or datetime.now(UTC))
    text = format_timedelta(delta, add_direction=True, threshold=1.1, locale=_current.get())
    return _localise_digits(text)


_DIGITS = {"latn": "0123456789", "arab": "٠١٢٣٤٥٦٧٨٩", "arabext": "۰۱۲۳۴۵۶۷۸۹"}


@functools.cache
def _digit_table(language: str) -> dict[int, int]:
    system = Locale.parse(language).default_numbering_system
    return str.maketrans("0123456789", _DIGITS.get(system, _DIGITS["latn"]))


def _localise_digits(text: str) -> str:
    # Babel formats symbols per numbering system but always writes Latin digits;
    # CLDR's default system says which digits the locale really uses (Persian: ۰-۹).
    return text.translate(_digit_table(_current.get()))
