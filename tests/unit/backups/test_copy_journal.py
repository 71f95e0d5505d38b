"""Second-folder copies carry the vault's order journal beside them (copy_journal)."""

from __future__ import annotations

import os
import stat
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.conftest import PASSWORD
from vault_app.backups import copy_journal
from vault_app.backups.copies import CopyFailed, copy_name, write_copy
from vault_app.core.vault import Vault
from vault_app.trading.journal import Journal, journal_path


@pytest.fixture
def second(tmp_path: Path) -> Path:
    folder = tmp_path / "usb"
    folder.mkdir()
    return folder


def with_orders(vault: Vault, count: int = 3) -> Journal:
    journal = Journal(journal_path(vault.path), vault.ensure_journal_key())
    for n in range(count):
        journal.append({"kind": "note", "n": n})
    return journal


def test_the_copy_carries_the_journal_and_the_pair_restores_by_renaming(
        vault: Vault, second: Path, tmp_path: Path) -> None:
    with_orders(vault)
    report = write_copy(vault, second, keep=5)
    assert report.journal == second / (report.path.name + ".journal")
    assert report.journal.read_bytes() == journal_path(vault.path).read_bytes()
    assert stat.S_IMODE(report.journal.stat().st_mode) == 0o600
    restored = tmp_path / "restored"
    restored.mkdir()
    os.rename(report.path, restored / "keys.vault")  # as docs/backups.md says
    os.rename(report.journal, restored / "keys.vault.journal")
    opened = Vault.open(restored / "keys.vault", PASSWORD)
    key = opened.meta.journal_key
    assert key is not None
    records = Journal(journal_path(opened.path), key).read().records
    assert [r.data["n"] for r in records] == [0, 1, 2]


def test_a_vault_without_a_journal_is_copied_without_one(vault: Vault, second: Path) -> None:
    report = write_copy(vault, second, keep=5)
    assert report.journal is None
    assert [p.name for p in second.iterdir()] == [report.path.name]


def test_pruning_removes_each_copy_with_its_journal(vault: Vault, second: Path) -> None:
    journal = with_orders(vault)
    first = write_copy(vault, second, keep=1)
    journal.append({"kind": "note", "n": 3})
    later = write_copy(vault, second, keep=1)
    assert later.removed == (first.path,)
    assert sorted(p.name for p in second.iterdir()) == sorted(
        [later.path.name, later.path.name + ".journal"])
    assert later.journal is not None
    assert later.journal.read_bytes() == journal_path(vault.path).read_bytes()


def test_a_journal_that_reads_back_wrong_removes_the_pair(
        vault: Vault, second: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with_orders(vault)
    write_copy(vault, second, keep=5)
    before = sorted(second.iterdir())
    real = copy_journal.verify

    def flipped(path: Path, data: bytes, key: bytes) -> str | None:
        raw = bytearray(path.read_bytes())
        raw[-5] ^= 1  # a drive that corrupts the last record
        path.write_bytes(bytes(raw))
        return real(path, data, key)

    monkeypatch.setattr(copy_journal, "verify", flipped)
    with pytest.raises(CopyFailed, match="journal") as caught:
        write_copy(vault, second, keep=5)
    assert caught.value.reason == "verification failed"
    assert sorted(second.iterdir()) == before  # the older pair untouched, no new file


def test_a_journal_left_without_its_copy_is_removed_once_old(vault: Vault,
                                                           second: Path) -> None:
    with_orders(vault)
    data = journal_path(vault.path).read_bytes()
    # As if killed between the journal and its copy: once long ago, once just now.
    orphan = second / (copy_name("vault", vault.meta.id, datetime(2026, 1, 1, tzinfo=UTC))
                       + ".journal")
    fresh = second / (copy_name("vault", vault.meta.id, datetime(2026, 1, 2, tzinfo=UTC))
                      + ".journal")
    orphan.write_bytes(data)
    fresh.write_bytes(data)
    old = time.time() - 2 * 3600
    os.utime(orphan, (old, old))
    write_copy(vault, second, keep=5)
    assert not orphan.exists()
    assert fresh.exists()  # too young: perhaps another window's copy in progress


def test_a_journal_that_is_not_a_file_stops_the_copy(vault: Vault, second: Path) -> None:
    vault.ensure_journal_key()
    os.mkfifo(journal_path(vault.path))
    with pytest.raises(CopyFailed, match="not a file"):
        write_copy(vault, second, keep=5)
    assert list(second.iterdir()) == []
