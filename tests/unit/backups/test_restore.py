"""Restore: a backup opens like a vault (same verdicts), and a restore into a new vault
gives back every field of every entry and every order record."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import FAST_KDF, PASSWORD
from tests.unit.backups.support import (
    BACKUP_PASSWORD,
    fields,
    flip_byte,
    journal_data,
    order_record,
    vault_with_orders,
)
from vault_app.backups.export import export_backup
from vault_app.backups.restore import Backup, read_backup, restore_new
from vault_app.core.errors import (
    NotARegularFile,
    VaultDamaged,
    VaultExists,
    VaultIOError,
    WrongPassword,
)
from vault_app.core.vault import Vault
from vault_app.core.vault_format import parse
from vault_app.trading.journal import Journal


@pytest.fixture
def source(vault_path: Path) -> Vault:
    return vault_with_orders(vault_path)


@pytest.fixture
def backup_file(source: Vault, tmp_path: Path) -> Path:
    path = tmp_path / "keys.backup"
    export_backup(source, path, BACKUP_PASSWORD)
    return path


def restore(backup: Backup, path: Path) -> Vault:
    restored = restore_new(backup, path, BACKUP_PASSWORD, kdf=FAST_KDF,
                           enforce_kdf_minimum=False)
    assert restored.journal_problem is None
    return restored.vault


def test_round_trip_gives_identical_entries_settings_and_records(source: Vault,
                                                                 backup_file: Path,
                                                                 tmp_path: Path) -> None:
    new_path = tmp_path / "restored" / "keys.vault"
    restored = restore_new(read_backup(backup_file, BACKUP_PASSWORD), new_path,
                           BACKUP_PASSWORD, kdf=FAST_KDF, enforce_kdf_minimum=False)

    assert restored.journal_records == 7 and restored.journal_problem is None
    reopened = Vault.open(new_path, BACKUP_PASSWORD)
    assert fields(reopened.entries) == fields(source.entries)
    assert reopened.meta.backup is None  # a vault, not a backup
    assert (reopened.meta.created_at, reopened.meta.journal_key,
            reopened.meta.keep_versions) == (source.meta.created_at,
                                             source.meta.journal_key,
                                             source.meta.keep_versions)
    assert reopened.meta.id != source.meta.id  # another vault: its copies are its own
    key = source.meta.journal_key
    assert key is not None
    assert journal_data(new_path, key) == journal_data(source.path, key)
    assert parse(new_path.read_bytes()).slot.salt not in (
        parse(source.path.read_bytes()).slot.salt, parse(backup_file.read_bytes()).slot.salt)


def test_the_new_journal_has_a_fresh_id(source: Vault, backup_file: Path,
                                        tmp_path: Path) -> None:
    from vault_app.trading.journal_format import BOUND_LENGTH

    new_path = tmp_path / "keys.vault"
    restore(read_backup(backup_file, BACKUP_PASSWORD), new_path)
    ours = source.path.with_name(source.path.name + ".journal").read_bytes()[:BOUND_LENGTH]
    theirs = new_path.with_name(new_path.name + ".journal").read_bytes()[:BOUND_LENGTH]
    assert ours != theirs


@pytest.mark.parametrize("suffix", [".journal", ".lock", ".versions", ".versions/x.vault",
                                    ".versions/deeper/x.vault"])
def test_a_vaults_own_file_names_are_refused(source: Vault, backup_file: Path,
                                            suffix: str) -> None:
    name = source.path.name + suffix
    journal = source.path.with_name(source.path.name + ".journal")
    journal.unlink()  # no order yet: the name is free, and still the journal's
    versions = source.path.with_name(source.path.name + ".versions")
    (versions / "deeper").mkdir(parents=True, exist_ok=True)
    target = source.path.parent / name
    before = sorted(str(p) for p in source.path.parent.rglob("*"))
    with pytest.raises(VaultIOError, match="Nothing was written"):
        restore(read_backup(backup_file, BACKUP_PASSWORD), target)
    assert sorted(str(p) for p in source.path.parent.rglob("*")) == before
    assert not journal.exists()


def test_a_plain_vault_file_is_a_backup_without_records(source: Vault) -> None:
    backup = read_backup(source.path, PASSWORD)
    assert backup.made_at is None and backup.journal == ()
    assert fields(backup.entries) == fields(source.entries)
    assert "credentials" not in repr(backup) and "secret" not in repr(backup)


def test_a_wrong_password_and_a_flipped_byte_read_as_a_vault_would(backup_file: Path) -> None:
    with pytest.raises(WrongPassword):
        read_backup(backup_file, PASSWORD)
    flip_byte(backup_file)
    with pytest.raises(VaultDamaged):
        read_backup(backup_file, BACKUP_PASSWORD)


def test_a_fifo_is_not_read(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.backup"
    os.mkfifo(fifo)
    with pytest.raises(NotARegularFile):
        read_backup(fifo, PASSWORD)


def test_restore_never_writes_over_a_file(backup_file: Path, source: Vault) -> None:
    before = source.path.read_bytes()
    with pytest.raises(VaultExists):
        restore(read_backup(backup_file, BACKUP_PASSWORD), source.path)
    assert source.path.read_bytes() == before


def test_an_existing_journal_of_the_same_key_gets_only_the_missing_records(
        source: Vault, backup_file: Path, tmp_path: Path) -> None:
    key = source.meta.journal_key
    assert key is not None
    new_path = tmp_path / "keys.vault"
    journal = Journal(new_path.with_name("keys.vault.journal"), key)
    first = order_record(source.entries[0].id, 1)
    journal.append(first)

    restored = restore_new(read_backup(backup_file, BACKUP_PASSWORD), new_path,
                           BACKUP_PASSWORD, kdf=FAST_KDF, enforce_kdf_minimum=False)

    assert restored.journal_records == 6
    assert journal_data(new_path, key) == journal_data(source.path, key)


def test_a_journal_that_does_not_open_is_left_and_reported(backup_file: Path,
                                                           tmp_path: Path) -> None:
    new_path = tmp_path / "keys.vault"
    other = new_path.with_name("keys.vault.journal")
    Journal(other, bytes(32)).append({"kind": "note"})
    before = other.read_bytes()

    restored = restore_new(read_backup(backup_file, BACKUP_PASSWORD), new_path,
                           BACKUP_PASSWORD, kdf=FAST_KDF, enforce_kdf_minimum=False)

    assert restored.journal_records == 0
    assert restored.journal_problem is not None and "every key" in restored.journal_problem
    assert other.read_bytes() == before
    assert len(Vault.open(new_path, BACKUP_PASSWORD).entries) == 3


def test_a_backup_without_records_creates_no_journal(source: Vault, tmp_path: Path) -> None:
    new_path = tmp_path / "keys.vault"
    restore(read_backup(source.path, PASSWORD), new_path)
    assert not new_path.with_name("keys.vault.journal").exists()
