"""Typed errors of backups: export, restore and merge.

Like the core's errors (``vault_app.core.errors``), their messages are written for the
person at the keyboard, never hold a secret, and say what was (not) written. The CLI
maps them to exit codes through their base classes (``cli/status_codes.py``).
"""

from __future__ import annotations

from vault_app.core.errors import VaultChangedOnDisk, VaultExists, VaultIOError, VaultWriteError


class BackupExists(VaultExists):
    """The chosen backup file exists; it was left as it was (pass ``overwrite``)."""


class BackupVerifyFailed(VaultWriteError):
    """The backup just written did not read back as the vault it copies.

    The bad file was removed; a file the backup was to replace is intact, and so is
    the vault. Exit code 5 (I/O): the disk, not the vault, is suspect.
    """


class MergeStale(VaultChangedOnDisk):
    """The vault changed (another window or process saved) since the merge was planned,
    in a way that changes the plan; nothing was written. Plan again and choose again."""


# Why a second-folder copy failed (``CopyFailed.reason``).
FOLDER_MISSING = "missing"
NOT_WRITABLE = "not writable"
FULL = "full"
VERIFY_FAILED = "verification failed"
REFUSED = "refused"


class CopyFailed(VaultIOError):
    """A second-folder copy (``backups.copies``) was not written (or a bad one was
    removed); the vault itself is untouched.

    ``reason`` is one of ``FOLDER_MISSING``, ``NOT_WRITABLE``, ``FULL``,
    ``VERIFY_FAILED``, ``REFUSED`` (a folder that may not hold copies).
    """

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason
