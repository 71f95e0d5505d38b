"""What the backup tests share: a vault with keys and order records, and comparisons
of every field."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tests.conftest import FAST_KDF, PASSWORD, make_entry
from vault_app.core.model import KeyEntry
from vault_app.core.schema import entry_to_dict
from vault_app.core.vault import Vault
from vault_app.trading.journal import Journal, journal_path

BACKUP_PASSWORD = "a different backup passphrase 7"


def order_record(key_id: str, number: int, state: str = "PENDING") -> dict[str, Any]:
    return {"kind": "order", "client_order_id": f"va-{number}", "key_id": key_id,
            "state": state, "symbol": "BTC/USDT", "side": "buy", "type": "limit",
            "amount": "0.01", "price": "50000", "nested": {"fees": [{"cost": "0.1"}]}}


def vault_with_orders(path: Path, labels: Sequence[str] = ("alpha", "beta", "gamma"),
                      orders_each: int = 2) -> Vault:
    """A fast-KDF vault holding one binance key per label and ``orders_each`` order
    records per key in its journal (plus one of a key no longer in the vault)."""
    vault = Vault.create(path, PASSWORD, FAST_KDF, enforce_kdf_minimum=False)
    vault.add_many([make_entry(label=label, exchange="binance", notes=f"notes of {label}")
                    for label in labels])
    journal = Journal(journal_path(vault.path), vault.ensure_journal_key())
    number = 0
    for entry in vault.entries:
        for _ in range(orders_each):
            number += 1
            journal.append(order_record(entry.id, number))
    journal.append(order_record("a-key-removed-since", 999, "FILLED"))
    return vault


def journal_data(vault_path: Path, key: bytes) -> list[dict[str, Any]]:
    path = vault_path.with_name(vault_path.name + ".journal")
    return [record.data for record in Journal(path, key).read().records]


def fields(entries: Sequence[KeyEntry]) -> list[dict[str, Any]]:
    """Every field of every entry, credentials and unknown members included."""
    return [entry_to_dict(entry) for entry in entries]


def flip_byte(path: Path, offset: int = -40) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0xFF
    path.write_bytes(bytes(data))


def folder_names(folder: Path) -> list[str]:
    return sorted(item.name for item in folder.iterdir())
