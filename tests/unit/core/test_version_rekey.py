"""The pending re-key record and a password change's versions (core/version_rekey.py).

Each scenario that could hang (a FIFO read without O_NONBLOCK blocks forever, under the
vault's lock) runs in a child process with a timeout, so that a hang fails the test.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import FAST_KDF, PASSWORD, REPO, make_entry
from vault_app.core import version_rekey, versions
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
