"""Reading a backup, and restoring it into a new vault with its order journal.

A backup is read exactly as a vault is opened (``Vault.open``): the path resolved
(``paths.resolve_existing``), only a regular file of at most ``MAX_VAULT_SIZE`` read
(``storage.read_bytes``: never a FIFO, a device or a folder), every check of the spec
run, so a wrong password raises ``WrongPassword`` and a damaged file ``VaultDamaged``.
A plain vault file (no ``backup`` section) is a backup too: its entries, no records.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from vault_app.backups.journal_records import write_journal
from vault_app.core import paths, storage
from vault_app.core.envelope import unlock_bytes
from vault_app.core.errors import KdfParamsOutOfRange, WrongPassword
from vault_app.core.kdf import KdfParams
from vault_app.core.model import KeyEntry
from vault_app.core.schema import VaultMeta, decode_payload
from vault_app.core.vault import Vault
from vault_app.core.vault_files import check_new_vault
from vault_app.trading.journal import journal_path


@dataclass(frozen=True)
class Backup:
    """A backup file's content. ``meta`` is as in the file (``meta.backup`` is None for
    a plain vault file); ``journal``: its order-journal records; ``made_at``: when it was
    made (None: a plain vault file); ``kdf``: the strength it was sealed with."""

    meta: VaultMeta
    entries: tuple[KeyEntry, ...]
    journal: tuple[Mapping[str, Any], ...] = field(repr=False)
    made_at: datetime | None
    kdf: KdfParams
    path: Path | None = None

    def __repr__(self) -> str:  # the entries and records stay out of logs
        return f"Backup({self.path!s}, {len(self.entries)} keys, {len(self.journal)} records)"


@dataclass(frozen=True)
class Restored:
    """A backup restored into a new vault: the vault (open), how many journal records
    went into its journal, and why some could not (an existing journal of another key
    or damaged: left as it was), or None."""

    vault: Vault
    journal_records: int
    journal_problem: str | None = None


def read_backup(path: str | os.PathLike[str], password: str) -> Backup:
    """Open the backup (or vault) file at ``path``. Raises WrongPassword, VaultDamaged,
    UnsupportedVersion, VaultNotFound, NotARegularFile, ... as ``Vault.open`` does."""
    given = Path(path)
    real = paths.resolve_existing(given)
    data = storage.read_bytes(real, via=given)
    try:
        parsed, _, plaintext = unlock_bytes(data, password)
    except WrongPassword:
        raise WrongPassword(f"wrong password for the backup {given} (the master password "
                            "it was exported with, or its own backup password)") from None
    meta, entries = decode_payload(plaintext)
    section = meta.backup
    return Backup(meta=meta, entries=tuple(entries),
                  journal=tuple(section.journal) if section is not None else (),
                  made_at=section.made_at if section is not None else None,
                  kdf=parsed.slot.kdf, path=real)


def restore_new(backup: Backup, path: str | os.PathLike[str], password: str, *,
                kdf: KdfParams | None = None, enforce_kdf_minimum: bool = True) -> Restored:
    """Create a new vault at ``path`` (never over an existing file: VaultExists) holding
    the backup's entries, creation time, journal key and settings (not its ``backup``
    section), sealed under ``password`` with a fresh salt and data key; then put the
    backup's records in the new vault's journal ``<path>.journal``.

    The new vault gets a fresh ``vault.id``: it is another vault from the one the
    backup was made of (which may still exist), and the id is what tells their
    second-folder copies apart. ``path`` must not be the name of a vault's own file
    (``<x>.journal``, ``<x>.lock``, ``<x>.versions`` beside a vault ``<x>``) nor lie in
    a versions folder (``vault_files.check_new_vault``: VaultIOError, nothing written).

    ``kdf``: the strength of the new vault; by default the backup's, or today's default
    if that is below the minimum for a new vault.

    The journal: none is created for a backup without records. If ``<path>.journal``
    already exists (left by an earlier vault of that name) and opens with the journal
    key, only the records it does not hold are appended; if it does not open, it is
    left as it was and ``Restored.journal_problem`` says so: the vault is created
    anyway.

    Crash safety: the vault file is written first, atomically (before: no vault; after:
    the whole vault), then the journal, made with every record at once
    (``Journal.create_with``: a crash leaves no journal or all of it; into a journal
    already there they are appended one by one, each durable before the next). A crash
    in between leaves the complete vault with none or a prefix of its records; merging
    the same backup into it appends the rest (its entries are then identical).
    """
    check_new_vault(Path(path))
    if kdf is None:
        kdf = backup.kdf
        try:
            kdf.check_creatable()
        except KdfParamsOutOfRange:
            kdf = KdfParams.default()
    meta = replace(backup.meta, backup=None, id=str(uuid.uuid4()))
    vault = Vault.create(path, password, kdf, enforce_kdf_minimum=enforce_kdf_minimum,
                         meta=meta, entries=backup.entries)
    if not backup.journal:
        return Restored(vault, 0)
    key = vault.ensure_journal_key()  # a backup with records but no key: make one
    pairs = [(record, record) for record in backup.journal]
    appended, problem = write_journal(journal_path(vault.path), key, pairs)
    if problem is not None:
        problem = (f"the vault was restored with every key, but its order records were "
                   f"not all written: {problem}")
    return Restored(vault, appended, problem)
