"""Read an order journal from docs/vault-format.md section 9 alone; imports nothing from
vault_app.

usage: independent_read.py JOURNAL_FILE < key   (64 hex digits on stdin)
Prints one JSON line per record and "torn tail" if there is one. Exit 0 on success,
3 damaged (one line on stderr naming the record, 0 for the header).
"""

import hashlib
import hmac
import json
import math
import sys
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"VAJOURNAL"


class Damaged(Exception):
    def __init__(self, record: int, what: str) -> None:
        super().__init__(f"damaged: record {record}: {what}")
        self.record = record


def hkdf_sha256(ikm: bytes, salt: bytes, info: bytes) -> bytes:  # RFC 5869, L = 32
    prk = hmac.new(salt, ikm, hashlib.sha256).digest()
    return hmac.new(prk, info + b"\x01", hashlib.sha256).digest()


def zero_run_from(data: bytes, u: int) -> bool:  # section 9.5, below the checks
    n = len(data)
    candidates = [u, *range((u // 512 + 1) * 512, n, 512)]
    return any(z < n and not any(data[z:]) for z in candidates)


def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
    if len({name for name, _ in items}) != len(items):
        raise ValueError("duplicate member name")
    return dict(items)


def no_constant(name: str) -> Any:
    raise ValueError(name)


def finite(text: str) -> float:
    value = float(text)
    if len(text) > 64 or not math.isfinite(value):
        raise ValueError("number")
    return value


def integer(text: str) -> int:
    if len(text) > 64:
        raise ValueError("number")
    return int(text)


def depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((depth(v) for v in value), default=0)
    return 1


def json_object(plaintext: bytes) -> dict[str, Any] | None:  # section 9.3 / 6.1
    try:
        value = json.loads(plaintext.decode("utf-8"), object_pairs_hook=pairs,
                           parse_constant=no_constant, parse_float=finite,
                           parse_int=integer)
        json.dumps(value, ensure_ascii=False).encode("utf-8")  # no lone surrogate
    except (ValueError, RecursionError):
        return None
    if not isinstance(value, dict) or depth(value) > 64:
        return None
    return value


def read(data: bytes, key: bytes) -> tuple[list[tuple[int, dict[str, Any]]], bool]:
    n = len(data)
    if n > 268_435_456:
        raise Damaged(0, "too large")
    if n < 9 or data[:9] != MAGIC:  # check 1
        raise Damaged(0, "not a journal")
    if n < 54:  # check 2
        raise Damaged(0, "header cut short")
    if data[9] != 1:  # check 3
        raise Damaged(0, "unsupported version")
    bound = data[:26]
    cipher = AESGCM(hkdf_sha256(key, data[10:26], b"vault-app journal v1"))
    try:  # check 4
        cipher.decrypt(data[26:38], data[38:54], bound)
    except InvalidTag:
        raise Damaged(0, "wrong key or damaged header") from None
    records: list[tuple[int, dict[str, Any]]] = []
    t, s = 54, 1
    while t < n:  # check 5
        if n - t < 16:
            return records, True
        length = int.from_bytes(data[t:t + 4], "big")
        seq = int.from_bytes(data[t + 4:t + 12], "big")
        check = hashlib.sha256(bound + data[t:t + 12]).digest()[:4]
        if not 19 <= length <= 65_553 or data[t + 12:t + 16] != check:
            if n - t <= 65_581 and zero_run_from(data, t):
                return records, True
            raise Damaged(s, "damaged length or number")
        if seq != s:
            raise Damaged(s, f"numbered {seq}")
        if n - t < 28 + length:
            return records, True
        end = t + 28 + length
        if data[end - 1] != 0x0A:  # the trailer
            if end == n and zero_run_from(data, t + 16):
                return records, True
            raise Damaged(s, "no trailer")
        try:
            plaintext = cipher.decrypt(data[t + 16:t + 28], data[t + 28:end - 1],
                                       bound + data[t:t + 12])
        except InvalidTag:
            raise Damaged(s, "fails authentication") from None
        document = json_object(plaintext)
        if document is None:
            raise Damaged(s, "not a JSON object")
        records.append((s, document))
        t, s = t + 28 + length, s + 1
    return records, False


def main() -> int:
    with open(sys.argv[1], "rb") as file:
        data = file.read()
    try:
        records, torn = read(data, bytes.fromhex(sys.stdin.readline().strip()))
    except Damaged as exc:
        print(f"independent_read: {exc}", file=sys.stderr)
        return 3
    for seq, document in records:
        print(json.dumps([seq, document]))
    if torn:
        print("torn tail")
    return 0


if __name__ == "__main__":
    sys.exit(main())
