"""Read-only vaults: detected from the mode bits as well as os.access (root ignores
the bits), refused on save with a typed error, and never replaced behind the user's back."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import PASSWORD, make_entry
from vault_app.core.errors import VaultExists, VaultIOError, VaultReadOnly
from vault_app.core.vault import Vault
from vault_app.core.writable import read_only_reason


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def restore_modes(vault_path: Path) -> Iterator[None]:
    yield  # let tmp_path's clean-up delete the folder
    vault_path.parent.chmod(0o700)


def test_a_writable_vault_has_no_reason(vault: Vault, vault_path: Path) -> None:
    assert read_only_reason(vault_path) is None
    assert Vault.open(vault_path, PASSWORD).read_only_reason is None


@pytest.mark.parametrize("file_mode", [0o400, 0o444, 0o500])
def test_a_file_without_write_bits_is_read_only_even_for_root(
        vault: Vault, vault_path: Path, file_mode: int) -> None:
    vault_path.chmod(file_mode)
    reason = read_only_reason(vault_path)
    assert reason is not None and f"{file_mode:04o}" in reason
    if os.geteuid() == 0:  # the case the bits exist for: root may write anyway
        assert os.access(vault_path, os.W_OK)


def test_a_folder_without_write_bits_is_read_only(
        vault: Vault, vault_path: Path, restore_modes: None) -> None:
    vault_path.parent.chmod(0o500)
    reason = read_only_reason(vault_path)
    assert reason is not None and "folder" in reason and "0500" in reason


def test_open_records_the_reason(vault: Vault, vault_path: Path) -> None:
    vault_path.chmod(0o400)
    opened = Vault.open(vault_path, PASSWORD)
    assert opened.read_only_reason is not None and "0400" in opened.read_only_reason
    assert len(opened.entries) == 2  # reading works as ever


@pytest.mark.parametrize("change", [
    lambda v: v.add(make_entry("new key")),
    lambda v: v.remove(v.find("key 0").id),
    lambda v: v.update(v.find("key 0").id, {"notes": "changed"}),
    lambda v: v.mark_used(v.find("key 0").id),
])
def test_saving_a_read_only_file_is_refused_and_changes_nothing(
        vault: Vault, vault_path: Path, change: Callable[[Vault], object]) -> None:
    opened = Vault.open(vault_path, PASSWORD)
    vault_path.chmod(0o400)  # made read-only after unlocking: checked at each save
    before = vault_path.read_bytes()
    inode = vault_path.stat().st_ino
    with pytest.raises(VaultReadOnly, match=r"read-only.*0400.*nothing was written") as info:
        change(opened)
    assert isinstance(info.value, VaultIOError)  # CLI exit 5
    assert vault_path.read_bytes() == before
    assert mode(vault_path) == 0o400 and vault_path.stat().st_ino == inode
    assert not [p for p in vault_path.parent.iterdir() if ".tmp-" in p.name]
    assert [e.label for e in opened.entries] == ["key 0", "key 1"]
    assert opened.read_only_reason is not None


def test_saving_into_a_read_only_folder_is_refused(
        vault: Vault, vault_path: Path, restore_modes: None) -> None:
    opened = Vault.open(vault_path, PASSWORD)
    before = sorted(vault_path.parent.iterdir())
    vault_path.parent.chmod(0o500)
    with pytest.raises(VaultReadOnly, match="folder"):
        opened.add(make_entry("new key"))
    assert sorted(vault_path.parent.iterdir()) == before


def test_a_vault_made_writable_again_saves(vault: Vault, vault_path: Path) -> None:
    opened = Vault.open(vault_path, PASSWORD)
    vault_path.chmod(0o400)
    with pytest.raises(VaultReadOnly):
        opened.add(make_entry("new key"))
    vault_path.chmod(0o600)
    opened.add(make_entry("new key"))
    assert opened.read_only_reason is None
    assert len(Vault.open(vault_path, PASSWORD).entries) == 3


def test_save_copy_writes_a_new_vault_with_the_same_password(
        vault: Vault, vault_path: Path, tmp_path: Path) -> None:
    vault_path.chmod(0o400)
    opened = Vault.open(vault_path, PASSWORD)
    target = tmp_path / "copy" / "copy.vault"
    target.parent.mkdir()
    copy = opened.save_copy(target)
    assert mode(target) == 0o600 and mode(vault_path) == 0o400
    assert copy.path == target and copy.read_only_reason is None
    copy.add(make_entry("new key"))  # the user continues in the copy
    assert [e.label for e in Vault.open(target, PASSWORD).entries] == [
        "key 0", "key 1", "new key"]
    assert [e.label for e in Vault.open(vault_path, PASSWORD).entries] == ["key 0", "key 1"]


def test_save_copy_never_overwrites(vault: Vault, vault_path: Path, tmp_path: Path) -> None:
    target = tmp_path / "existing.vault"
    target.write_bytes(b"precious")
    with pytest.raises(VaultExists):
        Vault.open(vault_path, PASSWORD).save_copy(target)
    assert target.read_bytes() == b"precious"


def test_a_read_only_file_system_is_detected(vault: Vault, vault_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    real = os.statvfs(vault_path.parent)

    class ReadOnlyMount:
        f_flag = real.f_flag | os.ST_RDONLY

    monkeypatch.setattr(os, "statvfs", lambda _path: ReadOnlyMount())
    reason = read_only_reason(vault_path)
    assert reason is not None and "mounted read-only" in reason


def test_a_link_is_judged_by_the_real_file_s_folder(vault: Vault, vault_path: Path,
                                                   tmp_path: Path, restore_modes: None) -> None:
    # A vault linked from a writable folder into a read-only one is read-only: the
    # save goes to the real folder. Judged by the link's folder instead, the CLI let
    # `add` prompt for the credentials before the save refused them.
    link_folder = tmp_path / "synced"
    link_folder.mkdir()
    link = link_folder / "linked.vault"
    link.symlink_to(vault_path)
    vault_path.parent.chmod(0o500)
    reason = read_only_reason(link)
    assert reason is not None and str(vault_path.parent) in reason
