"""Vault.set_keep_versions and updated_at through the vault (spec 6.2, schema 3)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import PASSWORD
from vault_app.core.envelope import unlock_bytes
from vault_app.core.errors import ValidationError
from vault_app.core.vault import Vault


def stored_vault_member(path: Path) -> dict[str, object]:
    _, _, plaintext = unlock_bytes(path.read_bytes(), PASSWORD)
    vault: dict[str, object] = json.loads(plaintext)["vault"]
    return vault


def test_a_new_vault_keeps_10_versions(vault: Vault, vault_path: Path) -> None:
    assert vault.meta.keep_versions == 10
    assert stored_vault_member(vault_path)["keep_versions"] == 10


@pytest.mark.parametrize("count", [0, 1, 1000])
def test_set_keep_versions_saves_the_count(vault: Vault, vault_path: Path,
                                           count: int) -> None:
    entries = vault.entries
    vault.set_keep_versions(count)
    assert vault.meta.keep_versions == count
    assert stored_vault_member(vault_path)["keep_versions"] == count
    reopened = Vault.open(vault_path, PASSWORD)
    assert reopened.meta.keep_versions == count and reopened.entries == entries


@pytest.mark.parametrize("count", [-1, 1001, True, 10.0, "10", None])
def test_set_keep_versions_refuses_what_the_file_cannot_hold(
        vault: Vault, vault_path: Path, count: object) -> None:
    before = vault_path.read_bytes()
    with pytest.raises(ValidationError) as info:
        vault.set_keep_versions(count)  # type: ignore[arg-type]
    assert info.value.field == "keep_versions"
    assert vault_path.read_bytes() == before and vault.meta.keep_versions == 10


def test_the_same_count_writes_nothing(vault: Vault, vault_path: Path) -> None:
    before, inode = vault_path.read_bytes(), vault_path.stat().st_ino
    vault.set_keep_versions(10)
    assert vault_path.read_bytes() == before and vault_path.stat().st_ino == inode


def test_a_count_set_by_another_session_is_seen_and_kept(vault: Vault,
                                                         vault_path: Path) -> None:
    Vault.open(vault_path, PASSWORD).set_keep_versions(3)
    vault.set_keep_versions(3)  # decided against the disk, under the lock: nothing to write
    assert vault.meta.keep_versions == 3
    vault.set_keep_versions(4)
    assert Vault.open(vault_path, PASSWORD).meta.keep_versions == 4


def test_an_edit_saved_through_the_vault_sets_updated_at(vault: Vault,
                                                         vault_path: Path) -> None:
    entry = vault.entries[0]
    edited = vault.update(entry.id, {"notes": "changed"})
    assert edited.updated_at >= entry.updated_at and edited.created_at == entry.created_at
    assert Vault.open(vault_path, PASSWORD).get(entry.id).updated_at == edited.updated_at
    again = vault.update(entry.id, {"notes": "changed"})  # no change: updated_at stays
    assert again.updated_at == edited.updated_at
