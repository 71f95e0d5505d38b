"""The unlocked vault: open, read, change and save, one atomic transaction at a time.

``Vault`` is the API. What it holds and how every change is saved (locked, checked
against the disk, atomic, keeping a previous version) is ``vault_commit``; the
previous versions are ``vault_versions``; the master password check and change
``vault_password``.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from vault_app.core import folders, paths, storage, vault_password, vault_versions
from vault_app.core.edits import merge_edit
from vault_app.core.entry_diff import VersionDiff
from vault_app.core.entry_rules import added_many
from vault_app.core.entry_rules import check_unique as _check_unique  # tests pause in it
from vault_app.core.entry_rules import index_of as _index_of
from vault_app.core.entry_rules import newer_use as _newer_use
from vault_app.core.envelope import new_key_slot, seal, unlock_bytes
from vault_app.core.errors import (
    EditConflict,
    EntryRemovedOnDisk,
    ValidationError,
    VaultLocked,
    VaultReadOnly,
)
from vault_app.core.exchanges import Catalog, load_catalog
from vault_app.core.file_info import FileInfo as FileInfo  # re-exported for the CLI
from vault_app.core.file_info import inspect as inspect  # re-exported for the CLI
from vault_app.core.kdf import KdfParams
from vault_app.core.model import KeyEntry, edit_entry, utcnow
from vault_app.core.schema import (
    JOURNAL_KEY_LENGTH,
    MAX_KEEP_VERSIONS,
    VaultMeta,
    decode_payload,
    encode_payload,
    entries_text,
)
from vault_app.core.vault_commit import Mutation as Mutation  # re-exported
from vault_app.core.vault_commit import VaultCommit, file_stamp, write_new_file
from vault_app.core.vault_format import checksum_of
from vault_app.core.version_open import VersionSummary
from vault_app.core.version_rekey import PasswordChange
from vault_app.core.writable import read_only_reason


class Vault(VaultCommit):
    """An unlocked vault file. Create one with ``Vault.create`` or ``Vault.open``.

    ``path`` is the real file, every symbolic link resolved: it is read, locked
    and saved there, so a vault linked into a synced folder stays linked.
    """

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
        stamp = write_new_file(path, blob)
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
        stamp = file_stamp(path)  # before reading: a later change then shows
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
        if not read_only and vault.read_only_reason is None:
            vault._finish_rekey_on_open()
        else:  # never writes: says so if a password change is left unfinished
            vault.save_warning = vault_versions.pending_rekey_notice(path)
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
        self._commit(lambda entries: added_many(entries, new))

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

    def versions_removed_by_keeping(self, count: int) -> list[str]:
        """The previous versions ``set_keep_versions(count)`` would delete at once
        (oldest of this key's beyond ``count``): what a front end asks about first."""
        return vault_versions.removed_by_keeping(self, count)

    def check_password(self, password: str) -> None:
        """Raise WrongPassword unless ``password`` is this vault's master password: one
        KDF run against the held key slot, the data key compared in constant time.
        For a front end confirming the user before an export (no second open)."""
        slot, held = self._keys()
        vault_password.check_password(slot, held, password)

    def change_password(self, old_password: str, new_password: str,
                        kdf: KdfParams | None = None, *,
                        enforce_kdf_minimum: bool = True) -> PasswordChange:
        """Re-key: a new salt *and* a new DEK. Runs the KDF twice.

        Every kept previous version is re-sealed under the new key slot in the same
        operation, so the old password opens none of them (``version_rekey``, which
        also says why a crash at any point is safe). With the same password and new
        ``kdf``, only the KDF strength changes (still a new salt and data key).
        """
        return vault_password.change_password(self, old_password, new_password, kdf,
                                              enforce_kdf_minimum=enforce_kdf_minimum)

    # --- previous versions (core/versions.py, vault_versions.py) ----------------------

    def versions(self) -> list[VersionSummary]:
        """The previous versions kept, newest first, opened with the held data key."""
        return vault_versions.summaries(self)

    def version_entries(self, name: str) -> list[KeyEntry]:
        return vault_versions.version_entries(self, name)

    def version_diff(self, name: str) -> VersionDiff:
        """What restoring version ``name`` would add, remove and change."""
        return vault_versions.version_diff(self, name)

    def restore_version(self, name: str, *, expected_diff: VersionDiff | None = None) -> bool:
        """Make version ``name``'s entries the vault's, in one locked atomic save; the
        current state becomes a version itself, so a restore can be undone.

        The vault's key, journal key and settings stay as they are: only the entries
        come from the version. With ``expected_diff`` (the ``version_diff`` the user
        was shown), refuses with VersionStale if the vault changed since, so that the
        restore does not do what the user was not shown. False if nothing differed.
        """
        return vault_versions.restore_version(self, name, expected_diff)

    def save_copy(self, path: str | os.PathLike[str]) -> Vault:
        """Write what this session holds to a new file at ``path``; never overwrites.

        The copy has the same master password and data key (no KDF runs) and a fresh
        payload nonce. Returns the copy, unlocked, so the user can continue there.
        """
        slot, dek, meta, entries, _, _ = self._snapshot()
        path = paths.resolve_new(Path(path))
        blob = seal(slot, dek, encode_payload(meta, entries))
        stamp = write_new_file(path, blob)
        copy = Vault(path, slot, dek, meta, entries, checksum_of(blob), self._catalog)
        copy._disk_stamp = stamp
        copy.read_only_reason = read_only_reason(path)
        copy.folder_warning = folders.folder_warning(path)
        return copy

    def read_sealed(self) -> tuple[bytes, list[KeyEntry]]:
        """The vault file exactly as sealed on disk, and the entries it holds.

        What a copy of the vault writes (``backups.copies``). Every save replaces the
        file by a rename, so a read never sees half of one; the file is decrypted with
        the data key this session holds (no KDF), which proves it whole and sealed
        under the master password this session knows. It may be newer than memory
        (another process saved): it is then what the next unlock shows. Raises
        VaultChangedOnDisk if the file is sealed under another password now.
        """
        slot, dek, *_ = self._snapshot()
        data = storage.read_bytes(self.path)
        return data, self._decode_disk(data, slot, dek)[1]

    def entries_of(self, data: bytes) -> list[KeyEntry]:
        """The entries of a file sealed with this vault's password and data key (a copy
        of it); VaultDamaged if it does not decrypt, VaultChangedOnDisk if its key slot
        is another."""
        slot, dek, *_ = self._snapshot()
        return self._decode_disk(data, slot, dek)[1]

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
