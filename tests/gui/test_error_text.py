"""The typed errors of backups, previous versions and second-folder copies, as the GUI
says them (gui/error_text.py) and as the CLI exits on them (cli/status_codes.py)."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from vault_app.backups import copies
from vault_app.backups.copies import CopyFailed, write_copy
from vault_app.backups.errors import BackupExists, BackupVerifyFailed, MergeStale
from vault_app.cli.status_codes import exit_code_for
from vault_app.core.errors import FolderRefused, VersionOtherKey, VersionStale
from vault_app.core.vault import Vault
from vault_app.gui.error_text import error_message

RAW = "[Errno 13] Permission denied: '/media/usb/.tmp-x'"

# Each error as a raise site of ours words it (CLI flags, an errno in the text), the
# exit code its CLI command ends with, and words the GUI's text must hold.
CASES = [
    (BackupExists("/tmp/k.backup already exists; it was left as it was and nothing was "
                  "written. Choose another name, or replace it on purpose (--force)"),
     1, ("already exists", "nothing was written", "Choose another name")),
    (BackupVerifyFailed("the backup did not verify: read back from disk, entry 3 "
                        f"differs ({RAW})"),
     5, ("removed", "intact", "export again")),
    (MergeStale("the vault was changed ...; nothing was written"),
     4, ("another window or program", "Nothing was written", "choose again")),
    (VersionStale("the vault was changed ...; nothing was restored"),
     4, ("Nothing was restored", "Look at the difference again")),
    (VersionOtherKey("the previous version 20260101T000000.000000Z.vault is sealed ..."),
     1, ("older master password", "Nothing was changed", "Choose another version")),
    (FolderRefused("/home/u/keys.vault.versions belongs to another user; no previous "
                   "version was kept there"),
     5, ("belongs to another user", "intact", "only you can write to")),
    (CopyFailed("the folder /media/usb does not exist (a drive not plugged in?)",
                copies.FOLDER_MISSING),
     5, ("does not exist", "your vault itself is saved", "Plug the drive in")),
    (CopyFailed(RAW, copies.NOT_WRITABLE),
     5, ("refuses new files", "your vault itself is saved", "choose another folder")),
    (CopyFailed(f"/media/usb is full ({RAW})", copies.FULL),
     5, ("full", "your vault itself is saved", "Make room")),
    (CopyFailed(f"the copy x.vault could not be read back ({RAW}); it was removed",
                copies.VERIFY_FAILED),
     5, ("removed", "your vault is saved", "check it")),
    (CopyFailed("/home/u is the vault's own folder: a copy there is lost with the vault's "
                "disk. Choose a folder on another drive or a synced folder", copies.REFUSED),
     5, ("the vault's own folder", "your vault itself is saved", "Choose another folder")),
]


@pytest.mark.parametrize(("exc", "code", "words"), CASES,
                         ids=[f"{type(c[0]).__name__}-{i}" for i, c in enumerate(CASES)])
def test_each_error_is_said_in_plain_words_and_exits_right(
        exc: Exception, code: int, words: tuple[str, ...]) -> None:
    text = error_message(exc)
    for word in words:
        assert word in text
    assert text[:1].isupper() and text.endswith(".")
    for raw in ("Traceback", "Errno", "--force", type(exc).__name__, "..;", ". ."):
        assert raw not in text
    assert exit_code_for(exc) == code


def test_a_real_missing_folder_reads_as_a_sentence(vault: Vault, tmp_path: Path) -> None:
    with pytest.raises(CopyFailed) as caught:
        write_copy(vault, tmp_path / "unplugged", keep=3)
    text = error_message(caught.value)
    assert text.startswith(f"The folder {tmp_path / 'unplugged'} does not exist")
    assert "Errno" not in text and str(errno.ENOENT) not in text.split("unplugged")[1]
