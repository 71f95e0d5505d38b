"""The AES-256-GCM envelope: DEK wrap and payload seal."""

from __future__ import annotations

import pytest

from vault_app.core import crypto
from vault_app.core.errors import VaultDamaged, WrongPassword

KEK = bytes(range(32))
DEK = bytes(range(100, 132))
KDF_HEADER = b"VAULTAPP-kdf-header"
HEADER = b"VAULTAPP-full-header"


def _flip(data: bytes, index: int) -> bytes:
    return data[:index] + bytes([data[index] ^ 0x01]) + data[index + 1:]


def test_new_keys_and_nonces_have_the_right_size_and_are_random() -> None:
    assert len(crypto.new_key()) == 32
    assert len(crypto.new_nonce()) == 12
    assert crypto.new_key() != crypto.new_key()
    assert crypto.new_nonce() != crypto.new_nonce()


def test_wrap_unwrap_round_trip() -> None:
    nonce = crypto.new_nonce()
    wrapped = crypto.wrap_dek(KEK, DEK, nonce, KDF_HEADER)
    assert len(wrapped) == crypto.WRAPPED_DEK_LENGTH == 48
    assert DEK not in wrapped
    assert crypto.unwrap_dek(KEK, wrapped, nonce, KDF_HEADER) == DEK


def test_unwrap_with_a_wrong_kek_is_a_wrong_password() -> None:
    nonce = crypto.new_nonce()
    wrapped = crypto.wrap_dek(KEK, DEK, nonce, KDF_HEADER)
    with pytest.raises(WrongPassword):
        crypto.unwrap_dek(bytes(32), wrapped, nonce, KDF_HEADER)


def test_unwrap_is_bound_to_the_kdf_header_and_nonce() -> None:
    # A changed KDF header means a different KEK in practice: it reads as a wrong
    # password (spec section 5, the one indistinguishable case).
    nonce = crypto.new_nonce()
    wrapped = crypto.wrap_dek(KEK, DEK, nonce, KDF_HEADER)
    with pytest.raises(WrongPassword):
        crypto.unwrap_dek(KEK, wrapped, nonce, _flip(KDF_HEADER, 3))
    with pytest.raises(WrongPassword):
        crypto.unwrap_dek(KEK, wrapped, _flip(nonce, 0), KDF_HEADER)


def test_seal_open_round_trip_and_tag_length() -> None:
    nonce = crypto.new_nonce()
    plaintext = b'{"schema":1}' * 10
    sealed = crypto.seal_payload(DEK, nonce, plaintext, HEADER)
    assert len(sealed) == len(plaintext) + crypto.TAG_LENGTH
    assert plaintext not in sealed
    assert crypto.open_payload(DEK, nonce, sealed, HEADER) == plaintext


def test_tampered_payload_is_damaged_not_wrong_password() -> None:
    nonce = crypto.new_nonce()
    sealed = crypto.seal_payload(DEK, nonce, b"secret payload", HEADER)
    for index in (0, len(sealed) - 1):  # a ciphertext byte and a tag byte
        with pytest.raises(VaultDamaged, match="altered") as info:
            crypto.open_payload(DEK, nonce, _flip(sealed, index), HEADER)
        assert not isinstance(info.value, WrongPassword)


def test_tampered_header_aad_is_damaged() -> None:
    nonce = crypto.new_nonce()
    sealed = crypto.seal_payload(DEK, nonce, b"secret payload", HEADER)
    with pytest.raises(VaultDamaged):
        crypto.open_payload(DEK, nonce, sealed, _flip(HEADER, 5))
    with pytest.raises(VaultDamaged):
        crypto.open_payload(DEK, nonce, sealed, HEADER + b"\x00")


def test_damage_message_does_not_leak_the_plaintext() -> None:
    nonce = crypto.new_nonce()
    sealed = crypto.seal_payload(DEK, nonce, b"hunter2-secret", HEADER)
    with pytest.raises(VaultDamaged) as info:
        crypto.open_payload(DEK, nonce, _flip(sealed, 2), HEADER)
    assert "hunter2" not in str(info.value)
    assert info.value.__cause__ is None and info.value.__suppress_context__
