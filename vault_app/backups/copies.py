"""Automatic copies of the vault to a second folder (a USB stick, a synced cloud folder).

A copy is one backup-format file: the vault as on disk, with a ``backup`` section
carrying the vault's order journal (``BackupSection``, as an export has), sealed under
the key slot and data key the session holds with a fresh nonce (``Vault.sealed_with``:
no KDF runs; the master password opens it). ``backup restore`` restores it, keys and
journal, like any backup. It is named ``<vault stem>-<vault id, 8 characters>-<UTC
YYYYMMDDTHHMMSSZ>.vault`` (``-2``, ``-3``... when two copies fall in one second), mode
0600, written by ``storage.atomic_create``: a temp file made private before its first
byte, fsynced, then hard-linked to its name, which the kernel refuses if the name is
taken, so nothing is ever overwritten and no link is followed. It is then read back,
compared byte for byte and decrypted with the held data key, its entries and records
compared with what was sealed; a copy that fails that check is removed.

Only then are this vault's older copies beyond ``keep`` removed. A file is this vault's
copy only if its name carries this vault's stem and id (a restored vault gets a fresh
id) *and* its header's key slot is the one the session holds (or one it held before a
password change: ``refresh_copies(earlier=...)``), and it is a regular file: never
another vault's copies (another vault of the same name and id, made by ``cp``, has its
own salt once either password changes), never a link, never anything else. A name of
our pattern whose date is impossible is not ours either (skipped).

Crash safety: a SIGKILL at any moment leaves every older copy as it was, and at most
one new complete copy (the link comes after the fsync) or a hidden temp file, which a
later copy to the folder removes once it is old. Pruning comes last, after the new copy
was verified, so the folder never holds fewer good copies than before.

The folder is never created: a USB stick that is not mounted must not turn into a
folder on the local disk. It must not be the vault's own folder or its versions
folder (a copy beside the vault is lost with the disk the vault is on).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from vault_app.backups import temps
from vault_app.backups.errors import (  # CopyFailed and its reasons, re-exported
    FOLDER_MISSING,
    FULL,
    NOT_WRITABLE,
    REFUSED,
    VERIFY_FAILED,
    CopyFailed,
)
from vault_app.backups.journal_records import vault_records
from vault_app.core import storage
from vault_app.core.backup_section import BackupSection
from vault_app.core.errors import VaultError, VaultExists, VaultWriteError
from vault_app.core.model import KeyEntry, utcnow
from vault_app.core.os_messages import describe_os_error, kind_of
from vault_app.core.schema import VaultMeta
from vault_app.core.vault import Vault
from vault_app.core.vault_files import own_files
from vault_app.core.vault_format import KeySlot, parse

__all__ = ["FOLDER_MISSING", "FULL", "NOT_WRITABLE", "REFUSED", "VERIFY_FAILED",
           "CopyFailed", "CopyInfo", "CopyReport", "copies_in", "copy_due", "copy_name",
           "refresh_copies", "write_copy"]

SUFFIX = ".vault"
ID_CHARS = 8
_STAMP = "%Y%m%dT%H%M%SZ"
_SAME_SECOND_TRIES = 100

_FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
_NOT_WRITABLE_ERRNOS = {errno.EACCES, errno.EPERM, errno.EROFS}


@dataclass(frozen=True)
class CopyInfo:
    path: Path
    made_at: datetime  # UTC, to the second, from the name
    size: int


@dataclass(frozen=True)
class CopyReport:
    path: Path
    size: int
    key_count: int
    removed: tuple[Path, ...]  # older copies of this vault pruned
    journal_records: int = 0  # the order records it carries


def copy_name(stem: str, vault_id: str, when: datetime, sequence: int = 1) -> str:
    """The file name of a copy of vault ``stem`` with id ``vault_id`` made at ``when``."""
    moment = when.astimezone(UTC).strftime(_STAMP)
    more = f"-{sequence}" if sequence > 1 else ""
    return f"{stem}-{vault_id[:ID_CHARS]}-{moment}{more}{SUFFIX}"


def _pattern(stem: str, vault_id: str) -> re.Pattern[str]:
    return re.compile(rf"{re.escape(stem)}-{re.escape(vault_id[:ID_CHARS])}-"
                      rf"(\d{{8}}T\d{{6}}Z)(?:-(\d+))?{re.escape(SUFFIX)}")


def copy_due(last_copy_at: datetime | None, interval: timedelta | None,
             now: datetime) -> bool:
    """Whether a save at ``now`` makes a copy: always with no interval (after each
    save), and when none was made yet, the last one is ``interval`` old, or the clock
    went back past it (a copy dated in the future must not stop copies for good)."""
    if not interval or last_copy_at is None or last_copy_at > now:
        return True
    return now - last_copy_at >= interval


def copies_in(folder: Path, vault: Vault) -> list[CopyInfo]:
    """This vault's copies in ``folder``, newest first (regular files of its pattern)."""
    return [info for info, _ in _copies(Path(folder), vault.path.stem, vault.meta.id)]


def _copies(folder: Path, stem: str, vault_id: str) -> list[tuple[CopyInfo, int]]:
    pattern = _pattern(stem, vault_id)
    found: list[tuple[CopyInfo, int]] = []
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    for name in names:
        match = pattern.fullmatch(name)
        if match is None:
            continue
        try:
            info = os.stat(folder / name, follow_symlinks=False)
        except OSError:
            continue
        if not stat.S_ISREG(info.st_mode):
            continue  # a link or anything planted under our pattern: never ours
        try:
            made = datetime.strptime(match.group(1), _STAMP).replace(tzinfo=UTC)
        except ValueError:
            continue  # an impossible date (20261399T...): not a name we gave
        found.append((CopyInfo(folder / name, made, info.st_size), int(match.group(2) or 1)))
    found.sort(key=lambda item: (item[0].made_at, item[1]), reverse=True)
    return found


def check_folder(folder: Path, vault_path: Path) -> Path:
    """The real folder behind ``folder``, or CopyFailed saying why no copy can go there."""
    folder = Path(os.path.abspath(folder))
    try:
        real = Path(os.path.realpath(folder, strict=True))
        info = os.stat(real)
    except FileNotFoundError:
        raise CopyFailed(f"the folder {folder} does not exist (a drive not plugged in?)",
                         FOLDER_MISSING) from None
    except OSError as exc:
        raise CopyFailed(f"cannot reach the folder {folder}: {describe_os_error(exc)}",
                         FOLDER_MISSING) from None
    if not stat.S_ISDIR(info.st_mode):
        raise CopyFailed(f"{folder} is {kind_of(info.st_mode)}, not a folder", REFUSED)
    vault_real, *_, versions = own_files(vault_path)
    for own, what in ((vault_real.parent, "the vault's own folder"),
                      (versions, "the vault's previous-versions folder")):
        if os.path.exists(own) and os.path.samefile(real, own):
            raise CopyFailed(f"{folder} is {what}: a copy there is lost with the vault's "
                             "disk. Choose a folder on another drive or a synced folder",
                             REFUSED)
    return real


AfterWrite = Callable[[Path], None]


def write_copy(vault: Vault, folder: Path, keep: int, *,
               earlier: Collection[KeySlot] = (),
               _after_write: AfterWrite | None = None) -> CopyReport:
    """Write a verified copy of ``vault`` into ``folder`` and keep its newest ``keep``
    copies there (at least the new one). See the module's docstring.

    ``earlier``: key slots this vault had before a password change; copies sealed under
    them count as this vault's too (``refresh_copies``). ``_after_write`` is for tests
    only: it is called with the copy's path between writing and verifying it.

    Raises:
        CopyFailed: no copy was written (``reason`` says why); the vault is untouched.
        VaultLocked, VaultChangedOnDisk: the vault was locked, or its password changed
            by another process; nothing was written.
    """
    real = check_folder(folder, vault.path)
    try:
        records = tuple(vault_records(vault))
    except VaultError as exc:
        raise CopyFailed(f"the order journal cannot be read ({exc}); no copy was "
                         "written", REFUSED) from None
    section = BackupSection(made_at=utcnow(), source_vault_id=vault.meta.id, journal=records)
    data, meta, entries = vault.sealed_with(section)
    stem, vault_id = vault.path.stem, vault.meta.id
    storage.remove_stale_temps(real, f"{storage.TEMP_PREFIX}{stem}-{vault_id[:ID_CHARS]}-",
                               older_than=temps.STALE_AFTER)
    target = _create(real, stem, vault_id, data)
    try:
        if _after_write is not None:
            _after_write(target)
        _verify(vault, target, data, meta, entries)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(target)
        raise
    ours = {parse(data).slot, *earlier}
    removed: list[Path] = []
    for info, _ in _copies(real, stem, vault_id)[max(keep, 1):]:
        if info.path == target or _slot_of(info.path) not in ours:
            continue  # the new one; a file of our name another vault sealed
        with contextlib.suppress(OSError):
            os.unlink(info.path)
            removed.append(info.path)
    return CopyReport(target, len(data), len(entries), tuple(removed), len(records))


def refresh_copies(vault: Vault, folder: Path, *,
                   earlier: Collection[KeySlot] = ()) -> CopyReport:
    """A fresh copy, and every older copy of this vault in ``folder`` removed: after a
    password change the old copies still open with the old password. ``earlier``: the
    key slots the vault had before the change (``Vault.key_slot`` read before it),
    which the old copies are sealed under."""
    return write_copy(vault, folder, keep=1, earlier=earlier)


def _slot_of(path: Path) -> KeySlot | None:
    """The key slot in the header of the file at ``path``; None if it is no vault file."""
    try:
        return parse(storage.read_bytes(path)).slot
    except VaultError:
        return None


def _create(folder: Path, stem: str, vault_id: str, data: bytes) -> Path:
    now = datetime.now(UTC).replace(microsecond=0)
    # After the newest copy of this second, never in a gap pruning left: names sort as made.
    first = max((seq for info, seq in _copies(folder, stem, vault_id) if info.made_at == now),
                default=0) + 1
    for sequence in range(first, first + _SAME_SECOND_TRIES):
        target = folder / copy_name(stem, vault_id, now, sequence)
        try:
            storage.atomic_create(target, data)
        except VaultExists:
            continue  # a copy made this very second: the next number
        except VaultWriteError as exc:
            if exc.replaced:
                return target  # in place; only the folder's flush failed
            raise _failure(folder, exc) from None
        return target
    raise CopyFailed(f"{folder} holds {_SAME_SECOND_TRIES} copies made this second; "
                     "nothing was written", REFUSED)


def _failure(folder: Path, exc: VaultWriteError) -> CopyFailed:
    """A failed write as CopyFailed, with the reason the OS gave. ``storage`` raises
    ``from None``, which hides the OSError from tracebacks but keeps it as context."""
    cause = exc.__context__
    code = cause.errno if isinstance(cause, OSError) else None
    if code in _FULL_ERRNOS:
        return CopyFailed(f"{folder} is full: no copy was written", FULL)
    if code in _NOT_WRITABLE_ERRNOS:
        why = describe_os_error(cause) if isinstance(cause, OSError) else "refused"
        return CopyFailed(f"cannot write to {folder}: {why}; no copy was written",
                          NOT_WRITABLE)
    if code == errno.ENOENT:
        return CopyFailed(f"the folder {folder} disappeared (a drive unplugged?)",
                          FOLDER_MISSING)
    return CopyFailed(f"{exc}", NOT_WRITABLE)


def _verify(vault: Vault, target: Path, data: bytes, meta: VaultMeta,
            entries: list[KeyEntry]) -> None:
    try:
        back = storage.read_bytes(target)
        if back != data or vault.contents_of(back) != (meta, entries):
            raise CopyFailed(f"the copy {target.name} read back differently from the vault; "
                             "it was removed", VERIFY_FAILED)
    except CopyFailed:
        raise
    except VaultError as exc:
        raise CopyFailed(f"the copy {target.name} could not be read back ({exc}); "
                         "it was removed", VERIFY_FAILED) from None
