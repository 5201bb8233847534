"""Interface language and time zone: choosing them for a request, gettext, and Babel formatting."""

from __future__ import annotations

import contextvars
import functools
import io
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Literal
from zoneinfo import ZoneInfo, available_timezones

import jdatetime
from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime as babel_format_datetime
from babel.dates import (
    format_time,
    format_timedelta,
    get_date_format,
    get_datetime_format,
    get_time_format,
    get_timezone_gmt,
    get_timezone_location,
)
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

from forum.config import LANGUAGES
from forum.resources import LOCALE_DIR

DateWidth = Literal["short", "medium", "long"]
LANGUAGE_NAMES = {"en": "English", "ar": "العربية", "fa": "فارسی"}
LANGUAGE_COOKIE = "lang"

# Offered first in the profile, where the forum's readers live; any other IANA name is accepted too.
COMMON_TIMEZONES = (
    "Asia/Tehran", "Asia/Damascus", "Asia/Beirut", "Asia/Baghdad", "Asia/Amman", "Europe/Istanbul",
    "Asia/Dubai", "Asia/Kabul", "Europe/Berlin", "Europe/Paris", "Europe/Amsterdam", "Europe/Vienna",
    "Europe/Stockholm", "Europe/London", "America/Toronto", "America/New_York", "America/Los_Angeles",
    "Australia/Sydney", "UTC",
)  # fmt: skip
# Dates in Arabic follow CLDR's Syrian Arabic: the Levantine month names (كانون الثاني، شباط، آذار)
# that Syrian writers use, where plain Arabic has the Egyptian ones (يناير، فبراير، مارس).
_DATE_LOCALES = {"ar": "ar_SY"}

_current: contextvars.ContextVar[str] = contextvars.ContextVar("language", default="en")
_zone: contextvars.ContextVar[str] = contextvars.ContextVar("timezone", default="UTC")


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


def is_timezone(name: str) -> bool:
    """Whether `name` is an IANA time zone this machine knows ("Asia/Tehran")."""
    return name in _timezone_names()


@functools.cache
def _timezone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def set_timezone(name: str) -> None:
    """Show times in the zone `name` for the rest of the request; see is_timezone()."""
    _zone.set(name)


def current_timezone() -> str:
    return _zone.get()


@contextmanager
def use_timezone(name: str) -> Iterator[None]:
    token = _zone.set(name)
    try:
        yield
    finally:
        _zone.reset(token)


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
    text = format_decimal(value, locale=_locale(_current.get()), numbering_system="default")
    return _localise_digits(text)


def format_day(value: datetime) -> str:
    """The day `value` falls on in the reader's time zone: Solar Hijri for Persian readers."""
    local = value.astimezone(ZoneInfo(_zone.get()))
    if _current.get() == "fa":
        return _localise_digits(_solar_hijri_date(local, "long"))
    return _localise_digits(babel_format_date(local, format="long", locale=_date_locale()))


def language_name(code: str) -> str:
    """The name of a language in the interface language ("انگلیسی" for "en" on a Persian page)."""
    return _language_name(code, _current.get())


@functools.lru_cache(maxsize=64)
def _language_name(code: str, interface: str) -> str:
    return _locale(code).get_language_name(interface) or code


def format_datetime(value: datetime, format: DateWidth = "medium") -> str:
    """Date and time (to the minute) in the reader's time zone, the zone named: "30 آبان ۱۴۰۵، ساعت ۱۷:۳۶ (وقت ایران)".

    `format` is the width of the date: "short" (numeric), "medium" or "long".
    Persian readers get the Solar Hijri calendar, everyone else the Gregorian.
    """
    return _format_datetime(value, format, _current.get(), _zone.get())


# A thread page formats each post's time: the same posts are read again and again.
@functools.lru_cache(maxsize=8192)
def _format_datetime(value: datetime, format: DateWidth, language: str, zone_name: str) -> str:
    # `language` and `zone_name` are the cache's key; the body reads the same from the context.
    zone = ZoneInfo(zone_name)
    local = value.astimezone(zone)
    locale = _date_locale()
    if _current.get() == "fa":
        # CLDR's Persian pattern for a date at a time: "{date}، ساعت {time}"; short dates go without "ساعت".
        at = "، " if format == "short" else "، ساعت "
        text = _solar_hijri_date(local, format) + at + format_time(local, "short", locale=locale)
    else:
        text = babel_format_datetime(local, _datetime_pattern(locale, format), tzinfo=zone, locale=locale)
    return _localise_digits(f"{text} ({timezone_name()})")


@functools.lru_cache(maxsize=32)
def _datetime_pattern(locale: Locale, format: DateWidth) -> str:
    """CLDR's pattern of a date at a time (to the minute) in `locale`."""
    return (
        str(get_datetime_format(format, locale))
        .replace("{1}", get_date_format(format, locale).pattern)
        .replace("{0}", get_time_format("short", locale).pattern)
    )


def timezone_name(name: str | None = None) -> str:
    """The reader's time zone (or `name`) named after its city: "Damascus Time", "توقيت دمشق", "وقت تهران"."""
    zone = ZoneInfo(name) if name else ZoneInfo(_zone.get())
    city = _city(zone)
    return city if city == "UTC" else _locale(_current.get()).zone_formats["region"] % city


def timezone_choice(name: str, now: datetime | None = None) -> str:
    """A zone as the profile offers it: its city and its offset now, "تهران (+۰۳:۳۰ گرینویچ)"."""
    zone = ZoneInfo(name)
    offset = get_timezone_gmt((now or datetime.now(UTC)).astimezone(zone), "long", locale=_current.get())
    return _localise_digits(f"{_city(zone)} ({offset})")


def _city(zone: ZoneInfo) -> str:
    if zone.key in ("UTC", "Etc/UTC"):
        return "UTC"
    return str(get_timezone_location(zone, locale=_current.get(), return_city=True))


@functools.lru_cache(maxsize=32)
def _locale(name: str) -> Locale:
    """A parsed locale, kept: parsing one again for every date on a page cost more than formatting the date."""
    return Locale.parse(name)


def _date_locale() -> Locale:
    return _locale(_DATE_LOCALES.get(_current.get(), _current.get()))


def _solar_hijri_date(value: datetime, format: DateWidth) -> str:
    """The Solar Hijri (Iranian) date of `value` with Latin digits: "30 آبان 1405", or "1405/8/30" when short."""
    day = jdatetime.date.fromgregorian(date=value.date(), locale="fa_IR")
    if format == "short":
        return f"{day.year}/{day.month}/{day.day}"
    return f"{day.day} {day.strftime('%B')} {day.year}"


def time_ago(value: datetime, now: datetime | None = None) -> str:
    delta = value - (now or datetime.now(UTC))
    text = format_timedelta(delta, add_direction=True, threshold=1.1, locale=_locale(_current.get()))
    return _localise_digits(text)


_DIGITS = {"latn": "0123456789", "arab": "٠١٢٣٤٥٦٧٨٩", "arabext": "۰۱۲۳۴۵۶۷۸۹"}


@functools.cache
def _digit_table(language: str) -> dict[int, int]:
    system = _locale(language).default_numbering_system
    return str.maketrans("0123456789", _DIGITS.get(system, _DIGITS["latn"]))


def _localise_digits(text: str) -> str:
    # Babel formats symbols per numbering system but always writes Latin digits;
    # CLDR's default system says which digits the locale really uses (Persian: ۰-۹).
    return text.translate(_digit_table(_current.get()))
