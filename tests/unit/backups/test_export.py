"""Export: a vault-format file with its own keys, holding exactly what was chosen, read
back and compared before it takes its name; never written over the vault's own files."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import FAST_KDF, PASSWORD, REPO
from tests.unit.backups.support import (
    BACKUP_PASSWORD,
    fields,
    flip_byte,
    folder_names,
    order_record,
    vault_with_orders,
)
from vault_app.backups.errors import BackupExists, BackupVerifyFailed
from vault_app.backups.export import export_backup, refusal
from vault_app.backups.restore import read_backup
from vault_app.core.errors import NotARegularFile, VaultIOError, WrongPassword
from vault_app.core.vault import Vault
from vault_app.core.vault_format import parse
from vault_app.core.vault_lock import lock_path
from vault_app.trading.journal import Journal, journal_path


@pytest.fixture
def vault(vault_path: Path) -> Vault:
    return vault_with_orders(vault_path)


@pytest.fixture
def target(tmp_path: Path) -> Path:
    folder = tmp_path / "backups"
    folder.mkdir()
    return folder / "keys.backup"


def test_a_whole_vault_export_holds_every_entry_setting_and_record(vault: Vault,
                                                                   target: Path) -> None:
    report = export_backup(vault, target, PASSWORD)

    backup = read_backup(target, PASSWORD)
    assert fields(backup.entries) == fields(vault.entries)
    records = [r.data for r in Journal(journal_path(vault.path),
                                       vault.meta.journal_key or b"").read().records]
    assert [dict(r) for r in backup.journal] == records and len(records) == 7
    assert (backup.meta.id, backup.meta.created_at, backup.meta.journal_key,
            backup.meta.keep_versions) == (vault.meta.id, vault.meta.created_at,
                                           vault.meta.journal_key, vault.meta.keep_versions)
    assert backup.meta.backup is not None and backup.meta.backup.source_vault_id == vault.meta.id
    assert backup.made_at is not None
    assert (report.path, report.key_count, report.journal_records) == (target, 3, 7)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert folder_names(target.parent) == ["keys.backup"]  # no temp file left


def test_the_backup_has_its_own_salt_and_data_key(vault: Vault, target: Path) -> None:
    export_backup(vault, target, PASSWORD)
    ours, theirs = parse(vault.path.read_bytes()).slot, parse(target.read_bytes()).slot
    assert ours.salt != theirs.salt
    assert ours.wrapped_dek != theirs.wrapped_dek
    assert theirs.kdf == vault.kdf  # as strong as the vault by default


def test_a_selection_holds_exactly_those_keys_and_their_records(vault: Vault,
                                                                target: Path) -> None:
    alpha, _, gamma = vault.entries
    report = export_backup(vault, target, PASSWORD, entry_ids=[gamma.id, alpha.id])

    backup = read_backup(target, PASSWORD)
    assert fields(backup.entries) == fields([alpha, gamma])  # the vault's order
    assert {r["key_id"] for r in backup.journal} == {alpha.id, gamma.id}
    assert len(backup.journal) == 4 == report.journal_records
    assert report.key_count == 2


def test_a_backup_password_seals_it_instead_of_the_master_password(vault: Vault,
                                                                   target: Path) -> None:
    export_backup(vault, target, BACKUP_PASSWORD)
    with pytest.raises(WrongPassword):
        read_backup(target, PASSWORD)
    assert len(read_backup(target, BACKUP_PASSWORD).entries) == 3


def test_a_vault_without_a_journal_exports_no_records(new_vault: object,
                                                      vault_path: Path, target: Path) -> None:
    vault = Vault.create(vault_path, PASSWORD, FAST_KDF, enforce_kdf_minimum=False)
    report = export_backup(vault, target, PASSWORD)
    assert report.journal_records == 0 and report.key_count == 0
    assert not journal_path(vault.path).exists()  # an export creates no journal


def test_a_failed_verification_removes_the_file(vault: Vault, target: Path) -> None:
    with pytest.raises(BackupVerifyFailed, match="removed") as caught:
        export_backup(vault, target, PASSWORD, _after_write=flip_byte)
    assert folder_names(target.parent) == []
    assert "intact" in str(caught.value)


def test_a_failed_verification_leaves_the_file_it_was_to_replace(vault: Vault,
                                                                 target: Path) -> None:
    export_backup(vault, target, PASSWORD)
    before = target.read_bytes()
    with pytest.raises(BackupVerifyFailed):
        export_backup(vault, target, PASSWORD, overwrite=True, _after_write=flip_byte)
    assert target.read_bytes() == before
    assert folder_names(target.parent) == ["keys.backup"]


def test_a_backup_that_reads_back_different_content_fails(vault: Vault, target: Path,
                                                          tmp_path: Path) -> None:
    """Sealed right but holding other content (another export put in its place): the
    comparison of entries, not only the decryption, catches it."""
    other = tmp_path / "other.backup"
    export_backup(vault, other, PASSWORD, entry_ids=[vault.entries[0].id])

    def swap(temp: Path) -> None:
        temp.write_bytes(other.read_bytes())

    with pytest.raises(BackupVerifyFailed, match="holds 1 keys instead of 3"):
        export_backup(vault, target, PASSWORD, _after_write=swap)
    assert not target.exists()


def test_a_killed_exports_old_temp_file_is_removed_by_the_next(vault: Vault,
                                                                target: Path) -> None:
    killed: list[str] = []

    def kill(temp: Path) -> None:  # a SIGKILL between write and rename leaves the temp
        killed.append(temp.name)
        os.link(temp, temp.with_name(temp.name + "-left"))  # what survives the kill

    with pytest.raises(BackupVerifyFailed):
        export_backup(vault, target.with_name("keys-2026-11-20.backup"), PASSWORD,
                      _after_write=lambda temp: (kill(temp), temp.write_bytes(b"x")))
    [left] = [name for name in folder_names(target.parent) if name.endswith("-left")]
    assert left.startswith(".vault-app-export-keys-2026-11-20.backup.tmp-")
    old = target.with_name(left)
    legacy = target.with_name(".keys.backup.tmp-0123456789ab")  # an earlier release's
    fresh = target.with_name(".vault-app-export-x.backup.tmp-ba9876543210")  # live
    someone_elses = target.with_name(".notes.txt.tmp-0123456789ab")
    for temp in (legacy, fresh, someone_elses):
        temp.write_bytes(b"VAULTAPP sealed")
    for temp in (old, legacy, someone_elses):
        os.utime(temp, (time.time() - 700, time.time() - 700))
    export_backup(vault, target, PASSWORD)  # another name than the killed one's
    assert folder_names(target.parent) == sorted([fresh.name, someone_elses.name,
                                                  "keys.backup"])


def test_an_existing_file_is_refused_unless_overwrite(vault: Vault, target: Path) -> None:
    target.write_bytes(b"an older backup")
    with pytest.raises(BackupExists, match="left as it was"):
        export_backup(vault, target, PASSWORD)
    assert target.read_bytes() == b"an older backup"
    assert refusal(vault.path, target) is not None
    assert refusal(vault.path, target, overwrite=True) is None

    export_backup(vault, target, PASSWORD, overwrite=True)
    assert len(read_backup(target, PASSWORD).entries) == 3
    assert folder_names(target.parent) == ["keys.backup"]


def test_the_vault_and_its_own_files_are_never_written_over(vault: Vault) -> None:
    journal = journal_path(vault.path)
    lock = lock_path(vault.path)
    lock.touch()
    versions = vault.path.with_name(vault.path.name + ".versions")
    assert versions.is_dir()  # the fixture's saves made it and kept versions in it
    kept = versions / "20260101T000000.000000Z.vault"
    kept.write_bytes(vault.path.read_bytes())
    held = sorted(p.name for p in versions.iterdir())
    before = {p: p.read_bytes() for p in (vault.path, journal, lock, kept)}
    for own in (vault.path, journal, lock, kept, versions / "new.backup"):
        with pytest.raises(VaultIOError, match="your vault's"):
            export_backup(vault, own, PASSWORD, overwrite=True)
    with pytest.raises(NotARegularFile, match="folder"):
        export_backup(vault, versions, PASSWORD, overwrite=True)
    assert {p: p.read_bytes() for p in before} == before
    assert sorted(p.name for p in versions.iterdir()) == held


@pytest.mark.parametrize("suffix", [".journal", ".lock", ".versions"])
def test_the_name_of_an_own_file_is_refused_before_it_exists(tmp_path: Path,
                                                             suffix: str) -> None:
    vault = Vault.create(tmp_path / "keys.vault", PASSWORD, FAST_KDF,
                         enforce_kdf_minimum=False)
    own = tmp_path / f"keys.vault{suffix}"
    own.unlink(missing_ok=True)  # the lock file a create leaves
    with pytest.raises(VaultIOError, match="your vault's own file"):
        export_backup(vault, own, PASSWORD)
    assert not own.exists()


def test_a_link_to_the_vault_is_refused(vault: Vault, tmp_path: Path) -> None:
    link = tmp_path / "backups.vault"
    link.symlink_to(vault.path)
    before = vault.path.read_bytes()
    with pytest.raises(NotARegularFile, match="symbolic link"):
        export_backup(vault, link, PASSWORD, overwrite=True)
    assert vault.path.read_bytes() == before and link.is_symlink()


def test_a_fifo_is_refused_without_blocking(vault: Vault, target: Path) -> None:
    os.mkfifo(target)
    with pytest.raises(NotARegularFile, match="FIFO"):
        export_backup(vault, target, PASSWORD, overwrite=True)
    assert stat.S_ISFIFO(os.stat(target).st_mode)


def test_a_device_is_refused(vault: Vault) -> None:
    with pytest.raises(NotARegularFile, match="character device"):
        export_backup(vault, Path("/dev/null"), PASSWORD, overwrite=True)


def test_the_independent_decrypter_opens_a_backup(vault: Vault, target: Path) -> None:
    import json

    export_backup(vault, target, BACKUP_PASSWORD)
    proc = subprocess.run([sys.executable, str(REPO / "tests/vectors/independent_decrypt.py"),
                           str(target)], input=BACKUP_PASSWORD + "\n", capture_output=True,
                          text=True, check=False, timeout=60)
    assert proc.returncode == 0, proc.stderr
    document = json.loads(proc.stdout)
    assert [e["label"] for e in document["entries"]] == ["alpha", "beta", "gamma"]
    assert document["backup"]["journal"][0] == order_record(vault.entries[0].id, 1)
    assert document["entries"][0]["credentials"] == dict(vault.entries[0].credentials)
