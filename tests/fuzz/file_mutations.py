"""Mutated vault files: flips, inserts, deletions, truncations, splices, and
header fields set to extremes with the checksum recomputed.

The header layout is the one of ``vault_app.core.vault_format`` (spec section 2):
magic(8) version(2) kdf_id(1) salt_len(1) m(4) t(4) p(4) salt(S) wrap_nonce(12)
wrapped_dek(48) payload_nonce(12) payload_len(8), payload, SHA-256 checksum(32).
"""

from __future__ import annotations

import hashlib
import random
import struct

from tests.fuzz import corpus
from vault_app.core.kdf import MAX_ITERATIONS, MAX_MEMORY_KIB, MAX_PARALLELISM
from vault_app.core.vault_format import CHECKSUM_LENGTH, MAX_SALT, MIN_SALT

U32 = 2**32 - 1
U64 = 2**64 - 1


def with_checksum(data: bytes) -> bytes:
    """Replace the last 32 bytes by the SHA-256 of the rest (the file's checksum)."""
    body = data[:-CHECKSUM_LENGTH] if len(data) >= CHECKSUM_LENGTH else b""
    return body + hashlib.sha256(body).digest()


def _field_offsets(data: bytes) -> dict[str, tuple[int, str]]:
    salt_len = data[11] if len(data) > 11 else 32
    tail = 24 + salt_len
    return {
        "version": (8, ">H"), "kdf_id": (10, ">B"), "salt_len": (11, ">B"),
        "m": (12, ">I"), "t": (16, ">I"), "p": (20, ">I"),
        "payload_len": (tail + 72, ">Q"),
    }


def _extremes(name: str, original: int) -> tuple[int, ...]:
    common = (0, 1, original - 1, original + 1)
    if name == "version":
        return (*common, 2, 0xFFFF)
    if name == "kdf_id":
        return (*common, 2, 0xFF)
    if name == "salt_len":
        return (*common, MIN_SALT - 1, MIN_SALT, MAX_SALT, MAX_SALT + 1, 0xFF)
    if name == "m":
        return (*common, 7, 8, 15, 16, 128, 1024, 65536, MAX_MEMORY_KIB, MAX_MEMORY_KIB + 1,
                2**31, U32)
    if name in ("t", "p"):
        cap = MAX_ITERATIONS if name == "t" else MAX_PARALLELISM
        return (*common, 2, 4, cap, cap + 1, 2**31, U32)
    return (*common, 15, 16, 17, 2**31, 2**32, 2**63, U64)  # payload_len


def header_field(rng: random.Random, data: bytes) -> tuple[str, bytes]:
    """One header field (or two) set to an extreme; the checksum usually recomputed."""
    out = bytearray(data)
    names = []
    for _ in range(rng.choice((1, 1, 1, 2))):
        name = rng.choice(("version", "kdf_id", "salt_len", "m", "m", "t", "p", "payload_len",
                           "payload_len"))
        offset, fmt = _field_offsets(bytes(out))[name]
        size = struct.calcsize(fmt)
        if offset + size > len(out):
            continue
        (original,) = struct.unpack_from(fmt, out, offset)
        value = rng.choice(_extremes(name, original)) % (2 ** (8 * size))
        struct.pack_into(fmt, out, offset, value)
        names.append(f"{name}={value}")
    return "header[" + ",".join(names) + "]", bytes(out)


def short_tag(rng: random.Random, data: bytes) -> tuple[str, bytes]:
    """A payload (ciphertext plus tag) of 0..17 bytes with a consistent payload_len."""
    header_len = 104 + data[11] if len(data) > 11 else 0
    if len(data) < header_len + CHECKSUM_LENGTH or not header_len:
        return flip(rng, data)
    keep = rng.randrange(18)
    body = bytearray(data[:header_len] + data[header_len:header_len + keep])
    struct.pack_into(">Q", body, header_len - 8, keep)
    return f"short-payload[{keep}]", bytes(body) + b"\0" * CHECKSUM_LENGTH


def flip(rng: random.Random, data: bytes) -> tuple[str, bytes]:
    out = bytearray(data)
    for _ in range(rng.choice((1, 1, 2, 8))):
        at = rng.randrange(len(out))
        out[at] ^= 1 << rng.randrange(8)
    return "flip", bytes(out)


def set_byte(rng: random.Random, data: bytes) -> tuple[str, bytes]:
    out = bytearray(data)
    out[rng.randrange(min(len(out), 200))] = rng.choice((0, 0xFF, 0x7F, 0x80, rng.randrange(256)))
    return "set-byte", bytes(out)


def insert(rng: random.Random, data: bytes) -> tuple[str, bytes]:
    at = rng.randrange(len(data) + 1)
    return "insert", data[:at] + rng.randbytes(rng.choice((1, 2, 4, 16, 300))) + data[at:]


def delete(rng: random.Random, data: bytes) -> tuple[str, bytes]:
    at = rng.randrange(len(data))
    return "delete", data[:at] + data[at + rng.choice((1, 2, 4, 16, 300)):]


def truncate(rng: random.Random, data: bytes) -> tuple[str, bytes]:
    salt_len = data[11] if len(data) > 11 else 32
    edges = (0, 1, 7, 8, 9, 10, 41, 42, 23, 24, 24 + salt_len, 104 + salt_len,
             104 + salt_len + 16, len(data) - 33, len(data) - 32, len(data) - 1)
    at = rng.choice(edges) if rng.random() < 0.5 else rng.randrange(len(data))
    return "truncate", data[: max(0, at)]


def splice(rng: random.Random, data: bytes) -> tuple[str, bytes]:
    other = rng.choice(corpus.bases()).data
    roll = rng.random()
    if roll < 0.2:  # key slot of one, payload of the other (they share the slot: opens)
        cut = 24 + 32 + 60
        return "splice-slot", data[:cut] + other[cut:]
    if roll < 0.5:  # at the same offset
        cut = rng.randrange(min(len(data), len(other)))
        return "splice", data[:cut] + other[cut:]
    return "splice-shifted", data[:rng.randrange(len(data))] + other[rng.randrange(len(other)):]


def append(rng: random.Random, data: bytes) -> tuple[str, bytes]:
    return "append", data + rng.choice((b"\0", b"\n", rng.randbytes(32), data))


def duplicate_chunk(rng: random.Random, data: bytes) -> tuple[str, bytes]:
    start = rng.randrange(len(data))
    chunk = data[start:start + rng.randrange(1, 64)]
    at = rng.randrange(len(data) + 1)
    return "duplicate-chunk", data[:at] + chunk + data[at:]


MUTATIONS = (flip, flip, set_byte, insert, delete, truncate, splice, append, duplicate_chunk,
             header_field, header_field, header_field, header_field, short_tag)


def generate(rng: random.Random) -> tuple[str, bytes]:
    """One mutated file: (what was done, file bytes)."""
    data = rng.choice(corpus.bases()).data
    names = []
    for _ in range(rng.choice((1, 1, 1, 2, 3))):
        if not data:
            break
        mutation = rng.choice(MUTATIONS)
        name, data = mutation(rng, data)
        names.append(name)
    recompute = (any(n.startswith(("header", "short")) for n in names) and rng.random() < 0.9) \
        or rng.random() < 0.5
    if recompute and len(data) >= CHECKSUM_LENGTH:
        data = with_checksum(data)
        names.append("checksum-recomputed")
    return "+".join(names), data
