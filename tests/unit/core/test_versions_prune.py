"""Pruning previous versions: by save order, and only this vault's key's versions."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from tests.conftest import FAST_KDF, PASSWORD, make_entry
from vault_app.core import versions
from vault_app.core.vault import Vault


def test_after_the_clock_went_back_the_version_just_kept_is_not_pruned(
        new_vault: Callable[..., Vault], vault_path: Path) -> None:
    vault = new_vault()
    vault.set_keep_versions(3)
    for index in range(3):
        vault.add(make_entry(label=f"k{index}", exchange="binance"))
    folder = versions.folder_of(vault_path)
    # Those saves ran with the clock far ahead; it has been set back since.
    for index, name in enumerate(sorted(os.listdir(folder))):
        os.rename(folder / name, folder / f"2099010{index + 1}T000000.000000Z.vault")
    vault.add(make_entry(label="after the clock went back", exchange="binance"))
    kept = vault.versions()
    assert [v.key_count for v in kept] == [3, 2, 1]  # newest first: the state replaced
    assert kept[0].name > "20990103T000000.000000Z.vault"  # names follow the saves
    assert "20990101T000000.000000Z.vault" not in os.listdir(folder)


def test_a_version_under_another_key_is_listed_but_never_pruned_by_count(
        new_vault: Callable[..., Vault], vault_path: Path, tmp_path: Path) -> None:
    vault = new_vault(1)
    vault.set_keep_versions(2)
    # A folder left by an earlier vault of the same name: its versions hold its keys.
    other = Vault.create(tmp_path / "other.vault", "their password", FAST_KDF,
                         enforce_kdf_minimum=False)
    other.add(make_entry(label="their only copy", exchange="binance"))
    foreign = "20000101T000000.000000Z.vault"
    versions.write_private(versions.folder_of(vault_path), foreign,
                           (tmp_path / "other.vault").read_bytes(), replace=False)
    for index in range(5):
        vault.add(make_entry(label=f"more {index}", exchange="binance"))
    listed = {v.name: v for v in vault.versions()}
    assert foreign in listed and not listed[foreign].opens_with_current_key
    assert sum(v.opens_with_current_key for v in listed.values()) == 2
    vault.set_keep_versions(0)
    assert [v.name for v in vault.versions()] == [foreign]
    opened = Vault.open(versions.folder_of(vault_path) / foreign, "their password",
                        read_only=True)
    assert [e.label for e in opened.entries] == ["their only copy"]
    assert len(Vault.open(vault_path, PASSWORD)) == 6
