"""The decrypted payload (spec section 6): encoding, decoding and upgrades."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests.conftest import FAST_KDF, PASSWORD, make_entry
from vault_app.core import schema
from vault_app.core.backup_section import BackupSection
from vault_app.core.envelope import new_key_slot, seal, unlock_bytes
from vault_app.core.errors import UnsupportedVersion, VaultDamaged
from vault_app.core.exchanges import CREDENTIAL_NAMES
from vault_app.core.model import ENVIRONMENTS, PERMISSIONS, KeyEntry
from vault_app.core.schema import VaultMeta, decode_payload, encode_payload
from vault_app.core.vault import Vault

TS = "2026-01-02T03:04:05Z"
META = VaultMeta(id="vault-id", created_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))

# --- strategies -----------------------------------------------------------------------

TRICKY = st.sampled_from([
    '"', "\\", "\n", "\r\n", "\u2028", "\u2029", "\x00", "\t", "\x7f", "e\u0301", "😀",
    "\ufeff", "]}", '"entries":[', ",\n", "\\n", "\\u2028", "{", "}", "[\n", "/",
])
TEXT = st.lists(st.one_of(st.text(max_size=8), TRICKY), max_size=6).map("".join)
TIMESTAMP = st.datetimes(
    min_value=datetime(1970, 1, 1), max_value=datetime(9000, 1, 1), timezones=st.just(UTC)
).map(lambda d: d.replace(microsecond=0))
JSON_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers() | TEXT
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=6,
)


def extras(reserved: tuple[str, ...]) -> st.SearchStrategy[dict[str, Any]]:
    return st.dictionaries(TEXT.filter(lambda k: k not in reserved), JSON_VALUE, max_size=3)


def _consistent_api_url(entry: KeyEntry) -> KeyEntry:
    """Spec 6.3: api_url is text exactly when the environment is custom."""
    if entry.environment == "custom":
        return entry if entry.api_url is not None else replace(entry, api_url="")
    return replace(entry, api_url=None)


ENTRY = st.builds(
    KeyEntry,
    id=TEXT,
    label=TEXT,
    exchange=TEXT,
    credentials=st.dictionaries(st.sampled_from(CREDENTIAL_NAMES), TEXT, max_size=4),
    permissions=st.lists(st.sampled_from(PERMISSIONS), unique=True).map(tuple),
    ip_whitelist=st.lists(TEXT, max_size=3).map(tuple),
    environment=st.sampled_from(ENVIRONMENTS),
    api_url=st.none() | TEXT,
    created_at=TIMESTAMP,
    rotated_at=TIMESTAMP,
    updated_at=TIMESTAMP,
    last_used_at=st.none() | TIMESTAMP,
    rotate_days=st.integers(1, 3650),
    notes=TEXT,
    tags=st.lists(TEXT, max_size=3).map(tuple),
    max_notional=st.none() | st.decimals(min_value=Decimal("0.00001"), max_value=10**12,
                                         places=5),
    extra=extras(schema._ENTRY_KEYS),
).map(_consistent_api_url)
BACKUP = st.builds(BackupSection, made_at=TIMESTAMP, source_vault_id=TEXT,
                   journal=st.lists(st.dictionaries(TEXT, JSON_VALUE, max_size=3),
                                    max_size=3).map(tuple),
                   extra=extras(("made_at", "source_vault_id", "journal")))
META_S = st.builds(VaultMeta, id=TEXT, created_at=TIMESTAMP,
                   journal_key=st.none() | st.binary(min_size=32, max_size=32),
                   keep_versions=st.integers(0, 1000), backup=st.none() | BACKUP,
                   extra=extras(("id", "created_at", "journal_key", "keep_versions")),
                   document_extra=extras(("schema", "vault", "entries", "backup")))

PROPERTY = settings(max_examples=75, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


def assert_same(got: tuple[VaultMeta, list[KeyEntry]], meta: VaultMeta,
                entries: list[KeyEntry]) -> None:
    got_meta, got_entries = got
    assert got_meta == meta
    assert dict(got_meta.extra) == dict(meta.extra)  # extra has compare=False
    assert dict(got_meta.document_extra) == dict(meta.document_extra)
    if meta.backup is not None:
        assert got_meta.backup is not None
        assert dict(got_meta.backup.extra) == dict(meta.backup.extra)
    assert got_entries == entries
    assert [dict(e.extra) for e in got_entries] == [dict(e.extra) for e in entries]


@PROPERTY
@given(meta=META_S, entries=st.lists(ENTRY, max_size=4, unique_by=lambda e: e.id))
def test_round_trip(meta: VaultMeta, entries: list[KeyEntry]) -> None:
    plaintext = encode_payload(meta, entries)
    assert_same(decode_payload(plaintext), meta, entries)


@PROPERTY
@given(meta=META_S, entries=st.lists(ENTRY, max_size=4, unique_by=lambda e: e.id),
       indent=st.sampled_from([None, 1, 4]))
def test_any_layout_gives_the_same_result(
    meta: VaultMeta, entries: list[KeyEntry], indent: int | None
) -> None:
    plaintext = encode_payload(meta, entries)
    document = json.loads(plaintext)  # the text is valid JSON
    relaid = json.dumps(document, indent=indent, ensure_ascii=indent is None).encode()
    assert_same(decode_payload(relaid), meta, entries)
    assert_same(decode_payload(plaintext), *decode_payload(relaid))


@PROPERTY
@given(meta=META_S, entries=st.lists(ENTRY, max_size=4, unique_by=lambda e: e.id))
def test_unchanged_entries_re_encode_to_identical_bytes(
    meta: VaultMeta, entries: list[KeyEntry]
) -> None:
    plaintext = encode_payload(meta, entries)
    assert encode_payload(*decode_payload(plaintext)) == plaintext


def test_encoded_layout_is_one_entry_per_line() -> None:
    entries = [make_entry("a"), make_entry("b", exchange="binance")]
    plaintext = encode_payload(META, entries)
    lines = plaintext.split(b"\n")
    assert lines[0].startswith(b'{"schema":4,"vault":{')
    assert lines[0].endswith(b'"entries":[')
    assert len(lines) == 4 and lines[-1] == b"]}"
    assert lines[1].endswith(b",") and not lines[2].endswith(b",")
    assert json.loads(plaintext)["entries"][1]["label"] == "b"
    assert encode_payload(META, []) == (
        b'{"schema":4,"vault":{"id":"vault-id","created_at":"' + TS.encode()
        + b'","journal_key":null,"keep_versions":10,"history_days":30},"entries":[\n]}'
    )


def test_pretty_printed_json_decodes() -> None:
    entry = make_entry("pretty")
    document = json.loads(encode_payload(META, [entry]))
    pretty = json.dumps(document, indent=2, sort_keys=True).encode()
    meta, entries = decode_payload(pretty)
    assert meta == META
    assert entries == [entry]


def _relayouts() -> dict[str, bytes]:
    a, b = make_entry("a"), make_entry("b", exchange="binance")
    head, line_a, line_b, tail = encode_payload(META, [a, b]).split(b"\n")
    return {
        "two entries on one line": b"\n".join([head, line_a + line_b, tail]),
        "blank line before the entries": b"\n".join([head, b"", line_a, line_b, tail]),
        "indented entries": b"\n".join([head, b" " + line_a, b"\t" + line_b, tail]),
        "space before the comma": b"\n".join([head, line_a[:-1] + b" ,", line_b, tail]),
    }


@pytest.mark.parametrize("layout", list(_relayouts()))
def test_any_valid_json_in_a_similar_layout_still_decodes(layout: str) -> None:
    """Spec 6.5: readers must not rely on the layout; any valid JSON is a payload.

    These texts look like this implementation's one-entry-per-line layout but
    differ in insignificant whitespace.
    """
    plaintext = _relayouts()[layout]
    assert [e["label"] for e in json.loads(plaintext)["entries"]] == ["a", "b"]
    _, entries = decode_payload(plaintext)
    assert [e.label for e in entries] == ["a", "b"]


def test_blank_line_inside_an_empty_entries_array_still_decodes() -> None:
    plaintext = encode_payload(META, []).replace(b"[\n]", b"[\n\n]")
    assert json.loads(plaintext)["entries"] == []
    assert decode_payload(plaintext) == (META, [])


def test_decoded_entries_carry_no_text_from_the_payload() -> None:
    """The save cache is filled from decoded values, never from the text that was read:
    a crafted layout cannot make a save write text that differs from what was shown."""
    entries = [make_entry("a"), make_entry("b", exchange="binance", notes="x\u2028y")]
    plaintext = encode_payload(META, entries)
    meta, decoded = decode_payload(plaintext)
    assert decoded == entries and all(entry.encoded is None for entry in decoded)
    assert encode_payload(meta, decoded) == plaintext
    assert all(entry.encoded is not None for entry in decoded)  # cached for the next save


def test_the_decoder_sets_every_entry_field() -> None:
    """entry_from_dict bypasses KeyEntry.__init__ for speed: it must set every field."""
    import dataclasses

    entry = decode_payload(encode_payload(META, [make_entry("a")]))[1][0]
    assert set(vars(entry)) == {f.name for f in dataclasses.fields(KeyEntry)}


def test_decoding_leaves_the_garbage_collector_enabled() -> None:
    import gc

    assert gc.isenabled()
    decode_payload(encode_payload(META, [make_entry("a")]))
    assert gc.isenabled()
    with pytest.raises(VaultDamaged):
        decode_payload(b'{"schema":1,"vault":{},"entries":[\n{"id":5}\n]}')
    assert gc.isenabled()


def test_unknown_entry_and_vault_keys_survive_decode_encode() -> None:
    document = json.loads(encode_payload(META, [make_entry("x")]))
    document["entries"][0]["future_field"] = {"nested": [1, "two"]}
    document["vault"]["future_meta"] = "kept"
    for layout in (json.dumps(document).encode(),
                   encode_payload(*decode_payload(json.dumps(document).encode()))):
        meta, entries = decode_payload(layout)
        assert entries[0].extra == {"future_field": {"nested": [1, "two"]}}
        assert meta.extra == {"future_meta": "kept"}
        again = json.loads(encode_payload(meta, entries))
        assert again["entries"][0]["future_field"] == {"nested": [1, "two"]}
        assert again["vault"]["future_meta"] == "kept"


def test_unknown_entry_keys_are_preserved_across_a_vault_save(vault_path: Path) -> None:
    entry = make_entry("legacy")
    document = json.loads(encode_payload(META, [entry]))
    document["entries"][0]["added_in_v9"] = ["x", 1, None]
    key_slot, dek = new_key_slot(PASSWORD, FAST_KDF)
    vault_path.write_bytes(seal(key_slot, dek, json.dumps(document).encode()))

    vault = Vault.open(vault_path, PASSWORD)
    vault.add(make_entry("other", exchange="binance"))  # an unrelated change
    vault.update(entry.id, {"notes": "edited"})  # and a change to that very entry
    vault.mark_used(entry.id)

    _, _, plaintext = unlock_bytes(vault_path.read_bytes(), PASSWORD)
    stored = {e["label"]: e for e in json.loads(plaintext)["entries"]}
    assert stored["legacy"]["added_in_v9"] == ["x", 1, None]
    assert stored["legacy"]["notes"] == "edited"
    assert "added_in_v9" not in stored["other"]


# --- schema versions ------------------------------------------------------------------


def _document(schema_version: object = 4, **entry_over: Any) -> dict[str, Any]:
    entry = json.loads(encode_payload(META, [make_entry("e")]))["entries"][0]
    entry.update(entry_over)
    return {"schema": schema_version,
            "vault": {"id": "v", "created_at": TS, "journal_key": None, "keep_versions": 10,
                      "history_days": 30},
            "entries": [entry]}


@pytest.mark.parametrize("compact", [True, False])
def test_newer_schema_is_unsupported(compact: bool) -> None:
    plaintext = encode_payload(META, [make_entry("e")]).replace(
        b'{"schema":4', b'{"schema":5', 1)
    if not compact:
        plaintext = json.dumps(json.loads(plaintext), indent=1).encode()
    with pytest.raises(UnsupportedVersion, match="schema 5"):
        decode_payload(plaintext)


@pytest.mark.parametrize("version", [0, -1, "1", None, 1.5, [1]])
def test_invalid_schema_version_is_damaged(version: object) -> None:
    with pytest.raises(VaultDamaged):
        decode_payload(json.dumps(_document(version)).encode())


@pytest.mark.parametrize("version", ["true", "1.0"])
def test_every_layout_refuses_a_non_integer_schema(version: str) -> None:
    plaintext = encode_payload(META, []).replace(b'"schema":4', f'"schema":{version}'.encode())
    generic = json.dumps(json.loads(plaintext), indent=1).encode()
    with pytest.raises(VaultDamaged):
        decode_payload(generic)
    with pytest.raises(VaultDamaged):
        decode_payload(plaintext)


def test_missing_schema_is_damaged() -> None:
    document = _document()
    del document["schema"]
    with pytest.raises(VaultDamaged):
        decode_payload(json.dumps(document).encode())


def test_upgrade_chain_applies_steps_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, object]] = []

    def _upgrade_v3(document: dict[str, Any]) -> dict[str, Any]:
        calls.append(("v3", document["schema"]))
        for entry in document["entries"]:
            entry["notes"] = entry["notes"] + "|v3"
        return document

    def _upgrade_v4(document: dict[str, Any]) -> dict[str, Any]:
        calls.append(("v4", document["schema"]))
        for entry in document["entries"]:
            entry["notes"] = entry["notes"] + "|v4"
            entry["tags"] = [*entry["tags"], "migrated"]
        return document

    monkeypatch.setattr(schema, "SCHEMA_VERSION", 5)
    monkeypatch.setattr(schema, "UPGRADES", {3: _upgrade_v3, 4: _upgrade_v4})

    # A schema-3 file in this implementation's own one-per-line layout must
    # still go through the chain.
    v3_text = json.dumps(_document(3, notes="n")).encode()
    _, entries = decode_payload(v3_text)
    assert calls == [("v3", 3), ("v4", 4)]
    assert entries[0].notes == "n|v3|v4"
    assert entries[0].tags == ("migrated",)

    calls.clear()
    _, entries = decode_payload(json.dumps(_document(4, notes="n")).encode())
    assert calls == [("v4", 4)]
    assert entries[0].notes == "n|v4"

    calls.clear()
    current = encode_payload(META, [make_entry("now")])
    assert current.startswith(b'{"schema":5,')
    decode_payload(current)
    assert calls == []
    with pytest.raises(UnsupportedVersion):
        decode_payload(json.dumps(_document(6)).encode())


def test_upgrade_of_the_fast_layout_with_an_older_schema(monkeypatch: pytest.MonkeyPatch) -> None:
    ran: list[int] = []

    def _upgrade_v4(document: dict[str, Any]) -> dict[str, Any]:
        ran.append(document["schema"])
        return document

    plaintext = encode_payload(META, [make_entry("x")])  # schema 4, fast layout
    monkeypatch.setattr(schema, "SCHEMA_VERSION", 5)
    monkeypatch.setattr(schema, "UPGRADES", {4: _upgrade_v4})
    _, entries = decode_payload(plaintext)
    assert ran == [4]
    assert entries[0].label == "x"


# --- bad content ----------------------------------------------------------------------


BAD_ENTRY_FIELDS = [
    ("credentials", ["apiKey"]),
    ("credentials", {"apiKey": 5}),
    ("credentials", None),
    ("permissions", "read"),
    ("permissions", ["read", "admin"]),
    ("permissions", [1]),
    ("permissions", [["read"]]),
    ("ip_whitelist", None),
    ("environment", "prod"),
    ("environment", 1),
    ("environment", ["live"]),
    ("api_url", 5),
    ("api_url", ["https://x.example"]),
    ("rotate_days", "90"),
    ("rotate_days", True),
    ("rotate_days", 1.5),
    ("rotate_days", None),
    ("created_at", "yesterday"),
    ("created_at", "2026-01-01T00:00:00"),  # no time zone
    ("created_at", "2026-01-01 00:00:00Z"),  # a space is not RFC 3339
    ("created_at", 5),
    ("created_at", None),
    ("rotated_at", ["2026-01-01T00:00:00Z"]),
    ("last_used_at", 0),
    ("label", None),
    ("label", 3),
    ("id", None),
    ("exchange", {"id": "okx"}),
    ("notes", None),
    ("tags", "a,b"),
    ("tags", [1]),
    ("max_notional", 1000),
    ("max_notional", 1000.5),
    ("max_notional", "1e3"),
    ("max_notional", "-5"),
    ("max_notional", "0"),
    ("max_notional", "NaN"),
    ("max_notional", ""),
    ("max_notional", ["100"]),
]


@pytest.mark.parametrize("layout", ["app", "indented"])
@pytest.mark.parametrize(("key", "value"), BAD_ENTRY_FIELDS,
                         ids=[f"{k}={v!r}" for k, v in BAD_ENTRY_FIELDS])
def test_bad_entry_field_types_are_damaged(key: str, value: object, layout: str) -> None:
    document = _document()
    document["entries"][0][key] = value
    if layout == "app":
        plaintext = (b'{"schema":2,"vault":' + json.dumps(document["vault"]).encode()
                     + b',"entries":[\n' + json.dumps(document["entries"][0]).encode()
                     + b"\n]}")
    else:
        plaintext = json.dumps(document, indent=1).encode()
    with pytest.raises(VaultDamaged):
        decode_payload(plaintext)


@pytest.mark.parametrize("key", schema._ENTRY_KEYS)
def test_missing_entry_key_is_damaged(key: str) -> None:
    document = _document()
    del document["entries"][0][key]
    with pytest.raises(VaultDamaged):
        decode_payload(json.dumps(document).encode())


@pytest.mark.parametrize("pretty", [False, True])
def test_two_entries_with_the_same_id_are_damaged(pretty: bool) -> None:
    """Spec 6.3: front ends find an entry by its id, so with two of them selecting one
    would show, copy, edit or delete the other."""
    document = _document()
    twin = dict(document["entries"][0], label="twin", credentials={"apiKey": "other"})
    document["entries"].append(twin)
    plaintext = json.dumps(document, indent=1 if pretty else None).encode()
    with pytest.raises(VaultDamaged, match="same id"):
        decode_payload(plaintext)
    document["entries"][1]["id"] = document["entries"][0]["id"] + " "
    assert len(decode_payload(json.dumps(document).encode())[1]) == 2  # exact comparison


def test_well_typed_but_non_canonical_content_is_accepted() -> None:
    """Spec 6.3: a reader MUST accept well-typed, non-canonical content."""
    document = _document(
        created_at="2026-01-02T04:04:05.250+01:00",
        rotated_at="2026-01-02T03:04:05+00:00",
        api_url="https://ignored.example",  # alongside environment "live"
        credentials={"apiKey": "k", "secret": "s", "futureCredential": "kept"},
        id="not-a-uuid",
    )
    document["entries"].append(dict(document["entries"][0], id="second"))  # same label
    _, entries = decode_payload(json.dumps(document).encode())
    assert len(entries) == 2
    first = entries[0]
    assert first.created_at == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)  # fraction dropped
    assert first.rotated_at == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert first.api_url is None  # ignored outside the custom environment
    assert first.credentials["futureCredential"] == "kept"
    assert first.id == "not-a-uuid"


@pytest.mark.parametrize(
    "value",
    ["9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00"],
)
def test_out_of_range_timestamp_is_damaged(value: str) -> None:
    with pytest.raises(VaultDamaged):
        decode_payload(json.dumps(_document(created_at=value)).encode())


@pytest.mark.parametrize("days", [0, -5, 3651, 10**12])
def test_rotate_days_outside_the_spec_range_is_damaged(days: int) -> None:
    """Spec section 6: rotate_days is 1 to 3650; content that does not match is damaged."""
    with pytest.raises(VaultDamaged):
        decode_payload(json.dumps(_document(rotate_days=days)).encode())


@pytest.mark.parametrize(
    "plaintext",
    [
        b"",
        b"\xff\xfe not utf-8",
        b"not json",
        b"[]",
        b'"text"',
        b"null",
        b'{"schema":1,"vault":{"id":"v","created_at":"' + TS.encode() + b'"}}',
        b'{"schema":1,"vault":{"id":"v","created_at":"' + TS.encode() + b'"},"entries":{}}',
        b'{"schema":1,"vault":[],"entries":[]}',
        b'{"schema":1,"vault":{"id":"v"},"entries":[]}',
        b'{"schema":1,"vault":{"id":"v","created_at":"' + TS.encode() + b'"},"entries":[1]}',
        b'{"schema":1,"vault":{"id":"v","created_at":"' + TS.encode()
        + b'"},"entries":[\n{not json}\n]}',
        b'{"schema":1,"vault":{"id":"v","created_at":"' + TS.encode() + b'"},"entries":[\n[]\n]}',
    ],
)
def test_malformed_payloads_are_damaged(plaintext: bytes) -> None:
    with pytest.raises(VaultDamaged):
        decode_payload(plaintext)


def test_damage_messages_do_not_quote_the_content() -> None:
    document = _document(credentials={"apiKey": "AKIA-very-secret", "secret": 7})
    with pytest.raises(VaultDamaged) as info:
        decode_payload(json.dumps(document).encode())
    assert "AKIA" not in str(info.value)


def test_a_save_writes_null_for_an_ignored_api_url() -> None:
    """Spec 6.3: a string api_url outside the custom environment reads as null, and the
    next save writes null (the entry is not re-encoded from the text that was read)."""
    document = _document(api_url="https://ignored.example", notes="kept")
    meta, entries = decode_payload(json.dumps(document).encode())
    saved = json.loads(encode_payload(meta, entries))
    assert saved["entries"][0]["api_url"] is None
    assert saved["entries"][0]["notes"] == "kept"
    assert decode_payload(json.dumps(saved).encode())[1] == entries


# --- the quick path: same result as the strict parse, or it stands aside ---------------

def _strict(plaintext: bytes) -> tuple[VaultMeta, list[KeyEntry]]:
    return schema._decode(schema._parse(plaintext))


@PROPERTY
@given(meta=META_S, entries=st.lists(ENTRY, max_size=4), indent=st.sampled_from([None, 1]))
def test_the_quick_path_returns_what_the_strict_path_returns(
    meta: VaultMeta, entries: list[KeyEntry], indent: int | None
) -> None:
    plaintext = encode_payload(meta, entries)
    relaid = json.dumps(json.loads(plaintext), indent=indent).encode()
    for text in (plaintext, relaid):
        quick = schema._decode_quickly(text)
        if quick is not None:
            assert_same(quick, *_strict(text))


def test_the_quick_path_takes_what_this_app_writes() -> None:
    entries = [make_entry("a", notes="line\nbreak"), make_entry("b", exchange="binance")]
    plaintext = encode_payload(META, entries)
    quick = schema._decode_quickly(plaintext)
    assert quick is not None
    assert_same(quick, META, entries)


def test_an_escaped_quote_takes_the_strict_path() -> None:
    entries = [make_entry('say "hi"')]
    plaintext = encode_payload(META, entries)
    assert schema._decode_quickly(plaintext) is None
    assert_same(decode_payload(plaintext), META, entries)


DUPLICATES = {
    "entry member": (b'"label":', b'"label":"first","label":'),
    "credential": (b'"credentials":{', b'"credentials":{"apiKey":"x",'),
    "vault member": (b'"vault":{', b'"vault":{"id":"first",'),
    "top-level member": (b'{"schema":4,', b'{"schema":4,"schema":4,'),
    "unknown member": (b'"tags":', b'"x":{"a":1,"a":2},"tags":'),
    "unknown member, same value": (b'"tags":', b'"x":{"a":"v","a":"v"},"tags":'),
    "numbers only": (b'"tags":', b'"x":[{"n":1,"n":1}],"tags":'),
}


@pytest.mark.parametrize(("old", "new"), DUPLICATES.values(), ids=DUPLICATES.keys())
def test_a_duplicate_name_anywhere_is_damaged(old: bytes, new: bytes) -> None:
    plaintext = encode_payload(META, [make_entry("a", exchange="binance",
                                                  credentials={"apiKey": "k", "secret": "s"})])
    assert old in plaintext
    hostile = plaintext.replace(old, new, 1)
    assert schema._decode_quickly(hostile) is None
    with pytest.raises(VaultDamaged, match="two members with the same name"):
        decode_payload(hostile)


# --- entries_text: the first save writes the entries' text as read --------------------

@PROPERTY
@given(meta=META_S, entries=st.lists(ENTRY, min_size=1, max_size=4, unique_by=lambda e: e.id),
       new=ENTRY)
def test_reusing_the_entries_text_writes_what_encoding_writes(
    meta: VaultMeta, entries: list[KeyEntry], new: KeyEntry
) -> None:
    assume(all(entry.id != new.id for entry in entries))  # ids are unique (spec 6.3)
    plaintext = encode_payload(meta, entries)
    got_meta, got = decode_payload(plaintext)
    block = schema.entries_text(plaintext, got_meta, got)
    if any(e.source is None for e in got):  # normalised while decoding: written anew
        assert block is None
        return
    assert block is not None
    for added in ([new], []):
        fresh_meta, fresh = decode_payload(plaintext)  # encoded entry by entry
        assert encode_payload(got_meta, [*got, *added], block) == \
            encode_payload(fresh_meta, [*fresh, *added])


def _one_entry_payload() -> tuple[bytes, VaultMeta, list[KeyEntry]]:
    plaintext = encode_payload(META, [make_entry("a"), make_entry("b", exchange="binance")])
    meta, entries = decode_payload(plaintext)
    return plaintext, meta, entries


def test_the_entries_text_is_exactly_the_inside_of_the_array() -> None:
    plaintext, meta, entries = _one_entry_payload()
    block = schema.entries_text(plaintext, meta, entries)
    assert block is not None and block.entries == tuple(entries)
    assert json.loads(b"[" + block.text + b"]") == json.loads(plaintext)["entries"]
    assert plaintext.endswith(b"[\n" + block.text + b"\n]}")


HOSTILE_LAYOUTS = {
    "a member after entries": lambda p: p[:-1] + b',"zz":[1]}',
    "an unknown member before vault": lambda p: p.replace(b'{"schema":4,',
                                                          b'{"schema":4,"zz":[1],', 1),
    "pretty printed": lambda p: json.dumps(json.loads(p), indent=1).encode(),
    "trailing white space": lambda p: p + b"\n",
    "a non-canonical vault timestamp": lambda p: p.replace(b'03:04:05Z"', b'03:04:05z"', 1),
}


@pytest.mark.parametrize("relay", HOSTILE_LAYOUTS.values(), ids=HOSTILE_LAYOUTS.keys())
def test_no_entries_text_unless_the_array_is_found_exactly(
    relay: Callable[[bytes], bytes]
) -> None:
    plaintext = relay(_one_entry_payload()[0])
    meta, entries = decode_payload(plaintext)
    assert schema.entries_text(plaintext, meta, entries) is None


def test_no_entries_text_for_an_entry_normalised_while_decoding() -> None:
    plaintext = encode_payload(META, [make_entry("a")]).replace(
        b'"api_url":null', b'"api_url":"https://x.example"')
    meta, entries = decode_payload(plaintext)
    assert entries[0].api_url is None
    assert schema.entries_text(plaintext, meta, entries) is None


def test_an_edited_entry_is_encoded_not_taken_from_the_text() -> None:
    plaintext, meta, entries = _one_entry_payload()
    block = schema.entries_text(plaintext, meta, entries)
    assert block is not None
    edited = [replace(entries[0], notes="changed"), entries[1]]
    assert not block.starts(edited)
    assert decode_payload(encode_payload(meta, edited, block))[1] == edited
