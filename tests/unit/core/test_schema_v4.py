"""Schema 4 (spec 6.2 to 6.4): credential_history, verification, vault.history_days and
the upgrade from schema 3."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.conftest import make_entry
from vault_app.core import schema
from vault_app.core.errors import VaultDamaged
from vault_app.core.model import OldCredentials, Verification
from vault_app.core.schema import VaultMeta, decode_payload, encode_payload

T0 = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
T1 = datetime(2026, 2, 3, 4, 5, 6, tzinfo=UTC)
META = VaultMeta(id="vault-id", created_at=T0)
OLD = OldCredentials(credentials={"apiKey": "old-key-1234", "secret": "old-secret-xyz",
                                  "password": "old-pass"}, replaced_at=T1)
CHECKED = Verification(at=T1, permissions=("read", "trade", "withdraw"), ip_restricted=True,
                       ips=("203.0.113.7",))


def _rotated_entry() -> Any:
    return replace(make_entry("a"), credential_history=(OLD,), verification=CHECKED)


def _document(**entry_over: Any) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(encode_payload(META, [_rotated_entry()]))
    document["entries"][0].update(entry_over)
    return document


def _decode(document: dict[str, Any]) -> tuple[VaultMeta, list[Any]]:
    return decode_payload(json.dumps(document).encode())


def test_history_and_verification_round_trip() -> None:
    meta, [entry] = decode_payload(encode_payload(replace(META, history_days=7),
                                                  [_rotated_entry()]))
    assert meta.history_days == 7
    assert entry.credential_history == (OLD,)
    assert entry.verification == CHECKED
    text = encode_payload(meta, [entry])
    assert b'"credential_history":[{"credentials":{"apiKey":"old-key-1234"' in text
    assert b'"history_days":7' in text
    assert decode_payload(text)[1][0] == entry


def test_a_new_entry_has_an_empty_history_and_no_verification() -> None:
    document = json.loads(encode_payload(META, [make_entry("a")]))
    assert document["schema"] == 4
    assert document["vault"]["history_days"] == 30
    assert document["entries"][0]["credential_history"] == []
    assert document["entries"][0]["verification"] is None


def test_old_credentials_never_show_in_repr() -> None:
    entry = _rotated_entry()
    for text in (repr(OLD), str(OLD), repr(entry), repr(entry.credential_history)):
        assert "old-secret-xyz" not in text and "old-key-1234" not in text
        assert "old-pass" not in text


@pytest.mark.parametrize("value", [
    None, {}, "x", [None], [{"credentials": {"apiKey": "k"}}],
    [{"credentials": {"apiKey": 1}, "replaced_at": "2026-01-01T00:00:00Z"}],
    [{"credentials": {"apiKey": "k"}, "replaced_at": "yesterday"}],
    [{"credentials": [], "replaced_at": "2026-01-01T00:00:00Z"}],
    [{"credentials": {}, "replaced_at": "2026-01-01T00:00:00Z", "more": 1}],
])
def test_a_malformed_credential_history_is_damaged(value: object) -> None:
    with pytest.raises(VaultDamaged):
        _decode(_document(credential_history=value))


@pytest.mark.parametrize("value", [
    {}, "x", [], {"at": "2026-01-01T00:00:00Z", "permissions": [], "ip_restricted": 0,
                  "ips": []},
    {"at": "2026-01-01T00:00:00Z", "permissions": [1], "ip_restricted": False, "ips": []},
    {"at": "soon", "permissions": [], "ip_restricted": False, "ips": []},
    {"at": "2026-01-01T00:00:00Z", "permissions": [], "ip_restricted": False},
    {"at": "2026-01-01T00:00:00Z", "permissions": [], "ip_restricted": False, "ips": "1"},
])
def test_a_malformed_verification_is_damaged(value: object) -> None:
    with pytest.raises(VaultDamaged):
        _decode(_document(verification=value))


@pytest.mark.parametrize("member", ["credential_history", "verification"])
def test_a_missing_member_is_damaged_in_schema_4(member: str) -> None:
    document = _document()
    del document["entries"][0][member]
    with pytest.raises(VaultDamaged):
        _decode(document)


@pytest.mark.parametrize("value", [0, 3651, -1, 30.0, "30", True, None])
def test_history_days_outside_1_to_3650_or_not_an_integer_is_damaged(value: object) -> None:
    document = _document()
    document["vault"]["history_days"] = value
    with pytest.raises(VaultDamaged):
        _decode(document)


def test_a_missing_history_days_is_damaged_in_schema_4() -> None:
    document = _document()
    del document["vault"]["history_days"]
    with pytest.raises(VaultDamaged):
        _decode(document)


def _schema_3(document: dict[str, Any]) -> dict[str, Any]:
    document["schema"] = 3
    del document["vault"]["history_days"]
    for entry in document["entries"]:
        del entry["credential_history"], entry["verification"]
    return document


def test_upgrade_v3_adds_the_defaults() -> None:
    document = _schema_3(json.loads(encode_payload(META, [make_entry("a"), make_entry("b")])))
    meta, entries = _decode(document)
    assert meta.history_days == 30
    assert all(e.credential_history == () and e.verification is None for e in entries)


def test_upgrade_v3_keeps_members_already_there_and_checks_them() -> None:
    document = _schema_3(json.loads(encode_payload(META, [make_entry("a")])))
    document["vault"]["history_days"] = 5
    document["entries"][0]["credential_history"] = [
        {"credentials": {"apiKey": "k"}, "replaced_at": "2026-01-01T00:00:00Z"}]
    document["x_top"] = {"k": [1]}
    upgraded = schema.UPGRADES[3](json.loads(json.dumps(document)))
    assert upgraded["vault"]["history_days"] == 5
    assert upgraded["entries"][0]["credential_history"][0]["credentials"] == {"apiKey": "k"}
    assert upgraded["entries"][0]["verification"] is None
    assert upgraded["x_top"] == {"k": [1]}
    document["vault"]["history_days"] = 0
    with pytest.raises(VaultDamaged):
        _decode(document)


@pytest.mark.parametrize("document", [
    {"schema": 3}, {"schema": 3, "vault": [], "entries": {}},
    {"schema": 3, "vault": {}, "entries": [1, None, "x", []]},
])
def test_upgrade_v3_checks_nothing_and_never_crashes(document: dict[str, Any]) -> None:
    assert schema.UPGRADES[3] is schema._upgrade_v3
    upgraded = schema.upgrade(json.loads(json.dumps(document)))
    assert upgraded["schema"] == 4


def test_an_unknown_ip_state_is_null_and_reads_back_as_none() -> None:
    """Spec 6.2: ip_restricted is null when the exchange's answer does not say."""
    value = {"at": "2026-01-01T00:00:00Z", "permissions": ["read"], "ip_restricted": None,
             "ips": []}
    _meta, (entry,) = _decode(_document(verification=value))
    assert entry.verification is not None and entry.verification.ip_restricted is None
