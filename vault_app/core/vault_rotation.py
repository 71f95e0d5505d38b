"""Rotation, the credential history and the exchange's verdict on a key (``Vault`` is one).

Each method is one locked, atomic save through ``_commit`` (``vault_commit``), checked
against the entries on disk: a SIGKILL at any moment leaves the previous file or the
new one, never half of a rotation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime

from vault_app.core import credential_history
from vault_app.core.entry_rules import index_of
from vault_app.core.errors import EntryRemovedOnDisk, VaultChangedOnDisk
from vault_app.core.model import KeyEntry, Verification, utcnow
from vault_app.core.schema import VaultMeta
from vault_app.core.vault_entries import VaultEntries


class VaultRotation(VaultEntries):
    def rotate(self, entry_id: str, credentials: Mapping[str, str], *,
               base: KeyEntry | None = None, now: datetime | None = None) -> KeyEntry:
        """Replace a key's credentials, keeping the previous ones in its history.

        ``base`` is the entry as the user saw it when asked for the new credentials:
        if its credentials were changed (or it was deleted) by another session
        meanwhile, ``VaultChangedOnDisk`` (``EntryRemovedOnDisk``) is raised and
        nothing is written, since the key the user means to replace is no longer there.
        """
        self._require_unlocked()
        moment = now or utcnow()
        result: list[KeyEntry] = []

        def mutate(entries: list[KeyEntry]) -> list[KeyEntry]:
            if base is not None and not any(e.id == entry_id for e in entries):
                raise EntryRemovedOnDisk(
                    f"“{base.label}” was deleted by another window or process; "
                    "nothing was written.")
            index = index_of(entry_id, entries)
            current = entries[index]
            if base is not None and dict(current.credentials) != dict(base.credentials):
                raise VaultChangedOnDisk(
                    f"the credentials of “{current.label}” were changed by another window "
                    "or process meanwhile; nothing was written. Look at the key again "
                    "before rotating it.")
            new = credential_history.rotated(current, credentials, self.catalog, moment)
            result.append(new)
            return [*entries[:index], new, *entries[index + 1:]]

        self._commit(mutate, now=moment)
        return result[0]

    def purge_history(self, entry_id: str | None = None) -> int:
        """Drop the old credentials of one entry (or of every entry): returns how many
        were dropped; nothing is written when there were none."""
        self._require_unlocked()
        dropped: list[int] = []

        def mutate(entries: list[KeyEntry]) -> list[KeyEntry]:
            targets = {entry_id} if entry_id is not None else {e.id for e in entries}
            if entry_id is not None:
                index_of(entry_id, entries)  # raises when it is gone
            count = sum(len(e.credential_history) for e in entries if e.id in targets)
            if not count:
                return entries
            dropped.append(count)
            return [credential_history.purged(e) if e.id in targets else e for e in entries]

        self._commit(mutate)
        return sum(dropped)

    def expire_history(self, now: datetime | None = None) -> None:
        """Drop old credentials older than ``vault.history_days`` at ``now``, now rather
        than at the next save (which does it anyway)."""
        self._require_unlocked()
        moment = now or utcnow()

        def mutate(entries: list[KeyEntry]) -> list[KeyEntry]:
            return credential_history.expired(entries, self._meta.history_days, moment)

        self._commit(mutate, now=moment)

    def set_history_days(self, days: int) -> None:
        """Keep old credentials ``days`` days (spec 6.2, ``vault.history_days``),
        1 to 3650. Saved like any change; the save drops those older at once."""
        credential_history.check_history_days(days)
        self._require_unlocked()

        def with_days(meta: VaultMeta) -> VaultMeta:
            return meta if meta.history_days == days else replace(meta, history_days=days)

        self._commit(lambda entries: entries, remeta=with_days)

    def record_verification(self, entry_id: str, verification: Verification, *,
                            apply_labels: bool = False) -> KeyEntry:
        """Record what the exchange said of a key; with ``apply_labels`` also take its
        permissions and IP whitelist from it (``credential_history.verified``)."""
        self._require_unlocked()
        result: list[KeyEntry] = []

        def mutate(entries: list[KeyEntry]) -> list[KeyEntry]:
            index = index_of(entry_id, entries)
            new = credential_history.verified(entries[index], verification,
                                              apply_labels=apply_labels)
            result.append(new)
            return [*entries[:index], new, *entries[index + 1:]]

        self._commit(mutate)
        return result[0]
