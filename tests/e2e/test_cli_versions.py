"""``passwd`` flags and ``versions list|diff|restore|keep``, run as a subprocess."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import FAST_KDF, PASSWORD, CliResult, make_entry
from tests.e2e.support import assert_fails, assert_ok, assert_usage
from vault_app.core import versions
from vault_app.core.errors import WrongPassword
from vault_app.core.vault import Vault

Cli = Callable[..., CliResult]
NEW = "a much newer master password 42"
WEAK_OK_KDF = "m=19456,t=2,p=1"  # the minimum for a new vault: fast enough for tests


def lines(*values: str) -> str:
    return "".join(f"{value}\n" for value in values)


@pytest.fixture
def saved(new_vault: Callable[..., Vault], vault_path: Path) -> Path:
    """A vault saved four times: three versions kept (0, 1 and 2 keys)."""
    vault = new_vault()
    for label in ("alpha", "beta", "gamma"):
        vault.add(make_entry(label=label, exchange="binance"))
    return vault_path


def test_versions_list_shows_each_version_with_its_keys(cli: Cli, saved: Path) -> None:
    listed = json.loads(assert_ok(cli("versions", "list", "--json",
                                      stdin=lines(PASSWORD))).out)
    assert [item["keys"] for item in listed] == [2, 1, 0]
    assert all(item["opens"] for item in listed)
    text = assert_ok(cli("versions", "list", stdin=lines(PASSWORD))).out
    assert listed[0]["name"] in text and "UTC" in text and "2 keys" in text


def test_versions_diff_and_restore(cli: Cli, saved: Path) -> None:
    oldest = versions.list_versions(saved)[-1].name
    shown = assert_ok(cli("versions", "diff", oldest, stdin=lines(PASSWORD))).out
    assert "- alpha" in shown and "- gamma" in shown
    assert_fails(cli("versions", "restore", oldest, stdin=lines(PASSWORD)), 1, "--yes")
    assert len(Vault.open(saved, PASSWORD)) == 3
    result = assert_ok(cli("versions", "restore", oldest, "--yes", stdin=lines(PASSWORD)))
    assert "Restored" in result.out
    assert len(Vault.open(saved, PASSWORD)) == 0
    # The state before the restore is the newest version: the restore can be undone.
    newest = versions.list_versions(saved)[0].name
    assert_ok(cli("versions", "restore", newest, "--yes", stdin=lines(PASSWORD)))
    assert [e.label for e in Vault.open(saved, PASSWORD).entries] == ["alpha", "beta", "gamma"]


def test_versions_errors_have_exit_codes(cli: Cli, saved: Path) -> None:
    assert_fails(cli("versions", "diff", "20200101T000000.000000Z.vault",
                     stdin=lines(PASSWORD)), 1, "no previous version")
    assert_fails(cli("versions", "diff", "../vault.vault", stdin=lines(PASSWORD)), 1,
                 "not the name of a previous version")
    assert_fails(cli("versions", "list", stdin=lines("wrong")), 2, "wrong master password")
    refused = cli("versions", "keep", "1001", stdin=lines(PASSWORD))
    assert refused.code == 1 and "versions keep: error:" in refused.err
    assert "from 0 to 1000" in refused.err and "Traceback" not in refused.err


def test_versions_keep_asks_before_deleting_versions(cli: Cli, saved: Path) -> None:
    assert len(versions.list_versions(saved)) == 3
    assert_ok(cli("versions", "keep", "5", stdin=lines(PASSWORD)))  # deletes none
    assert len(versions.list_versions(saved)) == 4  # that save kept one more
    assert_fails(cli("versions", "keep", "0", stdin=lines(PASSWORD)), 1, "--yes")
    assert len(versions.list_versions(saved)) == 4
    assert_ok(cli("versions", "keep", "0", "--yes", stdin=lines(PASSWORD)))
    assert versions.list_versions(saved) == []


def test_passwd_reseals_versions_and_warns_about_backups(cli: Cli, saved: Path) -> None:
    names = [v.name for v in versions.list_versions(saved)]
    result = assert_ok(cli("passwd", "--kdf", WEAK_OK_KDF, stdin=lines(PASSWORD, NEW)))
    assert f"Previous versions re-sealed: {len(names) + 1}" in result.out
    assert "still open with the old password" in result.out
    assert "order journal keeps its key" in result.out  # said, not hidden
    folder = saved.with_name(saved.name + ".versions")
    for name in [v.name for v in versions.list_versions(saved)]:
        with pytest.raises(WrongPassword):
            Vault.open(folder / name, PASSWORD, read_only=True)
        Vault.open(folder / name, NEW, read_only=True)
    assert Vault.open(saved, NEW).kdf.memory_kib == 19456


def test_passwd_keep_password_changes_only_the_kdf(cli: Cli, saved: Path) -> None:
    result = assert_ok(cli("passwd", "--keep-password", "--kdf", "m=20M,t=2,p=1",
                           stdin=lines(PASSWORD)))
    assert "KDF strength changed" in result.out
    vault = Vault.open(saved, PASSWORD)
    assert vault.kdf.memory_kib == 20 * 1024 and len(vault) == 3


def test_passwd_flag_errors(cli: Cli, saved: Path) -> None:
    before = saved.read_bytes()
    assert_usage(cli("passwd", "--kdf", "m=64,t=1,p=1", stdin=lines(PASSWORD, NEW)),
                 "below the minimum")
    assert_usage(cli("passwd", "--kdf", "m=1,t=2", stdin=lines(PASSWORD, NEW)),
                 "m, t and p are all needed")
    assert_usage(cli("passwd", "--kdf", WEAK_OK_KDF, "--calibrate", "1",
                     stdin=lines(PASSWORD, NEW)), "not allowed with")
    assert_usage(cli("passwd", "--calibrate", "0", stdin=lines(PASSWORD, NEW)), "between")
    assert_fails(cli("passwd", "--kdf", WEAK_OK_KDF, stdin=lines("wrong", NEW)), 2,
                 "wrong master password")
    assert saved.read_bytes() == before


def test_a_hostile_versions_folder_is_a_warning_not_a_failure(
        cli: Cli, saved: Path, tmp_path: Path) -> None:
    folder = saved.with_name(saved.name + ".versions")
    for child in folder.iterdir():
        child.unlink()
    folder.rmdir()
    folder.symlink_to(tmp_path)
    result = assert_ok(cli("remove", "alpha", "--yes", stdin=lines(PASSWORD)))
    assert "warning" in result.err and "symbolic link" in result.err
    assert len(Vault.open(saved, PASSWORD)) == 2


def test_passwd_names_the_versions_it_could_not_reseal_and_exits_0(
        cli: Cli, saved: Path, tmp_path: Path) -> None:
    folder = saved.with_name(saved.name + ".versions")
    elsewhere = tmp_path / "elsewhere"
    folder.rename(elsewhere)
    folder.symlink_to(elsewhere)  # a link: nothing is written through it
    result = assert_ok(cli("passwd", "--kdf", WEAK_OK_KDF, stdin=lines(PASSWORD, NEW)))
    assert "still open with the old password: delete them" in result.err
    for path in elsewhere.iterdir():
        assert str(folder / path.name) in result.err
        Vault.open(path, PASSWORD, read_only=True)  # untouched: the user deletes them
    assert Vault.open(saved, NEW).kdf.memory_kib == 19456


def test_a_version_under_another_key_is_refused_not_a_wrong_password(
        cli: Cli, saved: Path, tmp_path: Path) -> None:
    Vault.create(tmp_path / "other.vault", "another password", FAST_KDF,
                 enforce_kdf_minimum=False)
    foreign = "20000101T000000.000000Z.vault"
    versions.write_private(versions.folder_of(saved), foreign,
                           (tmp_path / "other.vault").read_bytes(), replace=False)
    assert_fails(cli("versions", "restore", foreign, "--yes", stdin=lines(PASSWORD)), 1,
                 "another master password")
    assert len(Vault.open(saved, PASSWORD)) == 3


def test_passwd_checks_the_current_password_before_asking_the_new_one(
        cli: Cli, saved: Path) -> None:
    before = saved.read_bytes()
    # Only the (wrong) current password is given: no new one is asked for.
    assert_fails(cli("passwd", stdin=lines("wrong")), 2, "wrong master password")
    assert saved.read_bytes() == before


def test_a_read_only_command_says_an_interrupted_password_change_waits(
        cli: Cli, saved: Path) -> None:
    from vault_app.core import version_rekey

    vault = Vault.open(saved, PASSWORD)
    _, dek = vault._keys()
    version_rekey.write_record(saved, os.urandom(32), dek)  # killed before re-sealing
    record = versions.folder_of(saved) / version_rekey.RECORD_NAME
    before = saved.read_bytes()
    result = assert_ok(cli("list", stdin=lines(PASSWORD)))
    assert "password change of this vault was interrupted" in result.err
    assert "next save" in result.err
    assert record.exists() and saved.read_bytes() == before  # read-only: nothing written
    result = assert_ok(cli("remove", "alpha", "--yes", stdin=lines(PASSWORD)))
    assert not record.exists() and "interrupted" not in result.err


@pytest.mark.slow
def test_passwd_keep_password_calibrate_gives_a_new_salt_and_data_key(
        cli: Cli, saved: Path) -> None:
    before = Vault.open(saved, PASSWORD)
    old_slot, old_dek = before._keys()
    result = assert_ok(cli("passwd", "--keep-password", "--calibrate", "0.1",
                           stdin=lines(PASSWORD)))
    assert "Measuring the KDF" in result.out and "KDF strength changed" in result.out
    after = Vault.open(saved, PASSWORD)
    new_slot, new_dek = after._keys()
    assert new_slot.salt != old_slot.salt and new_dek != old_dek
    assert new_slot.kdf != old_slot.kdf  # measured here, not the test's fast KDF
    assert len(after) == 3
    for version in after.versions():  # re-sealed: the old data key opens none
        assert version.opens_with_current_key
