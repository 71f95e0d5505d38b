"""Pruning previous versions: by save order, and only this vault's key's versions."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

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
    # Named by now: a name far ahead is not followed (it is counted as the oldest).
    assert abs(kept[0].saved_at - datetime.now(UTC)) < timedelta(hours=1)
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


def _plant(vault_path: Path, name: str, *, owner: int | None = None) -> None:
    """A version-named copy of the newest version (same key), as a leftover would be."""
    folder = versions.folder_of(vault_path)
    newest = versions.list_versions(vault_path)[0]
    versions.write_private(folder, name, newest.path.read_bytes(), replace=False)
    if owner is not None:
        os.chown(folder / name, owner, owner)


@pytest.mark.parametrize("name", ["99991231T235959.999999Z.vault",
                                  "20991231T000000.000000Z.vault"])
@pytest.mark.parametrize("foreign", [False, True])
def test_a_far_future_name_never_fails_a_save_nor_dates_the_next_versions(
        new_vault: Callable[..., Vault], vault_path: Path, name: str, foreign: bool) -> None:
    if foreign and os.geteuid() != 0:
        pytest.skip("planting another user's file needs root")
    vault = new_vault(2)
    _plant(vault_path, name, owner=65534 if foreign else None)
    vault.add(make_entry(label="after", exchange="binance"))
    vault.add(make_entry(label="again", exchange="binance"))
    assert vault.save_warning is None
    change = vault.change_password(PASSWORD, "a new password 123", FAST_KDF,
                                   enforce_kdf_minimum=False)
    assert change.left == []
    now = datetime.now(UTC)
    dated = [v for v in vault.versions() if v.name != name]
    assert len(dated) == 5
    assert all(abs(v.saved_at - now) < timedelta(hours=1) for v in dated)
    # Newest first: the real versions by save order, the far-future one counted oldest.
    assert [v.key_count for v in dated] == [4, 3, 2, 1, 0]
    assert os.path.exists(versions.folder_of(vault_path) / name)
    assert len(Vault.open(vault_path, "a new password 123")) == 4


def test_a_far_future_version_of_ours_is_pruned_first(
        new_vault: Callable[..., Vault], vault_path: Path) -> None:
    vault = new_vault(1)
    vault.set_keep_versions(3)
    _plant(vault_path, "20991231T000000.000000Z.vault")
    for index in range(4):
        vault.add(make_entry(label=f"k{index}", exchange="binance"))
    assert [v.key_count for v in vault.versions()] == [4, 3, 2]
