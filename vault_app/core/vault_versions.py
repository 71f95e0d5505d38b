"""The vault's previous versions: listing, difference, restore, and the steps a save
takes for them (keep, re-key record, prune and re-seal, finishing a re-key).

The save steps run inside ``VaultCommit._commit``, under the vault's lock, in the
order its docstring and ``version_rekey``'s give; none of them but the re-key
record fails a save: a problem is added to ``warnings`` (``Vault.save_warning``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from vault_app.core import version_open, version_rekey, versions
from vault_app.core.entry_diff import VersionDiff, diff
from vault_app.core.errors import FolderRefused, VaultError, VaultWriteError, VersionStale
from vault_app.core.model import KeyEntry
from vault_app.core.vault_format import KeySlot
from vault_app.core.version_open import VersionSummary
from vault_app.core.version_rekey import PasswordChange

if TYPE_CHECKING:
    from vault_app.core.vault import Vault


# --- what Vault's methods of the same names do ------------------------------------

def summaries(vault: Vault) -> list[VersionSummary]:
    """The previous versions kept, newest first, opened with the held data key."""
    _, dek = vault._keys()
    return version_open.summaries(vault.path, dek)


def removed_by_keeping(vault: Vault, count: int) -> list[str]:
    """The names of the versions ``set_keep_versions(count)`` would delete now."""
    slot, _ = vault._keys()
    return [version.name for version in versions.beyond(vault.path, count, slot)]


def version_entries(vault: Vault, name: str) -> list[KeyEntry]:
    _, dek = vault._keys()
    return version_open.open_version(vault.path, name, dek)[1]


def version_diff(vault: Vault, name: str) -> VersionDiff:
    """What restoring version ``name`` would add, remove and change."""
    return diff(vault.entries, version_entries(vault, name))


def restore_version(vault: Vault, name: str, expected_diff: VersionDiff | None) -> bool:
    """See ``Vault.restore_version``."""
    restored = version_entries(vault, name)
    wrote: list[bool] = []

    def mutate(entries: list[KeyEntry]) -> list[KeyEntry]:
        now = diff(entries, restored)
        if expected_diff is not None and now != expected_diff:
            raise VersionStale(
                "the vault was changed by another window or process since the "
                f"difference to version {name} was shown; nothing was restored. "
                "Look at the difference again.")
        if now.is_empty:
            return entries
        wrote.append(True)
        return list(restored)

    vault.transform(mutate)
    return bool(wrote)


# --- the steps of a save (under the vault's lock) ---------------------------------

def keep_version(vault_path: Path, keep: int, warnings: list[str]) -> str | None:
    """Keep the file about to be replaced as a previous version (never fails)."""
    if keep <= 0:
        return None
    try:
        return versions.keep(vault_path, keep)
    except (VaultError, OSError) as exc:
        warnings.append(str(exc))
        return None


def prepare_rekey_folder(vault_path: Path, notes: list[str]) -> None:
    """Before a password change keeps a version: a versions folder of ours that others
    may write to is made private, so that it is not refused and its versions are
    re-sealed (said in ``notes``)."""
    note = version_rekey.make_folder_private(vault_path)
    if note is not None:
        notes.append(note)


def write_rekey_record(vault_path: Path, old_dek: bytes, new_dek: bytes, kept: str | None,
                       warnings: list[str]) -> bool:
    """Step 1 of ``version_rekey``; False if there is no versions folder or it is
    refused (a link, another user's): none of ours is there to re-seal, and the files
    in it that still open with the old key are listed after the write
    (``after_write``). Any other failure stops the change."""
    try:
        return version_rekey.write_record(vault_path, old_dek, new_dek)
    except FolderRefused as exc:
        warnings.append(f"{exc}; nothing there was re-sealed")
        return False
    except (VaultError, OSError) as exc:
        if kept is not None:
            versions.discard(vault_path, kept)
        raise VaultWriteError(
            f"could not prepare re-sealing the previous versions ({exc}); the master "
            "password was not changed and the vault file is intact") from None


def after_write(vault_path: Path, keep: int, kept: str | None, old_dek: bytes | None,
                recorded: bool, slot: KeySlot, dek: bytes,
                warnings: list[str]) -> PasswordChange | None:
    """With the new file in place: after a re-key (``old_dek``) re-seal the versions
    (``recorded``: the pending record was written), or else list the files of a refused
    versions folder that still open with the old key; then prune (never ``kept``, the
    version this save kept; only versions under ``slot``, see ``versions.prune``)."""
    change = None
    if old_dek is not None and not recorded:
        change = PasswordChange(0, version_rekey.still_open_with(vault_path, old_dek))
    try:
        if old_dek is not None and recorded:  # first, so that pruning counts them
            change = version_rekey.reseal(vault_path, old_dek, slot, dek)
            version_rekey.remove_record(vault_path)
        versions.prune(vault_path, keep, slot, kept)
    except (VaultError, OSError) as exc:
        warnings.append(f"previous versions: {exc}")
    return change


PENDING_NOT_FINISHED = (
    "a master password change of this vault was interrupted, and this read-only open "
    "does not finish it: until the next save (any change, or opening it in the app) "
    "re-seals them, some previous versions may still open with the old password")


def pending_rekey_notice(vault_path: Path) -> str | None:
    """For an open that never writes (read-only, or a file that cannot be saved): the
    notice that an interrupted password change is left to the next save, or None."""
    return PENDING_NOT_FINISHED if version_rekey.has_record(vault_path) else None


def finish_rekey(vault_path: Path, slot: KeySlot, dek: bytes, warnings: list[str]) -> None:
    """Finish a password change a crash interrupted (see ``version_rekey``)."""
    try:
        version_rekey.finish(vault_path, slot, dek)
    except (VaultError, OSError) as exc:
        warnings.append(f"previous versions: {exc}")

