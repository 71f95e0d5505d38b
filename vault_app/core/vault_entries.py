"""Reading and changing the entries of an unlocked vault (``Vault`` is one).

Every change hands ``_commit`` (``vault_commit``) a function from the entries on disk
to the new list, which validates against them under the lock (``entry_rules``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from vault_app.core.edits import merge_edit
from vault_app.core.entry_rules import added_many, check_unique, index_of, newer_use
from vault_app.core.errors import EditConflict, EntryRemovedOnDisk, ValidationError
from vault_app.core.exchanges import Catalog, load_catalog
from vault_app.core.kdf import KdfParams
from vault_app.core.model import KeyEntry, edit_entry, utcnow
from vault_app.core.schema import VaultMeta
from vault_app.core.vault_commit import Mutation, VaultCommit


class VaultEntries(VaultCommit):
    """The entries of an unlocked vault: read them, change them (each change one save)."""

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
            check_unique(entry, entries)
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
            index = index_of(entry_id, entries)
            applied = changes if base is None else merge_edit(base, changes, entries[index])
            edited = edit_entry(entries[index], applied, self.catalog)
            check_unique(edited, entries, before=entries[index])
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
            index = index_of(entry_id, entries)
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
        if known is not None and not newer_use(known.last_used_at, moment):
            return False  # not even the lock is taken
        saved: list[bool] = []

        def mutate(entries: list[KeyEntry]) -> list[KeyEntry]:
            index = index_of(entry_id, entries)
            if not newer_use(entries[index].last_used_at, moment):
                return entries  # another session recorded it meanwhile: nothing to write
            saved.append(True)
            used = replace(entries[index], last_used_at=moment)
            return [*entries[:index], used, *entries[index + 1:]]

        self._commit(mutate)
        return bool(saved)
