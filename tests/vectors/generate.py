"""Regenerate the test vectors of docs/vault-format.md, section 8.

    .venv/bin/python tests/vectors/generate.py [OUTDIR]

writes one ``NAME.vector`` per scenario into OUTDIR (default: this folder) and
removes any other ``*.vector`` file there. The output is deterministic: every
salt, data key and nonce is derived from the scenario's name instead of being
random, and every timestamp and id is fixed, so running it twice gives
byte-identical files. ``test_vectors.py`` checks that the committed files are
exactly what this script writes.

The bytes are built with the real building blocks of ``vault_app.core``
(``vault_format``, ``crypto``, ``kdf``, ``schema``); the tampered scenarios
then patch them by hand. The KDF parameters are tiny so the vectors verify fast.
"""

from __future__ import annotations

import base64
import hashlib
import json
import struct
import sys
import unicodedata
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from argon2.low_level import Type, hash_secret_raw
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from vault_app.core import crypto, kdf, schema, vault_format
from vault_app.core.backup_section import BackupSection
from vault_app.core.exchanges import load_catalog
from vault_app.core.kdf import KdfParams
from vault_app.core.model import KeyEntry, new_entry
from vault_app.core.vault_format import KeySlot

PASSWORD = "correct horse battery staple"
KDF = KdfParams(memory_kib=64, iterations=1, parallelism=1)
NOW = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)
LATER = datetime(2026, 11, 22, 18, 5, 7, tzinfo=UTC)
CHECKSUM = 32

# Byte offsets of the fixed fields (spec section 2).
VERSION_AT, KDF_ID_AT, SALT_LEN_AT, MEMORY_AT, ITERATIONS_AT, PARALLELISM_AT = 8, 10, 11, 12, 16, 20
SALT_AT = 24


def payload_len_at(salt_len: int) -> int:
    return 96 + salt_len


def header_len(salt_len: int) -> int:
    return 104 + salt_len


# --- deterministic "randomness" ---------------------------------------------------


def det(name: str, purpose: str, size: int) -> bytes:
    """``size`` bytes that depend only on the scenario name and their purpose."""
    return hashlib.shake_256(f"vault-app test vector/{name}/{purpose}".encode()).digest(size)


def det_uuid(name: str, purpose: str) -> str:
    return str(uuid.UUID(bytes=det(name, purpose, 16), version=4))


# --- building files -------------------------------------------------------------------


_PLAINTEXTS: dict[str, bytes] = {}  # scenario name -> the last plaintext sealed for it


def seal(name: str, plaintext: bytes, password: str = PASSWORD, params: KdfParams = KDF,
         salt_len: int = vault_format.SALT_LENGTH) -> bytes:
    """A complete, valid vault file, as ``envelope.seal`` would write it, minus the randomness."""
    salt = det(name, "salt", salt_len)
    dek = det(name, "dek", crypto.KEY_LENGTH)
    wrap_nonce = det(name, "wrap nonce", crypto.NONCE_LENGTH)
    payload_nonce = det(name, "payload nonce", crypto.NONCE_LENGTH)
    kek = kdf.derive_kek(password, salt, params)
    _PLAINTEXTS[name] = plaintext
    wrapped = crypto.wrap_dek(kek, dek, wrap_nonce, vault_format.kdf_header(params, salt))
    slot = KeySlot(kdf=params, salt=salt, wrap_nonce=wrap_nonce, wrapped_dek=wrapped)
    header = vault_format.build_header(slot, payload_nonce, len(plaintext) + crypto.TAG_LENGTH)
    return vault_format.assemble(header, crypto.seal_payload(dek, payload_nonce, plaintext, header))


def patch(data: bytes, offset: int, new: bytes) -> bytes:
    assert offset + len(new) <= len(data)
    return data[:offset] + new + data[offset + len(new):]


def flip(data: bytes, offset: int) -> bytes:
    return patch(data, offset, bytes([data[offset] ^ 0x01]))


def rechecksum(data: bytes) -> bytes:
    """Replace the trailing checksum with the SHA-256 of everything before it."""
    body = data[:-CHECKSUM]
    return body + hashlib.sha256(body).digest()


def u8(value: int) -> bytes:
    return struct.pack(">B", value)


def u16(value: int) -> bytes:
    return struct.pack(">H", value)


def u32(value: int) -> bytes:
    return struct.pack(">I", value)


def u64(value: int) -> bytes:
    return struct.pack(">Q", value)


# --- payloads ---------------------------------------------------------------------------


def meta_of(name: str) -> schema.VaultMeta:
    return schema.VaultMeta(id=det_uuid(name, "vault id"), created_at=NOW,
                            journal_key=det(name, "journal key", 32))


def pem_secret(name: str) -> str:
    key = Ed25519PrivateKey.from_private_bytes(det(name, "ed25519", 32))
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode("ascii")


def sample_entries(name: str) -> list[KeyEntry]:
    """Three validated entries: unicode label, okx passphrase, multi-line PEM, custom URL."""
    catalog = load_catalog()
    entries = [
        new_entry(
            label="OKX 主账户 – trading", exchange="okx", catalog=catalog,
            credentials={"apiKey": "okx-api-key-0001", "secret": "okx-secret-0001",
                         "password": "okx passphrase with spaces"},
            permissions=("read", "trade"), ip_whitelist=("203.0.113.7",),
            max_notional="2500.5", now=NOW,
        ),
        new_entry(
            label="Binance Ed25519 (PEM)", exchange="binance", catalog=catalog,
            credentials={"apiKey": "binance-ed25519-key", "secret": pem_secret(name)},
            environment="sandbox", tags=("pem", "sandbox"), now=NOW,
        ),
        new_entry(
            label="Kraken café ☕ custom", exchange="kraken", catalog=catalog,
            credentials={"apiKey": "kraken-key", "secret": "a3Jha2VuLXNlY3JldA=="},
            environment="custom", api_url="https://api.example.test/v0",
            ip_whitelist=("198.51.100.0/24", "2001:db8::/32"), rotate_days=30,
            notes="line one\nline two with \"quotes\" and \\ backslash", tags=("ops",),
            now=NOW,
        ),
    ]
    entries = [replace(entry, id=det_uuid(name, f"entry {index}"))
               for index, entry in enumerate(entries)]
    entries[2] = replace(entries[2], last_used_at=LATER)
    assert "\n" in entries[1].credentials["secret"]
    return entries


def app_payload(name: str, entries: list[KeyEntry] | None = None) -> bytes:
    """The payload exactly as this implementation lays it out (spec 6.5)."""
    return schema.encode_payload(meta_of(name), entries if entries is not None else [])


def document(name: str, entries: list[KeyEntry]) -> dict[str, object]:
    return json.loads(app_payload(name, entries))


def schema_3(doc: dict[str, Any]) -> dict[str, Any]:
    """``doc`` (schema 4) as a schema-3 writer wrote it: no history_days, no
    credential_history, no verification."""
    doc["schema"] = 3
    del doc["vault"]["history_days"]
    for entry in doc["entries"]:
        del entry["credential_history"], entry["verification"]
    return doc


def schema_2(doc: dict[str, Any]) -> dict[str, Any]:
    """``doc`` (schema 4) as a schema-2 writer wrote it: no keep_versions, no updated_at."""
    doc = schema_3(doc)
    doc["schema"] = 2
    del doc["vault"]["keep_versions"]
    for entry in doc["entries"]:
        del entry["updated_at"]
    return doc


def schema_1(doc: dict[str, Any]) -> dict[str, Any]:
    """``doc`` (schema 3) as a schema-1 writer wrote it: none of schema 2's and 3's members
    (journal_key, max_notional, keep_versions, updated_at)."""
    doc = schema_2(doc)
    doc["schema"] = 1
    del doc["vault"]["journal_key"]
    for entry in doc["entries"]:
        del entry["max_notional"]
    return doc


def app_layout(head: dict[str, object], entry_lines: list[bytes]) -> bytes:
    """Hand-made text in our one-entry-per-line layout, with arbitrary entry lines."""
    return (json.dumps(head, separators=(",", ":")).encode()[:-1] + b',"entries":[\n'
            + b"".join(entry_lines) + b"]}")


def entry_json(entry: KeyEntry) -> bytes:
    return json.dumps(schema.entry_to_dict(entry), ensure_ascii=False,
                      separators=(",", ":")).encode()


# --- scenarios --------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    name: str
    expect: str
    comment: str
    build: Callable[[str], bytes]
    password: str = PASSWORD


SCENARIOS: list[Scenario] = []


def scenario(expect: str, comment: str, password: str = PASSWORD
             ) -> Callable[[Callable[[str], bytes]], Callable[[str], bytes]]:
    def register(build: Callable[[str], bytes]) -> Callable[[str], bytes]:
        name = build.__name__.removeprefix("v_").replace("_", "-")
        SCENARIOS.append(Scenario(name, expect, comment, build, password))
        return build

    return register


def good(name: str) -> bytes:
    """A valid vault with one entry, the base of the tampered scenarios."""
    return seal(name, app_payload(name, sample_entries(name)[:1]))


def good_len(data: bytes, salt_len: int = vault_format.SALT_LENGTH) -> int:
    return len(data) - header_len(salt_len) - CHECKSUM


# success


@scenario("success", "an empty vault, as written by this implementation")
def v_success_empty(name: str) -> bytes:
    return seal(name, app_payload(name))


@scenario("success", "three entries: unicode label, okx passphrase, multi-line PEM secret, "
                     "custom api_url with IPv4/IPv6 whitelist, notes, tags, last_used_at")
def v_success_entries(name: str) -> bytes:
    return seal(name, app_payload(name, sample_entries(name)))


@scenario("success", "the same content pretty-printed with indent=2: any valid JSON is a "
                     "valid payload (spec 6.5)")
def v_success_pretty_printed(name: str) -> bytes:
    text = json.dumps(document(name, sample_entries(name)), ensure_ascii=False, indent=2)
    return seal(name, text.encode("utf-8"))


@scenario("success", "two entries on one line between our head and tail lines: still valid "
                     "JSON, so still a valid payload (spec 6.5)")
def v_success_two_entries_on_one_line(name: str) -> bytes:
    entries = sample_entries(name)[:2]
    head = {"schema": schema.SCHEMA_VERSION, "vault": document(name, [])["vault"]}
    return seal(name, app_layout(head, [entry_json(entries[0]) + b"," + entry_json(entries[1])
                                        + b"\n"]))


_NFC = "Pässwörd café ñandú Å"
_NFD = unicodedata.normalize("NFD", _NFC)
assert _NFD != _NFC and unicodedata.normalize("NFC", _NFD) == _NFC


@scenario("success", "password given in NFD form; the key was derived from its NFC form "
                     "(spec section 3)", password=_NFD)
def v_success_password_nfc(name: str) -> bytes:
    return seal(name, app_payload(name, sample_entries(name)[:1]), password=_NFC)


@scenario("success", "salt_len 16 (the minimum) and m = 8 * p exactly (m=16, t=2, p=2)")
def v_success_salt_16(name: str) -> bytes:
    return seal(name, app_payload(name), params=KdfParams(16, 2, 2), salt_len=16)


@scenario("success", "salt_len 64 (the maximum) and p=16, t=16, m=128: every KDF cap "
                     "reachable cheaply is at its limit")
def v_success_salt_64_kdf_at_caps(name: str) -> bytes:
    return seal(name, app_payload(name), params=KdfParams(128, 16, 16), salt_len=64)


@scenario("success", "an entry key and a vault key this release does not know "
                     "(readers must accept and preserve them, spec 6.2)")
def v_success_unknown_keys(name: str) -> bytes:
    doc = document(name, sample_entries(name)[:1])
    doc["vault"]["future_vault_field"] = {"nested": [1, 2, 3]}  # type: ignore[index]
    doc["entries"][0]["future_entry_field"] = "kept"  # type: ignore[index]
    return seal(name, json.dumps(doc).encode())


# wrong password


@scenario("wrong password", "a valid vault tried with a different password",
          password=PASSWORD + "!")
def v_wrong_password(name: str) -> bytes:
    return good(name)


@scenario("wrong password", "password in NFD form, but the key was derived from the NFD "
                            "bytes without normalising: a writer bug, read as wrong password",
          password=_NFD)
def v_wrong_password_key_from_unnormalised(name: str) -> bytes:
    data = seal(name, app_payload(name), password="placeholder")
    # Re-wrap the DEK under a KEK from the raw NFD bytes, bypassing normalisation.
    salt = data[SALT_AT:SALT_AT + 32]
    kek = hash_secret_raw(_NFD.encode(), salt, KDF.iterations, KDF.memory_kib,
                          KDF.parallelism, 32, Type.ID, 0x13)
    wrap_nonce = det(name, "wrap nonce", 12)
    wrapped = crypto.wrap_dek(kek, det(name, "dek", 32), wrap_nonce, data[:SALT_AT + 32])
    return rechecksum(patch(data, SALT_AT + 32 + 12, wrapped))


@scenario("wrong password", "the salt was changed and the checksum recomputed: the one "
                            "deliberate change that reads as a wrong password (section 5)")
def v_wrong_password_salt_altered(name: str) -> bytes:
    return rechecksum(flip(good(name), SALT_AT + 3))


@scenario("wrong password", "wrong password on a file whose payload was also altered with the "
                            "checksum recomputed: the DEK unwrap (check 10) fails first",
          password="not the password")
def v_wrong_password_before_payload_check(name: str) -> bytes:
    data = good(name)
    return rechecksum(flip(data, header_len(32) + 5))


# damaged


@scenario("damaged", "one bit of the header (kdf_iterations) flipped; the checksum catches it")
def v_damaged_header_byte_flipped(name: str) -> bytes:
    return flip(good(name), ITERATIONS_AT + 3)


@scenario("damaged", "one bit of the salt flipped, checksum not recomputed: damaged, never "
                     "wrong password")
def v_damaged_salt_byte_flipped(name: str) -> bytes:
    return flip(good(name), SALT_AT)


@scenario("damaged", "one bit of the payload ciphertext flipped; the checksum catches it")
def v_damaged_payload_byte_flipped(name: str) -> bytes:
    return flip(good(name), header_len(32) + 10)


@scenario("damaged", "one bit of the checksum itself flipped")
def v_damaged_checksum_byte_flipped(name: str) -> bytes:
    data = good(name)
    return flip(data, len(data) - 1)


@scenario("damaged", "the last 100 bytes are missing")
def v_damaged_truncated(name: str) -> bytes:
    return good(name)[:-100]


@scenario("damaged", "only the first 41 bytes are left: magic, but too short for version and "
                     "checksum (check 3)")
def v_damaged_truncated_to_41_bytes(name: str) -> bytes:
    return good(name)[:41]


@scenario("damaged", "only 5 bytes left, a prefix of the magic (check 1)")
def v_damaged_truncated_to_magic_prefix(name: str) -> bytes:
    return good(name)[:5]


@scenario("damaged", "an empty file: the empty string is a prefix of the magic (check 1)")
def v_damaged_empty_file(name: str) -> bytes:
    return b""


@scenario("damaged", "payload altered and the checksum recomputed: the payload GCM tag fails "
                     "(check 11)")
def v_damaged_payload_altered_checksum_recomputed(name: str) -> bytes:
    data = good(name)
    return rechecksum(flip(data, header_len(32) + 10))


@scenario("damaged", "payload_nonce altered and the checksum recomputed: the payload GCM tag "
                     "fails (check 11)")
def v_damaged_payload_nonce_altered(name: str) -> bytes:
    return rechecksum(flip(good(name), 84 + 32))


@scenario("wrong password", "wrapped_dek altered and the checksum recomputed: its GCM tag "
                            "fails, which check 10 reports as wrong password")
def v_wrong_password_wrapped_dek_altered(name: str) -> bytes:
    return rechecksum(flip(good(name), 36 + 32 + 4))


@scenario("damaged", "salt_len 15, below the minimum, with a valid checksum (check 6)")
def v_damaged_salt_len_15(name: str) -> bytes:
    return rechecksum(patch(good(name), SALT_LEN_AT, u8(15)))


@scenario("damaged", "salt_len 65, above the maximum, with a valid checksum (check 6)")
def v_damaged_salt_len_65(name: str) -> bytes:
    return rechecksum(patch(good(name), SALT_LEN_AT, u8(65)))


@scenario("damaged", "salt_len 0 and kdf memory over the cap, valid checksum: the header "
                     "check (6) comes before the KDF caps (8)")
def v_damaged_salt_len_before_kdf_caps(name: str) -> bytes:
    data = patch(good(name), SALT_LEN_AT, u8(0))
    return rechecksum(patch(data, MEMORY_AT, u32(kdf.MAX_MEMORY_KIB + 1)))


@scenario("damaged", "the file ends inside the header (100 bytes + a valid checksum), "
                     "shorter than 136 + S (check 6)")
def v_damaged_shorter_than_header(name: str) -> bytes:
    return rechecksum(good(name)[:100] + bytes(CHECKSUM))


@scenario("damaged", "payload_len one more than the bytes present, valid checksum (check 9)")
def v_damaged_payload_len_too_long(name: str) -> bytes:
    data = good(name)
    return rechecksum(patch(data, payload_len_at(32), u64(good_len(data) + 1)))


@scenario("damaged", "payload_len one less than the bytes present, valid checksum (check 9)")
def v_damaged_payload_len_too_short(name: str) -> bytes:
    data = good(name)
    return rechecksum(patch(data, payload_len_at(32), u64(good_len(data) - 1)))


@scenario("damaged", "payload_len 2**64-1, valid checksum (check 9)")
def v_damaged_payload_len_huge(name: str) -> bytes:
    return rechecksum(patch(good(name), payload_len_at(32), u64(2**64 - 1)))


@scenario("damaged", "payload_len 15, consistent with the file length but shorter than a GCM "
                     "tag (check 9)")
def v_damaged_payload_len_below_tag(name: str) -> bytes:
    data = good(name)
    header = patch(data[:header_len(32)], payload_len_at(32), u64(15))
    return vault_format.assemble(header, det(name, "ciphertext", 15))


@scenario("damaged", "the payload decrypts but is not JSON (check 12)")
def v_damaged_payload_not_json(name: str) -> bytes:
    return seal(name, b"this is not JSON")


@scenario("damaged", "the payload decrypts to JSON with a byte that is not UTF-8 (check 12)")
def v_damaged_payload_not_utf8(name: str) -> bytes:
    text = json.dumps(document(name, sample_entries(name)[:1]), indent=1).encode()
    return seal(name, text.replace(b"OKX", b"OK\xff", 1))


@scenario("damaged", "our one-entry-per-line layout, but an entry contains the bytes ED A0 80 "
                     "(an encoded UTF-16 surrogate), which is not UTF-8 (check 12)")
def v_damaged_payload_surrogate_in_app_layout(name: str) -> bytes:
    entry = sample_entries(name)[0]
    head = {"schema": schema.SCHEMA_VERSION, "vault": document(name, [])["vault"]}
    line = entry_json(replace(entry, notes="SURROGATE")).replace(b"SURROGATE", b"\xed\xa0\x80")
    return seal(name, app_layout(head, [line + b"\n"]))


@scenario("damaged", "our one-entry-per-line layout with ',,' after the first entry: not "
                     "valid JSON (check 12)")
def v_damaged_payload_double_comma(name: str) -> bytes:
    entries = sample_entries(name)[:2]
    head = {"schema": schema.SCHEMA_VERSION, "vault": document(name, [])["vault"]}
    return seal(name, app_layout(head, [entry_json(entries[0]) + b",,\n",
                                        entry_json(entries[1]) + b"\n"]))


@scenario("damaged", "the payload JSON has no schema (check 12)")
def v_damaged_payload_no_schema(name: str) -> bytes:
    doc = document(name, [])
    del doc["schema"]
    return seal(name, json.dumps(doc).encode())


@scenario("damaged", "\"schema\": true in our one-entry-per-line layout: not a schema "
                     "version (check 12)")
def v_damaged_payload_schema_true(name: str) -> bytes:
    head = {"schema": True, "vault": document(name, [])["vault"]}
    return seal(name, app_layout(head, [entry_json(sample_entries(name)[0]) + b"\n"]))


@scenario("damaged", "format_version 2 but the checksum is wrong: the checksum (check 4) comes "
                     "before the version (check 5)")
def v_damaged_checksum_before_version(name: str) -> bytes:
    return patch(good(name), VERSION_AT, u16(2))


# not a vault file


@scenario("not a vault file", "a valid vault whose magic was changed to VAULTAPQ (check 2 "
                              "comes before the checksum)")
def v_not_a_vault_file_bad_magic(name: str) -> bytes:
    return patch(good(name), 0, b"VAULTAPQ")


@scenario("not a vault file", "a PNG file signature followed by junk")
def v_not_a_vault_file_png(name: str) -> bytes:
    return b"\x89PNG\r\n\x1a\n" + det(name, "junk", 200)


@scenario("not a vault file", "5 bytes that are not a prefix of the magic (check 1)")
def v_not_a_vault_file_short(name: str) -> bytes:
    return b"hello"


# unsupported version


@scenario("unsupported version", "format_version 2 with a valid checksum (check 5)")
def v_unsupported_format_version_2(name: str) -> bytes:
    return rechecksum(patch(good(name), VERSION_AT, u16(2)))


@scenario("unsupported version", "format_version 0xFFFF and salt_len 0 with a valid checksum: "
                                 "the version (check 5) comes before the header (check 6)")
def v_unsupported_format_version_before_header(name: str) -> bytes:
    data = patch(good(name), VERSION_AT, u16(0xFFFF))
    return rechecksum(patch(data, SALT_LEN_AT, u8(0)))


@scenario("unsupported version", "kdf_id 2 (unknown KDF) with a valid checksum (check 7)")
def v_unsupported_kdf_id(name: str) -> bytes:
    return rechecksum(patch(good(name), KDF_ID_AT, u8(2)))


@scenario("unsupported version", "kdf_id 0 and kdf parallelism over the cap: the KDF id "
                                 "(check 7) comes before the caps (check 8)")
def v_unsupported_kdf_id_before_caps(name: str) -> bytes:
    data = patch(good(name), KDF_ID_AT, u8(0))
    return rechecksum(patch(data, PARALLELISM_AT, u32(kdf.MAX_PARALLELISM + 1)))


@scenario("unsupported version", "a valid file whose payload has schema 5, newer than schema 4 "
                                 "(check 12)")
def v_unsupported_payload_schema_5(name: str) -> bytes:
    return seal(name, app_payload(name, sample_entries(name)[:1]).replace(
        b'{"schema":4,', b'{"schema":5,', 1))


@scenario("unsupported version", "payload schema 99 whose content does not match schema 4 "
                                 "(no 'entries'): the schema is checked before the content")
def v_unsupported_payload_schema_99_new_content(name: str) -> bytes:
    doc = {"schema": 99, "vault": document(name, [])["vault"], "keyrings": {"default": []}}
    return seal(name, json.dumps(doc).encode())


# kdf params out of range (checked before the KDF runs)


def _kdf_patched(name: str, m: int, t: int, p: int) -> bytes:
    data = patch(good(name), MEMORY_AT, u32(m) + u32(t) + u32(p))
    return rechecksum(data)


@scenario("kdf params out of range", "kdf_memory_kib 4 GiB + 1 KiB, valid checksum")
def v_kdf_memory_over_cap(name: str) -> bytes:
    return _kdf_patched(name, kdf.MAX_MEMORY_KIB + 1, 1, 1)


@scenario("kdf params out of range", "kdf_memory_kib 2**32-1, valid checksum")
def v_kdf_memory_max_u32(name: str) -> bytes:
    return _kdf_patched(name, 2**32 - 1, 1, 1)


@scenario("kdf params out of range", "kdf_iterations 17, valid checksum")
def v_kdf_iterations_over_cap(name: str) -> bytes:
    return _kdf_patched(name, 64, kdf.MAX_ITERATIONS + 1, 1)


@scenario("kdf params out of range", "kdf_iterations 2**32-1, valid checksum")
def v_kdf_iterations_max_u32(name: str) -> bytes:
    return _kdf_patched(name, 64, 2**32 - 1, 1)


@scenario("kdf params out of range", "kdf_parallelism 17 (memory 200 KiB >= 8 * p), "
                                     "valid checksum")
def v_kdf_parallelism_over_cap(name: str) -> bytes:
    return _kdf_patched(name, 200, 1, kdf.MAX_PARALLELISM + 1)


@scenario("kdf params out of range", "kdf_iterations 0, valid checksum")
def v_kdf_iterations_zero(name: str) -> bytes:
    return _kdf_patched(name, 64, 0, 1)


@scenario("kdf params out of range", "kdf_parallelism 0, valid checksum")
def v_kdf_parallelism_zero(name: str) -> bytes:
    return _kdf_patched(name, 64, 1, 0)


@scenario("kdf params out of range", "kdf_memory_kib 15 with p=2, below 8 * p, valid checksum")
def v_kdf_memory_below_8p(name: str) -> bytes:
    return _kdf_patched(name, 15, 1, 2)


@scenario("kdf params out of range", "kdf memory over the cap and payload_len wrong, valid "
                                     "checksum: the caps (check 8) come before lengths (9)")
def v_kdf_caps_before_length(name: str) -> bytes:
    data = patch(good(name), payload_len_at(32), u64(1))
    return rechecksum(patch(data, MEMORY_AT, u32(kdf.MAX_MEMORY_KIB + 1)))


# payload content (checks 12 and 13, spec section 6): one rule per vector

RAW = "@@raw@@"  # a placeholder string, replaced by raw JSON text after encoding


def content(name: str, edit: Callable[[dict[str, Any]], object] | None = None,
            raw: bytes | None = None, prefix: bytes = b"") -> bytes:
    """Our three sample entries (live okx, sandbox binance, custom kraken), compact JSON,
    edited by ``edit``; then every "@@raw@@" string is replaced by ``raw``."""
    doc = document(name, sample_entries(name))
    if edit is not None:
        edit(doc)
    text = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    if raw is not None:
        assert f'"{RAW}"'.encode() in text
        text = text.replace(f'"{RAW}"'.encode(), raw)
    return seal(name, prefix + text)


def entry_set(index: int, **changes: object) -> Callable[[dict[str, Any]], object]:
    return lambda doc: doc["entries"][index].update(changes)


def top_set(**changes: object) -> Callable[[dict[str, Any]], object]:
    return lambda doc: doc.update(changes)


def vault_set(**changes: object) -> Callable[[dict[str, Any]], object]:
    return lambda doc: doc["vault"].update(changes)


def nested(depth: int) -> bytes:
    """An unknown entry member whose value brings the document to ``depth`` (spec 6.1):
    the entry is at depth 3, its members at 4."""
    arrays = depth - 3
    return b"[" * arrays + b"]" * arrays


# check 12: JSON as spec 6.1 restricts it


@scenario("damaged", "a UTF-8 byte order mark before the JSON text (spec 6.1, check 12)")
def v_damaged_content_bom(name: str) -> bytes:
    return content(name, prefix=b"\xef\xbb\xbf")


@scenario("damaged", "NaN as the value of an unknown entry member: not JSON (spec 6.1, "
                     "check 12)")
def v_damaged_content_nan(name: str) -> bytes:
    return content(name, entry_set(0, future=RAW), raw=b"NaN")


@scenario("damaged", "Infinity as the value of an unknown vault member (spec 6.1, check 12)")
def v_damaged_content_infinity(name: str) -> bytes:
    return content(name, vault_set(future=RAW), raw=b"Infinity")


@scenario("damaged", "-Infinity as the value of an unknown top-level member (spec 6.1, "
                     "check 12)")
def v_damaged_content_minus_infinity(name: str) -> bytes:
    return content(name, top_set(future=RAW), raw=b"-Infinity")


@scenario("damaged", "a label holding the escape \\ud800, a lone high surrogate (spec 6.1, "
                     "check 12)")
def v_damaged_content_lone_surrogate_in_label(name: str) -> bytes:
    return content(name, entry_set(0, label=RAW), raw=b'"OKX \\ud800 main"')


@scenario("damaged", "vault.id ending with the escape \\udc00, a lone low surrogate "
                     "(spec 6.1, check 12)")
def v_damaged_content_lone_low_surrogate_in_vault(name: str) -> bytes:
    return content(name, vault_set(id=RAW), raw=b'"vault-\\udc00"')


@scenario("damaged", "a high surrogate escape followed by a non-surrogate escape "
                     "\\ud83d\\u0041 in notes (spec 6.1, check 12)")
def v_damaged_content_unpaired_surrogate_in_notes(name: str) -> bytes:
    return content(name, entry_set(1, notes=RAW), raw=b'"\\ud83d\\u0041"')


@scenario("damaged", "an entry with two members named label (spec 6.1, check 12)")
def v_damaged_content_duplicate_entry_member(name: str) -> bytes:
    return content(name, entry_set(0, label=RAW), raw=b'"first","label":"second"')


@scenario("damaged", "two top-level members named entries, the first one empty "
                     "(spec 6.1, check 12)")
def v_damaged_content_duplicate_entries(name: str) -> bytes:
    return content(name, vault_set(future=RAW), raw=b'1},"entries":[],"x":{"y":1')


@scenario("damaged", "100,000 nested arrays in an unknown entry member (spec 6.1, check 12)")
def v_damaged_content_nesting_100000(name: str) -> bytes:
    return content(name, entry_set(0, future=RAW), raw=nested(100_003))


@scenario("damaged", "an unknown entry member nested to depth 65, one past the limit "
                     "(spec 6.1, check 12)")
def v_damaged_content_nesting_65(name: str) -> bytes:
    return content(name, entry_set(0, future=RAW), raw=nested(65))


@scenario("success", "an unknown entry member nested to depth 64, the limit (spec 6.1)")
def v_success_content_nesting_64(name: str) -> bytes:
    return content(name, entry_set(0, future=RAW), raw=nested(64))


@scenario("damaged", "a 65-digit integer in an unknown member: number tokens have at most "
                     "64 characters (spec 6.1, check 12)")
def v_damaged_content_number_65_chars(name: str) -> bytes:
    return content(name, entry_set(0, future=RAW), raw=b"9" * 65)


@scenario("success", "a 64-digit integer and -0 in an unknown member, kept as they are "
                     "(spec 6.1)")
def v_success_content_number_64_chars(name: str) -> bytes:
    return content(name, entry_set(0, future=RAW), raw=b"[" + b"9" * 64 + b",-0,0.5,1e300]")


@scenario("damaged", "1e400 in an unknown member: not finite as a double (spec 6.1, check 12)")
def v_damaged_content_number_1e400(name: str) -> bytes:
    return content(name, vault_set(future=RAW), raw=b"1e400")


@scenario("damaged", "\"schema\": 1e0 is not a JSON integer (spec 6.1, check 12)")
def v_damaged_content_schema_1e0(name: str) -> bytes:
    return content(name, top_set(schema=RAW), raw=b"1e0")


@scenario("damaged", "\"schema\": -0 is the JSON integer 0, below 1 (spec 6.1, check 12)")
def v_damaged_content_schema_minus_0(name: str) -> bytes:
    return content(name, top_set(schema=RAW), raw=b"-0")


@scenario("damaged", "payload schema 5 holding NaN: newer content is still JSON as spec 6.1 "
                     "restricts it (check 12)")
def v_damaged_content_schema_5_with_nan(name: str) -> bytes:
    return content(name, top_set(schema=5, future=RAW), raw=b"NaN")


@scenario("unsupported version", "payload schema 5 with content that breaks schema 4 "
                                 "(rotate_days 0, max_notional \"0\", keep_versions -1, no "
                                 "updated_at): check 12 stops before check 13")
def v_unsupported_content_schema_5_not_schema_4(name: str) -> bytes:
    return content(name, lambda doc: (doc.update(schema=5),
                                      doc["vault"].update(keep_versions=-1),
                                      doc["entries"][0].pop("updated_at"),
                                      doc["entries"][0].update(rotate_days=0, max_notional="0")))


# check 13: content as spec 6.2 and 6.3 require


@scenario("damaged", "entries is an object, not an array (spec 6.3, check 13)")
def v_damaged_content_entries_not_array(name: str) -> bytes:
    return content(name, lambda doc: doc.update(entries={"0": doc["entries"][0]}))


@scenario("damaged", "no entries member at all (spec 6.2, check 13)")
def v_damaged_content_entries_missing(name: str) -> bytes:
    return content(name, lambda doc: doc.pop("entries"))


@scenario("damaged", "an entry that is an array (spec 6.3, check 13)")
def v_damaged_content_entry_not_object(name: str) -> bytes:
    return content(name, lambda doc: doc["entries"].append([]))


@scenario("damaged", "vault is an array (spec 6.3, check 13)")
def v_damaged_content_vault_not_object(name: str) -> bytes:
    return content(name, top_set(vault=[]))


@scenario("damaged", "vault.id is the number 42, not a string (spec 6.3, check 13)")
def v_damaged_content_vault_id_not_string(name: str) -> bytes:
    return content(name, vault_set(id=42))


@scenario("success", "vault.id and an entry id that are not UUIDs: any string (spec 6.2)")
def v_success_content_ids_not_uuid(name: str) -> bytes:
    return content(name, lambda doc: (doc["vault"].update(id="my vault"),
                                      doc["entries"][0].update(id="1")))


@scenario("damaged", "two entries with the same id (spec 6.3, check 13)")
def v_damaged_content_duplicate_ids(name: str) -> bytes:
    return content(name, lambda doc: doc["entries"][2].update(id=doc["entries"][0]["id"]))


@scenario("damaged", "vault.created_at missing (spec 6.3, check 13)")
def v_damaged_content_vault_created_at_missing(name: str) -> bytes:
    return content(name, lambda doc: doc["vault"].pop("created_at"))


@scenario("damaged", "a custom-environment entry whose api_url is null (spec 6.3, check 13)")
def v_damaged_content_custom_null_api_url(name: str) -> bytes:
    return content(name, entry_set(2, api_url=None))


@scenario("damaged", "an entry without api_url: it is always present (spec 6.2, check 13)")
def v_damaged_content_api_url_missing(name: str) -> bytes:
    return content(name, lambda doc: doc["entries"][0].pop("api_url"))


@scenario("success", "a live entry with a string api_url: read as null (spec 6.3)")
def v_success_content_api_url_on_live(name: str) -> bytes:
    return content(name, entry_set(0, api_url="https://ignored.example"))


@scenario("damaged", "rotate_days 1e0 is not a JSON integer (spec 6.1, check 13)")
def v_damaged_content_rotate_days_1e0(name: str) -> bytes:
    return content(name, entry_set(0, rotate_days=RAW), raw=b"1e0")


@scenario("damaged", "rotate_days 90.0 is not a JSON integer (spec 6.1, check 13)")
def v_damaged_content_rotate_days_90_0(name: str) -> bytes:
    return content(name, entry_set(0, rotate_days=RAW), raw=b"90.0")


@scenario("damaged", "rotate_days -0 is the JSON integer 0, below 1 (spec 6.3, check 13)")
def v_damaged_content_rotate_days_minus_0(name: str) -> bytes:
    return content(name, entry_set(0, rotate_days=RAW), raw=b"-0")


@scenario("damaged", "rotate_days 3651, above 3650 (spec 6.3, check 13)")
def v_damaged_content_rotate_days_3651(name: str) -> bytes:
    return content(name, entry_set(0, rotate_days=3651))


@scenario("success", "timestamps with a lowercase t and z, fractional seconds, an offset "
                     "and -00:00: all RFC 3339 (spec 6.2)")
def v_success_content_timestamp_forms(name: str) -> bytes:
    return content(name, lambda doc: (
        doc["vault"].update(created_at="2026-11-21t09:30:00z"),
        doc["entries"][0].update(created_at="2026-11-21T09:30:00.123456789Z",
                                 rotated_at="2026-11-21T11:00:00+01:30"),
        doc["entries"][1].update(created_at="2026-11-21T09:30:00-00:00",
                                 last_used_at="2026-11-21T04:30:00.5-05:00")))


_BAD_TIMESTAMPS = {
    "space": ("2026-11-21 09:30:00Z", "a space instead of T"),
    "no-offset": ("2026-11-21T09:30:00", "no time-zone offset"),
    "leap-second": ("2016-12-31T23:59:60Z", "a leap second"),
    "week-date": ("2026-W47-6T09:30:00Z", "an ISO 8601 week date"),
    "offset-no-colon": ("2026-11-21T09:30:00+0100", "an offset without a colon"),
    "year-0": ("0000-01-01T00:00:00Z", "year 0"),
    "before-year-1-in-utc": ("0001-01-01T00:00:00+01:00", "an instant before year 1 in UTC"),
}


def _bad_timestamp(key: str, field: str) -> Callable[[str], bytes]:
    text, what = _BAD_TIMESTAMPS[key]

    def build(name: str) -> bytes:
        if field == "vault.created_at":
            return content(name, vault_set(created_at=text))
        return content(name, entry_set(0, **{field: text}))

    build.__name__ = f"v_damaged_content_timestamp_{key}"
    scenario("damaged", f"{field} {text!r}: {what} is not a timestamp (spec 6.2, "
                        "check 13)")(build)
    return build


for _key, _field in [("space", "created_at"), ("no-offset", "rotated_at"),
                     ("leap-second", "last_used_at"), ("week-date", "created_at"),
                     ("offset-no-colon", "vault.created_at"), ("year-0", "created_at"),
                     ("before-year-1-in-utc", "rotated_at")]:
    _bad_timestamp(_key, _field)


@scenario("success", "unknown top-level members, and emoji written as surrogate-pair "
                     "escapes (\\ud83d\\ude00) in a label (spec 6.1, 6.2)")
def v_success_content_unknown_top_level_and_pairs(name: str) -> bytes:
    return content(name, lambda doc: (doc.update(future={"a": [1, None]}, z=True),
                                      doc["entries"][0].update(label=RAW)),
                   raw=b'"smile \\ud83d\\ude00"')


# schema 2: vault.journal_key and max_notional (spec 6.2, 6.3)


@scenario("success", "max_notional forms a reader accepts: \"100.0\" (not canonical, kept as "
                     "written), \"0.00000001\" and 36 digits; journal_key of bytes 00 to 1f "
                     "(spec 6.2)")
def v_success_content_max_notional_forms(name: str) -> bytes:
    return content(name, lambda doc: (
        doc["vault"].update(journal_key=base64.b64encode(bytes(range(32))).decode()),
        doc["entries"][0].update(max_notional="100.0"),
        doc["entries"][1].update(max_notional="0.00000001"),
        doc["entries"][2].update(max_notional="1" * 18 + "." + "9" * 18)))


@scenario("success", "journal_key null and every max_notional null: a vault without a journal "
                     "key yet and with no limits (spec 6.2)")
def v_success_content_journal_key_null(name: str) -> bytes:
    return content(name, lambda doc: (doc["vault"].update(journal_key=None),
                                      [entry.update(max_notional=None)
                                       for entry in doc["entries"]]))


_BAD_JOURNAL_KEYS: dict[str, tuple[object, str]] = {
    "31-bytes": (base64.b64encode(bytes(31)).decode(), "the base64 of 31 bytes"),
    "33-bytes": (base64.b64encode(bytes(33)).decode(), "the base64 of 33 bytes"),
    "not-base64": ("not base64 at all, but 44 characters long!!!", "not base64"),
    "number": (RAW, "a JSON number"),
    "url-safe": (base64.urlsafe_b64encode(bytes([0xfb] * 32)).decode(),
                 "the URL-safe alphabet"),
    "no-padding": (base64.b64encode(bytes(32)).decode().rstrip("="), "missing padding"),
    "pad-bits-set": (base64.b64encode(bytes(32)).decode()[:-2] + "B=",
                     "unused bits not zero"),
    "line-break": (base64.b64encode(bytes(32)).decode()[:20] + "\n"
                   + base64.b64encode(bytes(32)).decode()[20:], "a line break inside"),
}


def _bad_journal_key(key: str) -> None:
    value, what = _BAD_JOURNAL_KEYS[key]

    def build(name: str) -> bytes:
        return content(name, vault_set(journal_key=value),
                       raw=b"12345" if value == RAW else None)

    build.__name__ = f"v_damaged_content_journal_key_{key}"
    scenario("damaged", f"vault.journal_key is {what}, not the base64 of 32 bytes "
                        "(spec 6.3, check 13)")(build)


for _key in _BAD_JOURNAL_KEYS:
    _bad_journal_key(_key)


@scenario("damaged", "vault.journal_key missing: required since schema 2 (spec 6.2, check 13)")
def v_damaged_content_journal_key_missing(name: str) -> bytes:
    return content(name, lambda doc: doc["vault"].pop("journal_key"))


_BAD_NOTIONALS: dict[str, tuple[str, str]] = {
    "exponent": ('"1e3"', "an exponent"),
    "negative": ('"-5"', "negative"),
    "zero": ('"0"', "zero"),
    "zero-fraction": ('"0.000"', "zero"),
    "nan": ('"NaN"', "NaN"),
    "infinity": ('"Infinity"', "Infinity"),
    "number": ("1000", "a JSON number, not a string"),
    "leading-point": ('".5"', "no digit before the point"),
    "trailing-point": ('"5."', "no digit after the point"),
    "plus": ('"+5"', "signed"),
    "space": ('" 5"', "a leading space"),
    "separator": ('"1,000"', "a thousands separator"),
    "empty": ('""', "empty"),
    "37-digits": ('"' + "1" * 37 + '"', "37 digits, one too many"),
    "arabic-indic-digits": ('"\\u0665"', "a digit that is not ASCII"),
}


def _bad_notional(key: str) -> None:
    raw, what = _BAD_NOTIONALS[key]

    def build(name: str) -> bytes:
        return content(name, entry_set(1, max_notional=RAW), raw=raw.encode())

    build.__name__ = f"v_damaged_content_max_notional_{key}"
    scenario("damaged", f"max_notional {raw}: {what} is not a decimal string "
                        "(spec 6.3, check 13)")(build)


for _key in _BAD_NOTIONALS:
    _bad_notional(_key)


@scenario("damaged", "an entry without max_notional: required since schema 2 (spec 6.2, "
                     "check 13)")
def v_damaged_content_max_notional_missing(name: str) -> bytes:
    return content(name, lambda doc: doc["entries"][1].pop("max_notional"))


# schema 3: updated_at, vault.keep_versions and the backup section (spec 6.2, 6.3)


@scenario("success", "keep_versions 0, the smallest (no previous version kept), and an "
                     "updated_at later than created_at and rotated_at (spec 6.2)")
def v_success_content_keep_versions_0(name: str) -> bytes:
    return content(name, lambda doc: (doc["vault"].update(keep_versions=0),
                                      doc["entries"][1].update(updated_at="2026-12-01T00:00:00Z")))


@scenario("success", "keep_versions 1000, the largest (spec 6.2)")
def v_success_content_keep_versions_1000(name: str) -> bytes:
    return content(name, vault_set(keep_versions=1000))


_BAD_KEEP_VERSIONS: dict[str, tuple[str, str]] = {
    "minus-1": ("-1", "below 0"),
    "1001": ("1001", "above 1000"),
    "10-0": ("10.0", "not a JSON integer"),
    "1e1": ("1e1", "not a JSON integer"),
    "string": ('"10"', "a string"),
    "true": ("true", "a boolean"),
    "null": ("null", "null"),
}


def _bad_keep_versions(key: str) -> None:
    raw, what = _BAD_KEEP_VERSIONS[key]

    def build(name: str) -> bytes:
        return content(name, vault_set(keep_versions=RAW), raw=raw.encode())

    build.__name__ = f"v_damaged_content_keep_versions_{key}"
    scenario("damaged", f"vault.keep_versions {raw}: {what}, not an integer from 0 to 1000 "
                        "(spec 6.3, check 13)")(build)


for _key in _BAD_KEEP_VERSIONS:
    _bad_keep_versions(_key)


@scenario("damaged", "vault.keep_versions missing: required in schema 3 (spec 6.2, check 13)")
def v_damaged_content_keep_versions_missing(name: str) -> bytes:
    return content(name, lambda doc: doc["vault"].pop("keep_versions"))


@scenario("damaged", "an entry without updated_at: required in schema 3 (spec 6.2, check 13)")
def v_damaged_content_updated_at_missing(name: str) -> bytes:
    return content(name, lambda doc: doc["entries"][2].pop("updated_at"))


@scenario("damaged", "updated_at null: a timestamp, never null (spec 6.3, check 13)")
def v_damaged_content_updated_at_null(name: str) -> bytes:
    return content(name, entry_set(1, updated_at=None))


@scenario("damaged", "updated_at '2026-11-21 09:30:00Z': a space instead of T is not a "
                     "timestamp (spec 6.2, check 13)")
def v_damaged_content_updated_at_not_a_timestamp(name: str) -> bytes:
    return content(name, entry_set(0, updated_at="2026-11-21 09:30:00Z"))


def backup_member(name: str) -> dict[str, Any]:
    """A backup section (spec 6.2) as backups/export.py writes one: two journal records."""
    return {"made_at": "2026-11-22T18:05:07Z", "source_vault_id": det_uuid(name, "source"),
            "journal": [{"v": 1, "kind": "intent", "client_id": "c-1", "amount": "0.5"},
                        {"v": 1, "kind": "placed", "client_id": "c-1", "n": [1, 2.5, None]}]}


@scenario("success", "a backup file: a vault whose payload holds a top-level backup member "
                     "(made_at, source_vault_id, journal records) and an unknown member "
                     "in it; every reader opens it like any vault (spec 6.2)")
def v_success_content_backup_section(name: str) -> bytes:
    return content(name, lambda doc: doc.update(
        backup={**backup_member(name), "future_backup_field": {"kept": True}}))


@scenario("success", "a backup file in this implementation's layout: backup between vault and "
                     "entries, one entry per line, an empty journal (spec 6.5)")
def v_success_backup_app_layout(name: str) -> bytes:
    meta = replace(meta_of(name), backup=BackupSection(
        made_at=LATER, source_vault_id=det_uuid(name, "source"), journal=()))
    return seal(name, schema.encode_payload(meta, sample_entries(name)))


_BAD_BACKUPS: dict[str, tuple[Callable[[str], object], str]] = {
    "not-object": (lambda name: [backup_member(name)], "an array, not an object"),
    "null": (lambda name: None, "null, not an object"),
    "journal-not-array": (lambda name: {**backup_member(name), "journal": {"0": {}}},
                          "a backup whose journal is an object, not an array"),
    "journal-missing": (lambda name: {k: v for k, v in backup_member(name).items()
                                      if k != "journal"}, "a backup without journal"),
    "journal-item-not-object": (lambda name: {**backup_member(name), "journal": [{}, "x"]},
                                "a backup whose journal holds a string, not an object"),
    "made-at-not-timestamp": (lambda name: {**backup_member(name),
                                            "made_at": "2026-11-22 18:05:07Z"},
                              "a backup whose made_at has a space instead of T"),
    "made-at-missing": (lambda name: {k: v for k, v in backup_member(name).items()
                                      if k != "made_at"}, "a backup without made_at"),
    "source-id-not-string": (lambda name: {**backup_member(name), "source_vault_id": 7},
                             "a backup whose source_vault_id is a number"),
}


def _bad_backup(key: str) -> None:
    value_of, what = _BAD_BACKUPS[key]

    def build(name: str) -> bytes:
        return content(name, lambda doc: doc.update(backup=value_of(name)))

    build.__name__ = f"v_damaged_content_backup_{key}"
    scenario("damaged", f"the top-level backup member is {what} (spec 6.3, check 13)")(build)


for _key in _BAD_BACKUPS:
    _bad_backup(_key)


# schema 4: credential_history, verification, vault.history_days (spec 6.2, 6.3)

OLD_CREDENTIALS = {"credentials": {"apiKey": "okx-api-key-0000", "secret": "okx-secret-0000",
                                   "password": "old passphrase"},
                   "replaced_at": "2026-11-20T08:00:00Z"}
VERIFIED = {"at": "2026-11-21T10:00:00+01:00", "permissions": ["read", "trade", "withdraw"],
            "ip_restricted": True, "ips": ["203.0.113.7"]}


@scenario("success", "an entry with two old credential sets and a verification that says "
                     "more than its labels, history_days 3650 (spec 6.2)")
def v_success_content_history_and_verification(name: str) -> bytes:
    second = {"credentials": {"apiKey": "k-1"}, "replaced_at": "2026-10-01T00:00:00.5z"}
    return content(name, lambda doc: (
        doc["vault"].update(history_days=3650),
        doc["entries"][0].update(credential_history=[OLD_CREDENTIALS, second],
                                 verification=VERIFIED)))


_BAD_SCHEMA_4: dict[str, tuple[Callable[[dict[str, Any]], object], str]] = {
    "history-days-0": (vault_set(history_days=0), "vault.history_days 0, below 1"),
    "history-days-3651": (vault_set(history_days=3651), "vault.history_days 3651, above 3650"),
    "history-days-text": (vault_set(history_days="30"), "vault.history_days \"30\", text"),
    "history-days-missing": (lambda doc: doc["vault"].pop("history_days"),
                             "vault.history_days missing"),
    "history-missing": (lambda doc: doc["entries"][0].pop("credential_history"),
                        "an entry without credential_history"),
    "history-null": (entry_set(0, credential_history=None), "a null credential_history"),
    "history-item-extra-member": (
        entry_set(0, credential_history=[{**OLD_CREDENTIALS, "note": "x"}]),
        "an old credential set with a third member"),
    "history-replaced-at-bad": (
        entry_set(0, credential_history=[{**OLD_CREDENTIALS, "replaced_at": "yesterday"}]),
        "an old credential set whose replaced_at is no timestamp"),
    "history-credential-number": (
        entry_set(0, credential_history=[{**OLD_CREDENTIALS, "credentials": {"apiKey": 1}}]),
        "an old credential that is a number"),
    "verification-missing": (lambda doc: doc["entries"][0].pop("verification"),
                             "an entry without verification"),
    "verification-ip-restricted-text": (
        entry_set(0, verification={**VERIFIED, "ip_restricted": "yes"}),
        "a verification whose ip_restricted is text"),
    "verification-no-ips": (
        entry_set(0, verification={k: v for k, v in VERIFIED.items() if k != "ips"}),
        "a verification without ips"),
}


def _bad_schema_4(key: str) -> None:
    edit, what = _BAD_SCHEMA_4[key]

    def build(name: str) -> bytes:
        return content(name, edit)

    build.__name__ = f"v_damaged_content_{key.replace('-', '_')}"
    scenario("damaged", f"{what} (spec 6.3, check 13)")(build)


for _key in _BAD_SCHEMA_4:
    _bad_schema_4(_key)


# schema 3, written by earlier releases: upgraded by _upgrade_v3 (spec 6.4)


@scenario("success", "schema 3, as earlier releases wrote it: read as schema 4 with "
                     "history_days 30, empty credential histories and null verifications")
def v_success_schema_3_entries(name: str) -> bytes:
    return seal(name, json.dumps(schema_3(document(name, sample_entries(name))),
                                 ensure_ascii=False, separators=(",", ":")).encode())


@scenario("damaged", "schema 3 whose entry already holds a credential_history member that "
                     "schema 4 refuses (a string): the upgrade keeps it, then it is checked")
def v_damaged_schema_3_with_bad_history_member(name: str) -> bytes:
    doc = schema_3(document(name, sample_entries(name)))
    doc["entries"][0]["credential_history"] = "none"
    return seal(name, json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode())


# schema 2, written by earlier releases: upgraded by _upgrade_v2 (spec 6.4)


@scenario("success", "schema 2, as earlier releases wrote it: no keep_versions, no updated_at; "
                     "read as schema 3 with keep_versions 10 and each updated_at the later "
                     "of created_at and rotated_at (spec 6.4)")
def v_success_schema_2_entries(name: str) -> bytes:
    doc = schema_2(document(name, sample_entries(name)))
    doc["entries"][0].update(rotated_at="2026-11-23T08:00:00+01:00")  # rotated later
    doc["entries"][1].update(created_at="2026-11-24T00:00:00Z")  # created after "rotation"
    head = {"schema": 2, "vault": doc["vault"]}
    return seal(name, app_layout(head, [
        b",\n".join(json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode()
                    for entry in doc["entries"]) + b"\n"]))


@scenario("success", "schema 2 whose vault and entry already hold keep_versions and updated_at "
                     "members (unknown to schema 2): kept, and valid as schema 3 (spec 6.4)")
def v_success_schema_2_with_new_members(name: str) -> bytes:
    return schema_2_content(name, lambda doc: (
        doc["vault"].update(keep_versions=0),
        doc["entries"][0].update(updated_at="2001-01-01T00:00:00Z")))


@scenario("damaged", "schema 2 whose entry's created_at is not a timestamp: the upgrade adds "
                     "no updated_at, and the upgraded content breaks spec 6.3 (check 13)")
def v_damaged_schema_2_bad_created_at(name: str) -> bytes:
    return schema_2_content(name, entry_set(0, created_at="2026-11-21 09:30:00Z"))


@scenario("damaged", "schema 2 whose vault holds a keep_versions member that schema 3 refuses "
                     "(1001): the upgrade keeps it, then it is checked (spec 6.4)")
def v_damaged_schema_2_with_bad_keep_versions_member(name: str) -> bytes:
    return schema_2_content(name, vault_set(keep_versions=1001))


def schema_2_content(name: str, edit: Callable[[dict[str, Any]], object] | None = None
                     ) -> bytes:
    doc = schema_2(document(name, sample_entries(name)))
    if edit is not None:
        edit(doc)
    return seal(name, json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode())


# schema 1, written by earlier releases: upgraded by _upgrade_v1 and _upgrade_v2 (spec 6.4)


def schema_1_content(name: str, edit: Callable[[dict[str, Any]], object] | None = None
                     ) -> bytes:
    doc = schema_1(document(name, sample_entries(name)))
    if edit is not None:
        edit(doc)
    return seal(name, json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode())


@scenario("success", "schema 1, as earlier releases wrote it: no journal_key, no max_notional; "
                     "read as schema 3 with both null (spec 6.4)")
def v_success_schema_1_entries(name: str) -> bytes:
    doc = schema_1(document(name, sample_entries(name)))
    head = {"schema": 1, "vault": doc["vault"]}
    return seal(name, app_layout(head, [
        b",\n".join(json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode()
                    for entry in doc["entries"]) + b"\n"]))


@scenario("success", "an empty schema-1 vault (spec 6.4)")
def v_success_schema_1_empty(name: str) -> bytes:
    return seal(name, json.dumps(schema_1(document(name, []))).encode())


@scenario("success", "schema 1 with unknown members in the top level, vault and an entry: "
                     "kept through the upgrade (spec 6.4)")
def v_success_schema_1_unknown_keys(name: str) -> bytes:
    return schema_1_content(name, lambda doc: (
        doc.update(future={"a": [1]}), doc["vault"].update(future_vault_field=[True]),
        doc["entries"][0].update(future_entry_field="kept")))


@scenario("success", "schema 1 whose entry already holds a max_notional member (unknown to "
                     "schema 1): kept, and valid as schema 3 (spec 6.4)")
def v_success_schema_1_with_max_notional_member(name: str) -> bytes:
    return schema_1_content(name, entry_set(0, max_notional="750"))


@scenario("damaged", "schema 1 whose entry holds a max_notional member that schema 3 refuses "
                     "(\"1e3\"): the upgrade keeps it, then it is checked (spec 6.4)")
def v_damaged_schema_1_with_bad_max_notional_member(name: str) -> bytes:
    return schema_1_content(name, entry_set(0, max_notional="1e3"))


@scenario("damaged", "schema 1 with rotate_days 0: the upgrade checks nothing, and the "
                     "upgraded content breaks spec 6.3 (check 13)")
def v_damaged_schema_1_rotate_days_0(name: str) -> bytes:
    return schema_1_content(name, entry_set(0, rotate_days=0))


# --- writing ----------------------------------------------------------------------------


def render(item: Scenario) -> bytes:
    """The .vector text of one scenario (spec section 8). ASCII only."""
    _PLAINTEXTS.pop(item.name, None)
    data = item.build(item.name)
    lines = [
        f"expect: {item.expect}",
        f"password: {json.dumps(item.password, ensure_ascii=True)}",
        f"comment: {item.comment}",
    ]
    if item.expect == "success":
        lines.append(f"payload: {hashlib.sha256(_PLAINTEXTS[item.name]).hexdigest()}")
    text = "\n".join(lines) + "\n\n" + base64.encodebytes(data).decode("ascii")
    return text.encode("ascii")


def main(argv: list[str]) -> int:
    outdir = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent
    outdir.mkdir(parents=True, exist_ok=True)
    names = [item.name for item in SCENARIOS]
    assert len(set(names)) == len(names), "duplicate scenario names"
    for item in SCENARIOS:
        (outdir / f"{item.name}.vector").write_bytes(render(item))
    for stale in outdir.glob("*.vector"):
        if stale.stem not in names:
            stale.unlink()
    print(f"wrote {len(SCENARIOS)} vectors to {outdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
