"""Times in the reader's zone, the zone named; Solar Hijri dates for Persian readers, Levantine months for Arabic."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from bs4 import BeautifulSoup

from forum import i18n
from forum.app import create_app
from forum.config import ConfigError, Settings, load_settings
from forum.models import User
from tests.factories import csrf_from, login, make_reply, make_topic, make_user

# 00:30 on 21 March 2026 in Tehran: Nowruz, the first day of 1405; still 20 March in London.
NOWRUZ_EVE = datetime(2026, 3, 20, 21, 0, tzinfo=UTC)
AUTUMN = datetime(2026, 11, 21, 14, 6, tzinfo=UTC)


def formatted(language: str, zone: str, value: datetime, kind: str = "datetime") -> str:
    with i18n.use_language(language), i18n.use_timezone(zone):
        return i18n.format_day(value) if kind == "day" else i18n.format_datetime(value)


def test_persian_readers_see_the_solar_hijri_calendar_in_persian_digits() -> None:
    assert formatted("fa", "Asia/Tehran", NOWRUZ_EVE, "day") == "۱ فروردین ۱۴۰۵"
    assert formatted("fa", "UTC", NOWRUZ_EVE, "day") == "۲۹ اسفند ۱۴۰۴"
    assert formatted("fa", "Asia/Tehran", AUTUMN) == "۳۰ آبان ۱۴۰۵، ساعت ۱۷:۳۶ (وقت تهران)"
    with i18n.use_language("fa"), i18n.use_timezone("Asia/Tehran"):
        short = i18n.format_datetime(AUTUMN, "short")
    assert short == "۱۴۰۵/۸/۳۰، ۱۷:۳۶ (وقت تهران)"
    assert not re.search("[0-9]", short)


def test_arabic_readers_see_levantine_month_names() -> None:
    assert formatted("ar", "Asia/Damascus", AUTUMN, "day") == "21 تشرين الثاني 2026"
    assert formatted("ar", "Asia/Damascus", datetime(2026, 3, 1, 12, tzinfo=UTC), "day") == "1 آذار 2026"
    text = formatted("ar", "Asia/Damascus", AUTUMN)
    assert "5:06" in text and text.endswith("(توقيت دمشق)")


def test_english_readers_see_their_zone_named() -> None:
    # CLDR puts a narrow no-break space before "PM".
    assert formatted("en", "Europe/Berlin", AUTUMN) == "Nov 21, 2026, 3:06\u202fPM (Berlin Time)"
    assert formatted("en", "UTC", AUTUMN) == "Nov 21, 2026, 2:06\u202fPM (UTC)"
    assert formatted("en", "Asia/Tehran", NOWRUZ_EVE, "day") == "March 21, 2026"


def test_the_zones_offered_are_named_by_city_and_offset() -> None:
    with i18n.use_language("fa"):
        assert i18n.timezone_choice("Asia/Tehran", AUTUMN) == "تهران (+۰۳:۳۰ گرینویچ)"
    with i18n.use_language("ar"):
        assert i18n.timezone_choice("Asia/Beirut", AUTUMN) == "بيروت (غرينتش+02:00)"
    with i18n.use_language("en"):
        assert i18n.timezone_choice("Europe/Istanbul", AUTUMN) == "Istanbul (GMT+03:00)"


def test_the_default_zone_must_be_a_real_one(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[languages]\ntimezone = "Asia/Tehran"\n', "utf-8")
    assert load_settings(path, {}).languages.timezone == "Asia/Tehran"
    with pytest.raises(ConfigError, match="timezone must be an IANA time zone"):
        load_settings(path, {"FORUM_LANGUAGES_TIMEZONE": "Mars/Olympus"})


def post_time(html: str) -> tuple[str, str]:
    """The machine-readable and the shown time of the first post on a thread page."""
    time = BeautifulSoup(html, "html.parser").select_one(".post-time time")
    assert time is not None
    return str(time["datetime"]), str(time["title"])


async def test_a_member_chooses_a_zone_and_reads_times_in_it(client: httpx.AsyncClient, settings: Settings) -> None:
    topic = await make_topic()
    member = await make_user(trusted=True)
    reply = await make_reply(topic, member, settings, "A reply.")
    token = await login(client, member.username)

    profile = BeautifulSoup((await client.get("/profile?lang=fa")).text, "html.parser")
    offered = {str(option["value"]): option.get_text() for option in profile.select("#profile-timezone option")}
    assert offered[""] == "پیش‌فرض انجمن: UTC (+۰۰:۰۰ گرینویچ)"
    assert {"Asia/Tehran", "Asia/Damascus", "Asia/Beirut", "Europe/Istanbul", "Europe/Berlin", "Europe/London"} <= set(
        offered
    )
    saved = await client.post("/profile", data={"csrf_token": token, "language": "fa", "timezone": "Asia/Tehran"})
    assert saved.status_code == 200
    assert (await User.get(id=member.id)).timezone == "Asia/Tehran"

    machine, shown = post_time((await client.get(f"/topics/{topic.id}")).text)
    assert machine == reply.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert shown.endswith("(وقت تهران)") and "ساعت" in shown

    back = await client.post("/profile", data={"csrf_token": token, "language": "en", "timezone": ""})
    assert back.status_code == 200 and (await User.get(id=member.id)).timezone is None
    assert post_time((await client.get(f"/topics/{topic.id}")).text)[1].endswith("(UTC)")


async def test_an_unknown_zone_is_refused_in_the_readers_language(client: httpx.AsyncClient) -> None:
    member = await make_user()
    await login(client, member.username)
    token = csrf_from((await client.get("/profile?lang=ar")).text)
    refused = await client.post("/profile", data={"csrf_token": token, "language": "ar", "timezone": "Mars/Olympus"})
    assert refused.status_code == 422
    error = BeautifulSoup(refused.text, "html.parser").select_one(".form-error")
    assert error is not None and error.get_text() == "يُرجى اختيار إحدى المناطق الزمنية المتاحة."
    assert (await User.get(id=member.id)).timezone is None


async def test_visitors_read_times_in_the_configured_zone(database: Settings) -> None:
    settings = database.replace(languages={"timezone": "Asia/Damascus"})
    topic = await make_topic()
    await make_reply(topic, await make_user(trusted=True), settings, "A reply.")
    app = create_app(settings, manage_database=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        _, shown = post_time((await client.get(f"/topics/{topic.id}?lang=en")).text)
    assert shown.endswith("(Damascus Time)")
