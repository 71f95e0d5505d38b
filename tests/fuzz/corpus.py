"""The fuzz corpus: a few real vaults and payloads, built deterministically.

Everything here is derived from a fixed ``random.Random``, including the salt,
the data key and the nonces, so that a case named by seed and index rebuilds
the very same bytes. The key slot is the real one (FAST_KDF, the test password);
sealing uses the app's own header builder and AES-GCM.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from tests.conftest import FAST_KDF, PASSWORD
from vault_app.core import crypto
from vault_app.core.kdf import derive_kek
from vault_app.core.model import KeyEntry
from vault_app.core.schema import SCHEMA_VERSION, VaultMeta, encode_payload, entry_to_dict
from vault_app.core.vault_format import KeySlot, assemble, build_header, kdf_header

EPOCH = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
EXCHANGES = ("binance", "okx", "kraken", "coinbase", "bybit")


@dataclass(frozen=True)
class Keys:
    slot: KeySlot
    dek: bytes


@cache
def keys() -> Keys:
    """One real key slot (FAST_KDF, ``PASSWORD``) shared by every fuzz vault."""
    rng = random.Random("fuzz-key-slot")
    salt, dek, wrap_nonce = rng.randbytes(32), rng.randbytes(32), rng.randbytes(12)
    kek = derive_kek(PASSWORD, salt, FAST_KDF)
    wrapped = crypto.wrap_dek(kek, dek, wrap_nonce, kdf_header(FAST_KDF, salt))
    return Keys(KeySlot(kdf=FAST_KDF, salt=salt, wrap_nonce=wrap_nonce, wrapped_dek=wrapped),
                dek)


def seal(plaintext: bytes, nonce: bytes) -> bytes:
    """Complete file bytes for ``plaintext`` (the app's ``envelope.seal``, nonce given)."""
    k = keys()
    header = build_header(k.slot, nonce, len(plaintext) + crypto.TAG_LENGTH)
    return assemble(header, crypto.seal_payload(k.dek, nonce, plaintext, header))


def make_entry(rng: random.Random, index: int, *, unknown_keys: bool = False) -> KeyEntry:
    environment = rng.choice(("live", "live", "sandbox", "custom"))
    created = EPOCH + timedelta(days=rng.randrange(400), seconds=rng.randrange(86400))
    credentials = {"apiKey": f"ak-{index}-{rng.randbytes(8).hex()}",
                   "secret": f"sk-{rng.randbytes(16).hex()}"}
    if rng.random() < 0.3:
        credentials["password"] = f"pass phrase {index} é"
    extra: dict[str, Any] = {}
    if unknown_keys:
        extra = {"x_future": {"nested": [1, 2.5, None, True, "ü"]}, "x_flag": False}
    return KeyEntry(
        id=f"00000000-0000-4000-8000-{index:012d}",
        label=rng.choice(("Main", "Bot", "Ünïcødé ключ", "Read only", "保管")) + f" {index}",
        exchange=rng.choice(EXCHANGES),
        credentials=credentials,
        permissions=tuple(sorted(rng.sample(("read", "trade", "withdraw"), rng.randint(1, 3)))),
        ip_whitelist=tuple(f"10.0.0.{i}" for i in range(rng.randrange(3))),
        environment=environment,
        api_url="https://api.example.test/v1" if environment == "custom" else None,
        created_at=created,
        rotated_at=(rotated := created + timedelta(days=rng.randrange(30))),
        updated_at=rotated + timedelta(hours=rng.randrange(3)),
        last_used_at=None if rng.random() < 0.5 else created + timedelta(hours=5),
        rotate_days=rng.choice((1, 30, 90, 3650)),
        notes=rng.choice(("", "line one\nline two", "tab\there \"quoted\" \\ slash", "😀")),
        tags=tuple(rng.sample(("hot", "cold", "bot", "tax"), rng.randrange(3))),
        extra=extra,
    )


@dataclass(frozen=True)
class Base:
    """A valid vault: its name, its payload as a JSON-able tree, and its file bytes."""

    name: str
    document: dict[str, Any]
    plaintext: bytes
    data: bytes


def _base(name: str, count: int, *, unknown_keys: bool = False) -> Base:
    rng = random.Random(f"fuzz-base-{name}")
    entries = [make_entry(rng, i, unknown_keys=unknown_keys) for i in range(count)]
    extra: dict[str, Any] = {"x_sync": {"device": "laptop", "n": 3}} if unknown_keys else {}
    meta = VaultMeta(id=f"11111111-2222-4333-8444-{count:012d}", created_at=EPOCH, extra=extra)
    plaintext = encode_payload(meta, entries)  # the app's own layout
    head = dict(extra)
    head.update({"id": meta.id, "created_at": "2024-01-02T03:04:05Z", "journal_key": None,
                 "keep_versions": meta.keep_versions})
    document: dict[str, Any] = {"schema": SCHEMA_VERSION, "vault": head,
                                "entries": [entry_to_dict(e) for e in entries]}
    if unknown_keys:
        document["x_top"] = [{"a": 1}, "b"]
    return Base(name, document, plaintext, seal(plaintext, rng.randbytes(12)))


@cache
def bases() -> tuple[Base, ...]:
    """Empty, one entry, three, fifty, and one with unknown keys at every level."""
    return (
        _base("empty", 0),
        _base("one", 1),
        _base("three", 3),
        _base("fifty", 50),
        _base("unknown-keys", 2, unknown_keys=True),
    )
