"""The bytes of the order journal: its header, sealing a record, and scanning records.

Pure functions over bytes; the file, its locks and its cache are in ``journal``.
See docs/vault-format.md, section 9. Every check raises ``JournalDamaged`` naming
the record that failed and saying which records before it are intact.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from vault_app.core import strict_json
from vault_app.core.errors import ValidationError
from vault_app.core.strict_json import MAX_DEPTH
from vault_app.trading.errors import JournalDamaged

MAGIC = b"VAJOURNAL"
VERSION = 1
KEY_LENGTH = 32
ID_LENGTH = 16
NONCE_LENGTH = 12
TAG_LENGTH = 16
BOUND_LENGTH = len(MAGIC) + 1 + ID_LENGTH  # magic, version, journal id: bound into every record
HEADER_LENGTH = BOUND_LENGTH + NONCE_LENGTH + TAG_LENGTH  # 54
RECORD_HEAD = 16  # length (4), seq (8), head check (4)
RECORD_OVERHEAD = RECORD_HEAD + NONCE_LENGTH  # 28, before the ciphertext
TRAILER = b"\x0a"
"""The last byte of every record: a complete record never ends in a zero byte, so a
zero run at the end of the file is always an unfinished write (section 9.6)."""
MAX_PLAINTEXT = 64 * 1024
MIN_LENGTH = 2 + TAG_LENGTH + len(TRAILER)  # "{}", its tag and the trailer
MAX_LENGTH = MAX_PLAINTEXT + TAG_LENGTH + len(TRAILER)
MAX_RECORD = RECORD_OVERHEAD + MAX_LENGTH
MAX_JOURNAL_SIZE = 256 * 1024 * 1024
BLOCK = 512  # the smallest sector size: a zero-filled block of a torn append starts here
HKDF_INFO = b"vault-app journal v1"


class RecordRefused(ValidationError):
    """A record the journal will not write (not a JSON object of string keys, a number
    or a nesting too large, more than 64 KiB): nothing was written."""


class RecordDamaged(JournalDamaged):
    """Record number ``record`` fails its checks; every record before it is intact."""

    def __init__(self, message: str, *, record: int) -> None:
        super().__init__(message)
        self.record = record


@dataclass(frozen=True)
class JournalRecord:
    seq: int
    data: dict[str, Any]


@dataclass(frozen=True)
class Scan:
    """What a scan of the records found: the records, where the last whole one ends, the
    number of the last one, and whether bytes after it are a torn (never durable) append."""

    records: list[JournalRecord]
    end: int
    last_seq: int
    torn_tail: bool


def subkey(journal_key: bytes, journal_id: bytes) -> bytes:
    """The AES-256-GCM key of one journal: HKDF-SHA256 of the vault's journal key."""
    if len(journal_key) != KEY_LENGTH:
        raise ValueError("the journal key must be 32 bytes")
    return HKDF(algorithm=hashes.SHA256(), length=KEY_LENGTH, salt=journal_id,
                info=HKDF_INFO).derive(journal_key)


def new_header(journal_key: bytes, journal_id: bytes | None = None,
               nonce: bytes | None = None) -> bytes:
    """A fresh header (random id and nonce unless given, for the test vectors)."""
    journal_id = os.urandom(ID_LENGTH) if journal_id is None else journal_id
    nonce = os.urandom(NONCE_LENGTH) if nonce is None else nonce
    bound = MAGIC + bytes([VERSION]) + journal_id
    key = subkey(journal_key, journal_id)
    return bound + nonce + AESGCM(key).encrypt(nonce, b"", bound)


def check_header(data: bytes, journal_key: bytes, where: str) -> AESGCM:
    """Verify the header (section 9.4, checks 1 to 4); return the journal's cipher."""
    if len(data) < len(MAGIC):
        raise JournalDamaged(f"{where} is not an order journal: it is {len(data)} bytes long "
                             "and holds no header. Nothing was read or written")
    if data[:len(MAGIC)] != MAGIC:
        raise JournalDamaged(f"{where} is not an order journal (it does not start with "
                             f"{MAGIC.decode()}). Nothing was read or written")
    if len(data) < HEADER_LENGTH:
        raise JournalDamaged(f"{where} is damaged: its header is cut short. "
                             "Nothing was read or written")
    if data[len(MAGIC)] != VERSION:
        raise JournalDamaged(f"{where} was written by a newer version of vault-app (journal "
                             f"version {data[len(MAGIC)]}); update vault-app to read it")
    journal_id = data[len(MAGIC) + 1:BOUND_LENGTH]
    cipher = AESGCM(subkey(journal_key, journal_id))
    try:
        cipher.decrypt(data[BOUND_LENGTH:BOUND_LENGTH + NONCE_LENGTH],
                       data[BOUND_LENGTH + NONCE_LENGTH:HEADER_LENGTH], data[:BOUND_LENGTH])
    except InvalidTag:
        raise JournalDamaged(
            f"{where} was not written with this vault's journal key, or its header is "
            "damaged: none of its records can be read, and nothing was written. Keep the "
            "file; open the vault it belongs to. Moving it aside would start a new journal "
            "and forget the orders it lists whose state is unknown: check them on the "
            "exchange first"
        ) from None
    return cipher


def head_check(bound: bytes, head: bytes) -> bytes:
    """The 4-byte check of a record's length and number (unkeyed: it tells a torn
    append from damage; authenticity comes from GCM)."""
    return hashlib.sha256(bound + head).digest()[:4]


def encode_record(record: Any) -> bytes:
    """The UTF-8 JSON of one record: an object, compact, no NaN, at most 64 KiB.

    A writer must never seal what its own reader would refuse (section 9.3): that
    record, and every one after it, would read as damage. So every name must be a
    string (``json`` would turn ``1`` and ``True`` into ``"1"`` and ``"true"``, maybe
    twice in one object), and the text is read back with the reader's own rules.
    """
    try:
        if not isinstance(record, dict):
            record = dict(record)
        _check_names(record)
        text = json.dumps(record, ensure_ascii=False, separators=(",", ":"),
                          allow_nan=False)
        plaintext = text.encode("utf-8")
    except RecursionError:
        raise RecordRefused(f"a journal record nests at most {MAX_DEPTH} levels deep; "
                            "nothing was written") from None
    except (TypeError, ValueError) as exc:  # a Decimal, NaN, a lone surrogate, a cycle
        raise RecordRefused(f"a journal record holds only JSON values ({exc}); nothing "
                            "was written") from None
    if len(plaintext) > MAX_PLAINTEXT:
        raise RecordRefused(f"a journal record holds at most {MAX_PLAINTEXT} bytes of JSON, "
                            f"this one {len(plaintext)}; nothing was written")
    problem = decode_record(plaintext)
    if isinstance(problem, str):
        raise RecordRefused(f"a journal record must be one its reader accepts, and {problem} "
                            "(section 9.3); nothing was written")
    return plaintext


def _check_names(record: dict[Any, Any]) -> None:
    stack: list[Any] = [record]
    seen = 0
    while stack:
        item = stack.pop()
        seen += 1
        if seen > MAX_PLAINTEXT:  # more values than 64 KiB of JSON can hold: a cycle
            raise RecordRefused("a journal record holds at most 64 KiB of JSON; nothing "
                                "was written")
        if isinstance(item, dict):
            for name in item:
                if not isinstance(name, str):
                    raise RecordRefused(
                        f"every name in a journal record must be a string, not "
                        f"{type(name).__name__} {name!r}; nothing was written")
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)


def seal_record(cipher: AESGCM, header: bytes, seq: int, plaintext: bytes,
                nonce: bytes | None = None) -> bytes:
    """One record's bytes: length, number, head check, nonce, ciphertext with its tag,
    trailer. ``length`` counts the ciphertext, the tag and the trailer."""
    nonce = os.urandom(NONCE_LENGTH) if nonce is None else nonce
    bound = header[:BOUND_LENGTH]
    length = len(plaintext) + TAG_LENGTH + len(TRAILER)
    head = length.to_bytes(4, "big") + seq.to_bytes(8, "big")
    ciphertext = cipher.encrypt(nonce, plaintext, bound + head)
    return head + head_check(bound, head) + nonce + ciphertext + TRAILER


# --- reading ---------------------------------------------------------------------------

def decode_record(plaintext: bytes) -> dict[str, Any] | str:
    """The record's JSON object, or why it is not one (section 9.5: spec 6.1's JSON)."""
    try:
        document = strict_json.parse(plaintext)
    except strict_json.NotJson as exc:
        return str(exc)
    if type(document) is not dict:
        return "it is not a JSON object"
    if strict_json.may_be_too_deep(plaintext) and strict_json.too_deep(document):
        return f"it nests deeper than {MAX_DEPTH} levels"
    return document


def _zero_run_start(data: bytes, start: int, base: int) -> int | None:
    """Where the run of zero bytes that ends ``data`` starts, if it starts at ``start`` or
    at a multiple of BLOCK (``base`` is the file offset of ``data[0]``); else None."""
    last = len(data.rstrip(b"\0"))  # index after the last non-zero byte
    if last <= start:
        return start
    aligned = -(-(base + last) // BLOCK) * BLOCK - base
    return aligned if aligned < len(data) else None


def _intact(seq: int) -> str:
    if seq <= 1:
        return "no record before it is affected (there are none)"
    if seq == 2:
        return "record 1 before it is intact"
    return f"records 1 to {seq - 1} before it are intact"


def _damaged(where: str, seq: int, what: str) -> RecordDamaged:
    return RecordDamaged(
        f"{where} is damaged: record {seq} {what}; {_intact(seq)}. Nothing was written. "
        "Keep a copy of the file and do not place orders with this vault until the "
        "orders it lists are checked on the exchange", record=seq)


def scan(data: bytes, header: bytes, cipher: AESGCM, where: str, *, start: int,
         first_seq: int, base: int = 0) -> Scan:
    """Read the records in ``data[start:]`` (section 9.5), numbered from ``first_seq``.

    ``data`` holds the file from offset ``base`` on (``base`` <= ``start``), so a scan
    can continue from where an earlier one stopped without rereading the file.
    """
    bound = header[:BOUND_LENGTH]
    records: list[JournalRecord] = []
    seq = first_seq
    offset = start - base
    size = len(data)
    while offset < size:
        remaining = size - offset
        if remaining < RECORD_HEAD:
            return Scan(records, offset + base, seq - 1, True)
        head = data[offset:offset + 12]
        length = int.from_bytes(head[:4], "big")
        intact = (MIN_LENGTH <= length <= MAX_LENGTH
                  and data[offset + 12:offset + RECORD_HEAD] == head_check(bound, head))
        if not intact:
            if remaining <= MAX_RECORD and _zero_run_start(data, offset, base) is not None:
                return Scan(records, offset + base, seq - 1, True)
            raise _damaged(where, seq, "has a damaged length or number")
        found = int.from_bytes(head[4:], "big")
        if found != seq:
            raise _damaged(where, seq, f"is numbered {found}: a record is missing, "
                                       "duplicated or out of order")
        end = offset + RECORD_OVERHEAD + length
        if end > size:
            return Scan(records, offset + base, seq - 1, True)
        if data[end - len(TRAILER):end] != TRAILER:
            if end == size and _zero_run_start(data, offset + RECORD_HEAD, base) is not None:
                return Scan(records, offset + base, seq - 1, True)
            raise _damaged(where, seq, "does not end with its trailer byte (it was "
                                       "altered)")
        nonce = data[offset + RECORD_HEAD:offset + RECORD_OVERHEAD]
        try:
            plaintext = cipher.decrypt(nonce, data[offset + RECORD_OVERHEAD:end - len(TRAILER)],
                                       bound + head)
        except InvalidTag:
            raise _damaged(where, seq, "fails authentication (it was altered, or it was "
                                       "written into another journal)") from None
        document = decode_record(plaintext)
        if isinstance(document, str):
            raise _damaged(where, seq, f"is not a valid record: {document}")
        records.append(JournalRecord(seq, document))
        seq += 1
        offset = end
    return Scan(records, offset + base, seq - 1, False)
