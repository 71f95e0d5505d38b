"""Second-folder copies: written as sealed, verified, pruned by count, refused where unsafe."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import FAST_KDF, PASSWORD, REPO, make_entry
from tests.unit.backups.support import journal_data, vault_with_orders
from vault_app.backups import copies
from vault_app.backups.copies import CopyFailed, copies_in, copy_due, write_copy
from vault_app.backups.restore import read_backup, restore_new
from vault_app.core import storage
from vault_app.core.vault import Vault
from vault_app.core.vault_format import parse

NOW = datetime(2026, 11, 21, 20, 0, tzinfo=UTC)


@pytest.fixture
def second(tmp_path: Path) -> Path:
    folder = tmp_path / "usb"
    folder.mkdir()
    return folder


def test_copy_is_sealed_under_the_vaults_key_slot_and_opens_with_the_master_password(
        vault: Vault, second: Path) -> None:
    report = write_copy(vault, second, keep=5)
    assert report.path.parent == second
    assert parse(report.path.read_bytes()).slot == parse(vault.path.read_bytes()).slot
    assert stat.S_IMODE(report.path.stat().st_mode) == 0o600
    assert report.key_count == 2 and report.journal_records == 0
    assert report.path.name.startswith(f"vault-{vault.meta.id[:8]}-")
    opened = Vault.open(report.path, PASSWORD)
    assert opened.entries == vault.entries
    assert [p.name for p in second.iterdir()] == [report.path.name]  # no temp, no lock


def test_a_copy_carries_the_journal_and_restores_with_it(tmp_path: Path,
                                                         second: Path) -> None:
    vault = vault_with_orders(tmp_path / "keys.vault")
    report = write_copy(vault, second, keep=5)
    assert report.journal_records == 7
    assert os.listdir(second) == [report.path.name]  # one file: no journal beside it
    backup = read_backup(report.path, PASSWORD)  # the master password opens it
    assert backup.entries == tuple(vault.entries)
    restored = restore_new(backup, tmp_path / "new" / "keys.vault", PASSWORD, kdf=FAST_KDF,
                           enforce_kdf_minimum=False)
    key = vault.meta.journal_key
    assert key is not None and restored.journal_problem is None
    assert journal_data(restored.vault.path, key) == journal_data(vault.path, key)
    assert restored.vault.meta.id != vault.meta.id


def test_two_vaults_of_one_name_keep_each_others_copies(tmp_path: Path,
                                                        second: Path) -> None:
    first = vault_with_orders(tmp_path / "a" / "keys.vault")
    theirs = [write_copy(first, second, keep=5).path for _ in range(3)]
    backup = read_backup(write_copy(first, second, keep=5).path, PASSWORD)
    theirs.append(copies_in(second, first)[0].path)
    restored = restore_new(backup, tmp_path / "b" / "keys.vault", PASSWORD, kdf=FAST_KDF,
                           enforce_kdf_minimum=False).vault
    twin = Vault.create(tmp_path / "c" / "keys.vault", PASSWORD, FAST_KDF,
                        enforce_kdf_minimum=False, meta=first.meta)  # a cp: same name, id
    ours = [write_copy(v, second, keep=1) for v in (restored, twin)]
    copies.refresh_copies(restored, second)
    copies.refresh_copies(twin, second)
    assert all(path.exists() for path in theirs)
    assert [r.removed for r in ours] == [(), ()]
    assert len(copies_in(second, first)) == 5  # its own and the twin's newest (same name)


def test_a_name_with_an_impossible_date_is_skipped(vault: Vault, second: Path) -> None:
    planted = second / f"vault-{vault.meta.id[:8]}-20261399T000000Z.vault"
    planted.write_bytes(b"dropped here by a sync tool")
    report = write_copy(vault, second, keep=1)
    assert copies_in(second, vault)[0].path == report.path
    assert planted.read_bytes() == b"dropped here by a sync tool"


def test_copies_in_a_second_are_numbered_never_overwritten(vault: Vault, second: Path) -> None:
    first = write_copy(vault, second, keep=10).path
    vault.add(make_entry(label="third"))
    later = write_copy(vault, second, keep=10).path
    assert first != later and first.exists()
    assert Vault.open(first, PASSWORD).entries != Vault.open(later, PASSWORD).entries
    assert copies_in(second, vault)[0].path == later


def test_prune_keeps_the_newest_and_only_this_vaults_copies(
        vault: Vault, second: Path, new_vault: Callable[..., Vault], tmp_path: Path) -> None:
    other = new_vault(path=tmp_path / "other" / "vault.vault")
    foreign = write_copy(other, second, keep=1).path
    stranger = second / "notes.txt"
    stranger.write_text("mine")
    planted = second / copies.copy_name("vault", vault.meta.id, NOW - timedelta(days=9))
    planted.symlink_to(stranger)
    made = []
    for index in range(5):
        vault.add(make_entry(label=f"extra {index}"))
        made.append(write_copy(vault, second, keep=3))
    kept = [c.path for c in copies_in(second, vault)]
    assert kept == [r.path for r in reversed(made[-3:])]
    assert foreign.exists() and stranger.read_text() == "mine" and planted.is_symlink()
    assert sum(len(r.removed) for r in made) == 2


def test_missing_folder_is_refused_and_never_created(vault: Vault, tmp_path: Path) -> None:
    absent = tmp_path / "unplugged" / "backups"
    with pytest.raises(CopyFailed) as caught:
        write_copy(vault, absent, keep=3)
    assert caught.value.reason == copies.FOLDER_MISSING
    assert not absent.parent.exists()


@pytest.mark.parametrize("where", ["own folder", "versions folder", "a file", "a fifo"])
def test_unsafe_folders_are_refused(vault: Vault, where: str) -> None:
    if where == "own folder":
        folder = vault.path.parent
    elif where == "versions folder":
        folder = vault.path.with_name(vault.path.name + ".versions")
        folder.mkdir(mode=0o700, exist_ok=True)  # made by the saves already
    elif where == "a file":
        folder = vault.path.parent / "plain"
        folder.write_text("x")
    else:
        folder = vault.path.parent / "pipe"
        os.mkfifo(folder)
    before = sorted(os.listdir(vault.path.parent))
    with pytest.raises(CopyFailed) as caught:
        write_copy(vault, folder, keep=3)
    assert caught.value.reason == copies.REFUSED
    assert sorted(os.listdir(vault.path.parent)) == before


def test_a_linked_folder_is_followed(vault: Vault, second: Path, tmp_path: Path) -> None:
    link = tmp_path / "cloud"
    link.symlink_to(second)
    report = write_copy(vault, link, keep=2)
    assert report.path.parent == second and Vault.open(report.path, PASSWORD)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only folder")
def test_read_only_folder_is_not_writable(vault: Vault, second: Path) -> None:
    second.chmod(0o500)
    try:
        with pytest.raises(CopyFailed) as caught:
            write_copy(vault, second, keep=3)
    finally:
        second.chmod(0o700)
    assert caught.value.reason == copies.NOT_WRITABLE
    assert os.listdir(second) == []


def test_a_full_disk_leaves_no_file_and_older_copies_intact(
        vault: Vault, second: Path) -> None:
    """A real write failure: the child may write files of at most 100 bytes
    (RLIMIT_FSIZE), so the kernel refuses the copy's bytes mid-write (EFBIG)."""
    older = write_copy(vault, second, keep=3).path
    vault.add(make_entry(label="after"))
    script = textwrap.dedent(f"""
        import resource, signal, sys
        from vault_app.backups.copies import CopyFailed, write_copy
        from vault_app.core.vault import Vault
        vault = Vault.open({str(vault.path)!r}, {PASSWORD!r})
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (100, 100))
        try:
            write_copy(vault, {str(second)!r}, keep=1)
        except CopyFailed as exc:
            print(exc.reason)
            print(exc)
            sys.exit(0)
        sys.exit("no failure")
    """)
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True,
                          text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == copies.FULL
    assert "full" in done.stdout.splitlines()[1]
    assert os.listdir(second) == [older.name]  # no temp, no partial copy, nothing pruned
    assert Vault.open(older, PASSWORD)


def test_a_copy_that_reads_back_wrong_is_removed(vault: Vault, second: Path) -> None:
    older = write_copy(vault, second, keep=1).path

    def corrupting(path: Path) -> None:  # a drive that stores other bytes than written
        data = bytearray(storage.read_bytes(path))
        data[-1] ^= 1
        path.write_bytes(bytes(data))

    with pytest.raises(CopyFailed) as caught:
        write_copy(vault, second, keep=1, _after_write=corrupting)
    assert caught.value.reason == copies.VERIFY_FAILED
    assert os.listdir(second) == [older.name]  # the bad copy gone, the older one kept


def test_stale_temps_of_a_killed_copy_are_removed(vault: Vault, second: Path) -> None:
    prefix = f".vault-{vault.meta.id[:8]}-20260101T000000Z.vault.tmp-"
    stale, fresh = second / f"{prefix}aaaa", second / f"{prefix}bbbb"
    stale.write_bytes(b"half")
    fresh.write_bytes(b"being written by another window")
    os.utime(stale, (0, 0))
    write_copy(vault, second, keep=1)
    assert not stale.exists() and fresh.exists()


def test_refresh_removes_every_older_copy(vault: Vault, second: Path) -> None:
    for _ in range(3):
        write_copy(vault, second, keep=5)
    report = copies.refresh_copies(vault, second)
    assert [c.path for c in copies_in(second, vault)] == [report.path]
    assert len(report.removed) == 3


def test_after_a_password_change_refresh_removes_the_copies_of_the_earlier_slot(
        vault: Vault, second: Path) -> None:
    old = [write_copy(vault, second, keep=5).path for _ in range(2)]
    earlier = vault.key_slot
    vault.change_password(PASSWORD, "another master passphrase 9", FAST_KDF,
                          enforce_kdf_minimum=False)
    kept = write_copy(vault, second, keep=1)  # not this vault's slot any more: kept
    assert kept.removed == () and all(path.exists() for path in old)
    report = copies.refresh_copies(vault, second, earlier=[earlier])
    assert sorted(report.removed) == sorted([*old, kept.path])
    assert os.listdir(second) == [report.path.name]


def test_copy_of_a_locked_vault_writes_nothing(vault: Vault, second: Path) -> None:
    vault.lock()
    with pytest.raises(Exception, match="locked"):
        write_copy(vault, second, keep=1)
    assert os.listdir(second) == []


def test_copy_due() -> None:
    every = None
    hourly = timedelta(minutes=60)
    assert copy_due(NOW, every, NOW)
    assert copy_due(None, hourly, NOW)
    assert not copy_due(NOW - timedelta(minutes=59), hourly, NOW)
    assert copy_due(NOW - timedelta(minutes=60), hourly, NOW)
    assert copy_due(NOW + timedelta(days=1), hourly, NOW)  # clock went back


def test_copy_name_is_utc() -> None:
    moment = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert copies.copy_name("keys", "0123456789ab", moment) == \
        "keys-01234567-20260102T030405Z.vault"
    assert copies.copy_name("keys", "0123456789ab", moment, 2) == \
        "keys-01234567-20260102T030405Z-2.vault"

