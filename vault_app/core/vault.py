"""The unlocked vault: open, change and save, one atomic transaction at a time.

Every change goes through ``Vault._commit``, which, under the exclusive lock:

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
3. refuses a file larger than readers accept (``VaultFull``), then writes the
   new file atomically (``storage.atomic_write``).

Memory takes the change itself only after the write succeeded. So memory always
holds what is on disk: the file as this session last read it (step 1), or the
one it wrote; a failed save loses nothing. ``lock`` may run on another thread
meanwhile: the save may still complete on disk, but memory stays locked.

Writers of one process queue on a process-wide lock per vault file (``_writer_lock``)
before the file's ``flock``: two threads of one process (the desktop app's write
worker saving an edit, a trading worker recording a key's use or creating the
journal key) would otherwise meet at the ``flock``, which tells them apart no better
than two processes, and the second gives up after ``LOCK_WAIT_SECONDS`` with
VaultInUse. Commits take milliseconds; waiting behind one is no error.
"""

from __future__ import annotations

import hmac
import os
import secrets
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from vault_app.core import crypto, folders, paths, storage, vault_lock
from vault_app.core.edits import merge_edit
from vault_app.core.envelope import new_key_slot, seal, unlock_bytes
from vault_app.core.errors import (
    EditConflict,
    EntryRemovedOnDisk,
    KdfParamsOutOfRange,
    ValidationError,
    VaultChangedOnDisk,
    VaultLocked,
    VaultReadOnly,
    VaultWriteError,
    WrongPassword,
)
from vault_app.core.exchanges import Catalog, load_catalog
from vault_app.core.file_info import FileInfo as FileInfo  # re-exported for the CLI
from vault_app.core.file_info import inspect as inspect  # re-exported for the CLI
from vault_app.core.kdf import KdfParams, derive_kek
from vault_app.core.model import KeyEntry, edit_entry, identity_credential, utcnow
from vault_app.core.schema import (
    JOURNAL_KEY_LENGTH,
    MAX_KEEP_VERSIONS,
    EntriesText,
    VaultMeta,
    decode_payload,
    encode_payload,
    entries_text,
)
from vault_app.core.vault_format import KeySlot, checksum_of, parse
from vault_app.core.writable import check_writable, read_only_reason

Mutation = Callable[[list[KeyEntry]], list[KeyEntry]]


class Vault:
    """An unlocked vault file. Create one with ``Vault.create`` or ``Vault.open``.

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

    def __repr__(self) -> str:
        state = "locked" if self.is_locked else f"{len(self._entries)} keys"
        return f"Vault({str(self.path)!r}, {state})"

    # --- opening -----------------------------------------------------------------

    @classmethod
    def create(cls, path: str | os.PathLike[str], password: str,
               kdf: KdfParams | None = None, *, enforce_kdf_minimum: bool = True,
               catalog: Catalog | None = None, meta: VaultMeta | None = None,
               entries: Sequence[KeyEntry] = ()) -> Vault:
        """Write a new vault, with a fresh salt and data key. Never overwrites an
        existing file.

        Empty, with a new id and journal key, unless ``meta`` and ``entries`` are given
        (a backup restored into a new vault: ``backups.restore``), which are written as
        they are. ``enforce_kdf_minimum=False`` exists for tests and test vectors only.
        """
        path = Path(path)
        kdf = kdf or KdfParams.default()
        if enforce_kdf_minimum:
            kdf.check_creatable()
        else:
            kdf.check_readable()
        if not password:
            raise ValidationError("the master password must not be empty", field="password")
        given, path = path, paths.resolve_new(path)
        slot, dek = new_key_slot(password, kdf)  # the slow part, before taking the lock
        if meta is None:
            meta = VaultMeta(journal_key=secrets.token_bytes(JOURNAL_KEY_LENGTH))
        content = list(entries)
        blob = seal(slot, dek, encode_payload(meta, content))
        stamp = _write_new_file(path, blob)
        vault = cls(path, slot, dek, meta, content, checksum_of(blob), catalog)
        vault._disk_stamp = stamp
        vault.given_path = Path(os.path.abspath(given))
        vault.folder_warning = folders.folder_warning(given)
        return vault

    @classmethod
    def open(cls, path: str | os.PathLike[str], password: str,
             catalog: Catalog | None = None, *, read_only: bool = False) -> Vault:
        """Read and decrypt. Raises WrongPassword, VaultDamaged, UnsupportedVersion, ...

        A ``read_only`` vault refuses every change; both modes decode alike (one verdict).
        """
        given = Path(path)
        path = paths.resolve_existing(given)
        stamp = _file_stamp(path)  # before reading: a later change then shows
        parsed, dek, plaintext = unlock_bytes(storage.read_bytes(path, via=given), password)
        meta, entries = decode_payload(plaintext)
        vault = cls(path, parsed.slot, dek, meta, entries, parsed.checksum, catalog,
                    read_only=read_only)
        vault.read_only_reason = read_only_reason(path)
        vault._disk_stamp = stamp
        vault.given_path = Path(os.path.abspath(given))
        vault.folder_warning = folders.folder_warning(given)
        if not read_only:
            vault._entries_text = entries_text(plaintext, meta, entries)
        return vault

    # --- reading -----------------------------------------------------------------

    @property
    def is_locked(self) -> bool:
        return self._dek is None

    @property
    def catalog(self) -> Catalog:
        if self._catalog is None:
            self._catalog = load_catalog()
        return self._catalog

    @property
    def kdf(self) -> KdfParams:
        return self._require_slot().kdf

    @property
    def meta(self) -> VaultMeta:
        return self._meta

    @property
    def entries(self) -> tuple[KeyEntry, ...]:
        self._require_unlocked()
        return tuple(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, entry_id: str) -> KeyEntry:
        self._require_unlocked()
        for entry in self._entries:
            if entry.id == entry_id:
                return entry
        raise ValidationError("that key is no longer in the vault", field="id")

    def find(self, label: str) -> KeyEntry:
        """The entry with this label: exact match first, then case-insensitive."""
        self._require_unlocked()
        wanted = " ".join(label.split())
        for entry in self._entries:
            if entry.label == wanted:
                return entry
        folded = wanted.casefold()
        for entry in self._entries:
            if entry.label.casefold() == folded:
                return entry
        raise ValidationError(f"no key labelled '{wanted}'", field="label")

    # --- changing ----------------------------------------------------------------

    def add(self, entry: KeyEntry) -> KeyEntry:
        """Add a validated entry (see ``model.new_entry``) and save."""
        def mutate(entries: list[KeyEntry]) -> list[KeyEntry]:
            if any(other.id == entry.id for other in entries):
                raise ValidationError("this key is already in the vault", field="id")
            _check_unique(entry, entries)
            return [*entries, entry]

        self._commit(mutate)
        return entry

    def add_many(self, new: list[KeyEntry]) -> None:
        """Add several validated entries in one save (all or nothing)."""
        def mutate(entries: list[KeyEntry]) -> list[KeyEntry]:
            labels = {e.label.casefold(): e for e in entries}
            identities = {identity_credential(e): e for e in entries}
            ids = {e.id for e in entries}
            for entry in new:
                if entry.id in ids:  # a file with two entries of one id does not open
                    raise ValidationError("this key is already in the vault", field="id")
                ids.add(entry.id)
                clash = labels.get(entry.label.casefold())
                if clash is not None:
                    raise ValidationError(f"a key labelled '{clash.label}' already exists",
                                          field="label")
                identity = identity_credential(entry)
                if identity is not None and identity in identities:
                    raise ValidationError(
                        f"this API key is already stored as '{identities[identity].label}'",
                        field=identity[0])
                labels[entry.label.casefold()] = entry
                identities[identity] = entry
            return [*entries, *new]

        self._commit(mutate)

    def update(self, entry_id: str, changes: Mapping[str, Any], *,
               base: KeyEntry | None = None, resolving: EditConflict | None = None,
               choices: Mapping[str, str] | None = None) -> KeyEntry:
        """Edit fields of an entry (validated by ``model.edit_entry``) and save.

        ``base`` is the entry as the editor saw it when the edit began, and
        ``changes`` the fields the user changed (``edits.changed_fields``). With a
        base, the edit is merged field by field with the entry on disk
        (``edits.merge_edit``): what another session changed meanwhile survives,
        and a field changed on both sides to different values raises
        ``EditConflict``; an entry deleted meanwhile raises ``EntryRemovedOnDisk``.
        Either way nothing is written. Without a base, ``changes`` overwrite.

        To resolve an ``EditConflict``, pass it back as ``resolving``, with its
        ``changes`` and ``base`` and the user's ``choices``: conflict name
        (``conflicts[i].name``) -> ``edits.MINE`` or ``edits.THEIRS``. The choices
        settle the edit against the entry the user was shown (``resolving.theirs``),
        which becomes the base; that is then merged under the lock with the disk as it
        is. So a field changed on disk yet again since is asked about again: an
        answer never overwrites a value the user has not seen.
        """
        if (resolving is None) != (choices is None) or (resolving and base is None):
            raise ValidationError(
                "resolving a conflict needs the conflict, the choices and the base")
        if resolving is not None and choices is not None and base is not None:
            seen = resolving.theirs
            if not isinstance(seen, KeyEntry):
                raise ValidationError("the conflict does not say what was on disk")
            changes, base = merge_edit(base, changes, seen, choices), seen
        result: list[KeyEntry] = []

        def mutate(entries: list[KeyEntry]) -> list[KeyEntry]:
            if base is not None and not any(e.id == entry_id for e in entries):
                raise EntryRemovedOnDisk(
                    f"“{base.label}” was deleted by another window or process while you "
                    "edited it; nothing was written.")
            index = _index_of(entry_id, entries)
            applied = changes if base is None else merge_edit(base, changes, entries[index])
            edited = edit_entry(entries[index], applied, self.catalog)
            _check_unique(edited, entries, before=entries[index])
            result.append(edited)
            return [*entries[:index], edited, *entries[index + 1:]]

        self._commit(mutate)
        return result[0]

    def transform(self, mutate: Mutation) -> None:
        """Apply ``mutate`` to the entries as they are on disk, in one locked, atomic save.

        For changes of many entries at once (a merge, a previous version restored):
        ``mutate`` receives the entries on disk and returns the new list, or raises to
        write nothing; returning the very list it was given writes nothing either.
        It runs under the lock, so it must check anything it relies on (a plan made
        from what the user was shown) against the entries it receives.
        """
        self._commit(mutate)

    def remove(self, entry_id: str) -> KeyEntry:
        removed: list[KeyEntry] = []

        def mutate(entries: list[KeyEntry]) -> list[KeyEntry]:
            index = _index_of(entry_id, entries)
            removed.append(entries[index])
            return [*entries[:index], *entries[index + 1:]]

        self._commit(mutate)
        return removed[0]

    def mark_used(self, entry_id: str, when: datetime | None = None) -> bool:
        """Record that a key was used (copied, tested), to the hour. True if saved.

        A use in the same UTC hour as the one stored (or earlier) writes nothing:
        copying a key ten times must not rewrite the vault ten times, wake every
        other window and make a concurrent CLI wait for the lock. A stored use in
        the future is replaced.
        """
        moment = when or utcnow()
        known = next((e for e in self.entries if e.id == entry_id), None)
        if known is not None and not _newer_use(known.last_used_at, moment):
            return False  # not even the lock is taken
        saved: list[bool] = []

        def mutate(entries: list[KeyEntry]) -> list[KeyEntry]:
            index = _index_of(entry_id, entries)
            if not _newer_use(entries[index].last_used_at, moment):
                return entries  # another session recorded it meanwhile: nothing to write
            saved.append(True)
            used = replace(entries[index], last_used_at=moment)
            return [*entries[:index], used, *entries[index + 1:]]

        self._commit(mutate)
        return bool(saved)

    def ensure_journal_key(self) -> bytes:
        """The key of this vault's order journal (spec 6.2), made and saved if it has none.

        A vault created by this release has one; a vault upgraded from schema 1 gets
        one on first use, saved like any change (locked, atomic, checked against the
        disk). If another session saved one meanwhile, that one is used and nothing is
        written: a vault never holds two keys, since a journal sealed with a key that
        is then replaced could no longer be read. Raises VaultReadOnly when the key
        is missing and the vault cannot be saved, VaultLocked when it is locked.
        """
        self._require_unlocked()
        key = self._meta.journal_key
        if key is not None:
            return key
        if self.read_only:
            raise VaultReadOnly(
                f"{self.path} was opened read-only and has no order journal key yet; "
                "nothing was written. Open it for writing once to create the key.")
        fresh = secrets.token_bytes(JOURNAL_KEY_LENGTH)

        def with_key(meta: VaultMeta) -> VaultMeta:
            if meta.journal_key is not None:  # saved by another session meanwhile
                return meta
            return replace(meta, journal_key=fresh)

        self._commit(lambda entries: entries, remeta=with_key)
        key = self._meta.journal_key
        if key is None:  # locked meanwhile: memory no longer follows the file
            raise VaultLocked("the vault is locked")
        return key

    def set_keep_versions(self, count: int) -> None:
        """Keep ``count`` previous versions on each save from now on (spec 6.2,
        ``vault.keep_versions``), 0 to 1000; 0 keeps none. Saved like any change
        (locked, atomic); nothing is written if the vault already says ``count``."""
        if isinstance(count, bool) or not isinstance(count, int) \
                or not 0 <= count <= MAX_KEEP_VERSIONS:
            raise ValidationError(
                f"the number of previous versions to keep must be 0 to {MAX_KEEP_VERSIONS}",
                field="keep_versions")
        self._require_unlocked()

        def with_count(meta: VaultMeta) -> VaultMeta:
            return meta if meta.keep_versions == count else replace(meta, keep_versions=count)

        self._commit(lambda entries: entries, remeta=with_count)

    def change_password(self, old_password: str, new_password: str,
                        kdf: KdfParams | None = None, *,
                        enforce_kdf_minimum: bool = True) -> None:
        """Re-key: a new salt *and* a new DEK. Runs the KDF twice."""
        slot, held = self._keys()
        if not new_password:
            raise ValidationError("the new master password must not be empty",
                                  field="password")
        kek = derive_kek(old_password, slot.salt, slot.kdf)
        dek = crypto.unwrap_dek(kek, slot.wrapped_dek, slot.wrap_nonce, slot.kdf_header())
        if not hmac.compare_digest(dek, held):
            raise WrongPassword()
        if kdf is None:  # keep the file's strength unless it is below today's minimum
            kdf = slot.kdf
            try:
                kdf.check_creatable()
            except KdfParamsOutOfRange:
                kdf = KdfParams.default()
        if enforce_kdf_minimum:
            kdf.check_creatable()
        self._commit(lambda entries: entries, new_keys=new_key_slot(new_password, kdf))

    def save_copy(self, path: str | os.PathLike[str]) -> Vault:
        """Write what this session holds to a new file at ``path``; never overwrites.

        The copy has the same master password and data key (no KDF runs) and a fresh
        payload nonce. Returns the copy, unlocked, so the user can continue there.
        """
        slot, dek, meta, entries, _, _ = self._snapshot()
        path = paths.resolve_new(Path(path))
        blob = seal(slot, dek, encode_payload(meta, entries))
        stamp = _write_new_file(path, blob)
        copy = Vault(path, slot, dek, meta, entries, checksum_of(blob), self._catalog)
        copy._disk_stamp = stamp
        copy.read_only_reason = read_only_reason(path)
        copy.folder_warning = folders.folder_warning(path)
        return copy

    def check_writable(self) -> None:
        """Raise VaultReadOnly if the file cannot be saved now (mode, folder, mount)."""
        self.read_only_reason = read_only_reason(self.path)
        if self.read_only_reason is not None:
            check_writable(self.path)

    def reload(self) -> bool:
        """Re-read the file if another process changed it. True if it did."""
        slot, dek, _, _, fingerprint, _ = self._snapshot()
        stamp = _file_stamp(self.path)
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
        return self._disk_stamp is None or _file_stamp(self.path) != self._disk_stamp

    def lock(self) -> None:
        """Forget the data key, the journal key and every entry. The object is unusable after.

        Safe while a save runs on another thread: that save may still complete on
        disk (it holds its own copy of what it writes), but it never puts the key
        or the entries back in memory.
        """
        with self._state:
            self._locked = True
            self._dek = None
            self._slot = None
            self._entries = []
            self._entries_text = None
            # The journal key is a secret too; a backup file's journal records hold orders.
            self._meta = replace(self._meta, journal_key=None, backup=None)

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
                remeta: Callable[[VaultMeta], VaultMeta] | None = None) -> None:
        """Apply ``mutate`` to the entries (and ``remeta`` to the vault's meta) as
        they are on disk, under the lock, and save; see the module's docstring."""
        slot, dek, meta, entries, fingerprint, text = self._snapshot()
        if self.read_only:
            raise VaultLocked("this vault was opened read-only")
        self.check_writable()  # before the lock: never create a lock file in its folder
        with _writer_lock(self.path), vault_lock.VaultLock(self.path):
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
                return  # nothing changed: no write
            slot, dek = new_keys if new_keys else (slot, dek)
            blob = seal(slot, dek, encode_payload(meta, entries, text))
            storage.remove_stale_temps(self.path)
            try:
                storage.atomic_write(self.path, blob)
            except VaultWriteError as exc:
                if exc.replaced:  # the file on disk is the new one: memory must follow
                    self._accept(meta, entries, slot, dek, blob)
                    self._disk_stamp = _file_stamp(self.path)
                raise
            self._disk_stamp = _file_stamp(self.path)  # under the lock: exactly ours
        self._accept(meta, entries, slot, dek, blob)

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


def _writer_lock(path: Path) -> threading.RLock:
    """This process's lock for writes to ``path`` (see the module's docstring)."""
    key = os.path.realpath(path)
    with _WRITERS_GUARD:
        return _WRITERS.setdefault(key, threading.RLock())


def _file_stamp(path: Path) -> tuple[int, ...] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def _write_new_file(path: Path, blob: bytes) -> tuple[int, ...] | None:
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
            return _file_stamp(path)
    except BaseException:
        folders.remove_folders(made)  # nor the folders it made for the vault
        raise


def _newer_use(stored: datetime | None, moment: datetime) -> bool:
    """Whether a use at ``moment`` replaces the recorded use ``stored``: if it is in a
    later UTC hour, or if ``stored`` lies in the future (a clock that was wrong, a file
    from another program), which would otherwise stop every use from being recorded."""
    if stored is None or stored > utcnow() + timedelta(hours=1):
        return True
    hour = moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    return stored < hour


def _index_of(entry_id: str, entries: list[KeyEntry]) -> int:
    for index, entry in enumerate(entries):
        if entry.id == entry_id:
            return index
    raise ValidationError("that key is no longer in the vault", field="id")


def _check_unique(entry: KeyEntry, entries: list[KeyEntry], *,
                  before: KeyEntry | None = None) -> None:
    """Refuse a label or API key another entry has. For an edit (``before``: the entry
    as stored), only a changed label or API key is checked: a file from another writer
    may hold alike entries (spec 6.3), and editing one must not need the other renamed."""
    folded = entry.label.casefold()
    identity = identity_credential(entry)
    check_label = before is None or before.label.casefold() != folded
    if before is not None and identity_credential(before) == identity:
        identity = None
    for other in entries:
        if other.id == entry.id:
            continue
        if check_label and other.label.casefold() == folded:
            raise ValidationError(f"a key labelled '{other.label}' already exists",
                                  field="label")
        if identity is not None and identity_credential(other) == identity:
            raise ValidationError(
                f"this API key is already stored as '{other.label}'", field=identity[0]
            )
