"""An error as the sentence a dialog or the status bar shows.

Most typed errors carry a message written for the person at the keyboard, shown as
it is. The errors of backups, previous versions and second-folder copies get their
own words here (``_PLAIN``): what happened, that the vault is intact, and what to do,
without a command-line flag or an errno.
"""

from __future__ import annotations

from collections.abc import Callable

from vault_app.backups import errors as backup_errors
from vault_app.core import errors


def error_message(exc: BaseException) -> str:
    for kind, explain in _PLAIN:
        if isinstance(exc, kind):
            return explain(exc)
    if isinstance(exc, errors.VaultError):
        return _sentence(str(exc))
    if isinstance(exc, MemoryError):
        return ("Out of memory. Nothing was written; the vault file is intact. "
                "Close other programs and try again.")
    return f"Unexpected error ({type(exc).__name__}). The vault file was not damaged."


def _sentence(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:]


def _clause(text: str) -> str:
    """``text`` to go inside a sentence: no capital, no final full stop."""
    text = text.strip().rstrip(".")
    return text[:1].lower() + text[1:]


_COPY_SAVED = "No copy was written; your vault itself is saved."
_COPY_TEXT: dict[str, Callable[[backup_errors.CopyFailed], str]] = {
    backup_errors.FOLDER_MISSING: lambda exc: (
        f"{_sentence(_clause(str(exc)))}. {_COPY_SAVED} Plug the drive in, or choose "
        "another backup folder in the vault's settings; the next save copies again."),
    backup_errors.NOT_WRITABLE: lambda exc: (
        "The backup folder refuses new files (it is read-only, or permission is denied). "
        f"{_COPY_SAVED} Allow writing there, or choose another folder in the vault's "
        "settings."),
    backup_errors.FULL: lambda exc: (
        f"The backup folder's drive is full. {_COPY_SAVED} Make room there, or choose "
        "another folder; older copies are removed only after a new one was verified."),
    backup_errors.VERIFY_FAILED: lambda exc: (
        "The copy did not read back correctly from the backup folder, so it was removed; "
        "older copies are as they were and your vault is saved. The drive may be "
        "failing: check it, or choose another folder."),
    backup_errors.REFUSED: lambda exc: (
        f"That folder cannot hold copies: {_clause(str(exc))}. {_COPY_SAVED} Choose "
        "another folder in the vault's settings."),
}


def _copy_failed(exc: BaseException) -> str:
    assert isinstance(exc, backup_errors.CopyFailed)
    text = _COPY_TEXT.get(exc.reason)
    return text(exc) if text is not None else f"{_sentence(_clause(str(exc)))}. {_COPY_SAVED}"


_PLAIN: tuple[tuple[type[BaseException], Callable[[BaseException], str]], ...] = (
    (backup_errors.BackupExists, lambda exc: (
        "A file of that name already exists. It was left as it was and nothing was "
        "written. Choose another name, or export again and agree to replace it.")),
    (backup_errors.BackupVerifyFailed, lambda exc: (
        "The backup did not read back correctly from the disk, so it was removed. Nothing "
        "was written under the chosen name and your vault is intact. Check the disk or "
        "choose another place, then export again.")),
    (backup_errors.MergeStale, lambda exc: (
        "The vault was changed in another window or program after the merge was planned. "
        "Nothing was written. Look at the conflicts again and choose again.")),
    (errors.VersionStale, lambda exc: (
        "The vault was changed in another window or program after the difference was "
        "shown. Nothing was restored. Look at the difference again, then restore.")),
    (errors.VersionOtherKey, lambda exc: (
        "This previous version is locked with an older master password (it was kept "
        "before a password change that was interrupted), so the vault's key cannot open "
        "it. Nothing was changed. Choose another version.")),
    (errors.FolderRefused, lambda exc: (
        f"The previous-versions folder cannot be used: {_clause(str(exc))}. Your vault is "
        "intact, but no previous version is kept or read there until the folder is one "
        "of yours that only you can write to.")),
    (backup_errors.CopyFailed, _copy_failed),
)
