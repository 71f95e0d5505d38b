"""The envelope around the payload: a key slot wraps the data key under the
password, ``seal`` encrypts a payload into file bytes, ``unlock_bytes`` opens them."""

from __future__ import annotations

import os

from vault_app.core import crypto, storage
from vault_app.core.errors import VaultFull
from vault_app.core.kdf import KdfParams, derive_kek
from vault_app.core.vault_format import (
    CHECKSUM_LENGTH,
    SALT_LENGTH,
    KeySlot,
    ParsedFile,
    assemble,
    build_header,
    kdf_header,
    parse,
)


def new_key_slot(password: str, kdf: KdfParams) -> tuple[KeySlot, bytes]:
    """Fresh salt and fresh DEK, wrapped under the password's KEK."""
    salt = os.urandom(SALT_LENGTH)
    dek = crypto.new_key()
    kek = derive_kek(password, salt, kdf)
    wrap_nonce = crypto.new_nonce()
    wrapped = crypto.wrap_dek(kek, dek, wrap_nonce, kdf_header(kdf, salt))
    return KeySlot(kdf=kdf, salt=salt, wrap_nonce=wrap_nonce, wrapped_dek=wrapped), dek


def seal(slot: KeySlot, dek: bytes, plaintext: bytes) -> bytes:
    """Encrypt a payload into complete file bytes, with a fresh payload nonce.

    Raises VaultFull before anything is encrypted or written if the file would be
    larger than any reader opens (spec 5.1, ``storage.MAX_VAULT_SIZE``): written, it
    would lock the user out of every key on the next open. Every writer (create,
    save, password change, save-a-copy) seals through here.
    """
    nonce = crypto.new_nonce()
    header = build_header(slot, nonce, len(plaintext) + crypto.TAG_LENGTH)
    size = len(header) + len(plaintext) + crypto.TAG_LENGTH + CHECKSUM_LENGTH
    if size > storage.MAX_VAULT_SIZE:
        raise VaultFull(
            f"the vault would grow to {size:,} bytes, larger than any vault may be "
            f"({storage.MAX_VAULT_SIZE / (1024 * 1024):g} MiB); nothing was written. "
            "Remove keys or shorten notes")
    return assemble(header, crypto.seal_payload(dek, nonce, plaintext, header))


def unlock_bytes(data: bytes, password: str) -> tuple[ParsedFile, bytes, bytes]:
    """Run every check of the spec; return the parsed file, the DEK and the plaintext."""
    parsed = parse(data)
    kek = derive_kek(password, parsed.slot.salt, parsed.slot.kdf)
    dek = crypto.unwrap_dek(kek, parsed.slot.wrapped_dek, parsed.slot.wrap_nonce,
                            parsed.slot.kdf_header())
    plaintext = crypto.open_payload(dek, parsed.payload_nonce, parsed.ciphertext, parsed.header)
    return parsed, dek, plaintext
