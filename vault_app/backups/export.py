"""Exporting a backup: a vault file of its own, verified before it takes its name.

``export_backup`` writes the whole vault, or some of its keys, as a vault-format file
(docs/vault-format.md) with its own salt and data key, sealed under the password the
user chose (the master password or a backup password), and a ``backup`` section with
the order-journal records of the exported keys (``journal_records``). The backup keeps
the vault's id, creation time, journal key and settings.

The steps, so that no failure leaves a bad file under the chosen name or harms one
already there:

1. the target is checked (``vault_files.check_target``): never the vault, its journal,
   its lock file or its versions folder (nor a file inside it), never a symbolic link,
   a FIFO, a device or a folder; an existing file only with ``overwrite``;
2. the file is written to a temp name beside the target (0600, fsynced);
3. that file is read back from disk and opened with the password (the KDF runs
   again), and every entry (every field, credentials included), the vault's settings
   and every journal record are compared with what was exported. Any difference, or
   a file that does not open, removes the temp file and raises ``BackupVerifyFailed``;
4. only then it takes the target's name: a hard link (refused if the name was taken
   meanwhile: ``BackupExists``), or with ``overwrite`` a rename over the old file,
   which stays intact until that moment.

A crash at any moment leaves the target as it was or the verified backup, and at most
a temp file ``.vault-app-export-<name>.tmp-<hex>`` (a sealed backup, never plaintext),
which the next export into that folder removes once it is ten minutes old, whatever
name it writes (``temps``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from vault_app.backups import temps
from vault_app.backups.errors import BackupExists, BackupVerifyFailed
from vault_app.backups.journal_records import vault_records
from vault_app.core import storage
from vault_app.core.backup_section import BackupSection
from vault_app.core.entry_diff import changed_fields, content
from vault_app.core.envelope import new_key_slot, seal, unlock_bytes
from vault_app.core.errors import ValidationError, VaultError, VaultExists, VaultIOError
from vault_app.core.field_names import in_sentence
from vault_app.core.kdf import KdfParams
from vault_app.core.model import KeyEntry, utcnow
from vault_app.core.plain_text import escape
from vault_app.core.schema import VaultMeta, decode_payload, encode_payload
from vault_app.core.vault import Vault
from vault_app.core.vault_files import check_target, own_files

AfterWrite = Callable[[Path], None]


@dataclass(frozen=True)
class ExportReport:
    """A verified backup: where, how many keys and journal records it holds."""

    path: Path
    key_count: int
    journal_records: int


class _Refused(VaultIOError):
    """The target is one of the vault's own files or inside its versions folder."""


def refusal(vault_path: Path, path: str | os.PathLike[str], *,
            overwrite: bool = False) -> str | None:
    """Why ``export_backup`` of the vault at ``vault_path`` would refuse ``path`` now (a
    save dialog says it before closing), or None."""
    try:
        check_path(vault_path, Path(os.path.abspath(path)), overwrite)
    except VaultError as exc:
        return str(exc)
    return None


def check_path(vault_path: Path, path: Path, overwrite: bool) -> None:
    """Raise what ``export_backup`` raises for the target ``path`` (the CLI calls it
    before asking a password)."""
    existing = check_target(path, own_files(vault_path), writing="the backup",
                            refused=_Refused)
    if existing is not None and not overwrite:
        raise BackupExists(f"{path} already exists; it was left as it was and nothing was "
                           "written. Choose another name, or replace it on purpose "
                           "(--force)")


def selected(vault: Vault, entry_ids: Collection[str] | None) -> list[KeyEntry]:
    """The vault's entries in its order: all, or those of ``entry_ids`` (each must be
    in the vault: ValidationError otherwise)."""
    entries = list(vault.entries)
    if entry_ids is None:
        return entries
    wanted = set(entry_ids)
    missing = wanted - {entry.id for entry in entries}
    if missing:
        raise ValidationError("a key chosen for the backup is no longer in the vault; "
                              "nothing was written", field="keys")
    return [entry for entry in entries if entry.id in wanted]


def export_backup(vault: Vault, path: str | os.PathLike[str], password: str, *,
                  entry_ids: Collection[str] | None = None, kdf: KdfParams | None = None,
                  overwrite: bool = False, _after_write: AfterWrite | None = None) -> \
        ExportReport:
    """Write a verified backup of ``vault`` (all keys, or ``entry_ids``) to ``path``,
    sealed under ``password``; see the module's docstring for the steps.

    ``kdf``: the backup's strength; by default the vault's own (a backup is no easier
    to attack than the vault it copies). ``_after_write`` is for tests only: it is
    called with the temp file's path between writing and verifying it (a test flips a
    byte there to see the verification fail).

    Raises:
        BackupExists: ``path`` exists and ``overwrite`` is false.
        BackupVerifyFailed: the written file did not read back right; it was removed.
        NotARegularFile, VaultIOError: a refused target (see the module), or the disk.
        ValidationError: an empty password, a key not in the vault.
    """
    target = Path(os.path.abspath(path))
    if not password:
        raise ValidationError("the backup password must not be empty", field="password")
    check_path(vault.path, target, overwrite)  # before the slow part
    entries = selected(vault, entry_ids)
    records = vault_records(vault, None if entry_ids is None else set(entry_ids))
    meta = replace(vault.meta, backup=BackupSection(
        made_at=utcnow(), source_vault_id=vault.meta.id, journal=tuple(records)))
    if kdf is None:
        kdf = vault.kdf
    kdf.check_readable()
    slot, dek = new_key_slot(password, kdf)
    blob = seal(slot, dek, encode_payload(meta, entries))
    temp = storage.write_temp(target, blob, prefix=temps.export_prefix(target))
    try:
        if _after_write is not None:
            _after_write(temp)
        _verify(temp, password, meta, entries)
        check_path(vault.path, target, overwrite)  # swapped for a link, a FIFO, ... meanwhile
        if overwrite:
            storage.replace_with_temp(temp, target)
        else:
            try:
                storage.link_temp(temp, target)
            except VaultExists:
                raise BackupExists(f"{target} was created by another program while the "
                                   "backup was written; it was left as it was and nothing "
                                   "was written") from None
    except BaseException:
        _unlink_quietly(temp)  # gone already after a failed link, rename or verification
        raise
    temps.remove_stale_exports(target.parent, target)
    return ExportReport(target, len(entries), len(records))


def _verify(temp: Path, password: str, meta: VaultMeta, entries: Sequence[KeyEntry]) -> None:
    """Read the file back from disk, open it with the password and compare; on any
    failure remove it and raise BackupVerifyFailed."""
    try:
        _, _, plaintext = unlock_bytes(storage.read_bytes(temp), password)
        read_meta, read_entries = decode_payload(plaintext)
        problem = differences(meta, entries, read_meta, read_entries)
    except VaultError as exc:
        problem = f"it does not open ({exc})"
    if problem is not None:
        _unlink_quietly(temp)
        raise BackupVerifyFailed(
            f"the backup did not verify: read back from disk, {problem}. The bad file was "
            "removed; nothing was written under the chosen name and the vault is intact. "
            "Check the disk, then export again")


def differences(meta: VaultMeta, entries: Sequence[KeyEntry], read_meta: VaultMeta,
                read_entries: Sequence[KeyEntry]) -> str | None:
    """What differs between what was written and what was read back, or None: every
    field of every entry (credentials and unknown members included), the vault's id,
    creation time, journal key and settings, and every journal record."""
    if len(read_entries) != len(entries):
        return f"it holds {len(read_entries)} keys instead of {len(entries)}"
    for number, (wrote, read) in enumerate(zip(entries, read_entries, strict=True), 1):
        # Every field (the dataclass's equality: credentials, times, limits...) and the
        # content it does not compare (unknown members).
        if wrote != read or content(wrote) != content(read):
            named = ", ".join(in_sentence(name) for name in changed_fields(wrote, read))
            return f"key {number} ('{escape(wrote.label)}') differs ({named or 'its dates'})"
    if _meta_fields(read_meta) != _meta_fields(meta):
        return "the vault's settings differ"
    wrote_section, read_section = meta.backup, read_meta.backup
    if read_section is None or wrote_section is None:
        return "it has no backup section"
    if (read_section.made_at, read_section.source_vault_id) != \
            (wrote_section.made_at, wrote_section.source_vault_id):
        return "its backup section differs"
    if len(read_section.journal) != len(wrote_section.journal):
        return (f"it holds {len(read_section.journal)} order records instead of "
                f"{len(wrote_section.journal)}")
    for number, (a, b) in enumerate(zip(wrote_section.journal, read_section.journal,
                                        strict=True), 1):
        if dict(a) != dict(b):
            return f"order record {number} differs"
    return None


def _meta_fields(meta: VaultMeta) -> Mapping[str, Any]:
    return {"id": meta.id, "created_at": meta.created_at, "journal_key": meta.journal_key,
            "keep_versions": meta.keep_versions, "history_days": meta.history_days,
            "extra": dict(meta.extra),
            "document_extra": dict(meta.document_extra)}


def _unlink_quietly(path: Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
