"""Settings: `config.toml`, overridden key by key by `FORUM_SECTION_KEY` variables."""

from __future__ import annotations

import dataclasses
import os
import secrets
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import available_timezones

from limits import parse_many

LANGUAGES = ("en", "ar", "fa")
MODERATION_MODES = ("first-posts", "all", "none")
LOG_FORMATS = ("text", "json")


class ConfigError(Exception):
    """The configuration file or an environment override is not usable."""


@dataclasses.dataclass(frozen=True)
class ServerSettings:
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    data_dir: str = "var"
    base_url: str = ""
    # Seconds; what each bounds is told in config.toml.
    header_timeout: int = 10
    body_timeout: int = 20
    keep_alive_timeout: int = 5
    shutdown_timeout: int = 10


@dataclasses.dataclass(frozen=True)
class DatabaseSettings:
    url: str = ""
    # SQLite only: how long a write waits for another process's write to finish, in seconds.
    busy_timeout: int = 10


@dataclasses.dataclass(frozen=True)
class SecuritySettings:
    secret_key: str = ""
    # argon2id cost of each password hash. Lower them only for tests: cheaper
    # hashes are cheaper to crack if the database is ever stolen.
    password_memory_kib: int = 65536
    password_time_cost: int = 3
    # A registration form sent back sooner than this after it was served is taken for a script's.
    register_min_seconds: int = 3
    # Password hashes computed at once by one process, each taking password_memory_kib,
    # and attempts allowed to wait for one; past that, a login is refused at once.
    password_hashes_at_once: int = 2
    password_hashes_waiting: int = 16
    # Roles that must turn on two-factor sign-in before they can use their powers.
    require_2fa_for: tuple[str, ...] = ("admin", "moderator")


@dataclasses.dataclass(frozen=True)
class ModerationSettings:
    mode: str = "first-posts"
    # Links in one post by a member under pre-moderation (trust level new).
    max_links_untrusted: int = 2
    # Mentions of other members (links and notices) in one post by a member under pre-moderation.
    max_mentions_untrusted: int = 3


@dataclasses.dataclass(frozen=True)
class TrustSettings:
    member_approved_posts: int = 3
    member_days_visited: int = 2
    member_posts_read: int = 20
    trusted_approved_posts: int = 15
    trusted_days_visited: int = 15
    trusted_posts_read: int = 200
    flag_weight_new: int = 0
    flag_weight_member: int = 1
    flag_weight_trusted: int = 2
    hide_at_flag_weight: int = 3
    flag_min_account_hours: int = 72
    flag_dismissals_to_lose_weight: int = 3


@dataclasses.dataclass(frozen=True)
class AccountsSettings:
    # Days the name of a deleted account stays reserved, so that nobody takes it over at once.
    username_quarantine_days: int = 30


@dataclasses.dataclass(frozen=True)
class PostsSettings:
    max_length: int = 20000
    replies_per_page: int = 20
    max_posts_per_page: int = 300
    max_depth: int = 5
    # The same text from the same member within this many seconds is refused as sent twice; 0: never.
    duplicate_window_seconds: int = 600
    undo_delete_hours: int = 24
    topics_per_page: int = 20


@dataclasses.dataclass(frozen=True)
class FeedsSettings:
    items: int = 50


@dataclasses.dataclass(frozen=True)
class SearchSettings:
    results_per_page: int = 20
    ranked_matches: int = 300


@dataclasses.dataclass(frozen=True)
class LanguagesSettings:
    default: str = "en"
    # IANA name of the zone times are shown in to readers who did not choose one.
    timezone: str = "UTC"


@dataclasses.dataclass(frozen=True)
class RatelimitSettings:
    storage_url: str = ""
    recheck_seconds: int = 5
    reply: str = "1/10seconds;30/hour"
    reply_untrusted: str = "1/minute;10/hour"
    register: str = "5/hour"
    login_pair: str = "10/15minutes"
    login_ip: str = "50/15minutes"
    login_username: str = "10/15minutes"
    login_delay_max: int = 10
    preview: str = "10/minute"
    edit: str = "10/minute;60/hour"
    flag: str = "20/hour"
    # Drafts saved by one member (the reply form's script saves every few seconds while they type).
    draft: str = "30/minute;600/hour"


@dataclasses.dataclass(frozen=True)
class CacheSettings:
    # Pages kept for readers without a session (see forum.pagecache).
    enabled: bool = True
    # How often each worker reads the forum's change stamp: the bound on how long a change takes to show.
    check_milliseconds: int = 500
    # Kept pages show times as "3 minutes ago": how old such a text may get.
    max_age_seconds: int = 60
    # Memory for kept pages, per worker.
    max_megabytes: int = 64


@dataclasses.dataclass(frozen=True)
class LoggingSettings:
    format: str = "text"
    client_addresses: bool = False


@dataclasses.dataclass(frozen=True)
class Settings:
    server: ServerSettings = ServerSettings()
    database: DatabaseSettings = DatabaseSettings()
    security: SecuritySettings = SecuritySettings()
    moderation: ModerationSettings = ModerationSettings()
    trust: TrustSettings = TrustSettings()
    posts: PostsSettings = PostsSettings()
    accounts: AccountsSettings = AccountsSettings()
    feeds: FeedsSettings = FeedsSettings()
    search: SearchSettings = SearchSettings()
    languages: LanguagesSettings = LanguagesSettings()
    ratelimit: RatelimitSettings = RatelimitSettings()
    cache: CacheSettings = CacheSettings()
    logging: LoggingSettings = LoggingSettings()

    @property
    def data_path(self) -> Path:
        return Path(self.server.data_dir)

    @property
    def database_url(self) -> str:
        return self.database.url or f"sqlite://{self.data_path / 'forum.sqlite3'}"

    def replace(self, **sections: Mapping[str, Any]) -> Settings:
        """A copy with some keys changed: `settings.replace(posts={"max_length": 10})`."""
        changed = {name: dataclasses.replace(getattr(self, name), **values) for name, values in sections.items()}
        return dataclasses.replace(self, **changed)


DEFAULTS = Settings()


def declared_keys() -> dict[str, dict[str, Any]]:
    """Every section and key with its default, as declared above."""
    return {
        section.name: {
            # Lists are tuples here (settings are frozen) and arrays in TOML.
            key.name: list(key.default) if isinstance(key.default, tuple) else key.default
            for key in dataclasses.fields(getattr(DEFAULTS, section.name))
        }
        for section in dataclasses.fields(Settings)
    }


def default_config_path(environ: Mapping[str, str] = os.environ) -> Path:
    return Path(environ.get("FORUM_CONFIG", "config.toml"))


def load_settings(path: Path | None = None, environ: Mapping[str, str] = os.environ) -> Settings:
    """Read the configuration file, then apply environment overrides.

    The file is `path`, else $FORUM_CONFIG, else ./config.toml; only that last
    default may be missing (then every key has its default). Raises ConfigError
    for a named file that does not exist, unknown keys, values of the wrong type
    and invalid choices.
    """
    named = path is not None or "FORUM_CONFIG" in environ
    path = path or default_config_path(environ)
    raw: dict[str, Any] = {}
    if named and not path.is_file():
        raise ConfigError(f"{path}: no such file")
    if path.exists():
        try:
            raw = tomllib.loads(path.read_text("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: {exc}") from exc
    keys = declared_keys()
    sections: dict[str, Any] = {}
    for section, defaults in keys.items():
        given = raw.pop(section, {})
        if not isinstance(given, dict):
            raise ConfigError(f"[{section}] must be a table")
        unknown = set(given) - set(defaults)
        if unknown:
            raise ConfigError(f"unknown key(s) in [{section}]: {', '.join(sorted(unknown))}")
        values = {}
        for key, default in defaults.items():
            env_name = f"FORUM_{section}_{key}".upper()
            if env_name in environ:
                values[key] = _from_env(env_name, environ[env_name], default)
            elif key in given:
                values[key] = _checked(f"[{section}] {key}", given[key], default)
        sections[section] = dataclasses.replace(getattr(DEFAULTS, section), **values)
    if raw:
        raise ConfigError(f"unknown section(s): {', '.join(sorted(raw))}")
    settings = Settings(**sections)
    _validate(settings)
    return settings


def _checked(name: str, value: Any, default: Any) -> Any:
    # declared_keys() gives lists as lists; the settings keep them as tuples.
    if isinstance(default, list):
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise ConfigError(f"{name} must be a list of strings, not {value!r}")
        return tuple(value)
    # bool is a subclass of int, so compare exact types.
    if type(value) is not type(default):
        raise ConfigError(f"{name} must be a {type(default).__name__}, not {value!r}")
    return value


def _from_env(name: str, value: str, default: Any) -> Any:
    if isinstance(default, bool):
        if value.lower() not in ("1", "0", "true", "false", "yes", "no"):
            raise ConfigError(f"{name} must be true or false")
        return value.lower() in ("1", "true", "yes")
    if isinstance(default, list):
        # A comma-separated list; empty for none.
        return tuple(item.strip() for item in value.split(",") if item.strip())
    if isinstance(default, int):
        try:
            return int(value)
        except ValueError:
            raise ConfigError(f"{name} must be a whole number, not {value!r}") from None
    return value


def _validate(settings: Settings) -> None:
    if settings.moderation.mode not in MODERATION_MODES:
        raise ConfigError(f"[moderation] mode must be one of {', '.join(MODERATION_MODES)}")
    if settings.logging.format not in LOG_FORMATS:
        raise ConfigError(f"[logging] format must be one of {', '.join(LOG_FORMATS)}")
    if not set(settings.security.require_2fa_for) <= {"admin", "moderator", "member"}:
        raise ConfigError('[security] require_2fa_for lists roles among "admin", "moderator" and "member"')
    if settings.languages.default not in LANGUAGES:
        raise ConfigError(f"[languages] default must be one of {', '.join(LANGUAGES)}")
    if settings.languages.timezone not in available_timezones():
        raise ConfigError("[languages] timezone must be an IANA time zone name, like UTC or Asia/Tehran")
    for name, value in (
        ("[posts] max_length", settings.posts.max_length),
        ("[posts] replies_per_page", settings.posts.replies_per_page),
        ("[posts] max_posts_per_page", settings.posts.max_posts_per_page),
        ("[posts] topics_per_page", settings.posts.topics_per_page),
        ("[feeds] items", settings.feeds.items),
        ("[search] results_per_page", settings.search.results_per_page),
        ("[search] ranked_matches", settings.search.ranked_matches),
        ("[server] workers", settings.server.workers),
        ("[database] busy_timeout", settings.database.busy_timeout),
        ("[server] header_timeout", settings.server.header_timeout),
        ("[server] body_timeout", settings.server.body_timeout),
        ("[server] keep_alive_timeout", settings.server.keep_alive_timeout),
        ("[server] shutdown_timeout", settings.server.shutdown_timeout),
        ("[ratelimit] recheck_seconds", settings.ratelimit.recheck_seconds),
        ("[security] password_hashes_at_once", settings.security.password_hashes_at_once),
        ("[cache] max_age_seconds", settings.cache.max_age_seconds),
        ("[cache] max_megabytes", settings.cache.max_megabytes),
        ("[ratelimit] login_delay_max", settings.ratelimit.login_delay_max),
    ):
        if value < 1:
            raise ConfigError(f"{name} must be at least 1")
    if settings.security.password_memory_kib < 64 or settings.security.password_time_cost < 1:
        raise ConfigError("[security] password_memory_kib must be at least 64 and password_time_cost at least 1")
    for name, value in (
        ("[security] register_min_seconds", settings.security.register_min_seconds),
        ("[moderation] max_links_untrusted", settings.moderation.max_links_untrusted),
        ("[moderation] max_mentions_untrusted", settings.moderation.max_mentions_untrusted),
        ("[posts] duplicate_window_seconds", settings.posts.duplicate_window_seconds),
        ("[cache] check_milliseconds", settings.cache.check_milliseconds),
    ):
        if value < 0:
            raise ConfigError(f"{name} must be 0 or more")
    _validate_base_url(settings.server.base_url)
    if settings.security.password_hashes_waiting < 0:
        raise ConfigError("[security] password_hashes_waiting must be 0 or more")
    for field in dataclasses.fields(RatelimitSettings):
        value = getattr(settings.ratelimit, field.name)
        if field.name == "storage_url" or not isinstance(value, str):
            continue
        try:
            parse_many(value)
        except ValueError:
            raise ConfigError(
                f'[ratelimit] {field.name} must be limits such as "10/minute" or "10/minute;60/hour", not {value!r}'
            ) from None
    trust = settings.trust
    if min(vars(trust).values()) < 0 or settings.posts.undo_delete_hours < 0:
        raise ConfigError("[trust] thresholds and weights and [posts] undo_delete_hours cannot be negative")
    if trust.hide_at_flag_weight < 1 or trust.flag_dismissals_to_lose_weight < 1:
        raise ConfigError("[trust] hide_at_flag_weight and flag_dismissals_to_lose_weight must be at least 1")
    if not trust.flag_weight_new <= trust.flag_weight_member <= trust.flag_weight_trusted:
        raise ConfigError("[trust] flag weights must not fall as trust rises (new <= member <= trusted)")
    for step in ("approved_posts", "days_visited", "posts_read"):
        if getattr(trust, f"trusted_{step}") < getattr(trust, f"member_{step}"):
            raise ConfigError(f"[trust] trusted_{step} must be at least member_{step}")
    if settings.posts.max_depth < 2:
        raise ConfigError("[posts] max_depth must be at least 2")
    if settings.ratelimit.storage_url and not settings.ratelimit.storage_url.startswith(("redis://", "rediss://")):
        raise ConfigError("[ratelimit] storage_url must be empty (in memory) or redis://HOST:PORT/DB")
    url = settings.database.url
    if url and not url.startswith(("sqlite://", "postgres://", "postgresql://", "asyncpg://")):
        raise ConfigError("[database] url must be sqlite://PATH or postgres://USER@HOST/DB")


def _validate_base_url(base_url: str) -> None:
    if not base_url:
        return
    try:
        parts = urlsplit(base_url)
        # The root of a host only: a path would need every route, cookie and redirect prefixed.
        valid = (
            parts.scheme in ("http", "https")
            and bool(parts.hostname)
            and parts.port != 0
            and parts.username is None
            and parts.path in ("", "/")
            and not parts.query
            and not parts.fragment
        )
    except ValueError:  # a port out of range, a malformed IPv6 address
        valid = False
    if not valid:
        raise ConfigError(
            "[server] base_url must be empty or the address of the site's root, like https://forum.example.org"
        )


def secret_key(settings: Settings) -> str:
    """The configured secret, else the one generated on first start in the data folder (mode 600)."""
    if settings.security.secret_key:
        return settings.security.secret_key
    path = settings.data_path / "secret_key"
    if path.exists():
        return path.read_text("ascii").strip()
    settings.data_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    # O_EXCL: two workers starting at once must not each write a different key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text("ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(key + "\n")
    return key
