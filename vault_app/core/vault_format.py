"""Byte layout of a vault file: build it, and parse it with every rejection rule.

This module knows bytes, not passwords. ``docs/vault-format.md`` is the
normative description; the numbered comments below are its section 5 checks.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass

from vault_app.core import crypto
from vault_app.core.errors import NotAVaultFile, UnsupportedVersion, VaultDamaged
from vault_app.core.kdf import KdfParams

MAGIC = b"VAULTAPP"
FORMAT_VERSION = 1
KDF_ARGON2ID = 1
MIN_SALT = 16
MAX_SALT = 64
SALT_LENGTH = 32
CHECKSUM_LENGTH = 32

_FIXED = struct.Struct(">8sHBBIII")  # magic .. kdf_parallelism: 24 bytes
_TAIL = struct.Struct(">12s48s12sQ")  # wrap_nonce .. payload_len: 80 bytes
HEADER_BASE = _FIXED.size + _TAIL.size  # 104; the header is HEADER_BASE + salt


@dataclass(frozen=True)
class KeySlot:
    """Everything that binds the DEK to the password. Unchanged between saves."""

    kdf: KdfParams
    salt: bytes
    wrap_nonce: bytes
    wrapped_dek: bytes

    def kdf_header(self) -> bytes:
        return kdf_header(self.kdf, self.salt)


@dataclass(frozen=True)
class ParsedFile:
    slot: KeySlot
    header: bytes
    payload_nonce: bytes
    ciphertext: bytes
    checksum: bytes
    size: int


def kdf_header(kdf: KdfParams, salt: bytes) -> bytes:
    """Bytes [0, 24+S): the AAD of the DEK wrap."""
    return _FIXED.pack(MAGIC, FORMAT_VERSION, KDF_ARGON2ID, len(salt),
                       kdf.memory_kib, kdf.iterations, kdf.parallelism) + salt


def build_header(slot: KeySlot, payload_nonce: bytes, payload_len: int) -> bytes:
    """Bytes [0, 104+S): the AAD of the payload."""
    return slot.kdf_header() + _TAIL.pack(slot.wrap_nonce, slot.wrapped_dek,
                                          payload_nonce, payload_len)


def assemble(header: bytes, ciphertext: bytes) -> bytes:
    body = header + ciphertext
    return body + hashlib.sha256(body).digest()


def checksum_of(data: bytes) -> bytes:
    """The stored checksum of a file: its identity for change detection."""
    return data[-CHECKSUM_LENGTH:]


HEAD_MAX = HEADER_BASE + MAX_SALT
"""Bytes enough to hold any header: what ``slot_of_head`` needs."""


def slot_of_head(head: bytes) -> KeySlot | None:
    """The key slot from the first bytes of a file (a cheap look, no checksum); None
    unless they are a well-formed header. Not a check of the file: ``parse`` is."""
    if len(head) < _FIXED.size or head[: len(MAGIC)] != MAGIC:
        return None
    _, version, kdf_id, salt_len, m, t, p = _FIXED.unpack_from(head, 0)
    if version != FORMAT_VERSION or kdf_id != KDF_ARGON2ID \
            or not MIN_SALT <= salt_len <= MAX_SALT or len(head) < HEADER_BASE + salt_len:
        return None
    salt = head[_FIXED.size : _FIXED.size + salt_len]
    wrap_nonce, wrapped_dek, _, _ = _TAIL.unpack_from(head, _FIXED.size + salt_len)
    return KeySlot(kdf=KdfParams(memory_kib=m, iterations=t, parallelism=p), salt=salt,
                   wrap_nonce=wrap_nonce, wrapped_dek=wrapped_dek)


def parse(data: bytes) -> ParsedFile:
    """Apply checks 1-9 of the spec; everything short of the KDF."""
    size = len(data)
    # 1, 2: magic
    if size < len(MAGIC):
        if MAGIC.startswith(data):
            raise VaultDamaged(f"the vault file is truncated ({size} bytes)")
        raise NotAVaultFile("this is not a vault file (no vault magic bytes at its start)")
    if data[: len(MAGIC)] != MAGIC:
        raise NotAVaultFile("this is not a vault file (no vault magic bytes at its start)")
    # 3: room for magic, version and checksum
    if size < len(MAGIC) + 2 + CHECKSUM_LENGTH:
        raise VaultDamaged(f"the vault file is truncated ({size} bytes)")
    # 4: checksum over everything before it
    body, checksum = data[:-CHECKSUM_LENGTH], data[-CHECKSUM_LENGTH:]
    if hashlib.sha256(body).digest() != checksum:
        raise VaultDamaged(
            "the vault file is damaged: its checksum does not match "
            "(truncated or corrupted on disk)"
        )
    # 5: version
    (version,) = struct.unpack_from(">H", data, len(MAGIC))
    if version != FORMAT_VERSION:
        raise UnsupportedVersion(
            f"vault format version {version} is not supported by this release "
            f"(it reads version {FORMAT_VERSION}); was it written by a newer vault-app?"
        )
    # 6: fixed fields and salt length
    if size < _FIXED.size:
        raise VaultDamaged("the vault file is damaged: malformed header")
    _, _, kdf_id, salt_len, m, t, p = _FIXED.unpack_from(data, 0)
    header_len = HEADER_BASE + salt_len
    if not MIN_SALT <= salt_len <= MAX_SALT or size < header_len + CHECKSUM_LENGTH:
        raise VaultDamaged("the vault file is damaged: malformed header")
    # 7: KDF
    if kdf_id != KDF_ARGON2ID:
        raise UnsupportedVersion(f"unknown key-derivation function id {kdf_id}")
    # 8: caps, before any work
    params = KdfParams(memory_kib=m, iterations=t, parallelism=p)
    params.check_readable()
    # 9: lengths
    salt = data[_FIXED.size : _FIXED.size + salt_len]
    wrap_nonce, wrapped_dek, payload_nonce, payload_len = _TAIL.unpack_from(
        data, _FIXED.size + salt_len
    )
    if payload_len < crypto.TAG_LENGTH or header_len + payload_len + CHECKSUM_LENGTH != size:
        raise VaultDamaged("the vault file is damaged: its length does not match its header")
    return ParsedFile(
        slot=KeySlot(kdf=params, salt=salt, wrap_nonce=wrap_nonce, wrapped_dek=wrapped_dek),
        header=data[:header_len],
        payload_nonce=payload_nonce,
        ciphertext=data[header_len : header_len + payload_len],
        checksum=checksum,
        size=size,
    )
