"""AES-256-GCM envelope: wrap the data key, seal and open the payload.

See docs/vault-format.md, section 4.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from vault_app.core.errors import VaultDamaged, WrongPassword

KEY_LENGTH = 32
NONCE_LENGTH = 12
TAG_LENGTH = 16
WRAPPED_DEK_LENGTH = KEY_LENGTH + TAG_LENGTH


def new_key() -> bytes:
    return os.urandom(KEY_LENGTH)


def new_nonce() -> bytes:
    return os.urandom(NONCE_LENGTH)


def wrap_dek(kek: bytes, dek: bytes, nonce: bytes, kdf_header: bytes) -> bytes:
    return AESGCM(kek).encrypt(nonce, dek, kdf_header)


def unwrap_dek(kek: bytes, wrapped: bytes, nonce: bytes, kdf_header: bytes) -> bytes:
    """Decrypt the DEK. A failed tag means the password (KEK) is wrong."""
    try:
        return AESGCM(kek).decrypt(nonce, wrapped, kdf_header)
    except InvalidTag:
        raise WrongPassword() from None


def seal_payload(dek: bytes, nonce: bytes, plaintext: bytes, header: bytes) -> bytes:
    return AESGCM(dek).encrypt(nonce, plaintext, header)


def open_payload(dek: bytes, nonce: bytes, ciphertext: bytes, header: bytes) -> bytes:
    """Decrypt the payload. With a good DEK, a failed tag means tampering."""
    try:
        return AESGCM(dek).decrypt(nonce, ciphertext, header)
    except InvalidTag:
        raise VaultDamaged(
            "the vault payload failed authentication: the file was altered "
            "(its checksum is intact, so this was not accidental damage)"
        ) from None
