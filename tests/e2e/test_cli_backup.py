"""``vault-app-cli backup export|restore`` through real subprocesses: the verified
export, the restore into a new vault and the merge with each ``--on-conflict``, and
the exit codes of a wrong password (2), a damaged backup (3) and every refusal."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import PASSWORD, REPO, CliResult
from tests.e2e.support import assert_fails, assert_ok, assert_private, assert_usage
from tests.e2e.test_trading_confirm import read_rest, read_until
from tests.unit.backups.support import (
    BACKUP_PASSWORD,
    fields,
    flip_byte,
    folder_names,
    journal_data,
    vault_with_orders,
)
from vault_app.backups.restore import read_backup
from vault_app.core.vault import Vault

Cli = Callable[..., CliResult]
WEAK = "password123"


def lines(*values: str) -> str:
    return "".join(f"{value}\n" for value in values)


@pytest.fixture
def source(vault_path: Path) -> Vault:
    return vault_with_orders(vault_path)


@pytest.fixture
def backups(tmp_path: Path) -> Path:
    folder = tmp_path / "backups"
    folder.mkdir()
    return folder


def export(cli: Cli, target: Path, *args: str, stdin: str = lines(PASSWORD)) -> CliResult:
    return cli("backup", "export", str(target), *args, stdin=stdin)


# --- export -----------------------------------------------------------------------------


def test_export_says_verified_and_the_backup_holds_the_vault(cli: Cli, source: Vault,
                                                              backups: Path) -> None:
    target = backups / "all.backup"
    result = assert_ok(export(cli, target))
    assert result.out.strip() == f"backup verified: 3 keys, 7 journal records → {target}"
    assert_private(target)
    backup = read_backup(target, PASSWORD)  # sealed with the master password
    assert fields(backup.entries) == fields(source.entries)
    assert folder_names(backups) == ["all.backup"]


def test_export_of_chosen_keys(cli: Cli, source: Vault, backups: Path) -> None:
    target = backups / "two.backup"
    result = assert_ok(export(cli, target, "--keys", "alpha,GAMMA"))
    assert "2 keys, 4 journal records" in result.out
    assert [e.label for e in read_backup(target, PASSWORD).entries] == ["alpha", "gamma"]


def test_an_unknown_label_writes_nothing(cli: Cli, source: Vault, backups: Path) -> None:
    assert_fails(export(cli, backups / "x.backup", "--keys", "nope"), 1, "no key labelled")
    assert folder_names(backups) == []


def test_export_with_a_backup_password(cli: Cli, source: Vault, backups: Path) -> None:
    target = backups / "own.backup"
    assert_ok(export(cli, target, "--backup-password",
                     stdin=lines(PASSWORD, BACKUP_PASSWORD, BACKUP_PASSWORD)))
    assert len(read_backup(target, BACKUP_PASSWORD).entries) == 3


def test_a_weak_or_mistyped_backup_password_is_refused(cli: Cli, source: Vault,
                                                      backups: Path) -> None:
    target = backups / "own.backup"
    assert_fails(export(cli, target, "--backup-password", stdin=lines(PASSWORD, WEAK, WEAK)),
                 1, "backup password")
    assert_fails(export(cli, target, "--backup-password",
                        stdin=lines(PASSWORD, BACKUP_PASSWORD, BACKUP_PASSWORD + "x")),
                 1, "do not match")
    assert folder_names(backups) == []


def test_an_existing_file_is_refused_without_force(cli: Cli, source: Vault,
                                                    backups: Path) -> None:
    target = backups / "old.backup"
    target.write_bytes(b"an older backup")
    assert_fails(export(cli, target, stdin=""), 1, "already exists", "--force")
    assert target.read_bytes() == b"an older backup"  # refused before any prompt
    assert_ok(export(cli, target, "--force"))
    assert len(read_backup(target, PASSWORD).entries) == 3


def test_the_vault_and_its_journal_are_never_written_over(cli: Cli, source: Vault) -> None:
    journal = source.path.with_name(source.path.name + ".journal")
    before = {p: p.read_bytes() for p in (source.path, journal)}
    for own in before:
        assert_fails(export(cli, own, "--force", stdin=""), 5, "your vault's own file")
    assert {p: p.read_bytes() for p in before} == before


def test_a_wrong_master_password_exits_2(cli: Cli, source: Vault, backups: Path) -> None:
    assert_fails(export(cli, backups / "x.backup", stdin=lines("wrong")), 2)
    assert folder_names(backups) == []


def test_the_independent_decrypter_opens_a_cli_backup(cli: Cli, source: Vault,
                                                       backups: Path) -> None:
    target = backups / "all.backup"
    assert_ok(export(cli, target))
    proc = subprocess.run([sys.executable, str(REPO / "tests/vectors/independent_decrypt.py"),
                           str(target)], input=lines(PASSWORD), capture_output=True,
                          text=True, check=False, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert '"backup"' in proc.stdout


# --- restore ----------------------------------------------------------------------------


@pytest.fixture
def backup_file(cli: Cli, source: Vault, backups: Path) -> Path:
    target = backups / "all.backup"
    assert_ok(export(cli, target, "--backup-password",
                     stdin=lines(PASSWORD, BACKUP_PASSWORD, BACKUP_PASSWORD)))
    return target


def test_restore_into_a_new_vault(cli: Cli, source: Vault, backup_file: Path,
                                  tmp_path: Path) -> None:
    new = tmp_path / "restored.vault"
    result = assert_ok(cli("backup", "restore", str(backup_file), "--new", str(new),
                           stdin=lines(BACKUP_PASSWORD)))
    assert f"restored 3 keys, 7 journal records → {new}" in result.out
    restored = Vault.open(new, BACKUP_PASSWORD)
    assert fields(restored.entries) == fields(source.entries)
    key = source.meta.journal_key
    assert key is not None and journal_data(new, key) == journal_data(source.path, key)
    assert_private(new)


def test_restore_never_writes_over_a_file(cli: Cli, source: Vault, backup_file: Path) -> None:
    before = source.path.read_bytes()
    assert_fails(cli("backup", "restore", str(backup_file), "--new", str(source.path),
                     stdin=""), 1, "already exists")
    assert source.path.read_bytes() == before


def test_restore_refuses_the_name_of_the_vaults_journal(cli: Cli, source: Vault,
                                                        backup_file: Path) -> None:
    journal = source.path.with_name(source.path.name + ".journal")
    journal.unlink()  # no order yet: the name is free, and still the journal's
    assert_fails(cli("backup", "restore", str(backup_file), "--new", str(journal),
                     stdin=""), 5, "Nothing was written")
    assert not journal.exists()


def test_a_wrong_backup_password_exits_2(cli: Cli, backup_file: Path, tmp_path: Path) -> None:
    assert_fails(cli("backup", "restore", str(backup_file), "--new",
                     str(tmp_path / "n.vault"), stdin=lines(PASSWORD)), 2,
                 "wrong password for the backup")
    assert not (tmp_path / "n.vault").exists()


def test_a_flipped_byte_exits_3(cli: Cli, backup_file: Path, tmp_path: Path) -> None:
    flip_byte(backup_file)
    assert_fails(cli("backup", "restore", str(backup_file), "--new",
                     str(tmp_path / "n.vault"), stdin=lines(BACKUP_PASSWORD)), 3, "damaged")
    assert_fails(cli("backup", "restore", str(backup_file), "--merge",
                     stdin=lines(BACKUP_PASSWORD, PASSWORD)), 3, "damaged")
    assert not (tmp_path / "n.vault").exists()


def test_restore_needs_new_or_merge(cli: Cli, backup_file: Path) -> None:
    assert_usage(cli("backup", "restore", str(backup_file)),
                 "one of the arguments --new --merge is required")
    assert_usage(cli("backup", "restore", str(backup_file), "--new", "x", "--merge"),
                 "not allowed with")


# --- merge ------------------------------------------------------------------------------


@pytest.fixture
def changed_backup(source: Vault, backups: Path) -> Path:
    """A backup where alpha was changed later than in the vault, and the vault where
    beta was changed later than in the backup."""
    from vault_app.backups.export import export_backup

    alpha, beta, _ = source.entries
    earlier = alpha.updated_at - timedelta(days=3)  # dates ahead of the clock: not trusted
    source.transform(lambda entries: [replace(entries[0], notes="backup's alpha",
                                              updated_at=earlier + timedelta(days=1)),
                                      *entries[1:]])
    target = backups / "changed.backup"
    export_backup(source, target, BACKUP_PASSWORD)
    source.transform(lambda entries: [replace(alpha, updated_at=earlier),
                                      replace(beta, notes="vault's beta",
                                              updated_at=beta.updated_at + timedelta(hours=1)),
                                      entries[2]])
    return target


def test_a_crafted_backup_is_shown_escaped_and_its_future_date_not_trusted(
        cli: Cli, source: Vault, backups: Path) -> None:
    from vault_app.backups.export import export_backup

    alpha = source.entries[0]
    crafted = "Binance\u202e niam\x1b[2J"
    source.transform(lambda entries: [
        replace(entries[0], label=crafted, notes="crafted",
                updated_at=datetime(9999, 12, 31, tzinfo=UTC)), *entries[1:]])
    target = backups / "crafted.backup"
    export_backup(source, target, BACKUP_PASSWORD)
    source.transform(lambda entries: [alpha, *entries[1:]])
    before = source.path.read_bytes()

    listed = assert_fails(merge(cli, target), 1, "conflict")
    assert "\u202e" not in listed.out + listed.err and "\x1b" not in listed.out + listed.err
    assert r"Binance\u202e niam\x1b[2J" in listed.out
    assert "which is newer is unknown" in listed.out
    assert "not trusted" in listed.err and "control or direction characters" in listed.err
    assert source.path.read_bytes() == before

    assert_ok(merge(cli, target, "--on-conflict", "newer"))
    kept = Vault.open(source.path, PASSWORD).entries[0]
    assert (kept.label, kept.notes, kept.updated_at) == (alpha.label, alpha.notes,
                                                         alpha.updated_at)


def merge(cli: Cli, backup: Path, *args: str) -> CliResult:
    return cli("backup", "restore", str(backup), "--merge", *args,
               stdin=lines(BACKUP_PASSWORD, PASSWORD))


def notes(vault_path: Path) -> list[tuple[str, str]]:
    return [(e.label, e.notes) for e in Vault.open(vault_path, PASSWORD).entries]


def test_merge_without_a_choice_lists_the_conflicts_and_writes_nothing(
        cli: Cli, source: Vault, changed_backup: Path) -> None:
    before = source.path.read_bytes()
    result = assert_fails(merge(cli, changed_backup), 1, "2 conflict", "--on-conflict")
    assert "'alpha' in the backup" in result.out and "the backup's is newer" in result.out
    assert "'beta' in the backup" in result.out and "the vault's is newer" in result.out
    assert "differs in notes" in result.out
    assert source.path.read_bytes() == before


def test_merge_newer(cli: Cli, source: Vault, changed_backup: Path) -> None:
    result = assert_ok(merge(cli, changed_backup, "--on-conflict", "newer"))
    assert "1 replaced" in result.out and "1 skipped" in result.out
    assert notes(source.path) == [("alpha", "backup's alpha"), ("beta", "vault's beta"),
                                  ("gamma", "notes of gamma")]


def test_merge_both(cli: Cli, source: Vault, changed_backup: Path) -> None:
    result = assert_ok(merge(cli, changed_backup, "--on-conflict", "both"))
    assert "2 kept both" in result.out and "'alpha (restored)'" in result.out
    assert notes(source.path) == [
        ("alpha", "notes of alpha"), ("beta", "vault's beta"), ("gamma", "notes of gamma"),
        ("alpha (restored)", "backup's alpha"), ("beta (restored)", "notes of beta")]


def test_merge_skip(cli: Cli, source: Vault, changed_backup: Path) -> None:
    before = source.path.read_bytes()
    result = assert_ok(merge(cli, changed_backup, "--on-conflict", "skip"))
    assert "2 skipped" in result.out
    assert source.path.read_bytes() == before


def test_merge_adds_the_keys_the_vault_lacks_with_their_records(
        cli: Cli, source: Vault, backup_file: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.vault"
    Vault.create(other, PASSWORD, source.kdf, enforce_kdf_minimum=False)
    result = assert_ok(cli("--vault", str(other), "backup", "restore", str(backup_file),
                           "--merge", stdin=lines(BACKUP_PASSWORD, PASSWORD)))
    assert "3 added" in result.out and "6 journal records added" in result.out
    assert fields(Vault.open(other, PASSWORD).entries) == fields(source.entries)


def test_a_wrong_master_password_for_the_merge_exits_2(cli: Cli, source: Vault,
                                                       backup_file: Path) -> None:
    before = source.path.read_bytes()
    assert_fails(cli("backup", "restore", str(backup_file), "--merge",
                     stdin=lines(BACKUP_PASSWORD, "wrong")), 2)
    assert source.path.read_bytes() == before


def test_merge_on_a_terminal_asks_for_each_conflict(source: Vault,
                                                    changed_backup: Path) -> None:
    master, slave = pty.openpty()
    env = dict(os.environ, VAULT_APP_VAULT=str(source.path))
    proc = subprocess.Popen([sys.executable, "-m", "vault_app.cli", "backup", "restore",
                             str(changed_backup), "--merge"],
                            stdin=slave, stdout=slave, stderr=slave, env=env, cwd=REPO,
                            start_new_session=True)
    os.close(slave)
    try:
        read_until(master, "Backup password")
        os.write(master, f"{BACKUP_PASSWORD}\n".encode())
        read_until(master, "Master password")
        os.write(master, f"{PASSWORD}\n".encode())
        shown = read_until(master, "[newer/both/skip]")
        assert "'alpha' in the backup" in shown and "the backup's is newer" in shown
        os.write(master, b"n\n")
        shown = read_until(master, "[newer/both/skip]")
        assert "'beta' in the backup" in shown
        os.write(master, b"maybe\n")  # not a choice: asked again
        read_until(master, "[newer/both/skip]")
        os.write(master, b"b\n")
        assert proc.wait(timeout=60) == 0
        rest = read_rest(master)
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
    assert "1 replaced" in rest and "1 kept both" in rest
    assert notes(source.path) == [("alpha", "backup's alpha"), ("beta", "vault's beta"),
                                  ("gamma", "notes of gamma"), ("beta (restored)", "notes of beta")]


def test_a_fifo_is_neither_read_nor_written(cli: Cli, source: Vault, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.backup"
    os.mkfifo(fifo)
    assert_fails(cli("backup", "restore", str(fifo), "--new", str(tmp_path / "n.vault"),
                     stdin=lines(PASSWORD), timeout=30), 5, "FIFO")
    assert_fails(export(cli, fifo, "--force", stdin=""), 5, "FIFO")
    assert not (tmp_path / "n.vault").exists()


def test_a_foreign_journal_at_the_new_path_is_left_and_reported(cli: Cli, source: Vault,
                                                                 backup_file: Path,
                                                                 tmp_path: Path) -> None:
    from vault_app.trading.journal import Journal

    new = tmp_path / "restored.vault"
    foreign = tmp_path / "restored.vault.journal"
    Journal(foreign, bytes(32)).append({"kind": "note"})
    before = foreign.read_bytes()
    result = assert_fails(cli("backup", "restore", str(backup_file), "--new", str(new),
                              stdin=lines(BACKUP_PASSWORD)), 5, "restored with every key")
    assert "restored 3 keys, 0 journal records" in result.out
    assert foreign.read_bytes() == before
    assert fields(Vault.open(new, BACKUP_PASSWORD).entries) == fields(source.entries)
