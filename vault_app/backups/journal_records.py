"""The order-journal records a backup carries: which ones go in, and adding them to a
vault's journal without doubling any.

A record is the decoded plaintext object of spec section 9 (``JournalRecord.data``);
every order record names its key by ``key_id``. A backup of the whole vault carries
every record of the journal (those of keys removed since too); a backup of some keys,
the records whose ``key_id`` is one of theirs.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vault_app.core.errors import VaultError
from vault_app.trading.journal import Journal, JournalRecord, journal_path

if TYPE_CHECKING:
    from vault_app.core.vault import Vault

Record = Mapping[str, Any]
KEY_ID = "key_id"


def vault_records(vault: Vault, entry_ids: Collection[str] | None = None) -> list[Record]:
    """The records of the vault's journal (all, or those of ``entry_ids``), in order. No
    journal key or no journal: none. A torn last record (a crash mid-append) is left
    out, as every reader does; a damaged journal raises JournalDamaged."""
    key = vault.meta.journal_key
    if key is None:
        return []
    contents = Journal(journal_path(vault.path), key).read()
    return [record.data for record in contents.records
            if entry_ids is None or record.data.get(KEY_ID) in entry_ids]


def records_for(journal: Sequence[Record],
                key_ids: Mapping[str, str]) -> list[tuple[Record, Record]]:
    """The records of the keys in ``key_ids`` (backup entry id -> id in the vault), each
    as it is in the backup and as it goes into the vault (``key_id`` changed)."""
    pairs = []
    for record in journal:
        old = record.get(KEY_ID)
        if isinstance(old, str) and old in key_ids:
            new = record if key_ids[old] == old else {**record, KEY_ID: key_ids[old]}
            pairs.append((record, new))
    return pairs


def _identity(record: Record) -> str:
    return json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


class _Absent:
    """``Journal.append_if``'s test that a record is not in the journal yet, remembering
    the records it has seen (each call gets them all, under the journal's lock)."""

    def __init__(self) -> None:
        self.seen: set[str] = set()
        self.count = 0

    def __call__(self, *wanted: Record) -> Callable[[Sequence[JournalRecord]], bool]:
        keys = [_identity(record) for record in wanted]

        def when(records: Sequence[JournalRecord]) -> bool:
            if len(records) < self.count:  # another journal at the name: start again
                self.seen, self.count = set(), 0
            self.seen.update(_identity(record.data) for record in records[self.count:])
            self.count = len(records)
            return not any(key in self.seen for key in keys)

        return when


def append_missing(path: Path, key: bytes,
                   pairs: Sequence[tuple[Record, Record]]) -> tuple[int, str | None]:
    """Append to the journal at ``path`` (created if there is none) each record of
    ``pairs`` (as in the backup, as it goes in) that it holds in neither form. Returns
    how many were appended and, if the journal could not be read or written (another
    key, damaged, the disk), why: what was appended until then stays.

    Each record is checked and appended under the journal's lock and is durable before
    the next: a crash leaves a prefix, and running this again appends the rest.
    """
    journal = Journal(path, key)
    absent = _Absent()
    appended = 0
    try:
        for original, record in pairs:
            if journal.append_if(record, absent(original, record), create=True) is not None:
                appended += 1
    except VaultError as exc:
        return appended, str(exc)
    return appended, None


def write_journal(path: Path, key: bytes,
                  pairs: Sequence[tuple[Record, Record]]) -> tuple[int, str | None]:
    """``append_missing`` for a new vault's journal: if there is no journal at ``path``
    yet, it is made holding every record at once (``Journal.create_with``: one fsync,
    and a crash leaves either no journal or all of it); if one is there (left by an
    earlier vault of that name), only what it lacks is appended."""
    try:
        if Journal(path, key).create_with([record for _, record in pairs]):
            return len(pairs), None
    except VaultError as exc:
        return 0, str(exc)
    return append_missing(path, key, pairs)


def append_to_vault(vault: Vault, pairs: Sequence[tuple[Record, Record]]) -> \
        tuple[int, str | None]:
    """``append_missing`` into the vault's own journal (its key made if it has none)."""
    try:
        key = vault.ensure_journal_key()
        path = journal_path(vault.path)
    except VaultError as exc:
        return 0, str(exc)
    return append_missing(path, key, pairs)
