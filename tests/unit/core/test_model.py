"""Key entries and the shared validation (labels, permissions, IPs, credentials, ...)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from tests.conftest import make_entry
from vault_app.core import model
from vault_app.core.errors import ValidationError
from vault_app.core.exchanges import Catalog, ExchangeInfo, load_catalog
from vault_app.core.model import (
    KeyEntry,
    clean_api_url,
    clean_label,
    edit_entry,
    mask,
    mask_identifier,
    new_entry,
    parse_ip,
    parse_ip_list,
    parse_permissions,
)

CATALOG = load_catalog()
NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
OKX_CREDS = {"apiKey": "okx-api-key-123456", "secret": "okx-secret-abcdef",
             "password": "okx-passphrase-zyx"}
BINANCE_CREDS = {"apiKey": "bn-api-key-123456", "secret": "bn-secret-abcdef"}


def okx(**fields: object) -> KeyEntry:
    fields.setdefault("credentials", OKX_CREDS)
    fields.setdefault("label", "OKX main")
    return new_entry(exchange="okx", catalog=CATALOG, now=NOW, **fields)  # type: ignore[arg-type]


def field_of(exc_info: pytest.ExceptionInfo[ValidationError]) -> str | None:
    return exc_info.value.field


# --- labels ---------------------------------------------------------------------------


def test_label_is_trimmed_and_inner_whitespace_collapsed() -> None:
    assert clean_label("  OKX \t  main\n ") == "OKX main"
    assert okx(label="  spaced   label ").label == "spaced label"


@pytest.mark.parametrize("label", ["", "   ", "\t\n"])
def test_empty_label_is_refused(label: str) -> None:
    with pytest.raises(ValidationError, match="empty") as info:
        okx(label=label)
    assert field_of(info) == "label"


def test_label_length_limit() -> None:
    assert clean_label("x" * model.MAX_LABEL) == "x" * 100
    with pytest.raises(ValidationError, match="100") as info:
        clean_label("x" * 101)
    assert field_of(info) == "label"
    assert clean_label(" " * 50 + "x" * 100 + " " * 50) == "x" * 100  # trimmed first


# --- permissions ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("read", ("read",)),
        ("Trade, READ", ("read", "trade")),
        ("withdraw,read,trade,read", ("read", "trade", "withdraw")),
        (["withdraw", "read"], ("read", "withdraw")),
        (" read , ,trade ", ("read", "trade")),
    ],
)
def test_permissions_parse_into_canonical_order(value: object, expected: tuple[str, ...]) -> None:
    assert parse_permissions(value) == expected  # type: ignore[arg-type]


def test_unknown_permission_is_refused_by_name() -> None:
    with pytest.raises(ValidationError, match="admin") as info:
        parse_permissions("read,admin")
    assert field_of(info) == "permissions"


@pytest.mark.parametrize("value", ["", " , ", []])
def test_no_permission_is_refused(value: object) -> None:
    with pytest.raises(ValidationError, match="at least one") as info:
        parse_permissions(value)  # type: ignore[arg-type]
    assert field_of(info) == "permissions"


def test_permission_flags() -> None:
    entry = okx(permissions="read,trade")
    assert entry.can_trade and not entry.can_withdraw
    assert okx(permissions="withdraw").can_withdraw


# --- IP whitelist ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("192.168.1.10", "192.168.1.10"),
        ("  10.0.0.0/8 ", "10.0.0.0/8"),
        ("203.0.113.7/32", "203.0.113.7/32"),
        ("2001:DB8:0:0:0:0:0:1", "2001:db8::1"),
        ("2001:db8:0::/48", "2001:db8::/48"),
        ("::1", "::1"),
    ],
)
def test_ip_addresses_and_networks_are_normalised(text: str, expected: str) -> None:
    assert parse_ip(text) == expected


@pytest.mark.parametrize(
    ("text", "suggestion"),
    [("10.0.0.1/8", "10.0.0.0/8"), ("192.168.1.77/24", "192.168.1.0/24"),
     ("2001:db8::1/32", "2001:db8::/32")],
)
def test_cidr_with_host_bits_set_is_refused_with_a_suggestion(text: str, suggestion: str) -> None:
    with pytest.raises(ValidationError, match="host bits") as info:
        parse_ip(text)
    assert f"did you mean {suggestion}?" in str(info.value)
    assert field_of(info) == "ip_whitelist"


@pytest.mark.parametrize(
    "text", ["example.com", "300.1.1.1", "1.2.3", "10.0.0.0/33", "abc/24", "1.2.3.4/",
             "::g", "1.2.3.4:80"],
)
def test_garbage_ip_is_refused(text: str) -> None:
    with pytest.raises(ValidationError, match="not an IPv4/IPv6") as info:
        parse_ip(text)
    assert field_of(info) == "ip_whitelist"


def test_ip_list_accepts_separators_and_drops_duplicates() -> None:
    assert parse_ip_list("1.1.1.1, 2.2.2.2\n1.1.1.1 10.0.0.0/8,,") == (
        "1.1.1.1", "2.2.2.2", "10.0.0.0/8")
    assert parse_ip_list(["::1", "0:0::1"]) == ("::1",)
    assert parse_ip_list("") == ()


def test_ip_list_length_limit() -> None:
    ips = [f"10.0.{i // 256}.{i % 256}" for i in range(model.MAX_IPS)]
    assert len(parse_ip_list(ips)) == 100
    with pytest.raises(ValidationError) as info:
        parse_ip_list([*ips, "192.168.0.1"])
    assert field_of(info) == "ip_whitelist"


# --- credentials ----------------------------------------------------------------------


def test_okx_requires_a_passphrase() -> None:
    creds = {k: v for k, v in OKX_CREDS.items() if k != "password"}
    with pytest.raises(ValidationError, match="Passphrase") as info:
        okx(credentials=creds)
    assert field_of(info) == "password"
    assert "OKX" in str(info.value)


def test_binance_does_not_require_a_passphrase() -> None:
    entry = new_entry(label="b", exchange="binance", credentials=BINANCE_CREDS, catalog=CATALOG)
    assert dict(entry.credentials) == BINANCE_CREDS


def test_credentials_are_trimmed_and_empty_optional_ones_dropped() -> None:
    entry = new_entry(
        label="b", exchange="binance", catalog=CATALOG,
        credentials={"apiKey": "  key-1  ", "secret": "\tsecret-1\n", "uid": "   "},
    )
    assert dict(entry.credentials) == {"apiKey": "key-1", "secret": "secret-1"}


@pytest.mark.parametrize("name", ["apiKey", "secret", "password"])
def test_whitespace_only_required_credential_is_refused_naming_the_field(name: str) -> None:
    with pytest.raises(ValidationError) as info:
        okx(credentials={**OKX_CREDS, name: " \t "})
    assert field_of(info) == name
    assert model.CREDENTIAL_TITLES[name] in str(info.value)


@pytest.mark.parametrize(("name", "char"), [("secret", "\0"), ("apiKey", "\x1b"),
                                           ("password", "\x7f")])
def test_a_control_character_in_a_credential_is_refused_naming_the_field(
        name: str, char: str) -> None:
    """A NUL cannot reach a bot's environment: refused when the key is added, not
    discovered by ``run``."""
    with pytest.raises(ValidationError, match="control character U\\+00") as info:
        okx(credentials={**OKX_CREDS, name: f"abc{char}def"})
    assert field_of(info) == name
    assert "abc" not in str(info.value)  # the secret is not echoed


def test_line_breaks_of_a_pem_credential_are_kept() -> None:
    entry = okx(credentials={**OKX_CREDS, "secret": "line 1\n\tline 2\r\nline 3"})
    assert entry.credentials["secret"] == "line 1\n\tline 2\r\nline 3"


def test_unknown_credential_name_is_refused() -> None:
    with pytest.raises(ValidationError, match="apikey") as info:
        okx(credentials={**OKX_CREDS, "apikey": "x"})
    assert field_of(info) == "credentials"


def test_non_text_credential_is_refused() -> None:
    with pytest.raises(ValidationError) as info:
        okx(credentials={**OKX_CREDS, "uid": 12345})
    assert field_of(info) == "uid"


def test_at_least_one_credential_is_needed_even_if_none_is_required() -> None:
    dydx = CATALOG.get("dydx")
    assert dydx.required == ()
    with pytest.raises(ValidationError, match="at least one") as info:
        new_entry(label="d", exchange="dydx", credentials={"apiKey": " "}, catalog=CATALOG)
    assert field_of(info) == "credentials"


def test_multiline_pem_secret_keeps_its_lines() -> None:
    pem = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEI\n-----END PRIVATE KEY-----"
    entry = new_entry(label="ed", exchange="binance", catalog=CATALOG,
                      credentials={"apiKey": "k" * 20, "secret": pem + "\n"})
    assert entry.credentials["secret"] == pem


# --- exchange and environment ---------------------------------------------------------


def test_unknown_exchange_is_refused_with_a_suggestion() -> None:
    with pytest.raises(ValidationError, match="did you mean okx") as info:
        new_entry(label="x", exchange="okxx", credentials=OKX_CREDS, catalog=CATALOG)
    assert field_of(info) == "exchange"


def test_exchange_id_is_normalised() -> None:
    entry = new_entry(label="x", exchange="  OKX ", credentials=OKX_CREDS, catalog=CATALOG)
    assert entry.exchange == "okx"


NO_SANDBOX = Catalog(
    ccxt_version="test",
    exchanges={
        "nosandbox": ExchangeInfo("nosandbox", "No Sandbox Ex", ("apiKey", "secret"),
                                  has_sandbox=False, pem_secret=False),
        "withsandbox": ExchangeInfo("withsandbox", "Sandbox Ex", ("apiKey", "secret"),
                                    has_sandbox=True, pem_secret=False),
    },
)


def test_sandbox_is_refused_for_an_exchange_without_one() -> None:
    with pytest.raises(ValidationError, match="No Sandbox Ex has no sandbox") as info:
        new_entry(label="x", exchange="nosandbox", credentials=BINANCE_CREDS,
                  catalog=NO_SANDBOX, environment="sandbox")
    assert field_of(info) == "environment"
    entry = new_entry(label="x", exchange="withsandbox", credentials=BINANCE_CREDS,
                      catalog=NO_SANDBOX, environment="sandbox")
    assert entry.environment == "sandbox" and entry.api_url is None


@pytest.mark.parametrize("exchange", ["kraken", "coinbase"])
def test_sandbox_is_refused_for_real_exchanges_without_a_testnet(exchange: str) -> None:
    """ccxt 4.5.90 has no test URL for these (urls['test'] is None);
    ccxt's set_sandbox_mode(True) fails for them."""
    creds = {name: f"{name}-value" for name in CATALOG.get(exchange).required}
    with pytest.raises(ValidationError) as info:
        new_entry(label="x", exchange=exchange, credentials=creds, catalog=CATALOG,
                  environment="sandbox")
    assert field_of(info) == "environment"


def test_unknown_environment_is_refused() -> None:
    with pytest.raises(ValidationError) as info:
        okx(environment="staging")
    assert field_of(info) == "environment"


def test_custom_environment_needs_an_api_url() -> None:
    with pytest.raises(ValidationError) as info:
        okx(environment="custom")
    assert field_of(info) == "api_url"
    entry = okx(environment="custom", api_url="  https://proxy.example.com:8443/api/ ")
    assert entry.api_url == "https://proxy.example.com:8443/api"


def test_api_url_is_dropped_unless_the_environment_is_custom() -> None:
    assert okx(environment="live", api_url="https://x.example").api_url is None


@pytest.mark.parametrize(
    "url",
    ["ftp://example.com", "example.com", "https://", "javascript:alert(1)", "file:///etc/passwd",
     "http://[::1", "https://[not-an-ip]/"],
)
def test_api_url_must_be_http_with_a_host(url: str) -> None:
    with pytest.raises(ValidationError) as info:
        clean_api_url(url)
    assert field_of(info) == "api_url"


@pytest.mark.parametrize(
    "url", ["https://user:pw@example.com", "https://user@example.com", "http://:pw@example.com"]
)
def test_api_url_must_not_contain_userinfo(url: str) -> None:
    with pytest.raises(ValidationError, match="credentials") as info:
        clean_api_url(url)
    assert field_of(info) == "api_url"
    assert "pw" not in str(info.value)


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080", "https://[2001:db8::1]/v5"])
def test_api_url_accepts_addresses(url: str) -> None:
    assert clean_api_url(url) == url


# --- rotation, notes, tags ------------------------------------------------------------


@pytest.mark.parametrize("days", [0, -1, 3651, True, "90", 1.5])
def test_rotate_days_bounds(days: object) -> None:
    with pytest.raises(ValidationError) as info:
        okx(rotate_days=days)
    assert field_of(info) == "rotate_days"


@pytest.mark.parametrize("days", [1, 90, 3650])
def test_rotate_days_accepted(days: int) -> None:
    assert okx(rotate_days=days).rotate_days == days


def test_rotation_schedule() -> None:
    entry = okx(rotate_days=30)
    assert entry.rotated_at == entry.created_at == NOW
    assert entry.rotation_due_at == NOW + timedelta(days=30)
    assert not entry.rotation_overdue(NOW + timedelta(days=29, hours=23))
    assert entry.rotation_overdue(NOW + timedelta(days=30))
    assert entry.age_days(NOW + timedelta(days=12, hours=5)) == 12


def test_notes_are_trimmed_and_limited() -> None:
    assert okx(notes="  hello \n").notes == "hello"
    assert okx(notes="x" * model.MAX_NOTES).notes == "x" * 10_000
    with pytest.raises(ValidationError) as info:
        okx(notes="x" * (model.MAX_NOTES + 1))
    assert field_of(info) == "notes"


def test_tags_are_cleaned_and_deduplicated() -> None:
    assert okx(tags=" bot ,  main   acct,bot,, ").tags == ("bot", "main acct")
    assert okx(tags=["a", " a ", "b"]).tags == ("a", "b")


# --- editing --------------------------------------------------------------------------


def test_edit_without_new_credentials_keeps_rotated_at() -> None:
    entry = okx()
    later = NOW + timedelta(days=10)
    edited = edit_entry(entry, {"label": "renamed", "permissions": "read,trade",
                                "notes": "n", "tags": "x"}, CATALOG, now=later)
    assert edited.label == "renamed"
    assert edited.permissions == ("read", "trade")
    assert edited.rotated_at == NOW
    assert edited.id == entry.id and edited.created_at == entry.created_at


def test_edit_with_the_same_credentials_padded_keeps_rotated_at() -> None:
    entry = okx()
    padded = {k: f"  {v} " for k, v in OKX_CREDS.items()}
    edited = edit_entry(entry, {"credentials": padded}, CATALOG, now=NOW + timedelta(days=3))
    assert edited.rotated_at == NOW


def test_edit_with_new_credentials_sets_rotated_at() -> None:
    entry = okx()
    later = NOW + timedelta(days=40)
    edited = edit_entry(entry, {"credentials": {**OKX_CREDS, "secret": "new-secret"}},
                        CATALOG, now=later)
    assert edited.rotated_at == later
    assert edited.credentials["secret"] == "new-secret"
    assert edited.created_at == NOW


def test_a_new_entry_is_updated_when_it_is_created() -> None:
    entry = okx()
    assert entry.updated_at == entry.created_at == entry.rotated_at == NOW


@pytest.mark.parametrize("changes", [
    {"label": "renamed"}, {"notes": "n"}, {"tags": "x"}, {"permissions": "read,trade"},
    {"rotate_days": 30}, {"max_notional": "100"}, {"ip_whitelist": "10.0.0.1"},
    {"environment": "sandbox"}, {"credentials": {**OKX_CREDS, "secret": "new-secret"}},
], ids=lambda changes: next(iter(changes)))
def test_an_edit_that_changes_a_field_sets_updated_at(changes: dict[str, object]) -> None:
    later = NOW + timedelta(days=7)
    edited = edit_entry(okx(), changes, CATALOG, now=later)
    assert edited.updated_at == later and edited.created_at == NOW


def test_an_edit_that_changes_nothing_keeps_updated_at() -> None:
    entry = okx(notes="n")
    later = NOW + timedelta(days=7)
    padded = {k: f"  {v} " for k, v in OKX_CREDS.items()}
    for changes in ({}, {"label": " OKX  main "}, {"notes": "n"}, {"credentials": padded}):
        edited = edit_entry(entry, changes, CATALOG, now=later)
        assert edited.updated_at == NOW and edited == entry


def test_a_rotation_moves_updated_at_with_rotated_at() -> None:
    later = NOW + timedelta(days=40)
    edited = edit_entry(okx(), {"credentials": {**OKX_CREDS, "apiKey": "k2"}}, CATALOG,
                        now=later)
    assert edited.rotated_at == edited.updated_at == later


def test_edit_validates_like_creation() -> None:
    entry = okx()
    with pytest.raises(ValidationError) as info:
        edit_entry(entry, {"label": "  "}, CATALOG)
    assert field_of(info) == "label"
    with pytest.raises(ValidationError) as info:
        edit_entry(entry, {"ip_whitelist": "10.0.0.1/8"}, CATALOG)
    assert field_of(info) == "ip_whitelist"


def test_edit_refuses_non_editable_fields() -> None:
    with pytest.raises(ValidationError, match="created_at"):
        edit_entry(okx(), {"created_at": NOW}, CATALOG)
    with pytest.raises(ValidationError, match="id"):
        edit_entry(okx(), {"id": "other"}, CATALOG)


def test_edit_switching_to_an_exchange_with_more_requirements_is_refused() -> None:
    entry = new_entry(label="b", exchange="binance", credentials=BINANCE_CREDS, catalog=CATALOG)
    with pytest.raises(ValidationError) as info:
        edit_entry(entry, {"exchange": "okx"}, CATALOG)
    assert field_of(info) == "password"


def test_edit_leaving_custom_clears_the_api_url() -> None:
    entry = okx(environment="custom", api_url="https://proxy.example")
    assert edit_entry(entry, {"environment": "live"}, CATALOG).api_url is None
    kept = edit_entry(entry, {"notes": "x"}, CATALOG)
    assert kept.environment == "custom" and kept.api_url == "https://proxy.example"


def test_an_entry_whose_exchange_left_ccxt_stays_editable() -> None:
    entry = replace(okx(), exchange="defunctex")
    edited = edit_entry(entry, {"label": "old one"}, CATALOG)
    assert edited.label == "old one" and edited.exchange == "defunctex"
    with pytest.raises(ValidationError) as info:
        edit_entry(entry, {"exchange": "defunctex2"}, CATALOG)
    assert field_of(info) == "exchange"


# --- secrets never shown --------------------------------------------------------------


def test_repr_and_str_never_contain_a_secret() -> None:
    entry = okx(notes="note-text")
    containers = [repr(entry), str(entry), f"{entry}", repr([entry]), repr({"e": entry})]
    for text in containers:
        for value in OKX_CREDS.values():
            assert value not in text
    assert "OKX main" in repr(entry)


def test_identity_credential_is_the_api_key_or_private_key() -> None:
    assert model.identity_credential(okx()) == ("apiKey", OKX_CREDS["apiKey"])
    aster = new_entry(label="a", exchange="aster", catalog=CATALOG,
                      credentials={"privateKey": "0xabc"})
    assert model.identity_credential(aster) == ("privateKey", "0xabc")


def test_mask_hides_everything_including_the_length() -> None:
    assert mask("a") == mask("a" * 500) == "•" * 8
    assert mask("") == ""
    assert "s" not in mask("secret")


def test_mask_identifier() -> None:
    assert mask_identifier("abcdefghijklmnop") == "abcd…mnop"
    assert "efgh" not in mask_identifier("abcdefghijklmnop")
    assert mask_identifier("12345678") == "•" * 8  # too short to show any of it
    assert mask_identifier("") == "•" * 8


# --- timestamps -----------------------------------------------------------------------


def test_timestamps_are_rfc3339_utc_whole_seconds() -> None:
    value = datetime(2026, 11, 21, 9, 30, 0, 123456, tzinfo=UTC)
    assert model.format_ts(value) == "2026-11-21T09:30:00Z"
    cet = datetime(2026, 11, 21, 10, 30, tzinfo=UTC).astimezone(timezone(timedelta(hours=1)))
    assert model.format_ts(cet) == "2026-11-21T10:30:00Z"
    assert model.parse_ts("2026-11-21T09:30:00Z") == datetime(2026, 11, 21, 9, 30, tzinfo=UTC)
    assert model.parse_ts("2026-11-21T10:30:00+01:00") == datetime(2026, 11, 21, 9, 30,
                                                                  tzinfo=UTC)
    with pytest.raises(ValueError):
        model.parse_ts("2026-11-21T09:30:00")


NINE_THIRTY = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize("text", [
    "2026-11-21T09:30:00Z",
    "2026-11-21t09:30:00z",  # RFC 3339 section 5.6 allows lowercase t and z
    "2026-11-21T09:30:00z",
    "2026-11-21t09:30:00Z",
    "2026-11-21T09:30:00.999999999Z",  # fractional seconds are dropped, not rounded
    "2026-11-21T09:30:00.5+00:00",
    "2026-11-21T10:30:00+01:00",
    "2026-11-21T09:30:00-00:00",
    "2026-11-21T05:00:00-04:30",
])
def test_parse_ts_accepts_the_rfc3339_date_time_forms(text: str) -> None:
    assert model.parse_ts(text) == NINE_THIRTY


@pytest.mark.parametrize("text", [
    "2026-11-21 09:30:00Z",  # a space is not RFC 3339 date-time (fromisoformat takes it)
    "2026-11-21T09:30:00",  # no offset
    "2026-11-21T09:30Z",  # no seconds
    "2026-11-21T09:30:00.Z",  # a dot without digits
    "2026-11-21T09:30:00+0100",  # offset without a colon
    "2026-11-21T09:30:00+01",
    "2026-11-21T09:30:00+24:00",
    "2026-11-21T09:30:00+01:60",
    "2026-W47-6T09:30:00Z",  # ISO 8601 week date: 20 characters like ours
    "20261121T093000Z",  # ISO 8601 basic format
    "2026-11-21",
    "2026-11-21T09:30:60Z",  # a leap second cannot be represented
    "2026-02-29T00:00:00Z",
    "2026-13-01T00:00:00Z",
    "0000-01-01T00:00:00Z",
    "2026-11-21T24:00:00Z",
    "\uff12026-11-21T09:30:00Z",  # a full-width digit
    "+2026-11-21T09:30:00Z",
    " 2026-11-21T09:30:00Z",
    "2026-11-21T09:30:00Z ",
    "2026-11-21T09:30:00ZZ",
    "",
])
def test_parse_ts_rejects_everything_else(text: str) -> None:
    with pytest.raises(ValueError):
        model.parse_ts(text)


@pytest.mark.parametrize("text", ["9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00"])
def test_parse_ts_rejects_instants_outside_years_1_to_9999_utc(text: str) -> None:
    with pytest.raises((ValueError, OverflowError)):
        model.parse_ts(text)


@pytest.mark.parametrize("value", [None, 5, b"2026-11-21T09:30:00Z", ["x"]])
def test_parse_ts_rejects_non_text(value: object) -> None:
    with pytest.raises(TypeError):
        model.parse_ts(value)  # type: ignore[arg-type]


def test_utcnow_is_aware_and_whole_seconds() -> None:
    now = model.utcnow()
    assert now.tzinfo is not None and now.utcoffset() == timedelta(0)
    assert now.microsecond == 0


def test_make_entry_fixture_builds_valid_entries() -> None:
    entry = make_entry("x")
    assert set(entry.credentials) == {"apiKey", "secret", "password"}


# --- terminal controls and bidi overrides (issue 6, item 7) ------------------------


@pytest.mark.parametrize("char", ["\x1b", "\x00", "\x07", "\x7f", "\x9b", "\u202e", "\u202d",
                                  "\u2066", "\u2069", "\u200e", "\u200f", "\u061c"])
def test_label_with_a_control_or_bidi_character_is_refused(char: str) -> None:
    with pytest.raises(ValidationError, match=f"U\\+{ord(char):04X}") as caught:
        model.clean_label(f"Binance{char}main")
    assert caught.value.field == "label"


def test_label_whitespace_controls_still_become_spaces() -> None:
    assert model.clean_label("Binance\tmain\nkey\r") == "Binance main key"


@pytest.mark.parametrize("char", ["\x1b", "\u202e", "\x85\x1b"])
def test_tag_with_a_control_or_bidi_character_is_refused(char: str) -> None:
    with pytest.raises(ValidationError, match="a tag contains") as caught:
        model.parse_tags(f"fine,bad{char}tag")
    assert caught.value.field == "tags"


def test_notes_keep_line_feeds_tabs_and_bidi_marks() -> None:
    notes = "first line\r\n\tindented \u200fRTL mark\rlast"
    assert model.clean_notes(notes) == "first line\n\tindented \u200fRTL mark\nlast"


@pytest.mark.parametrize("char", ["\x1b", "\x00", "\x08", "\x0b", "\x7f", "\x9b", "\u202e",
                                  "\u2067", "\ud800"])
def test_notes_with_other_controls_or_bidi_overrides_are_refused(char: str) -> None:
    with pytest.raises(ValidationError, match="notes contains") as caught:
        make_entry(notes=f"see {char} here")
    assert caught.value.field == "notes"


def test_editing_a_foreign_entry_with_a_control_character_names_the_field() -> None:
    """A file from another program may hold one: the key opens, and a save asks to fix it."""
    stored = replace(make_entry(label="Binance main", exchange="binance"),
                     label="Binance\x1b[2Jmain")
    with pytest.raises(ValidationError) as caught:
        model.edit_entry(stored, {"notes": "new"}, load_catalog())
    assert caught.value.field == "label"
    fixed = model.edit_entry(stored, {"label": "Binance main", "notes": "new"}, load_catalog())
    assert fixed.label == "Binance main"


@pytest.mark.parametrize(("stored", "kept"), [
    # Content spec 6.3 makes a reader accept from another writer, though this
    # release refuses it as input: editing another field must not be blocked by it.
    ({"credentials": {**OKX_CREDS, "subaccount": "s1"}}, "credentials"),
    ({"credentials": {}}, "credentials"),
    ({"environment": "custom", "api_url": ""}, "api_url"),
    ({"ip_whitelist": ("office",)}, "ip_whitelist"),
    ({"permissions": ("trade", "read", "trade")}, "permissions"),
])
def test_an_edit_checks_the_fields_it_changes_and_keeps_the_others_as_stored(
        stored: dict[str, object], kept: str) -> None:
    entry = replace(okx(), **stored)  # as decoded from a foreign file
    edited = edit_entry(entry, {"notes": "moved to the cold wallet"}, CATALOG)
    assert edited.notes == "moved to the cold wallet"
    assert getattr(edited, kept) == getattr(entry, kept)
    assert edited.rotated_at == entry.rotated_at


def test_an_edit_still_checks_what_depends_on_a_changed_field() -> None:
    entry = replace(okx(), credentials={**OKX_CREDS, "subaccount": "s1"})
    with pytest.raises(ValidationError) as info:
        edit_entry(entry, {"exchange": "binance"}, CATALOG)  # re-checks the credentials
    assert field_of(info) == "credentials"
    with pytest.raises(ValidationError) as info:
        edit_entry(okx(), {"environment": "custom"}, CATALOG)  # needs an API URL
    assert field_of(info) == "api_url"


@pytest.mark.parametrize("url", ["http://10.0.0.1", "http://exchange.example.com:8080/api",
                                 "http://api.localhost", "http://[::2]", "HTTP://1.2.3.4"])
def test_a_custom_url_to_another_computer_must_be_https(url: str) -> None:
    with pytest.raises(ValidationError, match="https") as info:
        clean_api_url(url)
    assert field_of(info) == "api_url"
    assert clean_api_url(url.replace("http:", "https:").replace("HTTP:", "https:"))


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080", "http://localhost:9", "http://[::1]:1",
                                 "http://127.9.9.9", "http://[::ffff:127.0.0.1]:2"])
def test_plain_http_is_fine_for_this_computer(url: str) -> None:
    assert clean_api_url(url) == url


@pytest.mark.parametrize("url", ["https://x.example:99999", "https://x.example:0",
                                 "http://127.0.0.1:65536", "https://x.example:-1",
                                 "https://x.example:abc"])
def test_an_api_url_port_must_be_valid(url: str) -> None:
    with pytest.raises(ValidationError) as info:
        clean_api_url(url)
    assert field_of(info) == "api_url"


def test_an_old_entry_with_an_http_url_still_validates_when_its_url_is_untouched() -> None:
    entry = replace(okx(environment="custom", api_url="https://eu.example.com"),
                    api_url="http://eu.example.com")
    edited = model.edit_entry(entry, {"label": "renamed"}, CATALOG)
    assert edited.api_url == "http://eu.example.com" and edited.label == "renamed"
