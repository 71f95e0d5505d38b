"""The unlocked vault: open, change and save, one atomic transaction at a time.

Every change goes through ``Vault._commit``, which, under the exclusive lock:

1. reads the file on disk and compares its checksum with the one this session
   last read or wrote. If another process saved in between, the session never
   overwrites that file blindly: it re-reads it with the data key it already
   holds (no KDF) and applies the change to the fresh contents, or refuses with
   ``VaultChangedOnDisk`` if the master password was changed meanwhile;
2. applies the change, which validates and may refuse (nothing written); an
   edit that carries its base is merged field by field with the entry on disk
   (``edits.merge_edit``), so it never reverts another session's change;
3. writes the new file atomically (``storage.atomic_write``).

The in-memory state changes only after the write succeeded, so memory and disk
never disagree, and a failed save loses nothing.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from vault_app.core import crypto, storage
from vault_app.core.edits import merge_edit
from vault_app.core.errors import (
    EntryRemovedOnDisk,
    KdfParamsOutOfRange,
    ValidationError,
    VaultChangedOnDisk,
    VaultLocked,
    VaultWriteError,
    WrongPassword,
)
from vault_app.core.exchanges import Catalog, load_catalog
from vault_app.core.kdf import KdfParams, derive_kek
from vault_app.core.model import KeyEntry, edit_entry, identity_credential, utcnow
from vault_app.core.schema import (
    EntriesText,
    VaultMeta,
    decode_payload,
    encode_payload,
    entries_text,
)
from vault_app.core.vault_format import (
    FORMAT_VERSION,
    SALT_LENGTH,
    KeySlot,
    ParsedFile,
    assemble,
    build_header,
    checksum_of,
    kdf_header,
    parse,
)
from vault_app.core.writable import check_writable, read_only_reason

Mutation = Callable[[list[KeyEntry]], list[KeyEntry]]


@dataclass(frozen=True)
class FileInfo:
    """What ``inspect`` can tell without the password.

    ``path`` is the real file; ``link`` the symbolic link it was reached
    through, if the path given was one.
    """

    path: Path
    format_version: int
    kdf: KdfParams
    salt_length: int
    payload_length: int
    size: int
    link: Path | None = None


def inspect(path: str | os.PathLike[str]) -> FileInfo:
    """Parse and check a vault file (checksum, caps) without decrypting it."""
    given = Path(path)
    real = storage.resolve_existing(given)
    parsed = parse(storage.read_bytes(real, via=given))
    return FileInfo(
        path=real,
        format_version=FORMAT_VERSION,
        kdf=parsed.slot.kdf,
        salt_length=len(parsed.slot.salt),
        payload_length=len(parsed.ciphertext),
        size=parsed.size,
        link=given if given.is_symlink() else None,
    )


def new_key_slot(password: str, kdf: KdfParams) -> tuple[KeySlot, bytes]:
    """Fresh salt and fresh DEK, wrapped under the password's KEK."""
    salt = os.urandom(SALT_LENGTH)
    dek = crypto.new_key()
    kek = derive_kek(password, salt, kdf)
    wrap_nonce = crypto.new_nonce()
    wrapped = crypto.wrap_dek(kek, dek, wrap_nonce, kdf_header(kdf, salt))
    return KeySlot(kdf=kdf, salt=salt, wrap_nonce=wrap_nonce, wrapped_dek=wrapped), dek


def seal(slot: KeySlot, dek: bytes, plaintext: bytes) -> bytes:
    """Encrypt a payload into complete file bytes, with a fresh payload nonce."""
    nonce = crypto.new_nonce()
    header = build_header(slot, nonce, len(plaintext) + crypto.TAG_LENGTH)
    return assemble(header, crypto.seal_payload(dek, nonce, plaintext, header))


def unlock_bytes(data: bytes, password: str) -> tuple[ParsedFile, bytes, bytes]:
    """Run every check of the spec; return the parsed file, the DEK and the plaintext."""
    parsed = parse(data)
    kek = derive_kek(password, parsed.slot.salt, parsed.slot.kdf)
    dek = crypto.unwrap_dek(kek, parsed.slot.wrapped_dek, parsed.slot.wrap_nonce,
                            parsed.slot.kdf_header())
    plaintext = crypto.open_payload(dek, parsed.payload_nonce, parsed.ciphertext, parsed.header)
    return parsed, dek, plaintext


class Vault:
    """An unlocked vault file. Create one with ``Vault.create`` or ``Vault.open``.

    ``path`` is the real file, every symbolic link resolved: it is read, locked
    and saved there, so a vault linked into a synced folder stays linked.
    """

    def __init__(self, path: Path, slot: KeySlot, dek: bytes, meta: VaultMeta,
                 entries: list[KeyEntry], fingerprint: bytes,
                 catalog: Catalog | None = None, *, read_only: bool = False) -> None:
        self.path = path
        self.read_only = read_only
        # Why the file cannot be saved (see ``writable``), or None; refreshed on each save.
        self.read_only_reason: str | None = None
        self.folder_warning: str | None = None  # see storage.folder_warning
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

    def __repr__(self) -> str:
        state = "locked" if self.is_locked else f"{len(self._entries)} keys"
        return f"Vault({str(self.path)!r}, {state})"

    # --- opening -----------------------------------------------------------------

    @classmethod
    def create(cls, path: str | os.PathLike[str], password: str,
               kdf: KdfParams | None = None, *, enforce_kdf_minimum: bool = True,
               catalog: Catalog | None = None) -> Vault:
        """Write a new, empty vault. Never overwrites an existing file.

        ``enforce_kdf_minimum=False`` exists for tests and test vectors only.
        """
        path = Path(path)
        kdf = kdf or KdfParams.default()
        if enforce_kdf_minimum:
            kdf.check_creatable()
        else:
            kdf.check_readable()
        if not password:
            raise ValidationError("the master password must not be empty", field="password")
        given, path = path, storage.resolve_new(path)
        slot, dek = new_key_slot(password, kdf)  # the slow part, before taking the lock
        meta = VaultMeta()
        blob = seal(slot, dek, encode_payload(meta, []))
        stamp = _write_new_file(path, blob)
        vault = cls(path, slot, dek, meta, [], checksum_of(blob), catalog)
        vault._disk_stamp = stamp
        vault.folder_warning = storage.folder_warning(given)
        return vault

    @classmethod
    def open(cls, path: str | os.PathLike[str], password: str,
             catalog: Catalog | None = None, *, read_only: bool = False) -> Vault:
        """Read and decrypt. Raises WrongPassword, VaultDamaged, UnsupportedVersion, ...

        A ``read_only`` vault refuses every change; both modes decode alike (one verdict).
        """
        given = Path(path)
        path = storage.resolve_existing(given)
        stamp = _file_stamp(path)  # before reading: a later change then shows
        parsed, dek, plaintext = unlock_bytes(storage.read_bytes(path, via=given), password)
        meta, entries = decode_payload(plaintext)
        vault = cls(path, parsed.slot, dek, meta, entries, parsed.checksum, catalog,
                    read_only=read_only)
        vault.read_only_reason = read_only_reason(path)
        vault._disk_stamp = stamp
        vault.folder_warning = storage.folder_warning(given)
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
            for entry in new:
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
               base: KeyEntry | None = None) -> KeyEntry:
        """Edit fields of an entry (validated by ``model.edit_entry``) and save.

        ``base`` is the entry as the editor saw it when the edit began, and
        ``changes`` the fields the user changed (``edits.changed_fields``). With a
        base, the edit is merged field by field with the entry on disk
        (``edits.merge_edit``): what another session changed meanwhile survives,
        and a field changed on both sides to different values raises
        ``EditConflict``; an entry deleted meanwhile raises ``EntryRemovedOnDisk``.
        Either way nothing is written. Without a base, ``changes`` overwrite.
        """
        result: list[KeyEntry] = []

        def mutate(entries: list[KeyEntry]) -> list[KeyEntry]:
            if base is not None and not any(e.id == entry_id for e in entries):
                raise EntryRemovedOnDisk(
                    f"“{base.label}” was deleted by another window or process while you "
                    "edited it; nothing was written.")
            index = _index_of(entry_id, entries)
            applied = changes if base is None else merge_edit(base, changes, entries[index])
            edited = edit_entry(entries[index], applied, self.catalog)
            _check_unique(edited, entries)
            result.append(edited)
            return [*entries[:index], edited, *entries[index + 1:]]

        self._commit(mutate)
        return result[0]

    def remove(self, entry_id: str) -> KeyEntry:
        removed: list[KeyEntry] = []

        def mutate(entries: list[KeyEntry]) -> list[KeyEntry]:
            index = _index_of(entry_id, entries)
            removed.append(entries[index])
            return [*entries[:index], *entries[index + 1:]]

        self._commit(mutate)
        return removed[0]

    def mark_used(self, entry_id: str, when: datetime | None = None) -> None:
        def mutate(entries: list[KeyEntry]) -> list[KeyEntry]:
            index = _index_of(entry_id, entries)
            used = replace(entries[index], last_used_at=when or utcnow())
            return [*entries[:index], used, *entries[index + 1:]]

        self._commit(mutate)

    def change_password(self, old_password: str, new_password: str,
                        kdf: KdfParams | None = None, *,
                        enforce_kdf_minimum: bool = True) -> None:
        """Re-key: a new salt *and* a new DEK. Runs the KDF twice."""
        slot = self._require_slot()
        if not new_password:
            raise ValidationError("the new master password must not be empty",
                                  field="password")
        kek = derive_kek(old_password, slot.salt, slot.kdf)
        dek = crypto.unwrap_dek(kek, slot.wrapped_dek, slot.wrap_nonce, slot.kdf_header())
        assert self._dek is not None
        if not hmac.compare_digest(dek, self._dek):
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
        slot = self._require_slot()
        assert self._dek is not None
        path = storage.resolve_new(Path(path))
        entries = list(self._entries)
        blob = seal(slot, self._dek, encode_payload(self._meta, entries))
        stamp = _write_new_file(path, blob)
        copy = Vault(path, slot, self._dek, self._meta, entries, checksum_of(blob),
                     self._catalog)
        copy._disk_stamp = stamp
        copy.read_only_reason = read_only_reason(path)
        copy.folder_warning = storage.folder_warning(path)
        return copy

    def check_writable(self) -> None:
        """Raise VaultReadOnly if the file cannot be saved now (mode, folder, mount)."""
        self.read_only_reason = read_only_reason(self.path)
        if self.read_only_reason is not None:
            check_writable(self.path)

    def reload(self) -> bool:
        """Re-read the file if another process changed it. True if it did."""
        self._require_unlocked()
        stamp = _file_stamp(self.path)
        data = storage.read_bytes(self.path)
        if checksum_of(data) == self._fingerprint:
            self._disk_stamp = stamp
            return False
        self._reload_from(data)
        self._disk_stamp = stamp
        return True

    def may_have_changed(self) -> bool:
        """False when the file is, by ``os.stat``, the one this session last read or
        wrote: a cheap check before ``reload`` (a front end watching the file calls
        it on every event, most of them caused by its own saves)."""
        return self._disk_stamp is None or _file_stamp(self.path) != self._disk_stamp

    def lock(self) -> None:
        """Forget the data key and every entry. The object is unusable after."""
        self._dek = None
        self._slot = None
        self._entries = []
        self._entries_text = None

    # --- internals ---------------------------------------------------------------

    def _require_unlocked(self) -> None:
        if self._dek is None:
            raise VaultLocked("the vault is locked")

    def _require_slot(self) -> KeySlot:
        self._require_unlocked()
        assert self._slot is not None
        return self._slot

    def _reload_from(self, data: bytes) -> None:
        parsed = parse(data)
        if parsed.slot != self._slot:
            raise VaultChangedOnDisk(
                "the vault's master password was changed by another process; "
                "nothing was written. Lock and unlock again with the new password."
            )
        assert self._dek is not None
        plaintext = crypto.open_payload(self._dek, parsed.payload_nonce, parsed.ciphertext,
                                        parsed.header)
        self._meta, self._entries = decode_payload(plaintext)
        self._entries_text = None if self.read_only else \
            entries_text(plaintext, self._meta, self._entries)
        self._fingerprint = parsed.checksum

    def _commit(self, mutate: Mutation,
                new_keys: tuple[KeySlot, bytes] | None = None) -> None:
        slot = self._require_slot()
        if self.read_only:
            raise VaultLocked("this vault was opened read-only")
        self.check_writable()  # before the lock: never create a lock file in its folder
        with storage.VaultLock(self.path):
            on_disk = storage.read_bytes(self.path)
            if checksum_of(on_disk) != self._fingerprint:
                self._reload_from(on_disk)  # never overwrite what we have not seen
            entries = mutate(list(self._entries))
            slot, dek = new_keys if new_keys else (slot, self._dek)
            assert dek is not None
            blob = seal(slot, dek, encode_payload(self._meta, entries, self._entries_text))
            storage.remove_stale_temps(self.path)
            try:
                storage.atomic_write(self.path, blob)
            except VaultWriteError as exc:
                if exc.replaced:  # the file on disk is the new one: memory must follow
                    self._accept(entries, slot, dek, blob)
                    self._disk_stamp = _file_stamp(self.path)
                raise
            self._disk_stamp = _file_stamp(self.path)  # under the lock: exactly ours
        self._accept(entries, slot, dek, blob)

    def _accept(self, entries: list[KeyEntry], slot: KeySlot, dek: bytes, blob: bytes) -> None:
        self._entries = entries
        if self._entries_text is not None and not self._entries_text.starts(entries):
            self._entries_text = None  # an entry read was changed: never of use again
        self._slot, self._dek = slot, dek
        self._fingerprint = checksum_of(blob)


def _file_stamp(path: Path) -> tuple[int, ...] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def _write_new_file(path: Path, blob: bytes) -> tuple[int, ...] | None:
    """Create ``path`` (resolved by ``storage.resolve_new``) holding ``blob``; return
    its stamp. Never overwrites; a failure leaves no file, lock file or folder it made."""
    folders = storage.make_private_folders(path.parent)
    try:
        lock = storage.VaultLock(path)
        with lock:
            try:
                storage.atomic_create(path, blob)
            except BaseException:
                lock.discard()  # a failed create leaves no lock file behind either
                raise
            return _file_stamp(path)
    except BaseException:
        storage.remove_folders(folders)  # nor the folders it made for the vault
        raise


def _index_of(entry_id: str, entries: list[KeyEntry]) -> int:
    for index, entry in enumerate(entries):
        if entry.id == entry_id:
            return index
    raise ValidationError("that key is no longer in the vault", field="id")


def _check_unique(entry: KeyEntry, entries: list[KeyEntry]) -> None:
    folded = entry.label.casefold()
    identity = identity_credential(entry)
    for other in entries:
        if other.id == entry.id:
            continue
        if other.label.casefold() == folded:
            raise ValidationError(f"a key labelled '{other.label}' already exists",
                                  field="label")
        if identity is not None and identity_credential(other) == identity:
            raise ValidationError(
                f"this API key is already stored as '{other.label}'", field=identity[0]
            )
