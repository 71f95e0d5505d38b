"""Re-sealing the previous versions when the master password or the KDF changes.

A leaked old password must open nothing afterwards, so ``Vault.change_password``
re-seals every kept version under the new key slot (new salt, new data key) in the
same operation. The order, under the vault's lock (``VaultCommit._commit``), and why
a SIGKILL at any point is safe:

0. a versions folder of ours that others may write to is made 0700
   (``make_folder_private``), so that it is not refused below.
1. the current vault is kept as a version (``versions.keep``). First, because it
   makes the versions folder the record goes in, and because the version it keeps is
   sealed under the old key and must be re-sealed too: it has to exist before the
   record does. Killed here: the old vault, one more version under the old key, no
   record: the old password opens everything, as before the change.
2. ``write_record``: the *pending re-key record* ``rekey.pending`` in the versions
   folder holds the old data key sealed under the new one (AES-256-GCM, format
   below), written through a fsynced 0600 temp and a rename, then the folder fsynced.
   Killed after it: the vault is still the old one, and the record does not decrypt
   under the vault's (old) data key: the next writer removes it (``finish``), a
   leftover of a change that never happened.
3. the vault is replaced (``storage.atomic_write``). Killed here: the vault is the old
   file or the new one (atomic), and the record tells which: it decrypts under the new
   data key only.
4. ``reseal``: each version sealed under the old data key is decrypted with it and
   sealed under the new key slot, through a temp and a rename (each version is the
   old or the new file at any moment). Killed midway: the vault opens with the new
   password; some versions still with the old one. The next open for writing (or the
   next save) finds the record, decrypts it under the vault's data key, so gets the
   old data key back and finishes the re-seal (``finish``).
5. the record is removed (until then step 4 can be finished), then old versions are
   pruned (only those under the new key count, see ``versions.prune``).

A versions folder that is refused (a link, another user's) is never written: no
record, nothing re-sealed there; every file in it the old data key opens is named in
``PasswordChange.left`` (``still_open_with``), for the user to delete.

So a crash leaves a vault one of the two passwords opens with every entry, and the
next open *for writing* with the new password (or the next save) leaves no version
that opens with the old one. A read-only open (``list``, ``show``, ``backup export``)
never writes, so it does not finish it: it says so (``Vault.save_warning``, on the
CLI's stderr), and the record waits for the next save.

Record format: the ASCII bytes ``VAULTAPP-REKEY1`` (15 bytes, also the AES-GCM associated data),
a 12-byte nonce, then AES-256-GCM(new data key, nonce, old data key) (48 bytes).
"""

from __future__ import annotations

import contextlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from vault_app.core import crypto, storage, versions
from vault_app.core.envelope import seal
from vault_app.core.errors import VaultError
from vault_app.core.vault_format import KeySlot, parse

RECORD_NAME = "rekey.pending"
RECORD_MAGIC = b"VAULTAPP-REKEY1"


UNCHANGED_TEXT = (
    "Backups exported earlier, and copies in a second folder, still open with the old "
    "password: export new ones and delete the old ones. The order journal keeps its key "
    "(it holds orders, not exchange keys): whoever opens an old file with the old "
    "password can read the journal's orders, including new ones.")

SAME_PASSWORD_TEXT = (
    "The password is the same: backups exported earlier, and copies in a second folder, "
    "still open with it, at the strength they were made with. Export new ones to give "
    "them the new strength.")


@dataclass(frozen=True)
class PasswordChange:
    """What a password (or KDF) change did: versions re-sealed, and those left as they
    were. ``left`` names versions of the folder that could not be re-sealed (sealed
    under a key older than the one changed, or unreadable) and, when the versions
    folder was refused (a link, another user's), the path of every file in it that
    still opens with the old password: nothing is re-sealed or deleted there, the user
    must delete them (``left_text``). ``password_changed`` is False for a change of the
    KDF strength only (the same password): backups and copies made before still open
    with it, which is then no news and no danger. ``notes`` says what else the change did (a
    versions folder made private). The order journal's key is not changed by a
    password change: the journal holds orders, not keys, and re-keying it would mean
    rewriting it (docs/versions.md).
    """

    resealed: int
    left: list[str]
    notes: tuple[str, ...] = ()
    password_changed: bool = True

    @property
    def unchanged_text(self) -> str:
        """What a password change does not change, in plain words for the user. A
        KDF-only change kept the password: nothing then opens with an "old" one."""
        return UNCHANGED_TEXT if self.password_changed else SAME_PASSWORD_TEXT

    @property
    def left_text(self) -> str | None:
        """The plain sentence for the user about ``left``, or None."""
        if not self.left:
            return None
        return ("these files still open with the old password: delete them: "
                + ", ".join(self.left))


def make_folder_private(vault_path: Path) -> str | None:
    """Before a password change: a versions folder of ours that other users may write
    to is made 0700, so that its versions can be re-sealed. A sentence saying so, or
    None (nothing done: no folder, already private, a link, another user's)."""
    folder = versions.folder_of(vault_path)
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if info.st_uid != os.geteuid() or not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            return None
        os.fchmod(fd, 0o700)
    except OSError:
        return None
    finally:
        os.close(fd)
    return (f"{folder} was writable by other users; it is now private (mode 0700) so "
            "that its previous versions could be re-sealed")


def still_open_with(vault_path: Path, old_dek: bytes) -> list[str]:
    """The paths of the files in a refused versions folder (read, never written) that
    open with ``old_dek``: what a password change could not re-seal there."""
    folder = versions.folder_of(vault_path)
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return []  # not a folder, a loop, unreadable: no file in it to list
    found = []
    for name in names:
        if versions.slot_of(folder / name) is None:
            continue  # not a vault file (a header read): never read whole
        try:
            parsed = parse(versions.read_file(folder / name))
            crypto.open_payload(old_dek, parsed.payload_nonce, parsed.ciphertext,
                                parsed.header)
        except (VaultError, OSError):
            continue
        found.append(str(folder / name))
    return found


def write_record(vault_path: Path, old_dek: bytes, new_dek: bytes) -> bool:
    """Step 1: the pending record; False if there is no versions folder (nothing to
    re-seal). Raises FolderRefused if the folder is not ours."""
    folder = versions.open_folder(vault_path, create=False)
    if folder is None:
        return False
    nonce = crypto.new_nonce()
    sealed = AESGCM(new_dek).encrypt(nonce, old_dek, RECORD_MAGIC)
    versions.write_private(folder, RECORD_NAME, RECORD_MAGIC + nonce + sealed, replace=True)
    return True


RECORD_SIZE = len(RECORD_MAGIC) + 12 + 48


def _record_folder(vault_path: Path) -> Path | None:
    """The checked versions folder, or None when there is none or it is refused (a
    link, a file, a loop, another user's, writable by others): no record of ours can
    be there, and nothing in it is read or removed."""
    try:
        return versions.open_folder(vault_path, create=False)
    except VaultError:
        return None


def has_record(vault_path: Path) -> bool:
    """Whether a name ``rekey.pending`` is in the checked versions folder (cheap)."""
    folder = _record_folder(vault_path)
    return folder is not None and os.path.lexists(folder / RECORD_NAME)


def read_record(vault_path: Path, dek: bytes) -> bytes | bool | None:
    """The old data key from a pending record sealed under ``dek``; None if there
    is no record of ours; False if there is one that ``dek`` does not open (a leftover).

    Only a regular file of this user, of exactly the record's size, in the checked
    versions folder is a record: it is opened without following a link and without
    blocking (a FIFO would hang the save that holds the vault's lock). Anything else
    under that name is not ours: None, and it is never removed.
    """
    folder = _record_folder(vault_path)
    if folder is None:
        return None
    try:
        fd = os.open(folder / RECORD_NAME, versions.READ_FLAGS)
    except OSError:
        return None  # absent, a link (ELOOP), unreadable: not a record of ours
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid() \
                or info.st_size != RECORD_SIZE:
            return None
        data = os.read(fd, RECORD_SIZE + 1)
    except OSError:
        return None
    finally:
        os.close(fd)
    if not data.startswith(RECORD_MAGIC) or len(data) != RECORD_SIZE:
        return None
    nonce, sealed = data[15:27], data[27:]
    try:
        return AESGCM(dek).decrypt(nonce, sealed, RECORD_MAGIC)
    except InvalidTag:
        return False


def remove_record(vault_path: Path) -> None:
    """Remove our record: only a regular file of this user in the checked folder."""
    folder = _record_folder(vault_path)
    if folder is None:
        return
    with contextlib.suppress(OSError):
        info = os.lstat(folder / RECORD_NAME)
        if stat.S_ISREG(info.st_mode) and info.st_uid == os.geteuid():
            os.unlink(folder / RECORD_NAME)
            storage.fsync_folder(folder)


def reseal(vault_path: Path, old_dek: bytes, slot: KeySlot, dek: bytes) -> PasswordChange:
    """Step 3: every version that opens under ``old_dek`` sealed under ``slot``/``dek``."""
    done, left = 0, []
    folder = versions.open_folder(vault_path, create=False)
    if folder is None:
        return PasswordChange(0, [])
    versions.remove_temps(folder)
    for version in versions.list_versions(vault_path):
        try:
            parsed = parse(versions.read_version(vault_path, version.name))
            if parsed.slot == slot:
                continue  # already re-sealed (a change finished after a crash)
            plaintext = crypto.open_payload(old_dek, parsed.payload_nonce, parsed.ciphertext,
                                            parsed.header)
            versions.write_private(folder, version.name, seal(slot, dek, plaintext),
                                   replace=True, mtime_ns=version.mtime_ns)
            done += 1
        except (VaultError, OSError):
            left.append(version.name)
    with contextlib.suppress(OSError):
        storage.fsync_folder(folder)
    return PasswordChange(done, left)


def finish(vault_path: Path, slot: KeySlot, dek: bytes) -> PasswordChange | None:
    """Steps 3-4 of a change a crash interrupted, or remove a leftover record.

    Call under the vault's lock with the key slot and data key of the vault on disk.
    """
    old = read_record(vault_path, dek)
    if old is None:
        return None
    result = None
    if old is not False:
        assert isinstance(old, bytes)
        result = reseal(vault_path, old, slot, dek)
    remove_record(vault_path)
    return result
