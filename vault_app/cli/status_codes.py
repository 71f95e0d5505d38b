"""The CLI's exit codes, a stable contract (the README lists them), and the errors
only the CLI raises."""

from __future__ import annotations

from vault_app.backups import errors as backup_errors
from vault_app.core import errors
from vault_app.trading import errors as trading_errors

PROG = "vault-app-cli"

EXIT_OK = 0
EXIT_USAGE = 1
EXIT_WRONG_PASSWORD = 2
EXIT_DAMAGED = 3
EXIT_IN_USE = 4
EXIT_IO = 5
EXIT_NO_MEMORY = 6
EXIT_EXCHANGE = 7
# `audit`: a finding at or above --fail-on (not an error: the audit itself ran).
EXIT_AUDIT_FINDINGS = 8
EXIT_INTERNAL = 70
EXIT_INTERRUPTED = 130

EXIT_CODES: tuple[tuple[type[BaseException], int], ...] = (
    # Named although their bases map them alike: what a backup command's exit says.
    (backup_errors.BackupVerifyFailed, EXIT_IO),  # the written file read back wrong
    (backup_errors.MergeStale, EXIT_IN_USE),  # another process saved: plan again
    (backup_errors.BackupExists, EXIT_USAGE),  # refused: --force to replace it
    (backup_errors.CopyFailed, EXIT_IO),  # a second-folder copy (the GUI's; listed all the same)
    (errors.VersionStale, EXIT_IN_USE),  # another process saved since `versions diff`
    (errors.VersionOtherKey, EXIT_USAGE),  # refused: a version under another key (not a typo)
    (errors.FolderRefused, EXIT_IO),  # <vault>.versions a link, another user's, or open
    (errors.WrongPassword, EXIT_WRONG_PASSWORD),
    (errors.VaultDamaged, EXIT_DAMAGED),
    (errors.UnsupportedVersion, EXIT_DAMAGED),
    (errors.KdfParamsOutOfRange, EXIT_DAMAGED),
    (errors.VaultInUse, EXIT_IN_USE),
    (errors.VaultIOError, EXIT_IO),
    (errors.KdfMemoryUnavailable, EXIT_NO_MEMORY),
    (trading_errors.ExchangeProblem, EXIT_EXCHANGE),
    (errors.VaultError, EXIT_USAGE),
)

NO_MEMORY_MESSAGE = ("out of memory; nothing was written (saves are atomic, the vault "
                     "file is intact). Close other programs and try again")


class UsageError(errors.VaultError):
    pass


class OutputError(errors.VaultIOError):
    """Standard output refused a write (``> /dev/full``, a closed descriptor)."""


def exit_code_for(exc: BaseException) -> int:
    for kind, code in EXIT_CODES:
        if isinstance(exc, kind):
            return code
    return EXIT_INTERNAL
