"""Decrypt a vault file from docs/vault-format.md alone; imports nothing from vault_app.

usage: independent_decrypt.py VAULT_FILE < password   (one line on stdin)
Prints the payload plaintext. Exit 0 on success, 2 wrong password, 3 damaged, not a
vault file, unsupported version or KDF parameters out of range; one line on stderr.
"""

import calendar
import datetime
import hashlib
import json
import re
import sys
import unicodedata
from typing import Any, NoReturn

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"VAULTAPP"


def refuse(code: int, message: str) -> NoReturn:
    print(f"independent_decrypt: {message}", file=sys.stderr)
    sys.exit(code)


def u(data: bytes, start: int, size: int) -> int:
    return int.from_bytes(data[start:start + size], "big")


def decrypt(data: bytes, password: str) -> bytes:  # section 5, checks 1 to 13
    if len(data) < 8:
        refuse(3, "damaged (truncated)" if MAGIC.startswith(data) else "not a vault file")
    if data[:8] != MAGIC:
        refuse(3, "not a vault file")
    if len(data) < 42:
        refuse(3, "damaged (truncated)")
    if hashlib.sha256(data[:-32]).digest() != data[-32:]:
        refuse(3, "damaged (checksum mismatch)")
    if u(data, 8, 2) != 1:
        refuse(3, "unsupported version (format)")
    s = data[11]
    if not 16 <= s <= 64 or len(data) < 136 + s:
        refuse(3, "damaged (malformed header)")
    if data[10] != 1:
        refuse(3, "unsupported version (unknown KDF)")
    m, t, p = u(data, 12, 4), u(data, 16, 4), u(data, 20, 4)
    if not (1 <= p <= 16 and 1 <= t <= 16 and 8 * p <= m <= 4_194_304):
        refuse(3, "KDF parameters out of range")
    length = u(data, 96 + s, 8)
    if 104 + s + length + 32 != len(data) or length < 16:
        refuse(3, "damaged (length mismatch)")
    secret = unicodedata.normalize("NFC", password).encode("utf-8")
    kek = hash_secret_raw(secret, data[24:24 + s], t, m, p, 32, Type.ID, 0x13)
    try:
        dek = AESGCM(kek).decrypt(data[24 + s:36 + s], data[36 + s:84 + s], data[:24 + s])
    except InvalidTag:
        refuse(2, "wrong password")
    try:
        plaintext = AESGCM(dek).decrypt(data[84 + s:96 + s], data[104 + s:-32], data[:104 + s])
    except InvalidTag:
        refuse(3, "damaged (payload authentication failed)")
    check_payload(plaintext)
    return plaintext


# --- section 6: payload content (checks 12 and 13) -----------------------------------

def damaged(what: str) -> NoReturn:
    refuse(3, f"damaged ({what})")


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    names = [name for name, _ in pairs]
    if len(set(names)) != len(names):
        raise ValueError("duplicate member name")
    return dict(pairs)


def _bad_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _integer(token: str) -> int:
    if len(token) > 64:
        raise ValueError("number token longer than 64 characters")
    return int(token)


def _number(token: str) -> float:
    if len(token) > 64:
        raise ValueError("number token longer than 64 characters")
    value = float(token)
    if value in (float("inf"), float("-inf")):
        raise ValueError("number not finite as a double")
    return value


def _walk(document: Any) -> None:
    """Section 6.1: depth at most 64; no string (or member name) holds a lone surrogate."""
    pending = [(document, 1)]
    while pending:
        value, depth = pending.pop()
        if depth > 64:
            damaged("nested deeper than 64")
        if isinstance(value, str):
            if any(0xD800 <= ord(char) <= 0xDFFF for char in value):
                damaged("lone surrogate")
        elif isinstance(value, list):
            pending.extend((item, depth + 1) for item in value)
        elif isinstance(value, dict):
            for name, item in value.items():
                pending.append((name, depth + 1))  # a name is checked like a string
                pending.append((item, depth + 1))


def parse_json(plaintext: bytes) -> Any:
    """Section 6.1. A BOM fails json.loads on a str; the hooks refuse the rest."""
    try:
        text = plaintext.decode("utf-8")
        document = json.loads(text, object_pairs_hook=_pairs, parse_constant=_bad_constant,
                              parse_int=_integer, parse_float=_number)
    except RecursionError:
        damaged("nested deeper than 64")
    except ValueError as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        damaged(f"payload is not UTF-8 JSON: {type(exc).__name__}")
    _walk(document)
    return document


TIMESTAMP = re.compile(r"(\d{4})-(\d\d)-(\d\d)[Tt](\d\d):(\d\d):(\d\d)(\.\d+)?"
                       r"([Zz]|[+-]\d\d:\d\d)", re.ASCII)


def utc_seconds(value: Any) -> int | None:
    """Section 6.2's RFC 3339 grammar, years 1 to 9999 once converted to UTC: the
    whole seconds since 0001-01-01T00:00:00Z, or None if ``value`` is no timestamp."""
    match = TIMESTAMP.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(match[i]) for i in range(1, 7))
    if not (1 <= month <= 12 and 1 <= day <= calendar.monthrange(max(year, 1), month)[1]
            and hour <= 23 and minute <= 59 and second <= 59 and year >= 1):
        return None
    offset = 0
    if match[8] not in ("Z", "z"):
        offset_hours, offset_minutes = int(match[8][1:3]), int(match[8][4:6])
        if offset_hours > 23 or offset_minutes > 59:
            return None
        offset = (offset_hours * 60 + offset_minutes) * (1 if match[8][0] == "+" else -1)
    epoch = datetime.datetime(1, 1, 1)
    local = datetime.datetime(year, month, day, hour, minute, second) - epoch
    seconds = local.days * 86400 + local.seconds - offset * 60
    last = datetime.datetime(9999, 12, 31, 23, 59, 59) - epoch
    return seconds if 0 <= seconds <= last.days * 86400 + last.seconds else None


def is_timestamp(value: Any) -> bool:
    return utc_seconds(value) is not None


def is_integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_text_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


ENTRY_KEYS = ("id", "label", "exchange", "credentials", "permissions", "ip_whitelist",
              "environment", "api_url", "created_at", "rotated_at", "updated_at",
              "last_used_at", "rotate_days", "notes", "tags", "max_notional",
              "credential_history", "verification")
KNOWN_SCHEMA = 4
DECIMAL = re.compile(r"[0-9]+(\.[0-9]+)?", re.ASCII)
BASE64 = {char: index for index, char in enumerate(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")}


def is_journal_key(value: Any) -> bool:
    """Section 6.2: null, or 44 characters of standard base64 for 32 bytes, unused bits 0."""
    if value is None:
        return True
    if not isinstance(value, str) or len(value) != 44 or value[43] != "=" \
            or any(char not in BASE64 for char in value[:43]):
        return False
    # 43 characters carry 258 bits: the key's 256, then 2 that must be zero.
    return BASE64[value[42]] & 0b11 == 0


def is_max_notional(value: Any) -> bool:
    """Section 6.2: null, or a decimal string of at most 36 digits, above zero."""
    if value is None:
        return True
    if not isinstance(value, str) or DECIMAL.fullmatch(value) is None:
        return False
    digits = value.replace(".", "")
    return len(digits) <= 36 and digits.strip("0") != ""


def upgrade_v1(document: dict[str, Any]) -> None:
    """Section 6.4: schema 1 -> 2 adds the two members as null where they are missing."""
    if isinstance(document.get("vault"), dict) and "journal_key" not in document["vault"]:
        document["vault"]["journal_key"] = None
    if isinstance(document.get("entries"), list):
        for entry in document["entries"]:
            if isinstance(entry, dict) and "max_notional" not in entry:
                entry["max_notional"] = None
    document["schema"] = 2


def upgrade_v2(document: dict[str, Any]) -> None:
    """Section 6.4: schema 2 -> 3 adds vault.keep_versions 10 and, to each entry, an
    updated_at copied from the later of created_at and rotated_at (rotated_at on a
    tie) when both are timestamps."""
    if isinstance(document.get("vault"), dict) and "keep_versions" not in document["vault"]:
        document["vault"]["keep_versions"] = 10
    if isinstance(document.get("entries"), list):
        for entry in document["entries"]:
            if not isinstance(entry, dict) or "updated_at" in entry:
                continue
            created = utc_seconds(entry.get("created_at"))
            rotated = utc_seconds(entry.get("rotated_at"))
            if created is not None and rotated is not None:
                entry["updated_at"] = entry["created_at" if created > rotated else "rotated_at"]
    document["schema"] = 3


def upgrade_v3(document: dict[str, Any]) -> None:
    """Section 6.4: schema 3 -> 4 adds vault.history_days 30 and, to each entry, an
    empty credential_history and a null verification where they are missing."""
    if isinstance(document.get("vault"), dict) and "history_days" not in document["vault"]:
        document["vault"]["history_days"] = 30
    if isinstance(document.get("entries"), list):
        for entry in document["entries"]:
            if isinstance(entry, dict):
                entry.setdefault("credential_history", [])
                entry.setdefault("verification", None)
    document["schema"] = 4


def is_text_object(value: Any) -> bool:
    return isinstance(value, dict) and all(isinstance(v, str) for v in value.values())


def check_history_and_verification(entry: dict[str, Any]) -> None:
    """Section 6.2 and 6.3, schema 4: each old credential set, and the exchange's verdict."""
    history = entry["credential_history"]
    if not isinstance(history, list) or not all(
            isinstance(item, dict) and set(item) == {"credentials", "replaced_at"}
            and is_text_object(item["credentials"]) and is_timestamp(item["replaced_at"])
            for item in history):
        damaged("credential_history")
    verification = entry["verification"]
    if verification is not None and not (
            isinstance(verification, dict)
            and set(verification) == {"at", "permissions", "ip_restricted", "ips"}
            and is_timestamp(verification["at"]) and is_text_list(verification["permissions"])
            and (verification["ip_restricted"] is None
                 or isinstance(verification["ip_restricted"], bool))
            and is_text_list(verification["ips"])):
        damaged("verification")


def check_backup(backup: Any) -> None:
    """Section 6.2: the optional top-level member of a backup file."""
    if not isinstance(backup, dict):
        damaged("backup is not an object")
    if not is_timestamp(backup.get("made_at")):
        damaged("backup.made_at")
    if not isinstance(backup.get("source_vault_id"), str):
        damaged("backup.source_vault_id")
    journal = backup.get("journal")
    if not isinstance(journal, list) or not all(isinstance(item, dict) for item in journal):
        damaged("backup.journal is not an array of objects")


def check_entry(entry: Any) -> None:
    """Section 6.3, for one entry."""
    if not isinstance(entry, dict) or any(key not in entry for key in ENTRY_KEYS):
        damaged("entry is not an object with every key")
    if not all(isinstance(entry[key], str) for key in ("id", "label", "exchange", "notes")):
        damaged("entry text field")
    credentials = entry["credentials"]
    if not isinstance(credentials, dict) or not all(isinstance(v, str)
                                                    for v in credentials.values()):
        damaged("credentials")
    if not is_text_list(entry["permissions"]) \
            or not set(entry["permissions"]) <= {"read", "trade", "withdraw"}:
        damaged("permissions")
    if not is_text_list(entry["ip_whitelist"]) or not is_text_list(entry["tags"]):
        damaged("ip_whitelist or tags")
    if entry["environment"] not in ("live", "sandbox", "custom") \
            or not isinstance(entry["environment"], str):
        damaged("environment")
    api_url = entry["api_url"]
    if not (api_url is None or isinstance(api_url, str)) \
            or (entry["environment"] == "custom" and api_url is None):
        damaged("api_url")
    if not (is_timestamp(entry["created_at"]) and is_timestamp(entry["rotated_at"])
            and is_timestamp(entry["updated_at"])
            and (entry["last_used_at"] is None or is_timestamp(entry["last_used_at"]))):
        damaged("timestamp")
    if not is_integer(entry["rotate_days"]) or not 1 <= entry["rotate_days"] <= 3650:
        damaged("rotate_days")
    if not is_max_notional(entry["max_notional"]):
        damaged("max_notional")
    check_history_and_verification(entry)


def check_payload(plaintext: bytes) -> Any:
    """Checks 12 and 13: the payload's JSON (6.1), its schema, then its content (6.2, 6.3)."""
    document = parse_json(plaintext)
    schema = document.get("schema") if isinstance(document, dict) else None
    if not is_integer(schema) or schema < 1:
        damaged("payload has no schema version")
    if schema > KNOWN_SCHEMA:
        refuse(3, f"unsupported version (payload schema {schema})")
    if schema == 1:
        upgrade_v1(document)
    if document["schema"] == 2:
        upgrade_v2(document)
    if document["schema"] == 3:
        upgrade_v3(document)
    vault = document.get("vault")
    if not isinstance(vault, dict) or not isinstance(vault.get("id"), str) \
            or not is_timestamp(vault.get("created_at")):
        damaged("vault")
    if "journal_key" not in vault or not is_journal_key(vault["journal_key"]):
        damaged("vault.journal_key")
    keep = vault.get("keep_versions")
    if not is_integer(keep) or not 0 <= keep <= 1000:
        damaged("vault.keep_versions")
    days = vault.get("history_days")
    if not is_integer(days) or not 1 <= days <= 3650:
        damaged("vault.history_days")
    if "backup" in document:
        check_backup(document["backup"])
    entries = document.get("entries")
    if not isinstance(entries, list):
        damaged("entries is not an array")
    for entry in entries:
        check_entry(entry)
    if len({entry["id"] for entry in entries}) != len(entries):
        damaged("two entries have the same id")
    return document


if __name__ == "__main__":
    password = sys.stdin.buffer.readline().decode("utf-8").removesuffix("\n")
    with open(sys.argv[1], "rb") as file:
        sys.stdout.buffer.write(decrypt(file.read(), password.removesuffix("\r")))
