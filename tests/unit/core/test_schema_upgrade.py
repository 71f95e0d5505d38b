"""Schema 2's members (spec 6.2 to 6.4): the journal key, max_notional and the upgrade
from schema 1 (which the upgrade to schema 3 then follows, see test_schema_v3)."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PASSWORD, make_entry
from tests.e2e.support import write_payload_vault
from vault_app.core import schema
from vault_app.core.envelope import unlock_bytes
from vault_app.core.errors import VaultDamaged
from vault_app.core.model import KeyEntry
from vault_app.core.schema import VaultMeta, decode_payload, encode_payload
from vault_app.core.vault import Vault

KEY = bytes(range(32))
KEY_TEXT = base64.b64encode(KEY).decode()
META = VaultMeta(id="vault-id", created_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
                 journal_key=KEY)


def test_the_exact_json_forms_of_the_new_members() -> None:
    entry = make_entry("limited", max_notional="2500.50")
    plaintext = encode_payload(META, [entry, make_entry("free", exchange="binance")])
    assert plaintext.startswith(
        b'{"schema":4,"vault":{"id":"vault-id","created_at":"2026-01-02T03:04:05Z",'
        b'"journal_key":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=","keep_versions":10,'
        b'"history_days":30},'
        b'"entries":[\n')
    limited, free = json.loads(plaintext)["entries"]
    assert limited["max_notional"] == "2500.5" and free["max_notional"] is None
    assert json.loads(encode_payload(VaultMeta(), []))["vault"]["journal_key"] is None
    meta, entries = decode_payload(plaintext)
    assert meta.journal_key == KEY and meta == META
    assert entries[0].max_notional == Decimal("2500.5") and entries[1].max_notional is None


def test_secrets_of_the_meta_stay_out_of_its_repr() -> None:
    assert KEY_TEXT not in repr(META) and repr(KEY) not in repr(META)
    assert "2500" not in repr(make_entry(max_notional="2500"))  # the entry's repr is short


def test_a_max_notional_is_written_back_as_it_was_read() -> None:
    """Spec 6.2: a reader accepts "100.0" and MAY write it back as it was."""
    document = json.loads(encode_payload(META, [make_entry("a")]))
    document["entries"][0]["max_notional"] = "0100.50"
    meta, entries = decode_payload(json.dumps(document).encode())
    assert entries[0].max_notional == Decimal("100.5")
    saved = json.loads(encode_payload(meta, entries))
    assert saved["entries"][0]["max_notional"] == "0100.50"


# --- _upgrade_v1 -----------------------------------------------------------------------


def schema_1_document(*entries: KeyEntry) -> dict[str, Any]:
    """A document as a schema-1 writer wrote it: no journal_key, no max_notional."""
    document = json.loads(encode_payload(META, list(entries)))
    document["schema"] = 1
    del document["vault"]["journal_key"], document["vault"]["keep_versions"]
    for item in document["entries"]:
        del item["max_notional"], item["updated_at"]
    return document


def schema_1_app_layout(document: dict[str, Any]) -> bytes:
    """The one-entry-per-line text the schema-1 release wrote (spec 6.5)."""
    lines = [json.dumps(item, ensure_ascii=False, separators=(",", ":")).encode()
             for item in document["entries"]]
    return (b'{"schema":1,"vault":' + json.dumps(document["vault"], separators=(",", ":"))
            .encode() + b',"entries":[\n' + b",\n".join(lines) + b"\n]}")


def test_upgrade_v1_adds_null_members_and_keeps_everything_else() -> None:
    document = schema_1_document(make_entry("a"), make_entry("b", exchange="binance"))
    document["x_top"] = {"k": [1]}
    document["vault"]["x_vault"] = "kept"
    document["entries"][0]["x_entry"] = [None]
    document["entries"][1]["max_notional"] = "750"  # unknown to schema 1: kept
    before = json.loads(json.dumps(document))
    upgraded = schema.UPGRADES[1](document)
    assert upgraded["vault"] == {**before["vault"], "journal_key": None}
    assert upgraded["entries"][0] == {**before["entries"][0], "max_notional": None}
    assert upgraded["entries"][1] == before["entries"][1]
    assert upgraded["x_top"] == {"k": [1]}


@pytest.mark.parametrize("document", [
    {"schema": 1},
    {"schema": 1, "vault": [], "entries": {}},
    {"schema": 1, "vault": None, "entries": [1, "x", None, []]},
], ids=["nothing", "wrong-containers", "wrong-items"])
def test_upgrade_v1_checks_nothing_and_never_crashes(document: dict[str, Any]) -> None:
    assert schema.UPGRADES[1] is schema._upgrade_v1
    assert schema.upgrade(dict(document))["schema"] == 4
    with pytest.raises(VaultDamaged):  # the schema-3 checks report the damage
        decode_payload(json.dumps(document).encode())


def test_a_schema_1_payload_opens_through_the_strict_path_only() -> None:
    entries = [make_entry("a"), make_entry("b", exchange="binance")]
    plaintext = schema_1_app_layout(schema_1_document(*entries))
    assert schema._decode_quickly(plaintext) is None  # only the current schema goes quick
    meta, decoded = decode_payload(plaintext)
    assert meta.journal_key is None and meta.id == META.id
    assert decoded == entries  # max_notional None, as make_entry gives; updated_at too:
    assert all(entry.updated_at == entry.rotated_at for entry in decoded)  # make_entry's
    assert all(entry.max_notional is None for entry in decoded)
    assert schema.entries_text(plaintext, meta, decoded) is None  # nothing to reuse
    saved = encode_payload(meta, decoded)
    assert saved.startswith(b'{"schema":4,')
    stored = json.loads(saved)
    assert stored["vault"]["journal_key"] is None
    assert [item["max_notional"] for item in stored["entries"]] == [None, None]


def test_a_schema_1_max_notional_member_is_kept_and_checked() -> None:
    document = schema_1_document(make_entry("a"))
    document["entries"][0]["max_notional"] = "750"
    assert decode_payload(json.dumps(document).encode())[1][0].max_notional == Decimal(750)
    document["entries"][0]["max_notional"] = "1e3"
    with pytest.raises(VaultDamaged, match="max_notional"):
        decode_payload(json.dumps(document).encode())


def test_the_first_save_after_an_upgrade_encodes_every_entry_again(vault_path: Path) -> None:
    """The entries' schema-1 text lacks max_notional: reusing it (schema.EntriesText)
    would write entries a schema-2 reader refuses."""
    old = [make_entry("a", notes="x"), make_entry("b", exchange="binance")]
    write_payload_vault(vault_path, schema_1_app_layout(schema_1_document(*old)))
    vault = Vault.open(vault_path, PASSWORD)
    assert vault._entries_text is None
    vault.add(make_entry("c", exchange="kraken", max_notional="10"))
    _, _, plaintext = unlock_bytes(vault_path.read_bytes(), PASSWORD)
    lines = plaintext.split(b"\n")
    assert lines[0].startswith(b'{"schema":4,')
    assert all(b'"max_notional":' in line for line in lines[1:-1]) and len(lines) == 5
    reopened = Vault.open(vault_path, PASSWORD, read_only=True)
    assert [e.max_notional for e in reopened.entries] == [None, None, Decimal(10)]
    assert reopened.entries == vault.entries


# --- reading rules: one verdict on the quick and the strict path -----------------------

BAD_JOURNAL_KEYS: list[object] = [
    base64.b64encode(bytes(31)).decode(), base64.b64encode(bytes(33)).decode(),
    KEY_TEXT[:-2] + "B=", KEY_TEXT.rstrip("="), "_" * 43 + "=", " " + KEY_TEXT[1:],
    KEY_TEXT[:20] + "\n" + KEY_TEXT[21:], "é" * 43 + "=", "", 32, True, [0] * 32, {"k": 1},
]
BAD_NOTIONALS: list[object] = ["1e3", "-5", "+5", "0", "0.00", "NaN", "Infinity", ".5",
                               "5.", " 5", "1,000", "", "9" * 37, "\u0665", 1000, 0.5,
                               True, ["1"], {"v": "1"}]


def _app_layout(journal_key: object = None, max_notional: object = None) -> bytes:
    """Our own layout, with the two members set to any JSON value."""
    entry = json.loads(encode_payload(META, [make_entry("a")]))["entries"][0]
    entry["max_notional"] = max_notional
    head = {"id": "v", "created_at": "2026-01-02T03:04:05Z", "journal_key": journal_key,
            "keep_versions": 10, "history_days": 30}
    return (b'{"schema":4,"vault":' + json.dumps(head, separators=(",", ":")).encode()
            + b',"entries":[\n' + json.dumps(entry, separators=(",", ":")).encode() + b"\n]}")


def _both_paths(plaintext: bytes) -> tuple[object, object]:
    quick = schema._decode_quickly(plaintext)
    try:
        strict: object = schema._decode(schema._parse(plaintext))
    except VaultDamaged:
        strict = "damaged"
    return quick, strict


@pytest.mark.parametrize("value", BAD_JOURNAL_KEYS, ids=repr)
def test_a_bad_journal_key_is_damaged_on_both_paths(value: object) -> None:
    plaintext = _app_layout(journal_key=value)
    assert _both_paths(plaintext) == (None, "damaged")
    with pytest.raises(VaultDamaged, match="journal_key"):
        decode_payload(plaintext)


@pytest.mark.parametrize("value", BAD_NOTIONALS, ids=repr)
def test_a_bad_max_notional_is_damaged_on_both_paths(value: object) -> None:
    plaintext = _app_layout(max_notional=value)
    assert _both_paths(plaintext) == (None, "damaged")
    with pytest.raises(VaultDamaged, match="max_notional"):
        decode_payload(plaintext)


@pytest.mark.parametrize(("journal_key", "max_notional"), [
    (None, None), (KEY_TEXT, "1"), (KEY_TEXT, "0.5"), ("/" * 42 + "w=", "9" * 36),
    (KEY_TEXT, "100.0"), (KEY_TEXT, "00012.3400"),
])
def test_a_good_value_gives_the_same_content_on_both_paths(journal_key: object,
                                                           max_notional: object) -> None:
    quick, strict = _both_paths(_app_layout(journal_key, max_notional))
    assert quick is not None and quick == strict


@pytest.mark.parametrize("duplicate", [
    b'"journal_key":null,"journal_key":"' + KEY_TEXT.encode() + b'"',
    b'"journal_key":"' + KEY_TEXT.encode() + b'","journal_key":null',
])
def test_a_second_journal_key_member_is_damaged_on_both_paths(duplicate: bytes) -> None:
    """Without the duplicate check the quick parse keeps the last one: a vault whose
    journal key reads differently to another reader."""
    plaintext = _app_layout().replace(b'"journal_key":null', duplicate, 1)
    assert _both_paths(plaintext)[0] is None
    with pytest.raises(VaultDamaged, match="same name"):
        decode_payload(plaintext)


@pytest.mark.parametrize(("where", "name"), [("vault", "journal_key"),
                                             ("entry", "max_notional")])
def test_a_missing_member_is_damaged_in_the_current_schema(where: str, name: str) -> None:
    document = json.loads(encode_payload(META, [make_entry("a")]))
    del (document["vault"] if where == "vault" else document["entries"][0])[name]
    with pytest.raises(VaultDamaged, match=r"missing|lacks"):
        decode_payload(json.dumps(document).encode())
