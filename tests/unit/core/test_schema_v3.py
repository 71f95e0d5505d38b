"""Schema 3 (spec 6.2 to 6.4): updated_at, vault.keep_versions, the backup section and
the upgrade from schema 2."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PASSWORD, make_entry
from tests.e2e.support import write_payload_vault
from vault_app.core import schema
from vault_app.core.backup_section import BackupSection
from vault_app.core.envelope import unlock_bytes
from vault_app.core.errors import VaultDamaged
from vault_app.core.schema import VaultMeta, decode_payload, encode_payload, entries_text
from vault_app.core.vault import Vault

T0 = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
META = VaultMeta(id="vault-id", created_at=T0)
BACKUP = BackupSection(
    made_at=datetime(2026, 11, 21, 9, 30, tzinfo=UTC), source_vault_id="source-id",
    journal=({"order": "o-1", "amount": "0.5", "n": [1, 2.5, None]}, {"order": "o-2"}),
    extra={"x_note": {"kept": True}})


def _document(**vault_over: Any) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(encode_payload(META, [make_entry("a")]))
    document["vault"].update(vault_over)
    return document


def _decode(document: dict[str, Any]) -> tuple[VaultMeta, list[Any]]:
    return decode_payload(json.dumps(document).encode())


# --- updated_at ------------------------------------------------------------------------


def test_updated_at_is_written_and_read() -> None:
    entry = make_entry("a", now=T0)
    assert entry.updated_at == entry.created_at == entry.rotated_at == T0
    stored = json.loads(encode_payload(META, [entry]))["entries"][0]
    assert stored["updated_at"] == "2026-01-02T03:04:05Z"
    assert decode_payload(encode_payload(META, [entry]))[1][0].updated_at == T0


@pytest.mark.parametrize("value", [None, "", "2026-01-02 03:04:05Z", "2026-01-02T03:04:05",
                                   1767323045, ["2026-01-02T03:04:05Z"]], ids=repr)
def test_an_updated_at_that_is_not_a_timestamp_is_damaged(value: object) -> None:
    document = _document()
    document["entries"][0]["updated_at"] = value
    with pytest.raises(VaultDamaged, match="timestamp"):
        _decode(document)


def test_a_missing_updated_at_is_damaged_in_schema_3() -> None:
    document = _document()
    del document["entries"][0]["updated_at"]
    with pytest.raises(VaultDamaged, match="lacks a field"):
        _decode(document)


# --- vault.keep_versions ---------------------------------------------------------------


@pytest.mark.parametrize("count", [0, 1, 10, 1000])
def test_keep_versions_from_0_to_1000_is_read(count: int) -> None:
    assert _decode(_document(keep_versions=count))[0].keep_versions == count


@pytest.mark.parametrize("value", [-1, 1001, 10**30, 10.0, "10", True, None, [10]],
                         ids=repr)
def test_keep_versions_outside_0_to_1000_or_not_an_integer_is_damaged(value: object) -> None:
    with pytest.raises(VaultDamaged, match="keep_versions"):
        _decode(_document(keep_versions=value))


def test_keep_versions_minus_zero_is_the_integer_0() -> None:
    """Spec 6.1: -0 is a JSON integer (the value 0)."""
    text = encode_payload(META, []).replace(b'"keep_versions":10', b'"keep_versions":-0')
    assert decode_payload(text)[0].keep_versions == 0
    assert b'"keep_versions":-0,' in text
    with pytest.raises(VaultDamaged, match="keep_versions"):
        decode_payload(text.replace(b'"keep_versions":-0', b'"keep_versions":1e1'))


def test_a_missing_keep_versions_is_damaged_in_schema_3() -> None:
    document = _document()
    del document["vault"]["keep_versions"]
    with pytest.raises(VaultDamaged, match="keep_versions"):
        _decode(document)


# --- the backup section ----------------------------------------------------------------


def test_a_backup_section_round_trips_between_vault_and_entries() -> None:
    meta = VaultMeta(id="v", created_at=T0, backup=BACKUP, document_extra={"x_top": 1})
    plaintext = encode_payload(meta, [make_entry("a"), make_entry("b", exchange="binance")])
    head = plaintext.split(b"\n")[0]
    assert head.index(b'"vault":') < head.index(b'"backup":') < head.index(b'"x_top":') \
        < head.index(b'"entries":[')
    got, entries = decode_payload(plaintext)
    assert got.backup == BACKUP and got.backup is not None
    assert dict(got.backup.extra) == {"x_note": {"kept": True}}
    assert "backup" not in got.document_extra and dict(got.document_extra) == {"x_top": 1}
    block = entries_text(plaintext, got, entries)  # one entry per line, reused as read
    assert block is not None and encode_payload(got, entries, block) == plaintext
    assert encode_payload(*decode_payload(plaintext)) == plaintext


def test_a_vault_without_a_backup_section_has_none() -> None:
    meta, _ = decode_payload(encode_payload(META, []))
    assert meta.backup is None
    assert b'"backup"' not in encode_payload(META, [])


BAD_BACKUPS: dict[str, object] = {
    "not an object": [1],
    "null": None,
    "made_at missing": {"source_vault_id": "s", "journal": []},
    "made_at not a timestamp": {"made_at": "yesterday", "source_vault_id": "s", "journal": []},
    "made_at a number": {"made_at": 0, "source_vault_id": "s", "journal": []},
    "source id not text": {"made_at": "2026-01-02T03:04:05Z", "source_vault_id": 5,
                           "journal": []},
    "source id missing": {"made_at": "2026-01-02T03:04:05Z", "journal": []},
    "journal not an array": {"made_at": "2026-01-02T03:04:05Z", "source_vault_id": "s",
                             "journal": {"0": {}}},
    "journal missing": {"made_at": "2026-01-02T03:04:05Z", "source_vault_id": "s"},
    "a record not an object": {"made_at": "2026-01-02T03:04:05Z", "source_vault_id": "s",
                               "journal": [{}, "record"]},
}


@pytest.mark.parametrize("value", BAD_BACKUPS.values(), ids=BAD_BACKUPS.keys())
def test_a_malformed_backup_section_is_damaged(value: object) -> None:
    document = _document()
    document["backup"] = value
    with pytest.raises(VaultDamaged, match="backup"):
        _decode(document)


def test_a_backup_section_nesting_too_deep_is_damaged() -> None:
    deep: Any = "x"
    for _ in range(61):  # the record at depth 4 holds a value at depth 66
        deep = [deep]
    document = _document()
    document["backup"] = {"made_at": "2026-01-02T03:04:05Z", "source_vault_id": "s",
                          "journal": [{"deep": deep}]}
    with pytest.raises(VaultDamaged, match="deeper"):
        _decode(document)


def test_a_backup_file_opens_as_a_vault(vault_path: Path) -> None:
    """A backup file is a vault file: Vault.open reads it, and a save keeps the section."""
    meta = VaultMeta(backup=BACKUP)
    write_payload_vault(vault_path, encode_payload(meta, [make_entry("a")]))
    vault = Vault.open(vault_path, PASSWORD)
    assert vault.meta.backup == BACKUP and [e.label for e in vault.entries] == ["a"]
    vault.add(make_entry("b", exchange="binance"))
    reopened = Vault.open(vault_path, PASSWORD, read_only=True)
    assert reopened.meta.backup == BACKUP and len(reopened.entries) == 2
    reopened.lock()  # its journal records describe orders: forgotten with the entries
    assert reopened.meta.backup is None


# --- _upgrade_v2 -----------------------------------------------------------------------


def schema_2_document(*entries: Any) -> dict[str, Any]:
    """A document as a schema-2 writer wrote it: no keep_versions, no updated_at."""
    document: dict[str, Any] = json.loads(encode_payload(META, list(entries)))
    document["schema"] = 2
    del document["vault"]["keep_versions"]
    for item in document["entries"]:
        del item["updated_at"]
    return document


@pytest.mark.parametrize(("created", "rotated", "expected"), [
    ("2026-01-01T00:00:00Z", "2026-03-01T00:00:00Z", "2026-03-01T00:00:00Z"),
    ("2026-05-01T00:00:00Z", "2026-03-01T00:00:00Z", "2026-05-01T00:00:00Z"),
    # compared as instants, copied as written:
    ("2026-01-01T10:00:00+02:00", "2026-01-01T09:00:00Z", "2026-01-01T09:00:00Z"),
    ("2026-01-01T10:00:00-02:00", "2026-01-01T09:00:00z", "2026-01-01T10:00:00-02:00"),
    # the same instant: rotated_at
    ("2026-01-01T11:00:00+02:00", "2026-01-01T09:00:00.5Z", "2026-01-01T09:00:00.5Z"),
])
def test_upgrade_v2_sets_updated_at_to_the_later_of_created_and_rotated(
        created: str, rotated: str, expected: str) -> None:
    document = schema_2_document(make_entry("a"))
    document["entries"][0].update(created_at=created, rotated_at=rotated)
    upgraded = schema.UPGRADES[2](json.loads(json.dumps(document)))
    assert upgraded["entries"][0]["updated_at"] == expected
    assert upgraded["vault"]["keep_versions"] == 10


def test_upgrade_v2_keeps_everything_else_and_members_already_there() -> None:
    document = schema_2_document(make_entry("a"), make_entry("b", exchange="binance"))
    document["x_top"] = {"k": [1]}
    document["vault"]["x_vault"] = "kept"
    document["entries"][0]["x_entry"] = [None]
    document["entries"][1]["updated_at"] = "1999-01-01T00:00:00Z"  # unknown to schema 2
    document["vault"]["keep_versions"] = 3  # likewise
    before = json.loads(json.dumps(document))
    upgraded = schema.UPGRADES[2](document)
    assert upgraded["vault"] == before["vault"]
    assert upgraded["entries"][0] == {**before["entries"][0],
                                      "updated_at": before["entries"][0]["rotated_at"]}
    assert upgraded["entries"][1] == before["entries"][1]
    assert upgraded["x_top"] == {"k": [1]}
    meta, entries = _decode(before)
    assert meta.keep_versions == 3
    assert entries[1].updated_at == datetime(1999, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize("document", [
    {"schema": 2},
    {"schema": 2, "vault": [], "entries": {}},
    {"schema": 2, "vault": None, "entries": [1, "x", None, []]},
    {"schema": 2, "vault": {}, "entries": [{}, {"created_at": 5, "rotated_at": []},
                                           {"created_at": "x", "rotated_at": "y"}]},
], ids=["nothing", "wrong-containers", "wrong-items", "bad-timestamps"])
def test_upgrade_v2_checks_nothing_and_never_crashes(document: dict[str, Any]) -> None:
    assert schema.UPGRADES[2] is schema._upgrade_v2
    upgraded = schema.upgrade(json.loads(json.dumps(document)))
    assert upgraded["schema"] == 4
    for entry in upgraded.get("entries") or []:
        assert type(entry) is not dict or "updated_at" not in entry  # nothing to copy
    with pytest.raises(VaultDamaged):  # the schema-3 checks report the damage
        _decode(document)


def test_a_schema_2_payload_upgrades_through_the_strict_path_only() -> None:
    old = [make_entry("a", now=T0), make_entry("b", exchange="binance")]
    document = schema_2_document(*old)
    lines = [json.dumps(item, separators=(",", ":")).encode() for item in document["entries"]]
    plaintext = (b'{"schema":2,"vault":' + json.dumps(document["vault"], separators=(",", ":"))
                 .encode() + b',"entries":[\n' + b",\n".join(lines) + b"\n]}")
    assert schema._decode_quickly(plaintext) is None
    meta, decoded = decode_payload(plaintext)
    assert meta.keep_versions == 10 and meta.backup is None
    assert decoded == old  # updated_at == rotated_at == created_at for a new entry
    assert entries_text(plaintext, meta, decoded) is None  # the schema-2 text lacks updated_at


def test_the_first_save_after_the_upgrade_writes_every_entry_with_updated_at(
        vault_path: Path) -> None:
    old = [make_entry("a"), make_entry("b", exchange="binance")]
    document = schema_2_document(*old)
    lines = [json.dumps(item, separators=(",", ":")).encode() for item in document["entries"]]
    write_payload_vault(vault_path, b'{"schema":2,"vault":' + json.dumps(
        document["vault"], separators=(",", ":")).encode() + b',"entries":[\n'
        + b",\n".join(lines) + b"\n]}")
    vault = Vault.open(vault_path, PASSWORD)
    assert vault._entries_text is None
    vault.add(make_entry("c", exchange="kraken"))
    _, _, plaintext = unlock_bytes(vault_path.read_bytes(), PASSWORD)
    saved = plaintext.split(b"\n")
    assert saved[0].startswith(b'{"schema":4,') and b'"keep_versions":10' in saved[0]
    assert all(b'"updated_at":' in line for line in saved[1:-1]) and len(saved) == 5
    assert Vault.open(vault_path, PASSWORD, read_only=True).entries == vault.entries
