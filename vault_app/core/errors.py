"""Typed errors of the vault core.

Every failure the core reports is one of these. Their messages are written for
the person at the keyboard, never contain a secret, and say what was (not)
written to disk. Front ends map them to exit codes or dialogs; see
``vault_app.cli.EXIT_CODES``.
"""

from __future__ import annotations

from collections.abc import Mapping


class VaultError(Exception):
    """Base class of every error the core raises on purpose."""


class WrongPassword(VaultError):
    def __init__(self, message: str = "wrong master password") -> None:
        super().__init__(message)


class VaultDamaged(VaultError):
    """The file is truncated, fails its checksum, or fails authentication."""


class NotAVaultFile(VaultDamaged):
    """The file does not start with the vault magic bytes."""


class UnsupportedVersion(VaultError):
    """The file was written by a newer (or unknown) version of the format."""


class KdfParamsOutOfRange(VaultError):
    """KDF parameters are outside the caps (reading) or bounds (writing)."""


class VaultInUse(VaultError):
    """Another process holds the write lock."""


class VaultChangedOnDisk(VaultInUse):
    """The file on disk is not the one this session read; nothing was written."""


class VaultNotFound(VaultError):
    pass


class VaultExists(VaultError):
    pass


class VaultIOError(VaultError):
    """The file system refused (permission denied, disk full, read-only)."""


class VaultWriteError(VaultIOError):
    """A save failed (I/O error, full disk); the previous file is intact.

    ``replaced`` is True in the one case where the new file did replace the old
    one but the folder could not be flushed: the save happened, its durability
    across a power cut is unsure.
    """

    def __init__(self, message: str, *, replaced: bool = False) -> None:
        super().__init__(message)
        self.replaced = replaced


class VaultLocked(VaultError):
    """The operation needs an unlocked vault."""


class ValidationError(VaultError):
    """Input was refused. ``field`` names the offending field, if any."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class VaultFull(ValidationError):
    """The saved vault would be larger than any vault may be (``storage.MAX_VAULT_SIZE``).

    Refused before anything is written: readers refuse a larger file, so writing
    it would make the whole vault unreadable (spec 5.1).
    """


class VaultReadOnly(VaultIOError):
    """The vault file, its folder or its file system is not writable; nothing was written.

    Raised before anything is touched: a read-only file is never replaced.
    """


class KdfMemoryUnavailable(VaultError):
    """The machine cannot give the KDF the memory it asks for; nothing was run or written.

    Checked before the KDF starts (``core.memory``), so a 4 GiB cost fails at once
    instead of swapping for a minute. Not a damaged file: the CLI exits 6.
    """

    def __init__(self, message: str, *, needed_kib: int | None = None,
                 available_kib: int | None = None) -> None:
        super().__init__(message)
        self.needed_kib = needed_kib
        self.available_kib = available_kib


class FieldConflict:
    """One field changed both in an edit and on disk, to different values.

    ``name`` is an entry field (``notes``) or a credential name (``secret``);
    ``base`` is the value the edit started from, ``mine`` the edit's, ``theirs``
    the one now on disk (``None``: not set). Values may be secrets: the repr
    shows the field's name only.
    """

    __slots__ = ("base", "mine", "name", "secret", "theirs", "title")

    def __init__(self, name: str, title: str, base: object, mine: object, theirs: object,
                 *, secret: bool = False) -> None:
        self.name = name
        self.title = title
        self.base = base
        self.mine = mine
        self.theirs = theirs
        self.secret = secret

    def __repr__(self) -> str:
        return f"FieldConflict({self.name!r})"


class EditConflict(VaultChangedOnDisk):
    """An edit and another session changed the same fields differently; nothing written.

    ``conflicts`` lists the fields; ``theirs`` is the entry as it is on disk now
    (a ``KeyEntry``); ``base`` and ``changes`` are the edit exactly as it was merged.
    To resolve it, pass all of it back: ``Vault.update(id, conflict.changes,
    base=conflict.base, resolving=conflict, choices=...)``. Values may be secrets:
    the message names fields only.
    """

    def __init__(self, message: str, conflicts: tuple[FieldConflict, ...] = (),
                 theirs: object = None, *, base: object = None,
                 changes: Mapping[str, object] | None = None) -> None:
        super().__init__(message)
        self.conflicts = conflicts
        self.theirs = theirs
        self.base = base
        self.changes: Mapping[str, object] = changes or {}


class EntryRemovedOnDisk(VaultChangedOnDisk):
    """The entry being edited was deleted by another session; nothing was written."""

class VaultTooLarge(VaultDamaged):
    """The file is larger than any vault may be (``storage.MAX_VAULT_SIZE``); it was not read."""


class NotARegularFile(VaultIOError):
    """The vault path names a FIFO, a device, a socket or a folder; it was not read."""


class UnsafeLockFile(VaultIOError):
    """``<vault>.lock`` is not a private regular file of this user; it was left untouched."""


class BrokenLink(VaultNotFound):
    """The vault path is a symbolic link whose target does not exist."""


class VersionStale(VaultChangedOnDisk):
    """The vault changed since the difference to a previous version was shown; nothing
    was restored. Show the difference again and confirm."""


class VersionOtherKey(VaultError):
    """A previous version was sealed under another master password than the vault's
    (kept before a password change, or by another vault of that name); nothing was
    changed. Not a wrong password: the user typed the right one (CLI: refused, 1)."""


class FolderRefused(VaultIOError):
    """The versions folder (``<vault>.versions``) is a link, not a folder, another user's
    or writable by others: no version is kept or read there. A save reports it as a
    warning and goes on."""
