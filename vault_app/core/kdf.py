"""Argon2id key derivation: parameters, their bounds, and the KEK itself.

See docs/vault-format.md, section 3.
"""

from __future__ import annotations

import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from argon2.exceptions import HashingError
from argon2.low_level import Type, hash_secret_raw

from vault_app.core import memory
from vault_app.core.errors import KdfMemoryUnavailable, KdfParamsOutOfRange

KEK_LENGTH = 32
ARGON2_VERSION = 0x13

# Caps applied when *reading* a file, before any work is done (spec 3.1).
MAX_MEMORY_KIB = 4 * 1024 * 1024
MAX_ITERATIONS = 16
MAX_PARALLELISM = 16

# OWASP minimum for Argon2id, applied when *writing* (spec 3.2).
MIN_CREATE_MEMORY_KIB = 19 * 1024
MIN_CREATE_ITERATIONS = 2


@dataclass(frozen=True)
class KdfParams:
    memory_kib: int
    iterations: int
    parallelism: int

    @classmethod
    def default(cls) -> KdfParams:
        """256 MiB, t=3, p=4: about 0.45 s on a 2-core machine."""
        return cls(memory_kib=256 * 1024, iterations=3, parallelism=4)

    def check_readable(self) -> None:
        """Raise KdfParamsOutOfRange unless within the reading caps."""
        p, t, m = self.parallelism, self.iterations, self.memory_kib
        if not 1 <= p <= MAX_PARALLELISM:
            raise KdfParamsOutOfRange(
                f"KDF parallelism {p} is outside 1..{MAX_PARALLELISM}; refusing to run it"
            )
        if not 1 <= t <= MAX_ITERATIONS:
            raise KdfParamsOutOfRange(
                f"KDF iterations {t} is outside 1..{MAX_ITERATIONS}; refusing to run it"
            )
        if not 8 * p <= m <= MAX_MEMORY_KIB:
            raise KdfParamsOutOfRange(
                f"KDF memory {m} KiB is outside {8 * p}..{MAX_MEMORY_KIB} KiB; "
                "refusing to run it"
            )

    def check_creatable(self) -> None:
        """Raise KdfParamsOutOfRange if too weak (or too large) for a new vault."""
        self.check_readable()
        if self.memory_kib < MIN_CREATE_MEMORY_KIB or self.iterations < MIN_CREATE_ITERATIONS:
            raise KdfParamsOutOfRange(
                f"KDF parameters m={self.memory_kib} KiB, t={self.iterations} are below "
                f"the minimum for a new vault (m >= {MIN_CREATE_MEMORY_KIB} KiB, "
                f"t >= {MIN_CREATE_ITERATIONS})"
            )

    def describe(self) -> str:
        memory = (f"{self.memory_kib // 1024} MiB" if self.memory_kib % 1024 == 0
                  else f"{self.memory_kib} KiB")  # a test vault's 64 KiB is not "0 MiB"
        return f"Argon2id m={memory}, t={self.iterations}, p={self.parallelism}"


def normalize_password(password: str) -> bytes:
    """NFC-normalise and UTF-8 encode a master password (spec section 3)."""
    return unicodedata.normalize("NFC", password).encode("utf-8")


def derive_kek(password: str, salt: bytes, params: KdfParams) -> bytes:
    """Derive the 32-byte key-encryption key.

    Checks the caps, then that the machine can give the memory cost
    (``memory.check_kdf_memory``), before any work: KdfParamsOutOfRange or
    KdfMemoryUnavailable.
    """
    params.check_readable()
    memory.check_kdf_memory(params.memory_kib)
    try:
        return hash_secret_raw(
            secret=normalize_password(password),
            salt=salt,
            time_cost=params.iterations,
            memory_cost=params.memory_kib,
            parallelism=params.parallelism,
            hash_len=KEK_LENGTH,
            type=Type.ID,
            version=ARGON2_VERSION,
        )
    except (MemoryError, HashingError) as exc:
        # The check above passed but the allocation (or a thread) still failed.
        if isinstance(exc, HashingError) and "memory" not in str(exc).lower() \
                and "thread" not in str(exc).lower():
            raise
        raise KdfMemoryUnavailable(
            f"the key derivation (Argon2id) could not get the {params.memory_kib // 1024} MiB "
            "of memory it needs; close other programs or use a machine with more memory. "
            "Nothing was written"
        ) from None


def _measure(params: KdfParams) -> float:
    start = time.perf_counter()
    hash_secret_raw(b"calibrate", b"\x00" * 16, params.iterations, params.memory_kib,
                    params.parallelism, KEK_LENGTH, Type.ID, ARGON2_VERSION)
    return time.perf_counter() - start


def _fits(memory_kib: int) -> bool:
    """Whether a new vault may ask for ``memory_kib``: within a quarter of the machine's
    memory (``memory.calibration_cap_kib``) and every hard limit."""
    cap = memory.calibration_cap_kib()
    if cap is not None and memory_kib > cap:
        return False
    try:
        memory.check_kdf_memory(memory_kib)
    except KdfMemoryUnavailable:
        return False
    return True


def calibrate(target_seconds: float = 1.0, parallelism: int = 4,
              measure: Callable[[KdfParams], float] = _measure) -> KdfParams:
    """Find parameters that take about ``target_seconds`` on this machine.

    Memory is doubled first (up to 1 GiB, and only while it stays within a
    quarter of the machine's memory and every hard limit, see ``_fits``), then
    iterations are raised (up to the cap), never going below the default. Each
    probe runs the real KDF (``measure``), so this takes a few seconds.
    """
    default = KdfParams.default()
    params = KdfParams(default.memory_kib, default.iterations, parallelism)
    elapsed = measure(params)
    while (elapsed * 2 <= target_seconds * 1.15 and params.memory_kib < 1024 * 1024
           and _fits(params.memory_kib * 2)):
        params = KdfParams(params.memory_kib * 2, params.iterations, parallelism)
        elapsed = measure(params)
    if elapsed < target_seconds:
        per_iteration = elapsed / params.iterations
        wanted = round(target_seconds / per_iteration)
        iterations = min(MAX_ITERATIONS, max(params.iterations, wanted))
        params = KdfParams(params.memory_kib, iterations, parallelism)
    return params
