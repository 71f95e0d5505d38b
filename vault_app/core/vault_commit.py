"""What an unlocked vault holds, and the one way it is saved, one transaction at a time.

Every change goes through ``VaultCommit._commit`` (``Vault`` is one), which, under
the exclusive lock:

1. reads the file on disk and compares its checksum with the one this session
   last read or wrote. If another process saved in between, the session never
   overwrites that file blindly: it re-reads it with the data key it already
   holds (no KDF) and from then on shows it (memory takes the disk's content
   at once, and keeps it even if the change below is refused), or refuses with
   ``VaultChangedOnDisk`` if the master password was changed meanwhile;
2. applies the change to that content, which validates and may refuse (nothing
   written); an edit that carries its base is merged field by field with the
   entry on disk (``edits.merge_edit``), so it never reverts another session's
   change. A change that changes nothing (``mark_used`` within the hour) writes
   nothing;
3. refuses a file larger than readers accept (``VaultFull``), keeps the file it is
   about to replace as a previous version (``versions.keep``: a hard link, so a
   SIGKILL at any moment leaves the vault and every version openable), writes the new
   file atomically (``storage.atomic_write``), and only then prunes the oldest
   versions (``versions.prune``). A problem with the versions never fails the save:
   it is reported in ``save_warning``. A password change also re-seals the versions
   (``version_rekey``, whose docstring gives the order and why each crash is safe; the
   steps are called from ``vault_versions``).

Memory takes the change itself only after the write succeeded. So memory always
holds what is on disk: the file as this session last read it (step 1), or the
one it wrote; a failed save loses nothing. ``lock`` may run on another thread
meanwhile: the save may still complete on disk, but memory stays locked.

Writers of one process queue on a process-wide lock per vault file (``writer_lock``)
before the file's ``flock``: two threads of one process (the desktop app's write
worker saving an edit, a trading worker recording a key's use or creating the
journal key) would otherwise meet at the ``flock``, which tells them apart no better
than two processes, and the second gives up after ``LOCK_WAIT_SECONDS`` with
VaultInUse. Commits take milliseconds; waiting behind one is no error.
"""

from __future__ import annotations

import dataclasses
import os
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from vault_app.core import (
    credential_history,
    crypto,
    folders,
    storage,
    vault_lock,
    vault_versions,
    version_rekey,
    versions,
)
from vault_app.core.envelope import seal
from vault_app.core.errors import (
    VaultChangedOnDisk,
    VaultError,
    VaultInUse,
    VaultLocked,
    VaultWriteError,
)
from vault_app.core.exchanges import Catalog
from vault_app.core.model import KeyEntry, utcnow
from vault_app.core.schema import (
    EntriesText,
    VaultMeta,
    decode_payload,
    encode_payload,
    entries_text,
)
from vault_app.core.vault_format import KeySlot, checksum_of, parse
from vault_app.core.version_rekey import PasswordChange
from vault_app.core.writable import check_writable, read_only_reason

Mutation = Callable[[list[KeyEntry]], list[KeyEntry]]


class VaultCommit:
    """The state of an unlocked vault file and its saving; ``Vault`` adds the API.

    ``path`` is the real file, every symbolic link resolved: it is read, locked
    and saved there, so a vault linked into a synced folder stays linked.
    """

    def __init__(self, path: Path, slot: KeySlot, dek: bytes, meta: VaultMeta,
                 entries: list[KeyEntry], fingerprint: bytes,
                 catalog: Catalog | None = None, *, read_only: bool = False) -> None:
        self.path = path  # the real file, every link followed
        # The path as the user named it (a link into a synced folder, say): what a
        # front end remembers, so that a link moved to another target is followed.
        self.given_path = path
        self.read_only = read_only
        # Why the file cannot be saved (see ``writable``), or None; refreshed on each save.
        self.read_only_reason: str | None = None
        self.folder_warning: str | None = None  # see folders.folder_warning
        # What went wrong keeping or pruning previous versions in the last save (the
        # save itself succeeded), or None: for the status bar / the CLI's stderr.
        self.save_warning: str | None = None
        # The master password's zxcvbn score (password_policy.rate), measured by whoever
        # unlocked (the CLI, the GUI) for the audit; held in memory only, never stored,
        # None when not measured or once locked.
        self.password_score: int | None = None
        # Guards the key, the entries and the fingerprint: a save runs on a worker
        # thread while the user may lock the vault (see ``lock``).
        self._state = threading.Lock()
        self._locked = False
        self._slot: KeySlot | None = slot
        self._dek: bytes | None = dek
        self._meta = meta
        self._entries = entries
        self._fingerprint = fingerprint
        self._catalog = catalog
        # os.stat of the file this session last read or wrote (see may_have_changed)
        self._disk_stamp: tuple[int, ...] | None = None
        # The entries' text as read, for the next save (schema.entries_text); None
        # once an entry read is changed or removed, or the vault is locked.
        self._entries_text: EntriesText | None = None
        self.revision = 0
        """Increases whenever memory takes new content (a save, or the disk's content
        re-read): a front end compares it to know its key list is out of date."""


    def check_writable(self) -> None:
        """Raise VaultReadOnly if the file cannot be saved now (mode, folder, mount)."""
        self.read_only_reason = read_only_reason(self.path)
        if self.read_only_reason is not None:
            check_writable(self.path)

    def reload(self) -> bool:
        """Re-read the file if another process changed it. True if it did."""
        slot, dek, _, _, fingerprint, _ = self._snapshot()
        stamp = file_stamp(self.path)
        data = storage.read_bytes(self.path)
        if checksum_of(data) == fingerprint:
            self._disk_stamp = stamp
            return False
        if not self._adopt(*self._decode_disk(data, slot, dek)):
            raise VaultLocked("the vault is locked")  # locked while it was being read
        self._disk_stamp = stamp
        return True

    def may_have_changed(self) -> bool:
        """False when the file is, by ``os.stat``, the one this session last read or
        wrote: a cheap check before ``reload`` (a front end watching the file calls
        it on every event, most of them caused by its own saves)."""
        return self._disk_stamp is None or file_stamp(self.path) != self._disk_stamp

    # --- internals ---------------------------------------------------------------

    def _require_unlocked(self) -> None:
        if self._dek is None:
            raise VaultLocked("the vault is locked")

    def _require_slot(self) -> KeySlot:
        return self._keys()[0]

    def _keys(self) -> tuple[KeySlot, bytes]:
        """The key slot and the data key, or VaultLocked."""
        with self._state:
            if self._dek is None or self._slot is None:
                raise VaultLocked("the vault is locked")
            return self._slot, self._dek

    def _snapshot(self) -> tuple[KeySlot, bytes, VaultMeta, list[KeyEntry], bytes,
                                 EntriesText | None]:
        """Everything a save or a reload works from, taken at once, or VaultLocked."""
        with self._state:
            if self._dek is None or self._slot is None:
                raise VaultLocked("the vault is locked")
            return (self._slot, self._dek, self._meta, list(self._entries), self._fingerprint,
                    self._entries_text)

    def _decode_disk(self, data: bytes, slot: KeySlot,
                     dek: bytes) -> tuple[VaultMeta, list[KeyEntry], bytes,
                                          EntriesText | None]:
        """Decrypt the file another session wrote with the data key this one holds."""
        parsed = parse(data)
        if parsed.slot != slot:
            raise VaultChangedOnDisk(
                "the vault's master password was changed by another process; "
                "nothing was written. Lock and unlock again with the new password."
            )
        plaintext = crypto.open_payload(dek, parsed.payload_nonce, parsed.ciphertext,
                                        parsed.header)
        meta, entries = decode_payload(plaintext)
        text = None if self.read_only else entries_text(plaintext, meta, entries)
        return meta, entries, parsed.checksum, text

    def _adopt(self, meta: VaultMeta, entries: list[KeyEntry], fingerprint: bytes,
               text: EntriesText | None) -> bool:
        """Show what is on disk; False (memory untouched) if the vault was locked."""
        with self._state:
            if self._locked:
                return False
            self._meta, self._entries, self._fingerprint = meta, entries, fingerprint
            self._entries_text = text
            self.revision += 1
            return True

    def _commit(self, mutate: Mutation, new_keys: tuple[KeySlot, bytes] | None = None, *,
                remeta: Callable[[VaultMeta], VaultMeta] | None = None,
                now: datetime | None = None) -> PasswordChange | None:
        """Apply ``mutate`` to the entries (and ``remeta`` to the vault's meta) as
        they are on disk, under the lock, and save; see the module's docstring.
        Returns what re-sealing the versions did when ``new_keys`` re-keys the vault.
        ``now`` (tests, a purge) is the moment the expiry of old credentials counts from."""
        slot, dek, meta, entries, fingerprint, text = self._snapshot()
        if self.read_only:
            raise VaultLocked("this vault was opened read-only")
        self.check_writable()  # before the lock: never create a lock file in its folder
        with writer_lock(self.path), vault_lock.VaultLock(self.path):
            on_disk = storage.read_bytes(self.path)
            if checksum_of(on_disk) != fingerprint:
                # Never overwrite what we have not seen: work on the disk's content, and
                # show it (kept even if the change below is refused).
                meta, entries, fingerprint, text = self._decode_disk(on_disk, slot, dek)
                self._adopt(meta, entries, fingerprint, text)
            before, meta_before = list(entries), meta
            entries = mutate(before)
            meta = remeta(meta_before) if remeta is not None else meta_before
            if entries is before and meta is meta_before and new_keys is None:
                return None  # nothing changed: no write
            # Spec 6.2: every save drops old credentials older than vault.history_days.
            entries = credential_history.expired(entries, meta.history_days,
                                                 now or utcnow())
            warnings: list[str] = []
            vault_versions.finish_rekey(self.path, slot, dek, warnings)
            old_slot, old_dek = slot, dek
            slot, dek = new_keys if new_keys else (slot, dek)
            blob = seal(slot, dek, encode_payload(meta, entries, text))
            storage.remove_stale_temps(self.path.parent, storage.temp_prefix(self.path))
            keep = meta.keep_versions  # schema 3's vault.keep_versions
            notes: list[str] = []
            if new_keys is not None:
                vault_versions.prepare_rekey_folder(self.path, notes)
            kept = vault_versions.keep_version(self.path, keep, old_slot, warnings)
            rekeying = new_keys is not None and vault_versions.write_rekey_record(
                self.path, old_dek, dek, kept, warnings)
            try:
                storage.atomic_write(self.path, blob)
            except VaultWriteError as exc:
                if exc.replaced:  # the file on disk is the new one: memory must follow
                    self._accept(meta, entries, slot, dek, blob)
                    self._disk_stamp = file_stamp(self.path)
                else:
                    if kept is not None:
                        versions.discard(self.path, kept)
                    if rekeying:
                        version_rekey.remove_record(self.path)
                raise
            self._disk_stamp = file_stamp(self.path)  # under the lock: exactly ours
            change = vault_versions.after_write(
                self.path, keep, kept, old_dek if new_keys is not None else None, rekeying,
                slot, dek, warnings)
            if change is not None and notes:
                change = dataclasses.replace(change, notes=tuple(notes))
        self._accept(meta, entries, slot, dek, blob)
        self.save_warning = "; ".join(dict.fromkeys(warnings)) or None  # each once
        return change

    def _finish_rekey_on_open(self) -> None:
        """On an open for writing: if a pending re-key record is left, finish it under
        the lock (at once or never: a busy vault finishes it on its next save)."""
        if not version_rekey.has_record(self.path):
            return
        slot, dek = self._keys()
        warnings: list[str] = []
        try:
            with writer_lock(self.path), vault_lock.VaultLock(self.path, wait=0):
                if checksum_of(storage.read_bytes(self.path)) == self._fingerprint:
                    vault_versions.finish_rekey(self.path, slot, dek, warnings)
        except VaultInUse:
            pass  # another writer holds the lock: the next save finishes it
        except VaultError as exc:
            warnings.append(str(exc))
        self.save_warning = "; ".join(warnings) or None

    def _accept(self, meta: VaultMeta, entries: list[KeyEntry], slot: KeySlot, dek: bytes,
                blob: bytes) -> None:
        """Memory follows the file just written, unless the vault was locked meanwhile."""
        with self._state:
            if self._locked:
                return
            self._meta, self._entries = meta, entries
            if self._entries_text is not None and not self._entries_text.starts(entries):
                self._entries_text = None  # an entry read was changed: never of use again
            self._slot, self._dek = slot, dek
            self._fingerprint = checksum_of(blob)
            self.revision += 1


_WRITERS: dict[str, threading.RLock] = {}
_WRITERS_GUARD = threading.Lock()



def writer_lock(path: Path) -> threading.RLock:
    """This process's lock for writes to ``path`` (see the module's docstring)."""
    key = os.path.realpath(path)
    with _WRITERS_GUARD:
        return _WRITERS.setdefault(key, threading.RLock())


def file_stamp(path: Path) -> tuple[int, ...] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def write_new_file(path: Path, blob: bytes) -> tuple[int, ...] | None:
    """Create ``path`` (resolved by ``paths.resolve_new``) holding ``blob``; return
    its stamp. Never overwrites; a failure leaves no file, lock file or folder it made."""
    made = folders.make_private_folders(path.parent)
    try:
        lock = vault_lock.VaultLock(path)
        with lock:
            try:
                storage.atomic_create(path, blob)
            except BaseException:
                lock.discard()  # a failed create leaves no lock file behind either
                raise
            return file_stamp(path)
    except BaseException:
        folders.remove_folders(made)  # nor the folders it made for the vault
        raise
