"""The pending re-key record and a password change's versions (core/version_rekey.py).

Each scenario that could hang (a FIFO read without O_NONBLOCK blocks forever, under the
vault's lock) runs in a child process with a timeout, so that a hang fails the test.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import FAST_KDF, PASSWORD, REPO, make_entry
from vault_app.core import version_rekey, versions
from vault_app.core.errors import WrongPassword
from vault_app.core.vault import Vault

CHILD_TIMEOUT = 20  # seconds; the child takes about one: a hang is what it catches


def folder(path: Path) -> Path:
    return versions.folder_of(path)


def run_child(vault_path: Path, body: str) -> str:
    """Run ``body`` (with ``vault`` opened for writing at ``path``) in a child process."""
    script = textwrap.dedent("""
        import sys
        from pathlib import Path
        from tests.conftest import PASSWORD, make_entry
        from vault_app.core.vault import Vault
        path = Path(sys.argv[1])
        vault = Vault.open(path, PASSWORD)
        """) + textwrap.dedent(body)
    try:
        done = subprocess.run([sys.executable, "-c", script, str(vault_path)], cwd=REPO,
                              capture_output=True, text=True, timeout=CHILD_TIMEOUT,
                              check=False)
    except subprocess.TimeoutExpired:
        pytest.fail("the open or the save hung on the planted rekey.pending")
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_fifo_named_like_the_record_hangs_neither_open_nor_save(
        new_vault: Callable[..., Vault], vault_path: Path) -> None:
    new_vault(2)
    os.mkfifo(folder(vault_path) / version_rekey.RECORD_NAME, 0o600)
    out = run_child(vault_path, """
        vault.add(make_entry(label="saved", exchange="binance"))
        print(len(Vault.open(path, PASSWORD)), vault.save_warning)
        """)
    assert out.split()[0] == "3"
    assert "Errno" not in out
    # Not ours: left where it is (never delete what we did not write).
    assert (folder(vault_path) / version_rekey.RECORD_NAME).is_fifo()


def test_a_record_behind_a_linked_versions_folder_is_neither_read_nor_deleted(
        new_vault: Callable[..., Vault], vault_path: Path, tmp_path: Path) -> None:
    vault = new_vault(1)
    _, dek = vault._keys()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    for child in folder(vault_path).iterdir():
        child.unlink()
    folder(vault_path).rmdir()
    folder(vault_path).symlink_to(elsewhere)
    # A well-formed record that decrypts under the vault's key: still not followed.
    os.mkfifo(elsewhere / "unrelated")
    record = elsewhere / version_rekey.RECORD_NAME
    record.write_bytes(b"someone else's file")
    assert version_rekey.read_record(vault_path, dek) is None
    out = run_child(vault_path, """
        vault.add(make_entry(label="saved", exchange="binance"))
        print(vault.save_warning)
        """)
    assert record.read_bytes() == b"someone else's file"
    assert "Errno" not in out and "symbolic link" in out


@pytest.mark.parametrize("hostile", ["file", "loop"])
def test_a_versions_folder_that_is_a_file_or_a_loop_warns_in_plain_words(
        new_vault: Callable[..., Vault], vault_path: Path, hostile: str) -> None:
    vault = new_vault()
    vault.set_keep_versions(0)
    if hostile == "file":
        folder(vault_path).write_bytes(b"not a folder")
    else:
        folder(vault_path).symlink_to(folder(vault_path).name)
    vault.set_keep_versions(3)
    vault.change_password(PASSWORD, "new", FAST_KDF, enforce_kdf_minimum=False)
    reopened = Vault.open(vault_path, "new")
    reopened.add(make_entry(label="saved", exchange="binance"))
    warning = reopened.save_warning or ""
    assert str(folder(vault_path)) in warning
    assert "Errno" not in warning and "Errno" not in (vault.save_warning or "")


def test_a_record_of_the_wrong_size_or_not_a_file_is_not_ours_and_stays(
        new_vault: Callable[..., Vault], vault_path: Path) -> None:
    vault = new_vault(1)
    _, dek = vault._keys()
    record = folder(vault_path) / version_rekey.RECORD_NAME
    record.write_bytes(version_rekey.RECORD_MAGIC + b"x" * 100)
    assert version_rekey.read_record(vault_path, dek) is None
    vault.add(make_entry(label="saved", exchange="binance"))
    assert record.exists()
    record.unlink()
    record.mkdir()
    assert version_rekey.read_record(vault_path, dek) is None
    vault.add(make_entry(label="again", exchange="binance"))
    assert record.is_dir()


def opens_with(path: Path, password: str) -> bool:
    try:
        Vault.open(path, password, read_only=True)
    except WrongPassword:
        return False
    return True


def test_a_password_change_makes_an_open_versions_folder_of_ours_private_and_reseals(
        new_vault: Callable[..., Vault], vault_path: Path) -> None:
    vault = new_vault(3)
    os.chmod(folder(vault_path), 0o770)  # a umask-002 tool, an rsync of a shared home
    change = vault.change_password(PASSWORD, "new", FAST_KDF, enforce_kdf_minimum=False)
    assert stat.S_IMODE(os.lstat(folder(vault_path)).st_mode) == 0o700
    assert any("now private" in note for note in change.notes)
    kept = versions.list_versions(vault_path)
    assert change.resealed == len(kept) == 4 and change.left == []
    for version in kept:
        assert not opens_with(version.path, PASSWORD)
        assert opens_with(version.path, "new")


def move_versions_behind_a_link(vault_path: Path, target: Path) -> list[Path]:
    """The versions folder moved to ``target``, and a link to it in its place."""
    os.rename(folder(vault_path), target)
    folder(vault_path).symlink_to(target)
    return sorted(target.iterdir())


@pytest.mark.parametrize("hostile", ["link", "another user's"])
def test_versions_a_change_cannot_reseal_are_listed_as_opening_with_the_old_password(
        new_vault: Callable[..., Vault], vault_path: Path, tmp_path: Path,
        hostile: str) -> None:
    vault = new_vault(2)
    if hostile == "link":
        old_files = move_versions_behind_a_link(vault_path, tmp_path / "elsewhere")
    else:
        if os.geteuid() != 0:
            pytest.skip("giving a folder to another user needs root")
        old_files = sorted(folder(vault_path).iterdir())
        os.chown(folder(vault_path), 65534, -1)
    change = vault.change_password(PASSWORD, "new", FAST_KDF, enforce_kdf_minimum=False)
    assert change.resealed == 0
    # Never silent: every file there that the old (leaked) password opens is named.
    assert sorted(change.left) == sorted(str(folder(vault_path) / p.name) for p in old_files)
    assert all(opens_with(path, PASSWORD) for path in old_files)  # nothing written there
    assert change.left_text is not None
    assert change.left_text.startswith("these files still open with the old password: "
                                       "delete them")
    assert len(Vault.open(vault_path, "new")) == 2
