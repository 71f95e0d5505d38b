"""What ``run`` puts in a bot's environment: presets, --env mappings, --sandbox-only."""

from __future__ import annotations

import pytest

from tests.conftest import make_entry
from vault_app.core.bot_env import (
    BotEnvRefused,
    check_sandbox_only,
    environment_for,
    is_loopback_url,
    merged,
    parse_mapping,
    plan,
)

OKX = {"apiKey": "ak-1", "secret": "sec-1", "password": "pass-1"}


def test_freqtrade_preset_maps_key_secret_and_passphrase() -> None:
    entry = make_entry("bot", "okx", credentials=OKX)
    assert environment_for(entry, plan("freqtrade", [])) == {
        "FREQTRADE__EXCHANGE__KEY": "ak-1",
        "FREQTRADE__EXCHANGE__SECRET": "sec-1",
        "FREQTRADE__EXCHANGE__PASSWORD": "pass-1",
    }


def test_optional_preset_fields_are_left_out_when_the_key_has_none() -> None:
    entry = make_entry("bot", "binance", credentials={"apiKey": "a", "secret": "s"})
    assert environment_for(entry, plan("generic", [])) == {"API_KEY": "a", "API_SECRET": "s"}


def test_env_maps_credentials_and_public_fields() -> None:
    entry = make_entry("bot", "okx", credentials=OKX)
    variables = plan(None, ["K=apiKey", "EX=exchange", "LBL=label", "ENV=environment"])
    assert environment_for(entry, variables) == {"K": "ak-1", "EX": "okx", "LBL": "bot",
                                                 "ENV": "live"}


@pytest.mark.parametrize("text, fragment", [
    ("1BAD=apiKey", "'1BAD' is not a valid environment variable name"),
    ("A-B=apiKey", "'A-B' is not a valid"),
    ("=apiKey", "'' is not a valid"),
    ("NOEQUALS", "is not NAME=FIELD"),
    ("KEY=apikey", "unknown field 'apikey' for KEY"),
    ("KEY=notes", "unknown field 'notes'"),
])
def test_bad_mappings_name_what_is_wrong(text: str, fragment: str) -> None:
    with pytest.raises(BotEnvRefused, match=fragment):
        parse_mapping(text)


def test_a_field_the_mapping_needs_is_required() -> None:
    entry = make_entry("bot", "binance", credentials={"apiKey": "a", "secret": "s"})
    with pytest.raises(BotEnvRefused, match=r"key 'bot' has no password \(needed for PW\)"):
        environment_for(entry, plan("generic", ["PW=password"]))
    with pytest.raises(BotEnvRefused, match="has no api_url"):
        environment_for(entry, plan(None, ["URL=api_url"]))


def test_a_name_set_twice_an_unknown_preset_and_nothing_are_refused() -> None:
    with pytest.raises(BotEnvRefused, match="API_KEY is set twice"):
        plan("generic", ["API_KEY=secret"])
    with pytest.raises(BotEnvRefused, match="unknown preset 'ccxt'"):
        plan("ccxt", [])
    with pytest.raises(BotEnvRefused, match="give --preset or --env"):
        plan(None, [])


def test_sandbox_only_refuses_live_and_remote_custom_keys() -> None:
    check_sandbox_only(make_entry("s", "binance", environment="sandbox"))
    check_sandbox_only(make_entry("c", "binance", environment="custom",
                                  api_url="http://127.0.0.1:8123"))
    with pytest.raises(BotEnvRefused, match="'l' is a live key"):
        check_sandbox_only(make_entry("l", "binance"))
    with pytest.raises(BotEnvRefused, match="not on this machine"):
        check_sandbox_only(make_entry("r", "binance", environment="custom",
                                      api_url="https://proxy.example.com"))


@pytest.mark.parametrize("url, loopback", [
    ("http://localhost:1", True), ("http://127.8.0.1", True), ("http://[::1]:9", True),
    ("https://api.binance.com", False), ("http://10.0.0.1", False),
    ("http://127.0.0.1.example.com", False), (None, False),
])
def test_loopback_urls(url: str | None, loopback: bool) -> None:
    assert is_loopback_url(url) is loopback


def test_the_key_overrides_the_parent_environment() -> None:
    variables = plan("generic", [])
    assert merged({"API_KEY": "old", "PATH": "/bin"}, {"API_KEY": "new"}, variables) == {
        "API_KEY": "new", "PATH": "/bin"}


@pytest.mark.parametrize(("preset", "stale"), [
    ("generic", ("API_PASSWORD",)),
    ("freqtrade", ("FREQTRADE__EXCHANGE__PASSWORD", "FREQTRADE__EXCHANGE__UID")),
])
def test_an_optional_variable_the_key_lacks_is_not_inherited(preset: str,
                                                             stale: tuple[str, ...]) -> None:
    """The preset owns its names: another key's passphrase in the parent must not reach
    the child with this key's API key."""
    entry = make_entry("nopw", "binance", credentials={"apiKey": "a", "secret": "s"})
    variables = plan(preset, [])
    parent = {"PATH": "/bin", **dict.fromkeys(stale, "OTHER-KEYS-PASSPHRASE")}
    env = merged(parent, environment_for(entry, variables), variables)
    assert not set(stale) & set(env)
    assert env["PATH"] == "/bin" and "a" in env.values()
