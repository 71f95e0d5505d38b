"""Decrypt a vault file from docs/vault-format.md alone; imports nothing from vault_app.

usage: independent_decrypt.py VAULT_FILE < password   (one line on stdin)
Prints the payload plaintext. Exit 0 on success, 2 wrong password, 3 damaged, not a
vault file, unsupported version or KDF parameters out of range; one line on stderr.
"""

import hashlib
import json
import sys
import unicodedata
from typing import NoReturn

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"VAULTAPP"


def refuse(code: int, message: str) -> NoReturn:
    print(f"independent_decrypt: {message}", file=sys.stderr)
    sys.exit(code)


def u(data: bytes, start: int, size: int) -> int:
    return int.from_bytes(data[start:start + size], "big")


def decrypt(data: bytes, password: str) -> bytes:  # section 5, checks 1 to 12
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
    try:
        document = json.loads(plaintext.decode("utf-8"))
    except ValueError:  # UnicodeDecodeError is a ValueError
        refuse(3, "damaged (payload is not UTF-8 JSON)")
    schema = document.get("schema") if isinstance(document, dict) else None
    if type(schema) is not int or schema < 1:
        refuse(3, "damaged (payload has no schema version)")
    if schema > 1:
        refuse(3, f"unsupported version (payload schema {schema})")
    entries = document.get("entries")
    if not isinstance(document.get("vault"), dict) or not isinstance(entries, list) \
            or not all(isinstance(entry, dict) for entry in entries):
        refuse(3, "damaged (payload does not match section 6)")
    return plaintext


if __name__ == "__main__":
    password = sys.stdin.buffer.readline().decode("utf-8").removesuffix("\n")
    with open(sys.argv[1], "rb") as file:
        sys.stdout.buffer.write(decrypt(file.read(), password.removesuffix("\r")))
