"""The byte layout (spec section 2) and the order of read checks (spec section 5)."""

from __future__ import annotations

import contextlib
import hashlib
import struct
from collections.abc import Iterator

import pytest

from tests.conftest import FAST_KDF, PASSWORD
from vault_app.core import crypto, kdf
from vault_app.core import vault_format as vf
from vault_app.core.envelope import new_key_slot, seal, unlock_bytes
from vault_app.core.errors import (
    KdfParamsOutOfRange,
    NotAVaultFile,
    UnsupportedVersion,
    VaultDamaged,
    WrongPassword,
)
from vault_app.core.kdf import KdfParams

SALT = bytes(range(1, 33))
WRAP_NONCE = b"W" * 12
WRAPPED = b"D" * 48
PAYLOAD_NONCE = b"N" * 12
CIPHERTEXT = bytes(range(40))


def slot(params: KdfParams = FAST_KDF, salt: bytes = SALT) -> vf.KeySlot:
    return vf.KeySlot(kdf=params, salt=salt, wrap_nonce=WRAP_NONCE, wrapped_dek=WRAPPED)


def build(params: KdfParams = FAST_KDF, salt: bytes = SALT,
          ciphertext: bytes = CIPHERTEXT, payload_len: int | None = None) -> bytes:
    length = len(ciphertext) if payload_len is None else payload_len
    header = vf.build_header(slot(params, salt), PAYLOAD_NONCE, length)
    return vf.assemble(header, ciphertext)


def patch(data: bytes, offset: int, new: bytes) -> bytes:
    """Overwrite bytes and recompute the checksum, as a deliberate editor would."""
    body = data[:-vf.CHECKSUM_LENGTH]
    body = body[:offset] + new + body[offset + len(new):]
    return vf.assemble(body, b"")


def flip(data: bytes, offset: int) -> bytes:
    """Flip one bit without fixing the checksum: accidental damage."""
    return data[:offset] + bytes([data[offset] ^ 0x10]) + data[offset + 1:]


@contextlib.contextmanager
def exactly(exc_type: type[Exception]) -> Iterator[pytest.ExceptionInfo[Exception]]:
    """Like pytest.raises, but a subclass (NotAVaultFile for VaultDamaged) fails."""
    with pytest.raises(exc_type) as info:
        yield info
    assert type(info.value) is exc_type, type(info.value).__name__


# --- layout ---------------------------------------------------------------------------


def test_header_layout_matches_the_spec_table() -> None:
    params = KdfParams(memory_kib=0x01020304, iterations=5, parallelism=6)
    data = build(params)
    s = len(SALT)
    assert data[0:8] == b"VAULTAPP"
    assert data[8:10] == b"\x00\x01"
    assert data[10] == 1
    assert data[11] == s
    assert data[12:16] == b"\x01\x02\x03\x04"
    assert struct.unpack(">I", data[16:20]) == (5,)
    assert struct.unpack(">I", data[20:24]) == (6,)
    assert data[24:24 + s] == SALT
    assert data[24 + s:36 + s] == WRAP_NONCE
    assert data[36 + s:84 + s] == WRAPPED
    assert data[84 + s:96 + s] == PAYLOAD_NONCE
    assert struct.unpack(">Q", data[96 + s:104 + s]) == (len(CIPHERTEXT),)
    assert data[104 + s:104 + s + len(CIPHERTEXT)] == CIPHERTEXT
    assert data[-32:] == hashlib.sha256(data[:-32]).digest()
    assert len(data) == 104 + s + len(CIPHERTEXT) + 32


def test_kdf_header_is_the_prefix_up_to_the_salt() -> None:
    data = build()
    assert vf.kdf_header(FAST_KDF, SALT) == data[: 24 + len(SALT)]
    assert slot().kdf_header() == data[: 24 + len(SALT)]


def test_parse_returns_the_fields() -> None:
    data = build()
    parsed = vf.parse(data)
    assert parsed.slot == slot()
    assert parsed.header == data[: vf.HEADER_BASE + len(SALT)]
    assert parsed.payload_nonce == PAYLOAD_NONCE
    assert parsed.ciphertext == CIPHERTEXT
    assert parsed.checksum == data[-32:] == vf.checksum_of(data)
    assert parsed.size == len(data)


@pytest.mark.parametrize("salt_len", [16, 64])
def test_parse_accepts_salt_length_bounds(salt_len: int) -> None:
    parsed = vf.parse(build(salt=b"s" * salt_len))
    assert parsed.slot.salt == b"s" * salt_len


# --- check 1, 2: magic ----------------------------------------------------------------


@pytest.mark.parametrize("data", [b"", b"V", b"VAULT", b"VAULTAP"])
def test_check1_short_prefix_of_magic_is_damaged(data: bytes) -> None:
    with exactly(VaultDamaged) as info:
        vf.parse(data)
    assert "truncated" in str(info.value)


@pytest.mark.parametrize("data", [b"X", b"PK\x03\x04", b"VAULTAX"])
def test_check1_short_non_prefix_is_not_a_vault(data: bytes) -> None:
    with pytest.raises(NotAVaultFile):
        vf.parse(data)


def test_check2_wrong_magic_is_not_a_vault_even_with_a_valid_checksum() -> None:
    with pytest.raises(NotAVaultFile):
        vf.parse(patch(build(), 0, b"VAULTAPQ"))
    with pytest.raises(NotAVaultFile):
        vf.parse(b'{"entries": []}' * 10)


# --- check 3, 4: truncation and checksum ----------------------------------------------


@pytest.mark.parametrize("size", [8, 20, 41])
def test_check3_shorter_than_magic_version_checksum_is_truncated(size: int) -> None:
    with exactly(VaultDamaged) as info:
        vf.parse(build()[:size])
    assert f"truncated ({size} bytes)" in str(info.value)


@pytest.mark.parametrize("size", [40, 41])
def test_check3_applies_even_when_the_tail_is_a_valid_checksum(size: int) -> None:
    body = b"VAULTAPP" + b"\x00\x01"[: size - 40]
    data = vf.assemble(body, b"")
    assert len(data) == size and vf.checksum_of(data) == hashlib.sha256(body).digest()
    with exactly(VaultDamaged) as info:
        vf.parse(data)
    assert "truncated" in str(info.value)


@pytest.mark.parametrize("offset", [8, 11, 30, 100, 170, -1])
def test_check4_any_flipped_byte_is_a_checksum_mismatch(offset: int) -> None:
    data = build()
    with exactly(VaultDamaged) as info:
        vf.parse(flip(data, offset % len(data)))
    assert "checksum" in str(info.value)


def test_check4_truncated_file_is_a_checksum_mismatch() -> None:
    with exactly(VaultDamaged) as info:
        vf.parse(build()[:-1])
    assert "checksum" in str(info.value)


def test_check4_comes_before_the_version_check() -> None:
    # A flipped version byte is damage, not a "newer version".
    with exactly(VaultDamaged):
        vf.parse(flip(build(), 9))


# --- check 5: version -----------------------------------------------------------------


@pytest.mark.parametrize("version", [0, 2, 0xFFFF])
def test_check5_other_format_version_is_unsupported(version: int) -> None:
    with pytest.raises(UnsupportedVersion, match=str(version)):
        vf.parse(patch(build(), 8, struct.pack(">H", version)))


def test_check5_comes_before_the_header_checks() -> None:
    # A future version may have any layout: a 42-byte v2 file is not "malformed".
    body = b"VAULTAPP" + struct.pack(">H", 2)
    with pytest.raises(UnsupportedVersion):
        vf.parse(vf.assemble(body, b""))


# --- check 6: header shape ------------------------------------------------------------


@pytest.mark.parametrize("salt_len", [0, 15, 65, 255])
def test_check6_salt_length_out_of_range_is_damaged(salt_len: int) -> None:
    with exactly(VaultDamaged) as info:
        vf.parse(patch(build(), 11, bytes([salt_len])))
    assert "malformed header" in str(info.value)


def test_check6_file_shorter_than_its_header_is_damaged() -> None:
    data = build()
    short = vf.assemble(data[:100], b"")  # valid checksum, header cut off
    with exactly(VaultDamaged) as info:
        vf.parse(short)
    assert "malformed header" in str(info.value)


def test_check6_comes_before_the_kdf_id_check() -> None:
    data = patch(build(), 10, bytes([2]))  # unknown KDF ...
    data = patch(data, 11, bytes([8]))  # ... and a bad salt length
    with exactly(VaultDamaged):
        vf.parse(data)


# --- check 7: KDF id ------------------------------------------------------------------


@pytest.mark.parametrize("kdf_id", [0, 2, 255])
def test_check7_unknown_kdf_is_unsupported(kdf_id: int) -> None:
    with pytest.raises(UnsupportedVersion, match="key-derivation"):
        vf.parse(patch(build(), 10, bytes([kdf_id])))


def test_check7_comes_before_the_caps() -> None:
    data = build(KdfParams(memory_kib=64, iterations=99, parallelism=1))
    with pytest.raises(UnsupportedVersion):
        vf.parse(patch(data, 10, bytes([2])))


# --- check 8: caps --------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        KdfParams(memory_kib=64, iterations=1, parallelism=0),
        KdfParams(memory_kib=64, iterations=1, parallelism=17),
        KdfParams(memory_kib=64, iterations=0, parallelism=1),
        KdfParams(memory_kib=64, iterations=17, parallelism=1),
        KdfParams(memory_kib=7, iterations=1, parallelism=1),
        KdfParams(memory_kib=0xFFFFFFFF, iterations=1, parallelism=1),
    ],
)
def test_check8_kdf_parameters_out_of_caps(params: KdfParams) -> None:
    with pytest.raises(KdfParamsOutOfRange):
        vf.parse(build(params))


def test_check8_comes_before_the_length_check() -> None:
    bad = build(KdfParams(memory_kib=64, iterations=17, parallelism=1), payload_len=5)
    with pytest.raises(KdfParamsOutOfRange):
        vf.parse(bad)


# --- check 9: lengths -----------------------------------------------------------------


@pytest.mark.parametrize("payload_len", [len(CIPHERTEXT) - 1, len(CIPHERTEXT) + 1, 0, 2**64 - 1])
def test_check9_payload_length_mismatch_is_damaged(payload_len: int) -> None:
    with exactly(VaultDamaged) as info:
        vf.parse(build(payload_len=payload_len))
    assert "length" in str(info.value)


def test_check9_payload_shorter_than_a_tag_is_damaged() -> None:
    with exactly(VaultDamaged) as info:
        vf.parse(build(ciphertext=b"x" * 15))
    assert "length" in str(info.value)
    assert vf.parse(build(ciphertext=b"x" * 16)).ciphertext == b"x" * 16


def test_check9_extra_bytes_after_the_payload_are_damaged() -> None:
    good = build()
    body = good[:-32] + b"trailing"
    with exactly(VaultDamaged):
        vf.parse(vf.assemble(body, b""))


# --- checks 10-12: with real keys (envelope.unlock_bytes) ----------------------------


@pytest.fixture
def real_file() -> bytes:
    key_slot, dek = new_key_slot(PASSWORD, FAST_KDF)
    plaintext = (b'{"schema":1,"vault":{"id":"v","created_at":"2026-01-01T00:00:00Z"},'
                 b'"entries":[\n]}')
    return seal(key_slot, dek, plaintext)


def test_checks_all_pass_for_a_real_file(real_file: bytes) -> None:
    parsed, dek, plaintext = unlock_bytes(real_file, PASSWORD)
    assert len(dek) == 32
    assert plaintext.startswith(b'{"schema":1')
    assert parsed.size == len(real_file)


def test_check10_wrong_password(real_file: bytes) -> None:
    with pytest.raises(WrongPassword):
        unlock_bytes(real_file, PASSWORD + "x")


def test_check10_changed_salt_with_fixed_checksum_reads_as_wrong_password(
    real_file: bytes,
) -> None:
    with pytest.raises(WrongPassword):
        unlock_bytes(patch(real_file, 30, bytes([real_file[30] ^ 0xFF])), PASSWORD)


@pytest.mark.parametrize("where", ["payload", "payload_nonce", "payload_tag"])
def test_check11_deliberate_payload_or_header_change_is_damaged(
    real_file: bytes, where: str
) -> None:
    s = vf.SALT_LENGTH
    offset = {"payload": 104 + s + 1, "payload_nonce": 84 + s + 3,
              "payload_tag": len(real_file) - 33}[where]
    with exactly(VaultDamaged) as info:
        unlock_bytes(patch(real_file, offset, bytes([real_file[offset] ^ 0xFF])), PASSWORD)
    assert "altered" in str(info.value)


def test_accidental_damage_never_reads_as_wrong_password(real_file: bytes) -> None:
    for offset in range(0, len(real_file), 7):
        with pytest.raises(VaultDamaged):
            unlock_bytes(flip(real_file, offset), PASSWORD)


def test_caps_are_checked_before_the_kdf_runs(
    real_file: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    def forbidden(*args: object, **kwargs: object) -> bytes:
        raise AssertionError("Argon2 ran on a hostile file")

    monkeypatch.setattr(kdf, "hash_secret_raw", forbidden)
    hostile = patch(real_file, 12, struct.pack(">III", 0xFFFFFFFF, 0xFFFFFFFF, 16))
    with pytest.raises(KdfParamsOutOfRange):
        unlock_bytes(hostile, PASSWORD)


def test_wrapped_dek_is_bound_to_the_kdf_header() -> None:
    key_slot, dek = new_key_slot(PASSWORD, FAST_KDF)
    kek = kdf.derive_kek(PASSWORD, key_slot.salt, key_slot.kdf)
    assert crypto.unwrap_dek(kek, key_slot.wrapped_dek, key_slot.wrap_nonce,
                             key_slot.kdf_header()) == dek
