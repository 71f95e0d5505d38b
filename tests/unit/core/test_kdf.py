"""Argon2id parameters, their reading caps and writing minimum, and the KEK."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from tests.conftest import FAST_KDF, PASSWORD
from vault_app.core import kdf
from vault_app.core.errors import KdfParamsOutOfRange, WrongPassword
from vault_app.core.kdf import KdfParams, derive_kek, normalize_password
from vault_app.core.vault import Vault

SALT = bytes(range(32))


@pytest.fixture
def no_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if any Argon2 work is started."""

    def forbidden(*args: object, **kwargs: object) -> bytes:
        raise AssertionError("Argon2 ran although the parameters are out of range")

    monkeypatch.setattr(kdf, "hash_secret_raw", forbidden)


OUT_OF_CAPS = [
    pytest.param(KdfParams(memory_kib=64, iterations=1, parallelism=0), "parallelism", id="p=0"),
    pytest.param(KdfParams(memory_kib=1024, iterations=1, parallelism=17), "parallelism",
                 id="p=17"),
    pytest.param(KdfParams(memory_kib=64, iterations=0, parallelism=1), "iterations", id="t=0"),
    pytest.param(KdfParams(memory_kib=64, iterations=17, parallelism=1), "iterations",
                 id="t=17"),
    pytest.param(KdfParams(memory_kib=31, iterations=1, parallelism=4), "memory",
                 id="m<8p"),
    pytest.param(KdfParams(memory_kib=4 * 1024 * 1024 + 1, iterations=1, parallelism=1),
                 "memory", id="m>4GiB"),
    pytest.param(KdfParams(memory_kib=2**32 - 1, iterations=2**32 - 1, parallelism=1),
                 "iterations", id="hostile-max"),
]


@pytest.mark.parametrize(("params", "which"), OUT_OF_CAPS)
def test_reading_caps_reject_each_parameter(params: KdfParams, which: str) -> None:
    with pytest.raises(KdfParamsOutOfRange, match=which):
        params.check_readable()


@pytest.mark.parametrize(("params", "which"), OUT_OF_CAPS)
@pytest.mark.usefixtures("no_argon2")
def test_derive_kek_refuses_before_any_argon2_work(params: KdfParams, which: str) -> None:
    with pytest.raises(KdfParamsOutOfRange, match=which):
        derive_kek(PASSWORD, SALT, params)


@pytest.mark.parametrize(
    "params",
    [
        KdfParams(memory_kib=8, iterations=1, parallelism=1),
        KdfParams(memory_kib=128, iterations=16, parallelism=16),
        KdfParams(memory_kib=4 * 1024 * 1024, iterations=16, parallelism=16),
    ],
)
def test_reading_caps_accept_their_boundaries(params: KdfParams) -> None:
    params.check_readable()  # does not raise


@pytest.mark.parametrize(
    "params",
    [
        KdfParams(memory_kib=19 * 1024 - 1, iterations=2, parallelism=1),
        KdfParams(memory_kib=19 * 1024, iterations=1, parallelism=1),
        FAST_KDF,
    ],
)
def test_creation_refuses_below_the_owasp_minimum(params: KdfParams) -> None:
    params.check_readable()  # readable, but too weak to create
    with pytest.raises(KdfParamsOutOfRange, match="minimum"):
        params.check_creatable()


def test_creation_accepts_the_owasp_minimum() -> None:
    KdfParams(memory_kib=19 * 1024, iterations=2, parallelism=1).check_creatable()


def test_creation_also_refuses_beyond_the_reading_caps() -> None:
    with pytest.raises(KdfParamsOutOfRange):
        KdfParams(memory_kib=4 * 1024 * 1024 + 1, iterations=3, parallelism=4).check_creatable()
    with pytest.raises(KdfParamsOutOfRange):
        KdfParams(memory_kib=256 * 1024, iterations=17, parallelism=4).check_creatable()


def test_default_is_256_mib_t3_p4_and_creatable() -> None:
    default = KdfParams.default()
    assert (default.memory_kib, default.iterations, default.parallelism) == (262_144, 3, 4)
    default.check_creatable()
    assert default.describe() == "Argon2id m=256 MiB, t=3, p=4"


def test_describe_says_kib_when_the_memory_is_not_whole_mib() -> None:
    assert KdfParams(64, 1, 1).describe() == "Argon2id m=64 KiB, t=1, p=1"  # not "0 MiB"
    assert KdfParams(1536, 2, 1).describe() == "Argon2id m=1536 KiB, t=2, p=1"


def test_normalize_password_is_nfc_utf8() -> None:
    nfd = unicodedata.normalize("NFD", "Café ñandú")
    nfc = unicodedata.normalize("NFC", "Café ñandú")
    assert nfd != nfc
    assert normalize_password(nfd) == normalize_password(nfc) == nfc.encode("utf-8")


def test_derive_kek_is_deterministic_and_32_bytes() -> None:
    first = derive_kek(PASSWORD, SALT, FAST_KDF)
    assert len(first) == kdf.KEK_LENGTH == 32
    assert derive_kek(PASSWORD, SALT, FAST_KDF) == first


def test_derive_kek_depends_on_password_salt_and_every_parameter() -> None:
    base = derive_kek(PASSWORD, SALT, FAST_KDF)
    variants = {
        derive_kek(PASSWORD + "!", SALT, FAST_KDF),
        derive_kek(PASSWORD, bytes(32), FAST_KDF),
        derive_kek(PASSWORD, SALT, KdfParams(128, 1, 1)),
        derive_kek(PASSWORD, SALT, KdfParams(64, 2, 1)),
        derive_kek(PASSWORD, SALT, KdfParams(64, 1, 2)),
    }
    assert base not in variants
    assert len(variants) == 5


def test_derive_kek_matches_argon2id_v13_directly() -> None:
    """The KEK is plain Argon2id (type ID, version 0x13) over the NFC password."""
    from argon2.low_level import Type, hash_secret_raw

    expected = hash_secret_raw(PASSWORD.encode(), SALT, 1, 64, 1, 32, Type.ID, 0x13)
    assert derive_kek(PASSWORD, SALT, FAST_KDF) == expected


def test_nfd_password_unlocks_a_vault_created_with_its_nfc_form(vault_path: Path) -> None:
    nfc = unicodedata.normalize("NFC", "Pässwörd – ångström ñ")
    nfd = unicodedata.normalize("NFD", nfc)
    assert nfc != nfd
    Vault.create(vault_path, nfc, FAST_KDF, enforce_kdf_minimum=False)
    assert not Vault.open(vault_path, nfd).is_locked
    with pytest.raises(WrongPassword):
        Vault.open(vault_path, nfc + "x")


def _linear_cost(seconds_per_gib_pass: float):  # type: ignore[no-untyped-def]
    """A synthetic machine: time grows with memory x passes, as Argon2's does."""
    def measure(params: KdfParams) -> float:
        return params.memory_kib / (1024 * 1024) * params.iterations * seconds_per_gib_pass
    return measure


@pytest.mark.parametrize("speed", [0.6, 2.0, 8.0])
def test_calibrate_lands_near_the_target_and_never_below_the_default(speed: float) -> None:
    from vault_app.core.kdf import calibrate

    measure = _linear_cost(speed)
    params = calibrate(1.0, measure=measure)
    default = KdfParams.default()
    params.check_creatable()
    assert params.memory_kib >= default.memory_kib
    assert params.iterations >= default.iterations
    assert params.memory_kib <= 1024 * 1024
    if measure(default) < 1.0:  # room to grow: it must get close to one second
        assert 0.75 <= measure(params) <= 1.35


def test_calibrate_on_a_slow_machine_keeps_the_default() -> None:
    from vault_app.core.kdf import calibrate

    assert calibrate(1.0, measure=_linear_cost(100.0)) == KdfParams.default()


def test_calibrate_respects_the_iteration_cap() -> None:
    from vault_app.core.kdf import MAX_ITERATIONS, calibrate

    params = calibrate(60.0, measure=_linear_cost(0.01))
    assert params.iterations == MAX_ITERATIONS and params.memory_kib == 1024 * 1024
