from __future__ import annotations

import os
import stat
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from forum.config import ConfigError, Settings, declared_keys, load_settings, secret_key

CONFIG = Path(__file__).resolve().parent.parent / "config.toml"


def test_config_toml_lists_every_key_with_its_default() -> None:
    shipped = tomllib.loads(CONFIG.read_text("utf-8"))
    assert shipped == declared_keys()


def test_every_key_in_config_toml_is_commented() -> None:
    lines = CONFIG.read_text("utf-8").splitlines()
    for number, line in enumerate(lines):
        if "=" in line and not line.startswith("#"):
            above = lines[number - 1]
            assert above.startswith("#") or "=" in above, f"no comment above: {line}"


def test_environment_overrides_the_file(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[server]\nport = 9000\n[moderation]\nmode = "all"\n', "utf-8")
    settings = load_settings(path, {"FORUM_SERVER_PORT": "9100", "FORUM_DATABASE_URL": "postgres://u@h/db"})
    assert settings.server.port == 9100
    assert settings.moderation.mode == "all"
    assert settings.database_url == "postgres://u@h/db"


@pytest.mark.parametrize(
    ("text", "environ", "message"),
    [
        ("[server]\nport = 'eighty'\n", {}, "must be a int"),
        ("[server]\nnope = 1\n", {}, "unknown key"),
        ("[nope]\n", {}, "unknown section"),
        ("[moderation]\nmode = 'sometimes'\n", {}, "mode must be one of"),
        ("", {"FORUM_SERVER_PORT": "x"}, "whole number"),
        ("", {"FORUM_LANGUAGES_DEFAULT": "de"}, "default must be one of"),
        ("[server]\nbody_timeout = 0\n", {}, "body_timeout must be at least 1"),
        ("", {"FORUM_SERVER_HEADER_TIMEOUT": "-1"}, "header_timeout must be at least 1"),
        ("[logging]\nformat = 'xml'\n", {}, "format must be one of text, json"),
        ("", {"FORUM_LOGGING_CLIENT_ADDRESSES": "maybe"}, "must be true or false"),
        ("[server\n", {}, "config.toml"),
        # Served at the root of a host only: a path would need every route and cookie prefixed.
        ("[server]\nbase_url = 'https://forum.example.org/forum'\n", {}, "base_url must be"),
        ("[server]\nbase_url = 'forum.example.org'\n", {}, "base_url must be"),
        ("", {"FORUM_SERVER_BASE_URL": "https://[::1"}, "base_url must be"),
        ("", {"FORUM_SERVER_BASE_URL": "https://user@forum.example.org"}, "base_url must be"),
        ("", {"FORUM_POSTS_DUPLICATE_WINDOW_SECONDS": "-1"}, "0 or more"),
        ("[moderation]\nmax_links_untrusted = -2\n", {}, "0 or more"),
        ("[ratelimit]\npreview = 'often'\n", {}, "preview must be limits"),
        ("", {"FORUM_RATELIMIT_EDIT": "10/fortnight"}, "edit must be limits"),
        ("[ratelimit]\nlogin_delay_max = 0\n", {}, "login_delay_max must be at least 1"),
        ("[security]\npassword_hashes_at_once = 0\n", {}, "password_hashes_at_once must be at least 1"),
        ("[security]\npassword_hashes_waiting = -1\n", {}, "password_hashes_waiting must be 0 or more"),
        ("[moderation]\ntrust_after = 3\n", {}, "unknown key"),
        ("[trust]\nhide_at_flag_weight = 0\n", {}, "at least 1"),
        ("", {"FORUM_TRUST_FLAG_WEIGHT_NEW": "-1"}, "cannot be negative"),
        ("[trust]\nflag_weight_member = 3\n", {}, "must not fall as trust rises"),
        ("[trust]\ntrusted_days_visited = 1\n", {}, "trusted_days_visited must be at least member_days_visited"),
    ],
)
def test_bad_configuration_is_explained(tmp_path: Path, text: str, environ: dict[str, str], message: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text, "utf-8")
    with pytest.raises(ConfigError, match=message):
        load_settings(path, environ)


@pytest.mark.parametrize("base_url", ["https://forum.example.org", "http://forum.example.org:8080/", "https://[::1]"])
def test_a_base_url_at_the_root_of_a_host_is_accepted(tmp_path: Path, base_url: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f"[server]\nbase_url = '{base_url}'\n", "utf-8")
    assert load_settings(path, {}).server.base_url == base_url


def test_a_missing_default_file_means_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert load_settings(None, {}) == Settings()


def test_a_named_file_that_is_missing_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        load_settings(tmp_path / "absent.toml", {})
    with pytest.raises(ConfigError, match="no such file"):
        load_settings(None, {"FORUM_CONFIG": str(tmp_path / "absent.toml")})
    result = subprocess.run(
        [sys.executable, "-m", "forum", "migrate", "--config", str(tmp_path / "absent.toml")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode != 0 and "no such file" in result.stderr
    assert not (tmp_path / "var").exists()


def test_the_secret_key_is_generated_once_with_mode_600(tmp_path: Path) -> None:
    settings = Settings().replace(server={"data_dir": str(tmp_path / "data")})
    key = secret_key(settings)
    path = tmp_path / "data" / "secret_key"
    assert len(key) >= 40
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert secret_key(settings) == key
    assert secret_key(settings.replace(security={"secret_key": "configured"})) == "configured"


def test_roles_that_must_use_two_factor_come_from_the_file_or_the_environment(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[security]\nrequire_2fa_for = ["admin"]\n', "utf-8")
    assert load_settings(config, {}).security.require_2fa_for == ("admin",)
    assert load_settings(config, {"FORUM_SECURITY_REQUIRE_2FA_FOR": ""}).security.require_2fa_for == ()
    both = load_settings(config, {"FORUM_SECURITY_REQUIRE_2FA_FOR": "admin, moderator"})
    assert both.security.require_2fa_for == ("admin", "moderator")
    config.write_text('[security]\nrequire_2fa_for = ["owner"]\n', "utf-8")
    with pytest.raises(ConfigError):
        load_settings(config, {})
    config.write_text('[security]\nrequire_2fa_for = "admin"\n', "utf-8")
    with pytest.raises(ConfigError):
        load_settings(config, {})
