"""Section 6 content rules that the byte-level vectors do not reach.

Checks 12 and 13 of the spec: a payload that is not JSON as section 6.1 restricts
it, or whose content breaks section 6.3, is *damaged*. A crafted or buggy payload
must be reported as VaultDamaged whichever way the vault is opened, never crash
with another exception and never be accepted only to crash later (issue 6).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PASSWORD, make_entry
from tests.e2e.support import write_payload_vault
from tests.hostile_payloads import HOSTILE, app_document, payload
from vault_app.core import schema
from vault_app.core.envelope import unlock_bytes
from vault_app.core.errors import VaultDamaged
from vault_app.core.vault import Vault


@pytest.mark.parametrize("rotate_days", [1, 3650])
def test_rotate_days_at_the_bounds_decode(rotate_days: int) -> None:
    _, entries = schema.decode_payload(payload(rotate_days=rotate_days))
    assert [entry.rotate_days for entry in entries] == [rotate_days]
    assert entries[0].rotation_due_at > entries[0].rotated_at


@pytest.mark.parametrize("rotate_days", [0, 3651, 10**9])
def test_rotate_days_out_of_range_is_damaged(rotate_days: int) -> None:
    """Spec 6: rotate_days is 1 to 3650. Accepting 10**9 makes ``rotation_due_at``
    (used by ``vault-app-cli list``) raise OverflowError later."""
    with pytest.raises(VaultDamaged):
        schema.decode_payload(payload(rotate_days=rotate_days))


@pytest.mark.parametrize("changes", [
    {"environment": ["live"]},
    {"environment": {"live": 1}},
    {"permissions": [["read"]]},
    {"permissions": [{"read": True}]},
], ids=["environment-list", "environment-object", "permission-list", "permission-object"])
def test_non_text_enum_values_are_damaged_not_a_crash(changes: dict[str, Any]) -> None:
    with pytest.raises(VaultDamaged):
        schema.decode_payload(payload(**changes))


# --- issue 6, items 5 and 6: one decoder, one verdict, as the spec says -------------------


def sealed(path: Path, plaintext: bytes) -> bytes:
    """Write a vault whose payload is ``plaintext``, sealed with a real key."""
    return write_payload_vault(path, plaintext)


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_payloads_are_damaged_not_a_crash(name: str) -> None:
    """Each was opened, or crashed with RecursionError/UnicodeEncodeError, before."""
    assert b"@@raw@@" not in HOSTILE[name]
    with pytest.raises(VaultDamaged):
        schema.decode_payload(HOSTILE[name])


@pytest.mark.parametrize("name", list(HOSTILE))
def test_read_only_and_read_write_opens_give_one_verdict(name: str, vault_path: Path) -> None:
    """`list` opens read-only, `add` read-write: both refuse, and nothing is written."""
    data = sealed(vault_path, HOSTILE[name])
    for read_only in (True, False):
        with pytest.raises(VaultDamaged):
            Vault.open(vault_path, PASSWORD, read_only=read_only)
    assert vault_path.read_bytes() == data


def test_a_lone_surrogate_can_never_reach_a_save(vault_path: Path) -> None:
    """Before: the vault opened read-write and every save raised UnicodeEncodeError."""
    sealed(vault_path, HOSTILE["surrogate-in-vault"])
    with pytest.raises(VaultDamaged, match="surrogate"):
        Vault.open(vault_path, PASSWORD)


@pytest.mark.parametrize("stamp", ["2026-11-21t09:30:00z", "2026-11-21T10:30:00.5+01:00"])
def test_rfc3339_timestamps_open_and_save(stamp: str, vault_path: Path) -> None:
    sealed(vault_path, json.dumps(app_document(created_at=stamp)).encode())
    vault = Vault.open(vault_path, PASSWORD)
    assert vault.meta.created_at == datetime(2026, 11, 21, 9, 30, tzinfo=UTC)
    vault.add(make_entry("second", exchange="binance"))
    reopened = Vault.open(vault_path, PASSWORD, read_only=True)
    assert reopened.meta == vault.meta and reopened.entries == vault.entries


def test_unknown_top_level_members_survive_a_save(vault_path: Path) -> None:
    document = app_document(future_vault={"k": [1, 2.5]})
    document["future_top"] = {"nested": [None, True, "x"]}
    sealed(vault_path, json.dumps(document).encode())
    vault = Vault.open(vault_path, PASSWORD)
    vault.add(make_entry("second", exchange="binance"))
    _, _, plaintext = unlock_bytes(vault_path.read_bytes(), PASSWORD)
    stored = json.loads(plaintext)
    assert stored["future_top"] == {"nested": [None, True, "x"]}
    assert stored["vault"]["future_vault"] == {"k": [1, 2.5]}
    assert len(stored["entries"]) == 2


def test_a_custom_entry_needs_its_api_url_and_others_ignore_theirs() -> None:
    with pytest.raises(VaultDamaged, match="API URL"):
        schema.decode_payload(payload(environment="custom", api_url=None))
    _, entries = schema.decode_payload(payload(environment="live", api_url="https://x.test"))
    assert entries[0].api_url is None
    _, entries = schema.decode_payload(payload(environment="custom", api_url="https://x.test"))
    assert entries[0].api_url == "https://x.test"
