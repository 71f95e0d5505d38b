"""The unlocked vault: open, read, change and save, one atomic transaction at a time.

``Vault`` is the API; this module makes and opens vault files and holds the vault's
own settings. Reading and changing the entries is ``vault_entries``; what the vault
holds and how every change is saved (locked, checked against the disk, atomic, keeping
a previous version) ``vault_commit``; the previous versions ``vault_versions``; the
master password check and change ``vault_password``.
"""

from __future__ import annotations

import os
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from vault_app.core import folders, paths, storage, vault_password, vault_versions
from vault_app.core.backup_section import BackupSection
from vault_app.core.entry_diff import VersionDiff
from vault_app.core.envelope import new_key_slot, seal, unlock_bytes
from vault_app.core.errors import (
    ValidationError,
    VaultLocked,
    VaultReadOnly,
)
from vault_app.core.exchanges import Catalog
from vault_app.core.file_info import FileInfo as FileInfo  # re-exported for the CLI
from vault_app.core.file_info import inspect as inspect  # re-exported for the CLI
from vault_app.core.kdf import KdfParams
from vault_app.core.model import KeyEntry
from vault_app.core.schema import (
    JOURNAL_KEY_LENGTH,
    MAX_KEEP_VERSIONS,
    VaultMeta,
    decode_payload,
    encode_payload,
    entries_text,
)
from vault_app.core.vault_commit import Mutation as Mutation  # re-exported
from vault_app.core.vault_commit import file_stamp, write_new_file
from vault_app.core.vault_files import check_new_vault
from vault_app.core.vault_format import KeySlot, checksum_of
from vault_app.core.vault_rotation import VaultRotation
from vault_app.core.version_open import VersionSummary
from vault_app.core.version_rekey import PasswordChange
from vault_app.core.writable import read_only_reason


class Vault(VaultRotation):
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
        check_new_vault(path)  # not another vault's journal, lock or temp name
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
            vault.save_warning = vault_versions.pending_rekey_notice(path, dek)
        return vault

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

        The copy is another vault from then on (the user works on in it, the original
        stays): it gets a **fresh vault id**, as a restored backup does. The id is what
        tells the two vaults' copies in a second folder apart; with one id, each
        vault's pruning would remove the other's copies (a backup of the vault, which
        should keep its id, is ``backups.export``, not this).
        """
        slot, dek, meta, entries, _, _ = self._snapshot()
        meta = replace(meta, id=str(uuid.uuid4()))
        check_new_vault(Path(path))
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

    @property
    def key_slot(self) -> KeySlot:
        """The key slot this session holds: salt, KDF and wrapped data key, as the
        file's header says them (no secret). Tells files sealed under it."""
        return self._require_slot()

    def sealed_with(self, section: BackupSection) -> tuple[bytes, VaultMeta, list[KeyEntry]]:
        """The vault as on disk (``read_sealed``) sealed again with ``section`` as its
        ``backup`` member, under the key slot and data key this session holds, with a
        fresh nonce: no KDF runs, the master password opens it (a second-folder copy).
        Returns the bytes, and the meta and entries they hold."""
        slot, dek, *_ = self._snapshot()
        meta, entries, *_ = self._decode_disk(storage.read_bytes(self.path), slot, dek)
        meta = replace(meta, backup=section)
        return seal(slot, dek, encode_payload(meta, entries)), meta, entries

    def contents_of(self, data: bytes) -> tuple[VaultMeta, list[KeyEntry]]:
        """The meta and entries of a file sealed under this session's key slot and data
        key; VaultDamaged if it does not decrypt, VaultChangedOnDisk if its key slot is
        another."""
        slot, dek, *_ = self._snapshot()
        return self._decode_disk(data, slot, dek)[:2]

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
            self.password_score = None
            self._dek = None
            self._slot = None
            self._entries = []
            self._entries_text = None
            # The journal key is a secret too; a backup file's journal records hold orders.
            self._meta = replace(self._meta, journal_key=None, backup=None)
