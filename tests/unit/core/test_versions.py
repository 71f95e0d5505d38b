"""Previous versions kept on every save (core/versions.py, Vault._commit)."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.conftest import FAST_KDF, PASSWORD, make_entry
from vault_app.core import version_rekey, versions
from vault_app.core.errors import VersionOtherKey, VersionStale, WrongPassword
from vault_app.core.vault import Vault


def folder(path: Path) -> Path:
    return path.with_name(path.name + ".versions")


def version_names(path: Path) -> list[str]:
    return [v.name for v in versions.list_versions(path)]


def open_version_with(path: Path, name: str, password: str) -> Vault:
    """Open a version file as a vault of its own (the master password, KDF and all)."""
    return Vault.open(folder(path) / name, password, read_only=True)


def test_after_15_saves_exactly_10_versions_exist_and_each_opens(
        new_vault: Callable[..., Vault], vault_path: Path) -> None:
    vault = new_vault()
    states = [[e.id for e in vault.entries]]
    for index in range(15):
        vault.add(make_entry(label=f"key {index}", exchange="binance"))
        states.append([e.id for e in vault.entries])
    kept = vault.versions()
    assert len(kept) == 10
    assert stat.S_IMODE(os.lstat(folder(vault_path)).st_mode) == 0o700
    # Newest first: the newest version is the state before the last save (14 keys).
    assert [v.key_count for v in kept] == list(range(14, 4, -1))
    for summary in kept:
        assert summary.opens_with_current_key and summary.problem is None
        info = os.lstat(folder(vault_path) / summary.name)
        assert stat.S_IMODE(info.st_mode) == 0o600 and info.st_nlink == 1
        opened = open_version_with(vault_path, summary.name, PASSWORD)
        assert [e.id for e in opened.entries] == states[summary.key_count or 0]
    assert versions.usage(vault_path) == (10, sum(v.size for v in kept))


@pytest.mark.parametrize("k", [5, 9, 14])
def test_restoring_version_k_gives_exactly_the_state_after_save_k(
        new_vault: Callable[..., Vault], vault_path: Path, k: int) -> None:
    vault = new_vault()
    states = [list(vault.entries)]  # states[s]: after save s (0: the new vault)
    for save in range(1, 16):
        if save % 3 == 0:  # edits and removals too, not only additions
            vault.update(vault.entries[0].id, {"notes": f"edited in save {save}"})
        elif save % 5 == 0:
            vault.remove(vault.entries[-1].id)
        else:
            vault.add(make_entry(label=f"key {save}", exchange="binance"))
        states.append(list(vault.entries))
    oldest_first = version_names(vault_path)[::-1]
    assert len(oldest_first) == 10  # saves 6..15 replaced states 5..14
    wanted = oldest_first[k - 5]
    assert vault.version_entries(wanted) == states[k]
    shown = vault.version_diff(wanted)
    assert not shown.is_empty
    assert vault.restore_version(wanted, expected_diff=shown)
    assert list(vault.entries) == states[k]
    assert list(Vault.open(vault_path, PASSWORD).entries) == states[k]
    # The state before the restore became a version: the restore can be undone.
    newest = version_names(vault_path)[0]
    assert vault.version_entries(newest) == states[15]
    assert vault.restore_version(newest)  # undo
    assert list(vault.entries) == states[15]


def test_a_restore_refuses_when_the_vault_changed_since_the_diff_was_shown(
        new_vault: Callable[..., Vault], vault_path: Path) -> None:
    vault = new_vault(2)
    name = version_names(vault_path)[0]
    shown = vault.version_diff(name)
    other = Vault.open(vault_path, PASSWORD)
    other.add(make_entry(label="added elsewhere", exchange="binance"))
    before = vault_path.read_bytes()
    with pytest.raises(VersionStale):
        vault.restore_version(name, expected_diff=shown)
    assert vault_path.read_bytes() == before


def test_a_restore_keeps_the_journal_key(
        new_vault: Callable[..., Vault], vault_path: Path) -> None:
    vault = new_vault(2)
    key = vault.ensure_journal_key()
    name = version_names(vault_path)[-1]
    vault.restore_version(name)
    assert Vault.open(vault_path, PASSWORD).meta.journal_key == key


def test_keep_zero_prunes_every_version(
        new_vault: Callable[..., Vault], vault_path: Path) -> None:
    vault = new_vault(3)
    assert version_names(vault_path)
    vault.set_keep_versions(0)
    assert version_names(vault_path) == []
    vault.add(make_entry(label="more", exchange="binance"))
    assert version_names(vault_path) == []
    vault.set_keep_versions(2)
    for index in range(4):
        vault.add(make_entry(label=f"again {index}", exchange="binance"))
    assert len(version_names(vault_path)) == 2


@pytest.mark.parametrize("hostile", ["symlink", "file", "open folder"])
def test_a_hostile_versions_folder_never_fails_the_save_and_warns(
        new_vault: Callable[..., Vault], vault_path: Path, tmp_path: Path,
        hostile: str) -> None:
    vault = new_vault()
    versions_folder = folder(vault_path)
    target = tmp_path / "elsewhere"
    target.mkdir()
    if hostile == "symlink":
        versions_folder.symlink_to(target)
    elif hostile == "file":
        versions_folder.write_bytes(b"not a folder")
    else:
        versions_folder.mkdir()
        os.chmod(versions_folder, 0o777)
    vault.add(make_entry(label="saved anyway", exchange="binance"))
    assert vault.save_warning is not None and str(versions_folder) in vault.save_warning
    assert [e.label for e in Vault.open(vault_path, PASSWORD).entries] == ["saved anyway"]
    assert list(target.iterdir()) == []
    if hostile == "file":
        assert versions_folder.read_bytes() == b"not a folder"


def test_links_and_foreign_files_in_the_folder_are_ignored(
        new_vault: Callable[..., Vault], vault_path: Path, tmp_path: Path) -> None:
    vault = new_vault(1)
    secret = tmp_path / "secret.txt"
    secret.write_text("not ours")
    (folder(vault_path) / "20200101T000000.000000Z.vault").symlink_to(secret)
    (folder(vault_path) / "notes.txt").write_text("mine, not a version")
    for _ in range(12):
        vault.add(make_entry(label=f"k{_}", exchange="binance"))
    assert secret.read_text() == "not ours"
    assert (folder(vault_path) / "notes.txt").exists()
    assert os.path.islink(folder(vault_path) / "20200101T000000.000000Z.vault")
    assert len(vault.versions()) == 10


def test_names_are_utc_and_unique() -> None:
    moment = datetime(2026, 11, 21, 20, 44, 5, 123456, tzinfo=UTC)
    first = versions.new_name(moment, set())
    assert first == "20261121T204405.123456Z.vault"
    second = versions.new_name(moment, {first})
    assert second == "20261121T204405.123456Z-1.vault"
    assert versions.parse_name(second) == (moment, 1)
    assert versions.parse_name("20261121T204405Z.vault") is None
    assert versions.parse_name("../20261121T204405.123456Z.vault") is None


def test_a_copy_is_kept_when_the_file_system_refuses_links(
        new_vault: Callable[..., Vault], vault_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    vault = new_vault(1)
    before = vault_path.read_bytes()
    real_link = os.link

    def no_links(src: object, dst: object, **kwargs: object) -> None:
        if str(src) == str(vault_path):  # what a FAT stick or a sandbox answers
            raise OSError(errno.EPERM, "Operation not permitted")
        real_link(src, dst, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "link", no_links)
    vault.add(make_entry(label="copied", exchange="binance"))
    newest = folder(vault_path) / version_names(vault_path)[0]
    assert newest.read_bytes() == before
    info = os.lstat(newest)
    assert info.st_nlink == 1 and stat.S_IMODE(info.st_mode) == 0o600
    assert [n for n in os.listdir(folder(vault_path)) if n.startswith(".")] == []


def test_a_temp_left_by_a_killed_copy_is_removed_under_the_lock(
        new_vault: Callable[..., Vault], vault_path: Path) -> None:
    vault = new_vault(1)
    versions_folder = folder(vault_path)
    # A temp left by a copy killed midway is removed by the next keep.
    stale = versions_folder / f"{versions.TEMP_PREFIX}deadbeef"
    stale.write_bytes(b"partial")
    versions.write_private(versions_folder, "20260101T000000.000000Z.vault",
                           vault_path.read_bytes(), replace=False)
    vault.add(make_entry(label="next", exchange="binance"))
    assert not stale.exists()
    assert stat.S_IMODE(os.lstat(versions_folder / "20260101T000000.000000Z.vault").st_mode) \
        == 0o600


def test_the_vaults_mode_is_not_changed_and_versions_are_private(
        new_vault: Callable[..., Vault], vault_path: Path) -> None:
    vault = new_vault()
    os.chmod(vault_path, 0o640)
    vault.add(make_entry(label="one", exchange="binance"))
    vault.add(make_entry(label="two", exchange="binance"))
    assert stat.S_IMODE(os.stat(vault_path).st_mode) == 0o640
    for name in version_names(vault_path):
        assert stat.S_IMODE(os.lstat(folder(vault_path) / name).st_mode) == 0o600


def test_password_change_reseals_every_version(
        new_vault: Callable[..., Vault], vault_path: Path) -> None:
    vault = new_vault(6)
    before = {n: vault.version_entries(n) for n in version_names(vault_path)}
    change = vault.change_password(PASSWORD, "a new one", FAST_KDF, enforce_kdf_minimum=False)
    names = version_names(vault_path)
    assert change.resealed == len(names) == len(before) + 1 and change.left == []
    with pytest.raises(WrongPassword):
        Vault.open(vault_path, PASSWORD)
    for name in names:
        with pytest.raises(WrongPassword):
            open_version_with(vault_path, name, PASSWORD)
        opened = open_version_with(vault_path, name, "a new one")
        if name in before:
            assert list(opened.entries) == before[name]
    assert all(v.opens_with_current_key for v in vault.versions())
    assert not (folder(vault_path) / version_rekey.RECORD_NAME).exists()


def test_a_password_change_without_versions_writes_no_record(
        new_vault: Callable[..., Vault], vault_path: Path) -> None:
    vault = new_vault()
    vault.set_keep_versions(0)
    assert not folder(vault_path).exists()
    assert vault.change_password(PASSWORD, "new", FAST_KDF,
                                 enforce_kdf_minimum=False).resealed == 0
    assert not folder(vault_path).exists()


def test_a_pending_record_is_finished_or_removed_on_the_next_open(
        new_vault: Callable[..., Vault], vault_path: Path) -> None:
    vault = new_vault(3)
    old_slot, old_dek = vault._keys()
    # A change killed after the record, before the vault was replaced: a leftover.
    version_rekey.write_record(vault_path, old_dek, os.urandom(32))
    Vault.open(vault_path, PASSWORD)
    assert not (folder(vault_path) / version_rekey.RECORD_NAME).exists()
    # A change killed after the vault was replaced, before the versions were re-sealed.
    names = version_names(vault_path)
    vault.change_password(PASSWORD, "new", FAST_KDF, enforce_kdf_minimum=False)
    _, new_dek = vault._keys()
    old_copy = folder(vault_path) / names[0]
    old_blob = open_version_bytes_sealed_with(vault_path, names[0], old_slot, old_dek,
                                               new_dek)
    old_copy.write_bytes(old_blob)
    version_rekey.write_record(vault_path, old_dek, new_dek)
    assert Vault.open(vault_path, PASSWORD.replace(PASSWORD, "new")).versions()
    with pytest.raises(WrongPassword):
        open_version_with(vault_path, names[0], PASSWORD)
    open_version_with(vault_path, names[0], "new")
    assert not (folder(vault_path) / version_rekey.RECORD_NAME).exists()


def open_version_bytes_sealed_with(path: Path, name: str, slot: object, old_dek: bytes,
                                   new_dek: bytes) -> bytes:
    """The version ``name`` (now under the new key) sealed back under the old slot."""
    from vault_app.core import crypto
    from vault_app.core.envelope import seal
    from vault_app.core.vault_format import KeySlot, parse

    parsed = parse(versions.read_version(path, name))
    plaintext = crypto.open_payload(new_dek, parsed.payload_nonce, parsed.ciphertext,
                                    parsed.header)
    assert isinstance(slot, KeySlot)
    return seal(slot, old_dek, plaintext)


def test_keep_versions_default_is_read_without_schema_3(
        new_vault: Callable[..., Vault], vault_path: Path) -> None:
    new_vault(1)
    assert len(version_names(vault_path)) == 1
    assert Vault.open(vault_path, PASSWORD).versions()[0].key_count == 0


def test_a_version_under_another_key_lists_without_contents_and_says_so(
        new_vault: Callable[..., Vault], vault_path: Path, tmp_path: Path) -> None:
    vault = new_vault(1)
    Vault.create(tmp_path / "other.vault", "another password", FAST_KDF,
                 enforce_kdf_minimum=False)
    foreign = "20200101T000000.000000Z.vault"
    versions.write_private(folder(vault_path), foreign,
                           (tmp_path / "other.vault").read_bytes(), replace=False)
    listed = {v.name: v for v in vault.versions()}
    assert listed[foreign].key_count is None
    assert not listed[foreign].opens_with_current_key
    assert "another master password" in (listed[foreign].problem or "")
    with pytest.raises(VersionOtherKey):
        vault.restore_version(foreign)
    assert len(Vault.open(vault_path, PASSWORD)) == 1


def test_a_version_says_when_its_state_was_saved_not_only_when_it_was_replaced(
        new_vault: Callable[..., Vault], vault_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The name says when a save replaced the state; the file's mtime says when that
    state was written (u1 M1, the KeePassXC ``.old`` confusion). Copies (no hard links)
    and re-seals under a new password keep it."""
    vault = new_vault(1)
    written = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    stamp = int(written.timestamp()) * 10**9
    os.utime(vault_path, ns=(stamp, stamp))  # the state on disk was saved then
    vault.add(make_entry(label="second", exchange="binance"))
    summary = vault.versions()[0]  # the newest
    assert summary.state_saved_at == written
    assert summary.saved_at > written  # replaced just now

    real_link = os.link

    def no_links(src: object, dst: object, **kwargs: object) -> None:
        if str(src) == str(vault_path):
            raise OSError(errno.EPERM, "Operation not permitted")
        real_link(src, dst, **kwargs)  # type: ignore[arg-type]

    os.utime(vault_path, ns=(stamp, stamp))
    monkeypatch.setattr(os, "link", no_links)
    vault.add(make_entry(label="third", exchange="binance"))
    assert [s.state_saved_at for s in vault.versions()[:2]] == [written, written]
    monkeypatch.undo()

    vault.change_password(PASSWORD, "a new password", FAST_KDF, enforce_kdf_minimum=False)
    resealed = vault.versions()[1:3]  # (the change kept one more)
    assert [s.state_saved_at for s in resealed] == [written, written]  # still as written


@pytest.mark.parametrize(("kept", "keep", "removed"), [
    (10, 3, 8), (10, 10, 1), (10, 11, 0), (0, 3, 0), (10, 0, 10), (2, 5, 0)])
def test_removed_by_keep_counts_what_setting_the_count_deletes(
        kept: int, keep: int, removed: int) -> None:
    assert versions.removed_by_keep(kept, keep) == removed


def test_removed_by_keep_matches_a_real_set_keep_versions(
        new_vault: Callable[..., Vault], vault_path: Path) -> None:
    vault = new_vault()
    for index in range(6):
        vault.add(make_entry(label=f"key {index}", exchange="binance"))
    before = len(vault.versions())
    vault.set_keep_versions(3)
    after = {v.name for v in vault.versions()}
    assert before - len(after - {vault.versions()[0].name}) == \
        versions.removed_by_keep(before, 3)
